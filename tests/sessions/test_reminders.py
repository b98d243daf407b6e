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
    [(_name, content, mimetype)] = [a for a in message.attachments]
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


def _fresh(pair):
    """The pair's session with nothing queued yet (what pairing queued is drained and forgotten)."""
    session = first_planned(pair)
    drain_outbox()
    Notification.objects.all().delete()
    mail.outbox.clear()
    return session


def _sent(kind):
    kinds = dict(Notification.objects.values_list("pk", "kind"))
    return [m for m in mail.outbox if kinds.get(int(m.extra_headers["X-Mentorat-Notification"])) == kind]


def _reminders_sent():
    return _sent("session_upcoming")


@pytest.mark.django_db
class TestRemindersAreSentOnce:
    """The planner and the sweep run every few minutes; each reminder goes once, whatever the clock."""

    def test_planner_every_minute_through_the_hour_after_the_due_moment_sends_each_reminder_once(self, active_pair, org):
        session = _fresh(active_pair)
        due = session.starts_at - datetime.timedelta(hours=2)
        for minute in range(-5, 70):
            now = due + datetime.timedelta(minutes=minute)
            notifications.plan_reminders(now=now)
            drain_outbox(now=now)
        sent = _reminders_sent()
        assert sorted(m.to[0] for m in sent) == sorted([org["junior_b"].email, org["director_a"].email])
        assert Notification.objects.filter(kind="session_upcoming", due_at__gt=due - datetime.timedelta(hours=1)).count() == 2

    def test_planner_every_ten_minutes_over_two_days_sends_two_reminders_to_each_member(self, active_pair, org):
        session = _fresh(active_pair)
        now = session.starts_at - datetime.timedelta(days=2, hours=2)
        while now < session.starts_at:
            notifications.plan_reminders(now=now)
            drain_outbox(now=now)
            now += datetime.timedelta(minutes=10)
        sent = _reminders_sent()
        assert len(sent) == 4
        assert sorted(m.to[0] for m in sent) == sorted([org["junior_b"].email, org["director_a"].email] * 2)

    def test_after_beat_was_down_for_hours_a_long_past_reminder_is_not_sent_late(self, active_pair, org):
        session = _fresh(active_pair)
        # Beat was down from before "2 days before" until 5 hours before the session.
        now = session.starts_at - datetime.timedelta(hours=5)
        notifications.plan_reminders(now=now)
        drain_outbox(now=now)
        assert _reminders_sent() == []  # "2 days before" is 43 hours late: not sent
        for minutes in range(0, 5 * 60, 10):  # back up: the "2 hours before" one goes, once
            later = now + datetime.timedelta(minutes=minutes)
            notifications.plan_reminders(now=later)
            drain_outbox(now=later)
        assert len(_reminders_sent()) == 2

    def test_a_reminder_planned_before_the_sweep_went_down_is_not_sent_hours_late(self, active_pair):
        session = _fresh(active_pair)
        notifications.plan_reminders(now=session.starts_at - datetime.timedelta(days=2, minutes=30))
        # The sweep stops; it comes back 10 hours after "2 days before": that one is stale.
        results = drain_outbox(now=session.starts_at - datetime.timedelta(days=2) + datetime.timedelta(hours=10))
        assert results.count("skipped") == 2 and _reminders_sent() == []

    def test_a_session_moved_and_moved_back_does_not_repeat_a_reminder_already_sent(self, active_pair, org):
        session = _fresh(active_pair)
        start = session.starts_at
        now = start - datetime.timedelta(days=2)
        notifications.plan_reminders(now=now)
        drain_outbox(now=now)
        assert len(_reminders_sent()) == 2
        user = org["director_a"].user
        services.session_reschedule(user=user, session=session, starts_at=start + datetime.timedelta(days=1), reason="Comité",
                                    now=now)
        session.refresh_from_db()
        services.session_reschedule(user=user, session=session, starts_at=start, reason="Finalement", now=now)
        notifications.plan_reminders(now=now + datetime.timedelta(minutes=5))
        drain_outbox(now=now + datetime.timedelta(minutes=5))
        assert len(_reminders_sent()) == 2

    def test_alerts_and_digest_planned_twice_in_a_week_are_queued_once(self, active_pair, org, coordinator):
        sessions = list(active_pair.sessions.filter(status="planned").order_by("starts_at")[:4])
        for session in sessions[:3]:
            services.session_cancel(user=org["director_a"].user, session=session, reason="Agenda")
        monday = sessions[3].starts_at
        notifications.plan_alerts(now=monday)
        notifications.plan_digest(now=monday)
        weekly = Notification.objects.filter(kind__in=["pair_alert", "weekly_digest", "overdue_logs"])
        first = set(weekly.values_list("kind", "object_key", "recipient", "due_at"))
        assert {kind for kind, *_rest in first} >= {"pair_alert", "weekly_digest"}
        for hours in (1, 5, 26, 50):
            notifications.plan_alerts(now=monday + datetime.timedelta(hours=hours))
            notifications.plan_digest(now=monday + datetime.timedelta(hours=hours))
        rows = list(weekly.values_list("kind", "object_key", "recipient", "due_at"))
        assert first <= set(rows)
        assert len({row[:3] for row in rows}) == len(rows)  # never the same message twice in the week


@pytest.mark.django_db
def test_two_moves_before_a_sweep_send_one_up_to_date_message(active_pair, org):
    session = _fresh(active_pair)
    user = org["director_a"].user
    now = session.starts_at - datetime.timedelta(days=7)
    services.session_reschedule(user=user, session=session, starts_at=session.starts_at + datetime.timedelta(days=1),
                                reason="Comité", now=now)
    session.refresh_from_db()
    final = session.starts_at + datetime.timedelta(days=1)
    services.session_reschedule(user=user, session=session, starts_at=final, reason="Encore", now=now)
    assert Notification.objects.filter(kind="session_changed", status="pending").count() == 2  # one per member
    drain_outbox(now=now)
    changed = _sent("session_changed")
    assert sorted(m.to[0] for m in changed) == sorted([org["junior_b"].email, org["director_a"].email])
    calendar, _mimetype = ics_of(changed[0])
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 2
    # After it went, the next move is told again.
    session.refresh_from_db()
    services.session_cancel(user=user, session=session, reason="Malade")
    assert Notification.objects.filter(kind="session_changed", status="pending").count() == 2


def test_the_digest_agrees_in_number_in_french(active_pair, coordinator):
    """One pair, none held: singular words in French (0 and 1 take the singular), not “1 binômes actifs”."""
    from django.utils import translation

    from mentorat.core.models import Notification as Queued

    with translation.override("fr"):
        body = notifications.render_digest(Queued(kind="weekly_digest", object_key="digest:w", recipient=coordinator)).text
    assert "1 binôme actif, 0 séance tenue, 0 binôme en difficulté" in body, body
