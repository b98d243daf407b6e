"""GDPR: each person's download, erasure with unchanged KPIs, retention, the audit trail."""

import datetime
import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors
from mentorat.core.models import AuditEntry, Employee
from mentorat.core.privacy import retention_purge
from programmes.models import Application
from sessions import services as session_services
from sessions.models import PrivateNote
from tests.evaluation.conftest import answer, client_en

NOW = timezone.make_aware(datetime.datetime(2026, 11, 22, 12))
MINE, THEIRS = "Je n'ose pas encore poster", "Mon senior progresse vite mais doute"


def test_a_person_downloads_what_is_held_on_them_and_not_the_others_notes_or_answers(active_pair, mentor, mentee):
    session_services.note_add(user=mentee, pair=active_pair, body=MINE)
    session_services.note_add(user=mentor, pair=active_pair, body=THEIRS)
    from evaluation.services import surveys_ensure
    from programmes.models import LearningDomain

    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=active_pair.programme)}
    domain = LearningDomain.objects.get(slug="generative-ai")
    answer(surveys[("midpoint", "mentor")], active_pair, "mentor", {"satisfaction": 2, "text": "Il annule trop"},
           domain_values={domain: 1})
    answer(surveys[("baseline", "mentee")], active_pair, "mentee", {"text": "Apprendre"}, domain_values={domain: 2})

    client = client_en(mentee)
    page = client.get(reverse("core:my_data"))
    assert page.status_code == 200
    download = client.get(reverse("core:my_data"), {"format": "json"})
    data = json.loads(download.content)
    text = download.content.decode()
    assert data["directory"]["email"] == mentee.email
    assert data["applications"][0]["role"] == "mentee"
    assert data["pairs"][0]["with"] == mentor.get_full_name()
    assert [n["text"] for n in data["my_private_notes"]] == [MINE]
    assert THEIRS not in text and "Il annule trop" not in text  # the mentor's note and answers are theirs
    assert data["my_survey_answers"][0]["answers"]
    assert "attachment" in download["Content-Disposition"]


def test_erasing_a_person_keeps_every_kpi(world, coordinator, executive):
    before = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]
    pair = world["pairs"][0]
    senior = pair.mentee.employee
    Application.objects.filter(employee=senior).update(motivation="Je veux comprendre TikTok")
    response = client_en(coordinator).post(reverse("core:employee_erase", args=[senior.pk]), {"confirm": "ERASE"})
    assert response.status_code == 302
    senior.refresh_from_db()
    assert senior.first_name == "—" and "invalid" in senior.email and not senior.user.is_active
    assert not Application.objects.filter(employee=senior).exclude(motivation="").exists()
    assert not senior.survey_responses.exists()  # unlinked, still counted
    after = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]
    assert after == before
    entry = AuditEntry.objects.get(action="person.erase")
    assert entry.actor == coordinator and "Je veux" not in json.dumps(entry.details)


def test_erasure_needs_the_typed_confirmation_and_a_coordinator(world, coordinator, executive):
    senior = world["pairs"][0].mentee.employee
    url = reverse("core:employee_erase", args=[senior.pk])
    client_en(coordinator).post(url, {"confirm": "yes"})
    assert Employee.objects.get(pk=senior.pk).first_name != "—"
    assert client_en(executive).post(url, {"confirm": "ERASE"}).status_code == 403
    assert client_en(senior.user).post(url, {"confirm": "ERASE"}).status_code == 403


def test_retention_removes_personal_content_after_the_period_only(world, settings):
    pair = world["pairs"][0]
    PrivateNote.objects.create(pair=pair, author=pair.mentee.employee.user, body=MINE)
    programme = world["programme"]  # ended 2025-10-13
    end = timezone.make_aware(datetime.datetime.combine(programme.end_date, datetime.time(12)))
    settings.MENTORAT_RETENTION_MONTHS = 24
    assert retention_purge(now=end + datetime.timedelta(days=30 * 23)) == 0
    assert PrivateNote.objects.exists()
    assert retention_purge(now=end + datetime.timedelta(days=30 * 25)) > 0
    assert not PrivateNote.objects.exists()
    from evaluation.models import Answer, Response

    assert not Answer.objects.exclude(text="").exists()
    assert not Response.objects.filter(respondent__isnull=False).exists()
    assert Response.objects.count() == 18  # the counts remain


def test_audit_trail_is_for_coordinators_and_exports_without_private_content(active_pair, coordinator, mentee, mentor):
    session_services.note_add(user=mentee, pair=active_pair, body=MINE)
    client = client_en(coordinator)
    page = client.get(reverse("core:audit"))
    assert page.status_code == 200 and "pairing.publish" in page.content.decode()
    export = client.get(reverse("core:audit"), {"format": "csv", "action": "pairing"})
    assert export.content.decode().splitlines()[0] == "at,actor,action,target,details"
    assert len(export.content.decode().splitlines()) > 1
    everything = "".join(str(e.details) + e.target + e.action for e in AuditEntry.objects.all())
    assert MINE not in everything
    for user in (mentee, mentor):
        assert client_en(user).get(reverse("core:audit")).status_code == 403


def test_the_privacy_page_is_public_and_bilingual(db):
    page = Client().get(reverse("core:privacy"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "24 months" in page.content.decode()


def test_admin_changes_join_the_audit_trail(superuser, org):
    from tests.conftest import client_for

    employee = org["junior_a"]
    client = client_for(superuser)
    url = reverse("admin:core_employee_change", args=[employee.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: (value.pk if hasattr(value, "pk") else value) for name, value in form.initial.items()
            if value is not None and name in form.fields}
    data["job_title"] = "Data analyst"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == superuser and entry.target == f"employee:{employee.pk}"
    assert "Data analyst" not in json.dumps(entry.details)  # field names, not values
