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

# The word an HR lead types to erase someone, in the language of these clients (English).
ERASE = "ERASE"

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


def test_erasing_a_person_keeps_every_kpi(world, hr_lead, executive):
    before = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]
    pair = world["pairs"][0]
    senior = pair.mentee.employee
    Application.objects.filter(employee=senior).update(motivation="Je veux comprendre TikTok")
    response = client_en(hr_lead).post(reverse("core:employee_erase", args=[senior.pk]), {"confirm": ERASE})
    assert response.status_code == 302
    senior.refresh_from_db()
    assert senior.first_name == "—" and "invalid" in senior.email and not senior.user.is_active
    assert not Application.objects.filter(employee=senior).exclude(motivation="").exists()
    assert not senior.survey_responses.exists()  # unlinked, still counted
    after = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]
    assert after == before
    entry = AuditEntry.objects.get(action="person.erase")
    assert entry.actor == hr_lead and "Je veux" not in json.dumps(entry.details)


def test_erasure_needs_the_typed_confirmation_and_a_coordinator(world, coordinator, executive):
    senior = world["pairs"][0].mentee.employee
    url = reverse("core:employee_erase", args=[senior.pk])
    client_en(coordinator).post(url, {"confirm": "yes"})
    assert Employee.objects.get(pk=senior.pk).first_name != "—"
    assert client_en(executive).post(url, {"confirm": ERASE}).status_code == 403
    assert client_en(senior.user).post(url, {"confirm": ERASE}).status_code == 403


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


def test_audit_trail_is_for_coordinators_and_exports_without_private_content(active_pair, hr_lead, mentee, mentor):
    session_services.note_add(user=mentee, pair=active_pair, body=MINE)
    client = client_en(hr_lead)
    page = client.get(reverse("core:audit"))
    assert page.status_code == 200 and "pairing.publish" in page.content.decode()
    export = client.get(reverse("core:audit"), {"format": "csv", "action": "pairing"})
    assert export.content.decode("utf-8-sig").splitlines()[0] == "at;actor;action;target;details"
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


# --- Retention: every personal text of a closed programme -----------------------------------

def _after_retention(programme):
    end = timezone.make_aware(datetime.datetime.combine(programme.end_date, datetime.time(12)))
    return end + datetime.timedelta(days=30 * 25)


def _programme_scoped(model, depth=0) -> bool:
    """The model's rows belong to one programme (a chain of foreign keys leads to it)."""
    from programmes.models import Programme

    if model is Programme:
        return True
    if depth > 4:
        return False
    return any(_programme_scoped(f.related_model, depth + 1) for f in model._meta.concrete_fields
               if f.is_relation and f.related_model is not None and f.related_model._meta.label not in ("core.Employee", "core.User"))


def test_every_personal_column_of_a_programme_says_how_retention_removes_it(db):
    from django.apps import apps

    from mentorat.core.privacy import FIELDS, Personal

    missing = [key for key, declaration in FIELDS.items() if isinstance(declaration, Personal)
               and _programme_scoped(apps.get_model(key.rsplit(".", 1)[0])) and not declaration.retention]
    assert not missing


def test_retention_purges_goals_commitments_availability_and_sponsor_messages_and_keeps_the_counts(world, settings, coordinator):
    from programmes.models import ProgrammeSponsor
    from sessions.models import Commitment, LearningGoal, MentoringSession
    from tests.factories import EmployeeFactory

    settings.MENTORAT_RETENTION_MONTHS = 24
    programme, pair = world["programme"], world["pairs"][0]
    Application.objects.filter(programme=programme).update(availability=["mon-am"], languages=["fr"])
    sponsor = ProgrammeSponsor.objects.create(programme=programme, user=EmployeeFactory(job_level=6).user,
                                              message="Mon message personnel")
    LearningGoal.objects.create(pair=pair, title="Publier sur LinkedIn")
    Commitment.objects.create(pair=pair, text="Je poste chaque semaine", due_date=programme.end_date)
    MentoringSession.objects.filter(pair=pair).update(place="Bureau de Jeanne", theme="Mes doutes",
                                                      reschedule_reason="Mon enfant malade", cancel_reason="Fatigué")
    before = (Application.objects.count(), LearningGoal.objects.count(), Commitment.objects.count(),
              MentoringSession.objects.count(), ProgrammeSponsor.objects.count())
    assert retention_purge(now=_after_retention(programme)) > 0
    assert not Application.objects.filter(programme=programme).exclude(availability=[]).exists()
    assert not Application.objects.filter(programme=programme).exclude(languages=[]).exists()
    sponsor.refresh_from_db()
    assert sponsor.message == ""
    assert list(LearningGoal.objects.values_list("title", flat=True)) == ["—"]
    assert list(Commitment.objects.values_list("text", flat=True)) == ["—"]
    assert not MentoringSession.objects.exclude(place="", theme="", reschedule_reason="", cancel_reason="").exists()
    assert before == (Application.objects.count(), LearningGoal.objects.count(), Commitment.objects.count(),
                      MentoringSession.objects.count(), ProgrammeSponsor.objects.count())


