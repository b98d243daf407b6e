"""Coordinators create and revoke tokens in the interface: the secret is shown once and stored
only as a hash; nobody else may create or revoke one."""

import hashlib

import pytest

from mentorat.api.models import ApiToken
from mentorat.api.services import TokenError, api_token_create
from mentorat.core.models import AuditEntry
from tests.api.conftest import call
from tests.conftest import client_for


def test_an_hr_lead_creates_a_token_whose_secret_is_shown_once_and_stored_hashed(hr_lead):
    client = client_for(hr_lead)
    response = client.post("/api/tokens/", {"name": "SIRH nightly", "scope": "directory"})
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get()
    secret = next(word for word in page.replace("<", " ").replace(">", " ").split() if word.startswith(f"mnt_{token.prefix}_"))
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.split("_", 2)[2] not in str(ApiToken.objects.values().get())
    assert (token.scope, token.created_by, token.revoked_at) == ("directory", hr_lead, None)
    assert secret not in client.get("/api/tokens/").content.decode()  # never shown again
    assert call("get", "/api/employees/", secret).status_code == 200
    assert AuditEntry.objects.filter(action="api_token.create", actor=hr_lead, target=f"token:{token.prefix}").exists()


def test_a_token_without_a_name_or_scope_is_refused_on_its_field(coordinator):
    response = client_for(coordinator).post("/api/tokens/", {"name": " ", "scope": "everything"})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    form = response.context["form"]
    assert set(form.errors) == {"name", "scope"}


def test_a_coordinator_revokes_a_token_and_it_stops_at_once(coordinator, tokens):
    token = ApiToken.objects.get(name="read integration")
    response = client_for(coordinator).post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == coordinator
    assert call("get", "/api/employees/", tokens["read"]).status_code == 401
    assert call("get", "/api/employees/", tokens["directory"]).status_code == 200


@pytest.mark.parametrize("who", ["mentor", "executive", "superuser", "outsider"])
def test_nobody_but_a_coordinator_creates_or_revokes_tokens(request, who, tokens):
    user = request.getfixturevalue(who)
    client = client_for(user)
    token = ApiToken.objects.get(name="read integration")
    assert client.get("/api/tokens/").status_code == 403
    assert client.post("/api/tokens/", {"name": "mine", "scope": "programme"}).status_code == 403
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.count() == 3 and ApiToken.objects.filter(revoked_at__isnull=True).count() == 3
    with pytest.raises(TokenError):
        api_token_create(actor=user, name="mine", scope="read")


def test_the_page_lists_tokens_without_their_secret_and_the_navigation_links_it(hr_lead, tokens):
    """The HR lead's page lists every token (a coordinator's, their own: tests/programmes/test_scoped_coordinators.py)."""
    page = client_for(hr_lead).get("/api/tokens/").content.decode()
    for secret in tokens.values():
        assert secret not in page
        assert secret[:13] in page  # mnt_<prefix>_ names the token
    assert 'href="/api/tokens/"' in page and 'href="/api/docs/"' in page


def test_anonymous_visitors_are_sent_to_log_in(db):
    from django.test import Client

    response = Client().get("/api/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
