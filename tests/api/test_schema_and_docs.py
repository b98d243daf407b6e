"""The OpenAPI 3 schema is valid and names every API route; the docs page renders from local
static files under the Content-Security-Policy (no inline script, no CDN)."""

import re

from django.contrib.staticfiles import finders
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

from tests.api.conftest import call
from tests.conftest import client_for


def api_routes():
    """``/api/...`` paths of the API's resources, as the schema writes them (``{name}``)."""
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    for route in walk(get_resolver().url_patterns):
        if route.startswith("api/") and not route.startswith(("api/tokens/", "api/schema/", "api/docs/")):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_the_schema_is_valid_openapi_3_and_has_every_route(coordinator, tokens):
    response = call("get", "/api/schema/", tokens["read"])
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    documented = {path.replace("{id}", "{pk}") for path in schema["paths"]}
    routes = set(api_routes())
    assert routes and routes <= documented, routes - documented
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "mnt_<prefix>_<secret>",
        "description": schema["components"]["securitySchemes"]["apiToken"]["description"]}
    # The bulk calls say both bodies they take.
    assert set(schema["paths"]["/api/employees/bulk/"]["post"]["requestBody"]["content"]) == {"application/json", "text/csv"}


def test_the_schema_opens_to_a_coordinator_in_the_browser_and_no_one_else(coordinator, mentor):
    assert client_for(coordinator).get("/api/schema/").status_code == 200
    assert client_for(mentor).get("/api/schema/").status_code == 403
    assert call("get", "/api/schema/").status_code == 401


def test_the_docs_render_from_local_assets_under_the_csp(coordinator):
    client = client_for(coordinator)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert not re.search(r"https?://", html), "no CDN: the docs work on a closed network"
    scripts = re.findall(r'<script([^>]*)>(.*?)</script>', html, re.DOTALL)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts), "no inline script"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    static = [src for src in sources if src.startswith("/static/")]
    assert len(static) >= 3
    for src in static:
        assert finders.find(src.removeprefix("/static/")), src
    init = next(src for src in sources if "script" in src and not src.startswith("/static/"))
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode() and "SwaggerUIBundle" in script.content.decode()


def test_the_docs_are_for_coordinators(mentor, executive):
    assert client_for(mentor).get("/api/docs/").status_code == 403
    assert client_for(executive).get("/api/docs/").status_code == 403
    anonymous = call("get", "/api/docs/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
