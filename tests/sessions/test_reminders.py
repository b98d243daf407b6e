import datetime

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from mentorat.core.models import Notification
from sessions import notifications, services
from tests.conftest import client_for, drain_outbox

SECRET = "Note secrète sur le comité exécutif"


def first_planned(pair):
    return pair.sessions.filter(status="planned").order_by("starts_at").first()


def ics_of(message):
    [(name, content, mimetype)] = [a for a in message.attachments]
    return Calendar.from_ical(content), mimetype


@pytest.mark.django_db
class TestSessionReminders:
    def test_two_days_and_two_hours_before_with_the_invitation(self, active_pair, org):
        session = first_planned(active_pair)
        drain_outbox()  # what pairing already queued
        Notification.objects.filter(kind__startswith="survey_").delete()  # the baseline survey's, tested elsewhere
        mail.outbox.clear()
        now = session.starts_at - datetime.timedelta(days=2, minutes=30)
        notifications.plan_reminders(now=now)
        notifications.plan_reminders(now=now)  # idempotent
        rows = Notification.objects.filter(kind="session_upcoming")
        assert rows.count() == 4
        assert {r.due_at for r in rows} == {session.starts_at - datetime.timedelta(days=2), session.starts_at - datetime.timedelta(hours=2)}
        assert drain_outbox(now=session.starts_at - datetime.timedelta(days=2)) == ["sent", "sent"]
        assert sorted(m.to[0] for m in mail.outbox) == sorted([org["junior_b"].email, org["director_a"].email])
        calendar, mimetype = ics_of(mail.outbox[0])
        assert "method=REQUEST" in mimetype and calendar.walk("VEVENT")[0]["UID"] == f"session-{session.uid}@mentorat"
        assert drain_outbox(now=session.starts_at - datetime.timedelta(hours=2)) == ["sent", "sent"]

    def test_a_rescheduled_session_gets_the_update_and_no_stale_reminder(self, active_pair, org):
        session = first_planned(active_pair)
        drain_outbox()
        now = session.starts_at - datetime.timedelta(days=2, minutes=30)
        notifications.plan_reminders(now=now)
        services.session_reschedule(user=org["director_a"].user, session=session,
                                    starts_at=session.starts_at + datetime.timedelta(days=1), reason="Comité", now=now)
        mail.outbox.clear()
        results = drain_outbox(now=session.starts_at)
        changed = [m for m in mail.outbox if "/sessions/" in m.body and "invitation.ics" == m.attachments[0][0]]
        assert results.count("skipped") == 4  # the four reminders of the old time
        assert len(changed) == 2
        calendar, _mimetype = ics_of(changed[0])
        assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1

    def test_a_cancellation_sends_a_cancelling_invitation(self, active_pair, org):
        session = first_planned(active_pair)
        drain_outbox()
        mail.outbox.clear()
        services.session_cancel(user=org["junior_b"].user, session=session, reason="Malade")
        assert drain_outbox() == ["sent", "sent"]
        calendar, mimetype = ics_of(mail.outbox[0])
        assert calendar["METHOD"] == "CANCEL" and "method=CANCEL" in mimetype

    def test_log_reminder_the_day_after_unless_logged(self, active_pair, org):
        first, second = active_pair.sessions.filter(status="planned").order_by("starts_at")[:2]
        services.session_log(user=org["junior_b"].user, session=first, data=services.LogData(held=True, actual_minutes=60),
                             now=first.starts_at + datetime.timedelta(hours=1))
        later = second.starts_at + datetime.timedelta(days=1, hours=1)
        notifications.plan_reminders(now=later)
        rows = Notification.objects.filter(kind="session_log")
        assert {r.object_key for r in rows} == {f"session:{second.pk}"}  # the logged one needs no reminder
        drain_outbox()
        Notification.objects.filter(kind__startswith="survey_").delete()  # the baseline survey's, tested elsewhere
        mail.outbox.clear()
        services.session_log(user=org["director_a"].user, session=second, data=services.LogData(held=False), now=later)
        assert set(drain_outbox(now=later)) <= {"skipped"}

    def test_a_senior_who_keeps_cancelling_reaches_the_sponsor(self, active_pair, org, coordinator, sponsor):
        sessions = list(active_pair.sessions.filter(status="planned").order_by("starts_at")[:4])
        for session in sessions[:3]:
            services.session_cancel(user=org["director_a"].user, session=session, reason="Agenda")
        notifications.plan_alerts(now=sessions[3].starts_at)
        recipients = set(Notification.objects.filter(kind="pair_alert").values_list("recipient__email", flat=True))
        assert coordinator.email in recipients and sponsor.email in recipients

    def test_no_message_quotes_a_private_note(self, active_pair, org, coordinator, sponsor):
        services.note_add(user=org["director_a"].user, pair=active_pair, body=SECRET)
        sessions = list(active_pair.sessions.filter(status="planned").order_by("starts_at")[:4])
        for session in sessions[:3]:
            services.session_cancel(user=org["director_a"].user, session=session, reason="Agenda")
        notifications.plan_reminders(now=sessions[3].starts_at - datetime.timedelta(days=2))
        notifications.plan_alerts(now=sessions[3].starts_at)
        notifications.plan_digest(now=sessions[3].starts_at)
        drain_outbox(now=sessions[3].starts_at)
        assert mail.outbox
        for message in mail.outbox:
            assert SECRET not in message.body
            assert all(SECRET not in alt.content for alt in message.alternatives)

    def test_the_web_request_succeeds_with_the_broker_down(self, active_pair, org, settings):
        settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
        settings.REDIS_URL = "redis://127.0.0.1:1/0"
        session = first_planned(active_pair)
        response = client_for(org["junior_b"].user).post(reverse("sessions:detail", args=[session.pk]),
                                                         {"action": "cancel", "reason": "Malade"})
        assert response.status_code == 302
        assert Notification.objects.filter(kind="session_changed", status="pending").count() == 2


@pytest.mark.django_db
def test_each_programme_sets_its_own_timing(active_pair, coordinator):
    from sessions.models import ReminderTiming

    client_for(coordinator).post(reverse("sessions:reminder_timing", args=[active_pair.programme.slug]),
                                 {"first_hours_before": "24", "second_hours_before": "0", "log_hours_after": "4"})
    assert ReminderTiming.objects.get(programme=active_pair.programme).first_hours_before == 24
    session = first_planned(active_pair)
    notifications.plan_reminders(now=session.starts_at - datetime.timedelta(hours=25))
    assert {r.due_at for r in Notification.objects.filter(kind="session_upcoming")} == {session.starts_at - datetime.timedelta(hours=24)}
    notifications.plan_reminders(now=session.starts_at + datetime.timedelta(hours=5))
    assert {r.due_at for r in Notification.objects.filter(kind="session_log")} == {session.starts_at + datetime.timedelta(hours=4)}


@pytest.mark.django_db
def test_programme_dates_cannot_leave_sessions_outside(active_pair, coordinator):
    from programmes.services import ProgrammeError, programme_update

    with pytest.raises(ProgrammeError, match="outside the new dates"):
        programme_update(actor=coordinator, programme=active_pair.programme, data={"duration_months": 6})
    active_pair.programme.refresh_from_db()
    assert active_pair.programme.duration_months == 9
