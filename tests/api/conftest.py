"""The API's cast: one token per scope — read and programme created by the programme's
coordinator, directory by the HR lead (the directory is the whole company's) — and a caller that
sends a token the way an integration does (``Authorization: Bearer …``)."""

import json

import pytest
from django.test import Client


@pytest.fixture
def tokens(coordinator, hr_lead):
    from mentorat.api.services import api_token_create

    return {scope: api_token_create(actor=hr_lead if scope == "directory" else coordinator, name=f"{scope} integration",
                                    scope=scope)[1]
            for scope in ("read", "directory", "programme")}


def call(method: str, url: str, token: str | None = None, body=None, *, content_type="application/json", language="en"):
    """One API call as an integration makes it: no cookie, the token in the header."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    client = Client()
    if method == "get":
        return client.get(url, **headers)
    if body is not None and content_type == "application/json" and not isinstance(body, bytes | str):
        body = json.dumps(body)
    return getattr(client, method)(url, data=body if body is not None else b"", content_type=content_type, **headers)
