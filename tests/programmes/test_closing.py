"""Closing a programme: a confirmation page that says what will happen, refused before the start,
then in one audited transaction the pairs end as completed, future sessions are cancelled (with a
cancelling invitation), the surveys close and the certificates are issued."""

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from binomes.models import Pair
from mentorat.core.models import AuditEntry, Notification
from programmes import services
from programmes.models import Programme
from programmes.services import ProgrammeError, programme_close, programme_close_preview, programme_transition
from tests.conftest import client_for, drain_outbox

AFTER_START = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def running(active_pair, other_pair, coordinator):
    from evaluation.services import surveys_ensure

    programme = programme_transition(actor=coordinator, programme=active_pair.programme, to=Programme.Status.RUNNING)
    surveys_ensure(programme=programme)
    mail.outbox.clear()
    Notification.objects.all().delete()
    return programme


@pytest.fixture
def met(running):
    """Each pair held its first session (2027-01-11): a certificate needs a pair that met."""
    from sessions.models import MentoringSession

    for pair in running.pairs.all():
        MentoringSession.objects.filter(pk=pair.sessions.order_by("starts_at").first().pk).update(status="held")
    return running


def future_planned(programme, now=AFTER_START):
    from sessions.models import MentoringSession

    return MentoringSession.objects.filter(pair__programme=programme, status="planned", starts_at__gt=now)


def in_english(user):
    """The pages' wording is checked in English (the user's saved language decides)."""
    user.language = "en"
    user.save(update_fields=["language"])


def page_running_since_yesterday(programme):
    """The view runs at the real clock: move the start into the past (the sessions stay ahead)."""
    import django.utils.timezone as tz

    Programme.objects.filter(pk=programme.pk).update(start_date=tz.localdate() - datetime.timedelta(days=1))


@pytest.mark.django_db
class TestRefusals:
    def test_it_is_refused_before_the_programme_starts(self, running, coordinator):
        before = datetime.datetime(2027, 1, 5, 12, tzinfo=datetime.UTC)
        planned = future_planned(running, before).count()
        with pytest.raises(ProgrammeError, match="before it has started"):
            programme_close(actor=coordinator, programme=running, now=before)
        running.refresh_from_db()
        assert running.status == "running" and future_planned(running, before).count() == planned
        assert Pair.objects.filter(programme=running, status="active").count() == 2
        assert running.surveys.filter(is_active=True).count() == 8

    def test_the_page_says_so_and_offers_no_button_before_the_start(self, running, coordinator):
        in_english(coordinator)
        page = client_for(coordinator).get(reverse("programmes:close", args=[running.slug]))
        body = page.content.decode()
        assert page.status_code == 200 and "before it has started" in body and 'name="confirm"' not in body
        client_for(coordinator).post(reverse("programmes:close", args=[running.slug]), {"confirm": "on"})
        running.refresh_from_db()
        assert running.status == "running"

    def test_the_status_button_no_longer_closes_in_one_click(self, running, coordinator):
        page_running_since_yesterday(running)
        client_for(coordinator).post(reverse("programmes:status", args=[running.slug]), {"to": "closed"})
        running.refresh_from_db()
        assert running.status == "running"
        with pytest.raises(ProgrammeError):
            programme_transition(actor=coordinator, programme=running, to="closed")

    def test_the_service_refuses_anyone_but_a_coordinator(self, running, superuser, org):
        for user in (superuser, org["junior_b"].user):
            with pytest.raises(ProgrammeError, match="coordinators"):
                programme_close(actor=user, programme=running, now=AFTER_START)
        running.refresh_from_db()
        assert running.status == "running"

    def test_only_a_running_programme_closes(self, programme, coordinator):
        with pytest.raises(ProgrammeError, match="running"):
            programme_close(actor=coordinator, programme=programme, now=AFTER_START)

    def test_only_coordinators_close(self, running, org, sponsor, executive, superuser):
        page_running_since_yesterday(running)
        url = reverse("programmes:close", args=[running.slug])
        for user in (org["junior_b"].user, sponsor, executive, superuser):
            assert client_for(user).get(url).status_code == 403
            assert client_for(user).post(url, {"confirm": "on"}).status_code == 403
        running.refresh_from_db()
        assert running.status == "running"


@pytest.mark.django_db
class TestTheConfirmation:
    def test_the_page_says_what_will_happen(self, running, met, coordinator):
        in_english(coordinator)
        page_running_since_yesterday(running)
        planned = future_planned(running, datetime.datetime.now(datetime.UTC)).count()
        body = client_for(coordinator).get(reverse("programmes:close", args=[running.slug])).content.decode()
        assert "2 active pairs end as completed" in body
        assert f"{planned} future sessions are cancelled" in body
        assert "8 surveys close" in body
        assert "4 certificates of participation" in body
        assert 'name="confirm"' in body
        running.refresh_from_db()
        assert running.status == "running"

    def test_without_the_box_ticked_nothing_happens(self, running, coordinator):
        page_running_since_yesterday(running)
        response = client_for(coordinator).post(reverse("programmes:close", args=[running.slug]), {})
        running.refresh_from_db()
        assert response.status_code == 200 and running.status == "running"

    def test_confirmed_it_closes(self, running, coordinator):
        page_running_since_yesterday(running)
        response = client_for(coordinator).post(reverse("programmes:close", args=[running.slug]), {"confirm": "on"})
        running.refresh_from_db()
        assert response.status_code == 302 and running.status == "closed"

    def test_the_preview_changes_nothing(self, running):
        lines = programme_close_preview(programme=running, now=AFTER_START)
        assert len(lines) >= 4
        assert Pair.objects.filter(programme=running, status="active").count() == 2


