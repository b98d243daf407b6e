import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentorat.core import outbox
from mentorat.core.models import Notification, NotificationPreference
from programmes.models import Milestone
from tests.conftest import client_for, drain_outbox


@pytest.fixture
def milestone(programme):
    milestone = Milestone.objects.filter(programme=programme).first()
    milestone.title = "Revue Zéphyr"
    milestone.save()
    return milestone


def queue(user, milestone, due=None):
    return outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}", recipient=user, due_at=due)


@pytest.mark.django_db
class TestOutbox:
    def test_the_same_reminder_is_never_created_twice(self, mentor, milestone):
        due = timezone.now()
        assert queue(mentor, milestone, due) == queue(mentor, milestone, due)
        assert Notification.objects.count() == 1

    def test_claims_only_what_is_due_and_only_once(self, mentor, outsider, milestone):
        now = timezone.now()
        queue(mentor, milestone, now - datetime.timedelta(minutes=1))
        queue(outsider, milestone, now + datetime.timedelta(hours=1))
        first = outbox.claim_due(now=now)
        assert len(first) == 1 and outbox.claim_due(now=now) == []

    def test_a_dead_worker_s_claim_returns_to_the_queue(self, mentor, milestone):
        now = timezone.now()
        queue(mentor, milestone, now)
        [(pk, token)] = outbox.claim_due(now=now)
        again = outbox.claim_due(now=now + outbox.STALE_AFTER + datetime.timedelta(seconds=1))
        assert [pk for pk, _t in again] == [pk]
        assert outbox.send_one(pk, token) == "not-mine"  # the old claim lost its right to send
        assert outbox.send_one(pk, again[0][1]) == "sent" and len(mail.outbox) == 1

    def test_sent_in_the_recipient_s_language_with_text_and_html(self, mentor, executive, milestone):
        executive.language = "en"
        executive.save()
        queue(mentor, milestone)
        queue(executive, milestone)
        assert drain_outbox() == ["sent", "sent"]
        by_to = {m.to[0]: m for m in mail.outbox}
        assert by_to[mentor.email].subject.startswith("Mentorat inversé")
        assert by_to[executive.email].subject.startswith("Reverse mentoring")
        assert by_to[mentor.email].alternatives[0].mimetype == "text/html"
        assert "/unsubscribe/" in by_to[mentor.email].body and "List-Unsubscribe" in by_to[mentor.email].extra_headers

    def test_muted_kinds_are_skipped_but_essential_ones_are_not(self, mentor, milestone, programme, org):
        NotificationPreference.objects.create(user=mentor, kind="milestone_due")
        NotificationPreference.objects.create(user=mentor, kind="application_status")
        queue(mentor, milestone)
        assert drain_outbox() == ["skipped"] and mail.outbox == []
        assert outbox.KINDS["application_status"].essential

    def test_smtp_errors_retry_with_backoff_then_fail_for_good(self, mentor, milestone, monkeypatch, settings):
        def broken(self, *args, **kwargs):
            raise smtplib.SMTPServerDisconnected("down")

        monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        row = queue(mentor, milestone)
        now = timezone.now()
        for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
            [(pk, token)] = outbox.claim_due(now=now)
            with pytest.raises(smtplib.SMTPException) as excinfo:
                outbox.send_one(pk, token, now=now)
            result = outbox.record_failure(pk, token, excinfo.value, now=now)
            row.refresh_from_db()
            if attempt < outbox.MAX_ATTEMPTS:
                assert result == "retry" and row.next_attempt_at > now
                assert outbox.claim_due(now=now) == []  # not before the backoff
                now = row.next_attempt_at
        assert result == "failed" and row.status == "failed" and "SMTPServerDisconnected" in row.last_error