def test_retention_leaves_no_personal_text_in_any_declared_column_of_a_closed_programme(world, settings):
    """Every column declared personal on a programme's rows, filled with a marker, is emptied."""
    from django.apps import apps
    from django.db import models

    from evaluation.models import Testimonial
    from mentorat.core.privacy import FIELDS, Personal
    from programmes.models import ProgrammeSponsor
    from sessions.models import Commitment, Concern, LearningGoal, MentoringSession, SessionLog
    from tests.factories import EmployeeFactory

    settings.MENTORAT_RETENTION_MONTHS = 24
    programme, pair = world["programme"], world["pairs"][0]
    session = MentoringSession.objects.filter(pair=pair).first()
    ProgrammeSponsor.objects.create(programme=programme, user=EmployeeFactory(job_level=6).user)
    SessionLog.objects.create(session=session)
    LearningGoal.objects.create(pair=pair, title="x")
    Commitment.objects.create(pair=pair, text="x", due_date=programme.end_date)
    PrivateNote.objects.create(pair=pair, body="x")
    Concern.objects.create(pair=pair, body="x")
    Testimonial.objects.create(programme=programme, author=pair.mentee.employee, role="mentee", title="x", body="x",
                               consent=False)
    marker = "MARQUEUR-RETENTION"
    columns = [key for key, declaration in FIELDS.items() if isinstance(declaration, Personal) and declaration.retention
               and _programme_scoped(apps.get_model(key.rsplit(".", 1)[0]))]
    for key in columns:
        label, name = key.rsplit(".", 1)
        model = apps.get_model(label)
        value = [marker] if isinstance(model._meta.get_field(name), models.JSONField) else marker
        for row in model.objects.all():
            setattr(row, name, value)
            row.save(update_fields=[name])
    retention_purge(now=_after_retention(programme))
    left = [f"{key} #{row.pk}" for key in columns for row in apps.get_model(key.rsplit(".", 1)[0]).objects.all()
            if marker in json.dumps(getattr(row, key.rsplit(".", 1)[1]), default=str)]
    assert not left


# --- The download: login history, what was done about the person, delegate, acknowledgements ----

def _download(user):
    return json.loads(client_en(user).get(reverse("core:my_data"), {"format": "json"}).content)


def test_the_download_has_the_login_history_of_the_person_only(active_pair, mentee, mentor):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    client = client_en(mentee)  # logging in resets the failures: log in first
    AccessLog.objects.create(username=mentee.email.upper(), ip_address="10.0.0.7", user_agent="Firefox", http_accept="*/*",
                             path_info="/accounts/login/")
    AccessFailureLog.objects.create(username=mentee.email, ip_address="10.0.0.8", user_agent="Firefox", http_accept="*/*",
                                    path_info="/accounts/login/")
    AccessAttempt.objects.create(username=mentee.email, ip_address="10.0.0.8", user_agent="Firefox", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data="", failures_since_start=2)
    AccessLog.objects.create(username=mentor.email, ip_address="10.0.0.9", user_agent="Edge", http_accept="*/*",
                             path_info="/accounts/login/")
    history = json.loads(client.get(reverse("core:my_data"), {"format": "json"}).content)["login_history"]
    logins = [row["ip_address"] for row in history["logins"]]
    assert "10.0.0.7" in logins and "10.0.0.9" not in logins  # (the test client's own login is there too)
    assert [row["ip_address"] for row in history["failed_logins"]] == ["10.0.0.8"]
    assert [row["failures"] for row in history["lockouts"]] == [2]


def test_the_download_has_what_was_recorded_about_the_person_not_only_by_them(active_pair, mentee, mentor, coordinator):
    from mentorat.core.services import audit_log

    employee = mentee.employee
    audit_log(actor=coordinator, action="admin.change", target=f"employee:{employee.pk}", details={"change": "job title"})
    audit_log(actor=coordinator, action="login.unlock", target=mentee.email)
    audit_log(actor=coordinator, action="admin.change", target=f"employee:{mentor.employee.pk}")
    about = _download(mentee)["actions_about_me"]
    actions = [(row["action"], row["target"]) for row in about]
    assert ("admin.change", f"employee:{employee.pk}") in actions
    assert ("login.unlock", mentee.email) in actions
    assert ("application.approve", f"cohorte-test/{employee.employee_id}") in actions
    assert f"employee:{mentor.employee.pk}" not in json.dumps(about)
    assert coordinator.email not in json.dumps(about)


def test_the_download_names_the_delegate_the_senior_chose(active_pair, mentee, outsider):
    from sessions import services as session_services

    session_services.delegate_set(user=mentee, email=outsider.email)
    assert [row["email"] for row in _download(mentee)["my_delegate"]] == [outsider.email]
    assert _download(outsider)["delegate_for"] == [mentee.employee.full_name]


def test_the_download_has_the_managers_acknowledgements_both_ways(active_pair, mentor, org):
    from programmes.models import ManagerAcknowledgement
    from programmes.services import manager_acknowledge

    ack = ManagerAcknowledgement.objects.get(application__employee=mentor.employee)
    manager_acknowledge(token=ack.token)
    mine = _download(mentor)["manager_acknowledgements"]
    assert [(row["manager"], row["acknowledged"] is not None) for row in mine] == [(org["director_b"].full_name, True)]
    asked = _download(org["director_b"].user)["acknowledgements_asked_of_me"]
    assert [row["for"] for row in asked] == [mentor.employee.full_name]
    assert ack.token not in json.dumps(mine) + json.dumps(asked)


def test_the_download_never_has_the_other_members_notes_or_answers_about_the_person(active_pair, mentee, mentor):
    from evaluation.services import surveys_ensure
    from programmes.models import LearningDomain

    session_services.note_add(user=mentor, pair=active_pair, body=THEIRS)
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=active_pair.programme)}
    domain = LearningDomain.objects.get(slug="generative-ai")
    answer(surveys[("midpoint", "mentor")], active_pair, "mentor", {"text": "Mon senior écoute peu"},
           domain_values={domain: 2})
    text = json.dumps(_download(mentee), ensure_ascii=False)
    assert THEIRS not in text and "Mon senior écoute peu" not in text
    assert not any(r["survey"] == surveys[("midpoint", "mentor")].title for r in _download(mentee)["my_survey_answers"])