@pytest.mark.django_db
class TestWhatClosingDoes:
    def test_the_active_pairs_end_as_completed(self, running, coordinator):
        programme_close(actor=coordinator, programme=running, now=AFTER_START)
        assert set(Pair.objects.filter(programme=running).values_list("status", flat=True)) == {"completed"}

    def test_future_sessions_are_cancelled_with_a_cancelling_invitation(self, running, coordinator, org):
        from django.utils import timezone

        page_running_since_yesterday(running)
        pair = running.pairs.get(mentor__employee=org["junior_b"])
        past, first = pair.sessions.order_by("starts_at")[:2]
        past.starts_at = timezone.now() - datetime.timedelta(days=1)  # held or not, the pair logs it: left alone
        past.save()
        programme_close(actor=coordinator, programme=running)
        assert not future_planned(running, timezone.now()).exists()
        first.refresh_from_db()
        past.refresh_from_db()
        assert first.status == "cancelled" and first.cancelled_by == "coordinator" and first.sequence == 1
        assert past.status == "planned"
        drain_outbox()
        cancels = [m for m in mail.outbox if f"/sessions/{first.pk}/" in m.body]
        assert sorted(m.to[0] for m in cancels) == sorted([pair.mentor.employee.email, pair.mentee.employee.email])
        [(_name, content, mimetype)] = cancels[0].attachments
        assert Calendar.from_ical(content)["METHOD"] == "CANCEL" and "method=CANCEL" in mimetype

    def test_the_surveys_close(self, running, coordinator):
        programme_close(actor=coordinator, programme=running, now=AFTER_START)
        assert running.surveys.count() == 8 and not running.surveys.filter(is_active=True).exists()

    def test_certificates_are_issued_to_each_member(self, running, met, coordinator, org):
        programme_close(actor=coordinator, programme=running, now=AFTER_START)
        members = {org[key].user.pk for key in ("junior_a", "junior_b", "director_a", "director_b")}
        assert set(Notification.objects.filter(kind="certificate_issued").values_list("recipient", flat=True)) == members
        pair = running.pairs.get(mentor__employee=org["junior_b"])
        assert client_for(org["junior_b"].user).get(reverse("evaluation:certificate", args=[pair.pk])).status_code == 200
        drain_outbox()
        assert any(reverse("evaluation:certificate", args=[pair.pk]) in m.body and m.to == [org["junior_b"].email]
                   for m in mail.outbox)

    def test_it_is_audited_with_what_it_did(self, running, met, coordinator):
        planned = future_planned(running).count()
        programme_close(actor=coordinator, programme=running, now=AFTER_START)
        entry = AuditEntry.objects.get(action="programme.close")
        assert entry.actor == coordinator and entry.target == running.slug
        assert entry.details["pairs_completed"] == 2 and entry.details["sessions_cancelled"] == planned
        assert entry.details["surveys_closed"] == 8 and entry.details["certificates"] == 4

    def test_it_is_all_or_nothing(self, running, coordinator, monkeypatch):
        def broken(programme, actor, now):
            raise RuntimeError("a later step fails")

        planned = future_planned(running).count()
        monkeypatch.setattr(services, "CLOSE_HOOKS", [*services.CLOSE_HOOKS,
                                                      services.ClosingStep(order=99, preview=lambda p, now: [], run=broken)])
        with pytest.raises(RuntimeError):
            programme_close(actor=coordinator, programme=running, now=AFTER_START)
        running.refresh_from_db()
        assert running.status == "running" and future_planned(running).count() == planned
        assert Pair.objects.filter(programme=running, status="active").count() == 2
        assert running.surveys.filter(is_active=True).count() == 8
        assert not AuditEntry.objects.filter(action="programme.close").exists()
        assert not Notification.objects.exists()

    def test_it_cannot_close_twice(self, running, coordinator):
        programme_close(actor=coordinator, programme=running, now=AFTER_START)
        with pytest.raises(ProgrammeError):
            programme_close(actor=coordinator, programme=running, now=AFTER_START)


def test_programmes_does_not_import_the_apps_above_it():
    source = "\n".join(path.read_text() for path in (Path(__file__).resolve().parents[2] / "programmes").glob("*.py"))
    for higher in ("binomes", "sessions", "evaluation"):
        assert f"from {higher}" not in source and f"import {higher}" not in source, higher