@pytest.mark.django_db
class TestPages:
    def test_preferences_page_mutes_and_unmutes(self, mentor):
        client = client_for(mentor)
        client.post(reverse("core:notifications"), {"kinds": ["session_upcoming"]})
        muted = set(NotificationPreference.objects.filter(user=mentor).values_list("kind", flat=True))
        assert "session_upcoming" not in muted and "session_log" in muted and "milestone_due" in muted
        assert not any(outbox.KINDS[k].essential for k in muted)

    def test_unsubscribe_link_without_login(self, mentor, client):
        token = outbox.unsubscribe_token(mentor, "session_log")
        assert client.get(reverse("core:unsubscribe", args=[token])).status_code == 200
        client.post(reverse("core:unsubscribe", args=[token]))
        assert NotificationPreference.objects.filter(user=mentor, kind="session_log").exists()
        assert client.get(reverse("core:unsubscribe", args=["forged"])).status_code == 400
        essential = outbox.unsubscribe_token(mentor, "session_changed")
        assert client.post(reverse("core:unsubscribe", args=[essential])).status_code == 400

    def test_the_outbox_view_is_for_coordinators_and_shows_no_body(self, hr_lead, mentor, executive, sponsor, milestone):
        queue(mentor, milestone)
        for user in (mentor, executive, sponsor):
            assert client_for(user).get(reverse("core:outbox")).status_code == 403
        page = client_for(hr_lead).get(reverse("core:outbox")).content.decode()
        assert mentor.email in page and milestone.title not in page


@pytest.mark.django_db
class TestIdentityIsNotTheClock:
    """Without ``due_at`` a message is due at once, and what it is about (kind, object, recipient) is
    its whole identity: the clock at the moment of the call never makes a second e-mail."""

    def _a_second_later(self, monkeypatch, seconds=1):
        later = timezone.now() + datetime.timedelta(seconds=seconds)
        monkeypatch.setattr(timezone, "now", lambda: later)

    def test_an_immediate_message_asked_for_twice_a_second_apart_is_queued_once(self, mentor, milestone, monkeypatch):
        first = queue(mentor, milestone)
        self._a_second_later(monkeypatch)
        assert queue(mentor, milestone) == first
        assert Notification.objects.count() == 1

    def test_asked_for_again_after_it_was_sent_it_is_not_sent_again(self, mentor, milestone, monkeypatch):
        queue(mentor, milestone)
        assert drain_outbox() == ["sent"]
        self._a_second_later(monkeypatch, seconds=90)
        queue(mentor, milestone)
        assert drain_outbox() == [] and len(mail.outbox) == 1

    def test_a_service_that_answers_twice_sends_one_message(self, active_pair, org, monkeypatch):
        from binomes.notifications import notify_answer

        key = f"pair:{active_pair.pk}:confirmed:mentor"
        for _ in range(2):  # the fixture's confirmation already asked once
            self._a_second_later(monkeypatch, seconds=5)
            notify_answer(active_pair, role="mentor", answer="confirmed")
        assert Notification.objects.filter(kind="pair_answered", object_key=key).count() == 1

    def test_a_new_event_has_a_new_key_and_is_sent(self, mentor, milestone, monkeypatch):
        outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}:v1", recipient=mentor)
        assert drain_outbox() == ["sent"]
        self._a_second_later(monkeypatch)
        outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}:v2", recipient=mentor)
        assert drain_outbox() == ["sent"] and len(mail.outbox) == 2

    def test_a_given_due_moment_is_part_of_the_identity(self, mentor, milestone):
        now = timezone.now()
        first = queue(mentor, milestone, now)
        second = queue(mentor, milestone, now + datetime.timedelta(days=1))
        assert first != second and Notification.objects.count() == 2

    def test_a_session_moved_twice_still_tells_both_moves(self, active_pair, org):
        from sessions import services as session_services

        session = active_pair.sessions.filter(status="planned").order_by("starts_at").first()
        drain_outbox()
        mail.outbox.clear()
        for days in (1, 2):
            session.refresh_from_db()
            session_services.session_reschedule(user=org["director_a"].user, session=session,
                                                starts_at=session.starts_at + datetime.timedelta(days=days), reason="Comité")
            drain_outbox()
        changed = [m for m in mail.outbox if m.extra_headers.get("X-Mentorat-Kind") == "session_changed"]
        assert len(changed) == 4  # two moves, two members
