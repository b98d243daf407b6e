"""Who may call what: every endpoint of the API against no token, a revoked or foreign token, and
each scope; the token acts as its coordinator and stops working when they no longer are one."""

import pytest

from mentorat.api.models import ApiToken
from mentorat.core.models import AuditEntry
from tests.api.conftest import call

SLUG = "cohorte-test"
READS = [
    "/api/employees/", "/api/employees/DA/", "/api/programmes/", f"/api/programmes/{SLUG}/",
    f"/api/programmes/{SLUG}/applications/", f"/api/programmes/{SLUG}/pairs/", f"/api/programmes/{SLUG}/pairs/export/",
    f"/api/programmes/{SLUG}/close/",
    "/api/sessions/", "/api/kpis/", "/api/schema/",
]
# (url, the scope that may write there)
WRITES = [
    ("/api/employees/bulk/", "directory"),
    ("/api/programmes/", "programme"),
    (f"/api/programmes/{SLUG}/transition/", "programme"),
    (f"/api/programmes/{SLUG}/close/", "programme"),
    (f"/api/programmes/{SLUG}/applications/", "programme"),
    (f"/api/programmes/{SLUG}/applications/{{pk}}/review/", "programme"),
    (f"/api/programmes/{SLUG}/pairs/import/", "programme"),
]


@pytest.fixture
def world(active_pair, tokens):
    return {"pk": active_pair.mentee.pk}


def every_url(world):
    return [("get", url) for url in READS] + [("post", url.format(**world)) for url, _scope in WRITES]


def test_every_endpoint_refuses_a_call_without_a_token(world):
    for method, url in every_url(world):
        response = call(method, url)
        assert response.status_code == 401, (method, url, response.status_code)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["detail"]


def test_every_endpoint_refuses_a_revoked_token(world, tokens, coordinator):
    from mentorat.api.services import api_token_revoke

    api_token_revoke(actor=coordinator, token=ApiToken.objects.get(name="read integration"))
    for method, url in every_url(world):
        assert call(method, url, tokens["read"]).status_code == 401, (method, url)


def test_a_forged_or_malformed_token_is_refused(world, tokens):
    good = tokens["read"]
    forged = good[:-4] + ("aaaa" if not good.endswith("aaaa") else "bbbb")
    for token in (forged, "mnt_00000000_" + "x" * 43, "not-a-token", good + "x"):
        assert call("get", "/api/employees/", token).status_code == 401, token


def test_a_session_login_is_not_enough_for_the_api(world, coordinator):
    from tests.conftest import client_for

    client = client_for(coordinator)
    assert client.get("/api/employees/").status_code == 401
    assert client.post("/api/programmes/", {}, content_type="application/json").status_code == 401


@pytest.mark.parametrize("scope", ["read", "directory", "programme"])
def test_every_scope_reads_every_resource(world, tokens, scope):
    for url in READS:
        response = call("get", url, tokens[scope])
        assert response.status_code == 200, (url, response.status_code, response.content[:300])


def test_each_write_needs_its_scope_and_a_read_token_writes_nothing(world, tokens):
    before = (AuditEntry.objects.exclude(action__startswith="api.").count(), ApiToken.objects.count())
    for url, needed in WRITES:
        url = url.format(**world)
        for scope, token in tokens.items():
            response = call("post", url, token, [] if "bulk" in url or "import" in url or url.endswith("applications/") else {})
            if scope == needed:
                assert response.status_code not in (401, 403), (url, scope, response.status_code)
            else:
                assert response.status_code == 403, (url, scope, response.status_code)
                assert "scope" in response.json()["detail"]
    # The admitted calls sent empty bodies: refused as invalid, nothing written by anyone.
    assert (AuditEntry.objects.exclude(action__startswith="api.").count(), ApiToken.objects.count()) == before


def test_a_token_stops_working_when_its_creator_is_no_longer_a_coordinator(world, tokens, coordinator):
    assert call("get", "/api/employees/", tokens["read"]).status_code == 200
    coordinator.is_coordinator = False
    coordinator.save()
    response = call("get", "/api/employees/", tokens["read"])
    assert response.status_code == 401 and "coordinator" in response.json()["detail"]


def test_every_call_is_audited_with_its_token_and_status_and_no_body(world, tokens, coordinator):
    call("get", "/api/employees/?search=DA", tokens["read"])
    call("post", "/api/employees/bulk/", tokens["read"], [{"employee_id": "SECRET-BODY"}])
    call("get", "/api/employees/", "mnt_0badc0de_" + "y" * 43)
    entries = list(AuditEntry.objects.filter(action__startswith="api.").order_by("pk"))
    prefix = ApiToken.objects.get(name="read integration").prefix
    assert [(e.actor, e.action, e.target, e.details) for e in entries] == [
        (coordinator, "api.GET employees", "/api/employees/", {"status": 200, "token": prefix}),
        (coordinator, "api.POST employees.bulk", "/api/employees/bulk/", {"status": 403, "token": prefix}),
        (None, "api.GET employees", "/api/employees/", {"status": 401, "token": "0badc0de"}),
    ]
    assert "SECRET-BODY" not in str([(e.target, e.details) for e in entries])


def test_last_used_is_stamped(world, tokens):
    token = ApiToken.objects.get(name="read integration")
    assert token.last_used_at is None
    call("get", "/api/programmes/", tokens["read"])
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_calls_beyond_the_rate_are_refused_with_retry_after(world, tokens, settings):
    settings.MENTORAT_API_RATE = "3/minute"
    # A cache of this test's own: the shared one is cleared by other test runs.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate"}}
    statuses = [call("get", "/api/programmes/", tokens["read"]).status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = call("get", "/api/programmes/", tokens["read"])
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # Counted per token: another integration is not held back.
    assert call("get", "/api/programmes/", tokens["directory"]).status_code == 200
