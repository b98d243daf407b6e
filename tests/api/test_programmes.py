"""Programmes, applications and pairs through the API: the same services as the pages, so the
same refusals (named field), and every pairing rule on imported pairs."""

from binomes.models import Pair
from mentorat.core.models import Employee
from programmes.models import Application, Programme
from tests.api.conftest import call

SLUG = "cohorte-test"


def test_it_creates_a_programme_and_moves_it_along(coordinator, tokens):
    body = {"name": "Cohorte API", "slug": "cohorte-api", "start_date": "2027-09-06", "duration_months": 6,
            "cadence_weeks": 2, "domains": ["generative-ai"]}
    response = call("post", "/api/programmes/", tokens["programme"], body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["end_date"] == "2028-03-06" and created["domains"] == ["generative-ai"]
    response = call("post", "/api/programmes/cohorte-api/transition/", tokens["programme"], {"to": "enrolment"})
    assert response.status_code == 200 and response.json()["status"] == "enrolment"
    assert call("get", "/api/programmes/?status=enrolment", tokens["read"]).json()["results"][0]["slug"] == "cohorte-api"


def test_a_refused_programme_names_the_field(coordinator, tokens):
    body = {"name": "Trop longue", "slug": "trop-longue", "start_date": "2027-09-06", "duration_months": 18, "cadence_weeks": 2}
    response = call("post", "/api/programmes/", tokens["programme"], body)
    assert response.status_code == 400 and response.json()["field"] == "duration_months"
    response = call("post", "/api/programmes/", tokens["programme"], {**body, "duration_months": 6, "start_date": "06/09/2027"})
    assert response.status_code == 400 and response.json()["field"] == "start_date"
    assert not Programme.objects.filter(slug="trop-longue").exists()


def test_a_forbidden_transition_is_refused_with_the_services_words(programme, tokens):
    response = call("post", f"/api/programmes/{SLUG}/transition/", tokens["programme"], {"to": "running"})
    assert response.status_code == 400 and "cannot go from" in response.json()["detail"]
    response = call("post", f"/api/programmes/{SLUG}/transition/", tokens["programme"], {"to": "closed"})
    assert response.status_code == 400 and response.json()["field"] == "to"
    assert call("post", "/api/programmes/nope/transition/", tokens["programme"], {"to": "draft"}).status_code == 404


def test_applications_collected_elsewhere_are_imported_all_or_nothing(programme, org, tokens):
    rows = [{"employee_id": "JA", "role": "mentor", "domains": {"generative-ai": 3}, "availability": ["mon-am"],
             "languages": ["fr"], "format": "remote"},
            {"employee_id": "DB", "role": "mentee", "domains": {"generative-ai": 2}, "availability": ["mon-am", "tue-pm"],
             "languages": ["fr", "en"], "format": "either"},
            {"employee_id": "GHOST", "role": "mentee", "domains": {"generative-ai": 2}, "availability": ["mon-am"],
             "languages": ["fr"], "format": "either"}]
    response = call("post", f"/api/programmes/{SLUG}/applications/", tokens["programme"], rows)
    assert response.status_code == 400 and response.json()["errors"][0].startswith("index 2: ")
    assert not Application.objects.exists()
    response = call("post", f"/api/programmes/{SLUG}/applications/", tokens["programme"], rows[:2])
    assert response.status_code == 200 and response.json() == {"applied": True, "count": 2}
    listed = call("get", f"/api/programmes/{SLUG}/applications/?role=mentee", tokens["read"]).json()["results"]
    assert [(a["employee_id"], a["status"], a["domains"], a["languages"]) for a in listed] == [
        ("DB", "approved", {"generative-ai": 2}, ["fr", "en"])]


def test_an_application_is_reviewed(programme, org, tokens):
    from programmes.services import application_submit
    from tests.conftest import application_data

    application = application_submit(employee=org["junior_a"], programme=programme, role="mentor",
                                     data=application_data("mentor"), charter_accepted=True)
    url = f"/api/programmes/{SLUG}/applications/{application.pk}/review/"
    response = call("post", url, tokens["programme"], {"decision": "maybe"})
    assert response.status_code == 400 and response.json()["field"] == "decision"
    response = call("post", url, tokens["programme"], {"decision": "waitlist", "message": "Bientôt."})
    assert response.status_code == 200 and response.json()["status"] == "waitlisted"
    assert call("post", f"/api/programmes/{SLUG}/applications/999999/review/", tokens["programme"],
                {"decision": "approve"}).status_code == 404


def test_imported_pairs_obey_every_pairing_rule_all_or_nothing(programme, cohort, tokens):
    # JB reports to DB: a direct line, refused whatever else the list holds.
    response = call("post", f"/api/programmes/{SLUG}/pairs/import/", tokens["programme"],
                    [{"mentor": "JA", "mentee": "DB"}, {"mentor": "JB", "mentee": "DB"}])
    assert response.status_code == 400
    assert [e.split(":")[0] for e in response.json()["errors"]] == ["index 1"]
    assert not Pair.objects.exists()
    response = call("post", f"/api/programmes/{SLUG}/pairs/import/", tokens["programme"],
                    [{"mentor": "JA", "mentee": "DB"}, {"mentor": "JB", "mentee": "DA"}])
    assert response.status_code == 200 and response.json()["count"] == 2
    pairs = call("get", f"/api/programmes/{SLUG}/pairs/", tokens["read"]).json()["results"]
    assert {(p["mentor_employee_id"], p["mentee_employee_id"], p["source"], p["locked"]) for p in pairs} == {
        ("JA", "DB", "import", True), ("JB", "DA", "import", True)}


def test_pairs_export_as_the_boards_csv(active_pair, tokens):
    response = call("get", f"/api/programmes/{SLUG}/pairs/export/", tokens["read"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("mentor_employee_id;mentor_name;mentee_employee_id") and lines[1].startswith("JB;")


def test_sessions_are_metadata_with_iso_dates_and_filters(active_pair, tokens):
    response = call("get", f"/api/sessions/?programme={SLUG}&pair={active_pair.pk}&page_size=2", tokens["read"])
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == active_pair.sessions.count() > 2
    first = body["results"][0]
    assert set(first) == {"id", "pair", "programme", "starts_at", "duration_minutes", "status", "cancelled_by"}
    assert first["starts_at"].endswith(("Z", "+00:00", "+01:00", "+02:00")) and "T" in first["starts_at"]
    later = call("get", f"/api/sessions/?starts_after={first['starts_at'].replace('+', '%2B')}&status=planned",
                 tokens["read"]).json()
    assert later["count"] == body["count"]
    assert call("get", "/api/sessions/?starts_before=soon", tokens["read"]).json()["field"] == "starts_before"


def test_a_programme_token_does_not_write_the_directory(org, tokens):
    response = call("post", "/api/employees/bulk/", tokens["programme"],
                    [{"employee_id": "N1", "first_name": "A", "last_name": "B", "email": "n1@corp.example"}])
    assert response.status_code == 403 and not Employee.objects.filter(employee_id="N1").exists()


def test_closing_through_the_api_says_what_it_will_do_then_needs_confirm(active_pair, other_pair, coordinator, tokens):
    import datetime

    from django.utils import timezone

    from programmes.services import programme_transition

    programme = programme_transition(actor=coordinator, programme=active_pair.programme, to=Programme.Status.RUNNING)
    url = f"/api/programmes/{SLUG}/close/"
    # Before its start date: refused, and said why.
    preview = call("get", url, tokens["read"]).json()
    assert preview["can_close"] is False and preview["refusal"] and preview["effects"] == []
    Programme.objects.filter(pk=programme.pk).update(start_date=timezone.localdate() - datetime.timedelta(days=1))
    preview = call("get", url, tokens["read"]).json()
    assert preview["can_close"] is True and any("pair" in line for line in preview["effects"])
    # A read token writes nothing; without confirm=true, nothing happens either.
    assert call("post", url, tokens["read"], {"confirm": True}).status_code == 403
    refused = call("post", url, tokens["programme"], {"confirm": False})
    assert refused.status_code == 400 and refused.json()["field"] == "confirm"
    assert Programme.objects.get(pk=programme.pk).status == Programme.Status.RUNNING
    done = call("post", url, tokens["programme"], {"confirm": True})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert set(Pair.objects.filter(programme=programme).values_list("status", flat=True)) == {"completed"}
    again = call("post", url, tokens["programme"], {"confirm": True})
    assert again.status_code == 400 and again.json()["detail"]
