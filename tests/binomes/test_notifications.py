"""The other member is told: answers to a proposal, a pair that ends, a shortlist waiting for the
senior; an application is confirmed by e-mail. Every message through the outbox, sent once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from binomes import services
from binomes.models import PairingSettings, Shortlist
from mentorat.core.models import Notification
from programmes.services import application_submit, application_withdraw
from sessions.models import Delegate
from tests.conftest import application_data, client_for, drain_outbox
from tests.factories import EmployeeFactory

REASON = "Il me rappelle mon ex-beau-frère"


def published_pair(coordinator, programme, cohort):
    pair = services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])
    services.pairs_publish(actor=coordinator, programme=programme)
    pair.refresh_from_db()
    drain_outbox()
    mail.outbox.clear()
    return pair


@pytest.fixture
def english_readers(org, coordinator):
    """The cast reads English here (the texts are asserted); the French case sets its own."""
    from mentorat.core.models import User

    User.objects.update(language="en")


def to(address, kind=None):
    """The messages sent to one address, of one outbox kind if given (read from the header)."""
    messages = [m for m in mail.outbox if m.to == [address]]
    if kind is None:
        return messages
    kinds = dict(Notification.objects.values_list("pk", "kind"))
    return [m for m in messages if kinds.get(int(m.extra_headers["X-Mentorat-Notification"])) == kind]


def cancelling(messages):
    result = []
    for message in messages:
        for _name, content, mimetype in message.attachments:
            if "method=CANCEL" in mimetype:
                result.append(Calendar.from_ical(content).walk("VEVENT")[0]["UID"])
    return result


@pytest.mark.django_db
@pytest.mark.usefixtures("english_readers")
class TestTheOtherMemberIsTold:
    def test_a_confirmation_tells_the_other_member_who_and_what(self, coordinator, programme, cohort, org):
        pair = published_pair(coordinator, programme, cohort)
        services.pair_confirm(user=org["junior_b"].user, pair=pair)
        drain_outbox()
        assert to(org["junior_b"].email) == []
        [message] = to(org["director_a"].email)
        assert to(org["director_a"].email, "pair_answered") == [message]
        assert org["junior_b"].full_name in message.body and "confirmed" in message.body
        assert settings_url(reverse("binomes:pair", args=[pair.pk])) in message.body

    def test_a_confirmation_sent_twice_tells_the_other_once(self, coordinator, programme, cohort, org, monkeypatch):
        pair = published_pair(coordinator, programme, cohort)
        services.pair_confirm(user=org["junior_b"].user, pair=pair)
        later = timezone.now() + datetime.timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)  # a second click, a minute later
        services.pair_confirm(user=org["junior_b"].user, pair=pair)
        drain_outbox(now=later)
        assert len(to(org["director_a"].email, "pair_answered")) == 1

    def test_the_second_confirmation_says_the_pair_is_active(self, coordinator, programme, cohort, org):
        pair = published_pair(coordinator, programme, cohort)
        services.pair_confirm(user=org["junior_b"].user, pair=pair)
        services.pair_confirm(user=org["director_a"].user, pair=pair)
        drain_outbox()
        [message] = to(org["junior_b"].email, "pair_answered")
        assert "active" in message.subject and org["director_a"].full_name in message.body

    def test_a_decline_tells_the_other_without_the_private_reason(self, coordinator, programme, cohort, org):
        pair = published_pair(coordinator, programme, cohort)
        services.pair_decline(user=org["director_a"].user, pair=pair, reason=REASON)
        drain_outbox()
        drain_outbox(now=timezone.now() + datetime.timedelta(days=1))
        assert to(org["director_a"].email) == []
        [message] = to(org["junior_b"].email)
        assert org["director_a"].full_name in message.body and "declined" in message.body
        assert "programme team" in message.body  # who will suggest another pair
        assert REASON not in message.body and REASON not in message.alternatives[0][0]

    def test_a_withdrawal_during_the_proposal_tells_the_other_member(self, coordinator, programme, cohort, org):
        pair = published_pair(coordinator, programme, cohort)
        application_withdraw(application=pair.mentee)
        drain_outbox()
        [message] = to(org["junior_b"].email)
        assert "declined" in message.body or "withdr" in message.body

    def test_an_early_end_tells_both_members_and_the_delegate_once(self, active_pair, org, coordinator):
        assistant = EmployeeFactory(employee_id="ASSIST").user
        Delegate.objects.create(senior=org["director_a"], user=assistant)
        future = list(active_pair.sessions.filter(status="planned").values_list("uid", flat=True))
        drain_outbox()
        mail.outbox.clear()
        services.pair_end(user=org["junior_b"].user, pair=active_pair, completed=False, reason="Changement de poste")
        drain_outbox()
        drain_outbox()
        for member in (org["junior_b"], org["director_a"]):
            told = to(member.email, "pair_ended")
            assert len(told) == 1 and "ended" in told[0].subject
            assert org["junior_b"].full_name in told[0].body
            assert "Changement de poste" not in told[0].body
            # One cancelling invitation per future session, none twice (the pair's e-mail carries none).
            uids = cancelling(to(member.email))
            assert sorted(uids) == sorted(f"session-{uid}@mentorat" for uid in future)
            assert cancelling(told) == []
        # The assistant reads French (their saved language), the members English.
        [message] = to(assistant.email, "pair_ended")
        assert "a pris fin" in message.subject and "Changement de poste" not in message.body

    def test_a_completed_pair_tells_both_members(self, active_pair, org, coordinator):
        drain_outbox()
        mail.outbox.clear()
        services.pair_end(user=coordinator, pair=active_pair, completed=True)
        drain_outbox()
        for member in (org["junior_b"], org["director_a"]):
            [told] = to(member.email, "pair_ended")
            assert "completed" in told.body


@pytest.mark.django_db
@pytest.mark.usefixtures("english_readers")
def test_closing_the_programme_tells_the_members_of_a_proposal_still_waiting(coordinator, programme, cohort, org):
    pair = published_pair(coordinator, programme, cohort)
    services.on_programme_closed(programme, coordinator, timezone.now())
    drain_outbox()
    for member in (org["junior_b"], org["director_a"]):
        [message] = to(member.email, "pair_expired")
        assert programme.name in message.body


def settings_url(path):
    from django.conf import settings

    return settings.SITE_URL + path


@pytest.mark.django_db
@pytest.mark.usefixtures("english_readers")
class TestShortlistWaiting:
    def test_the_senior_is_told_and_reminded_once_before_it_expires(self, programme, cohort, coordinator, org):
        PairingSettings.objects.update_or_create(programme=programme, defaults={"mode": "shortlist", "shortlist_days": 7})
        now = timezone.now()
        drain_outbox(now=now)
        mail.outbox.clear()
        services.shortlists_create(actor=coordinator, programme=programme, now=now)
        services.shortlists_create(actor=coordinator, programme=programme, now=now)  # again: nothing new
        drain_outbox(now=now)
        shortlist = Shortlist.objects.get(mentee=cohort["director_a"])
        [message] = to(org["director_a"].email)
        assert reverse("binomes:shortlist", args=[shortlist.pk]) in message.body
        mail.outbox.clear()
        for hours in range(0, 7 * 24, 6):
            drain_outbox(now=now + datetime.timedelta(hours=hours))
        reminders = to(org["director_a"].email)
        assert len(reminders) == 1 and reverse("binomes:shortlist", args=[shortlist.pk]) in reminders[0].body

    def test_no_reminder_once_the_senior_has_chosen(self, programme, cohort, coordinator, org):
        PairingSettings.objects.update_or_create(programme=programme, defaults={"mode": "shortlist", "shortlist_days": 7})
        now = timezone.now()
        services.shortlists_create(actor=coordinator, programme=programme, now=now)
        shortlist = Shortlist.objects.get(mentee=cohort["director_a"])
        services.shortlist_choose(user=org["director_a"].user, shortlist=shortlist, mentor_id=shortlist.options[0]["mentor"])
        drain_outbox(now=now)
        mail.outbox.clear()
        drain_outbox(now=now + datetime.timedelta(days=8))
        assert to(org["director_a"].email, "shortlist_waiting") == []

    def test_the_board_says_how_many_shortlists_went_to_whom(self, programme, cohort, coordinator, org):
        PairingSettings.objects.update_or_create(programme=programme, defaults={"mode": "shortlist"})
        response = client_for(coordinator).post(reverse("binomes:shortlists", args=[programme.slug]), follow=True)
        text = response.content.decode()
        assert "2 shortlists" in text
        assert org["director_a"].full_name in text and org["director_b"].full_name in text


@pytest.mark.django_db
class TestApplicationConfirmation:
    def test_the_applicant_gets_a_confirmation_in_their_language(self, programme, org):
        user = org["junior_a"].user
        user.language = "fr"
        user.save()
        application_submit(employee=org["junior_a"], programme=programme, role="mentor", data=application_data("mentor"),
                           charter_accepted=True)
        drain_outbox()
        drain_outbox()
        [message] = to(org["junior_a"].email, "application_received")
        assert programme.name in message.body
        assert "mentor" in message.body.lower()
        assert settings_url(reverse("programmes:detail", args=[programme.slug])) in message.body
        assert "11 janvier 2027" in message.body  # the start, as French people write it

    def test_english_for_an_english_speaker_and_again_after_withdrawing_and_reapplying(self, programme, org):
        user = org["director_a"].user
        user.language = "en"
        user.save()
        application = application_submit(employee=org["director_a"], programme=programme, role="mentee",
                                         data=application_data("mentee"), charter_accepted=True)
        drain_outbox()
        [message] = to(org["director_a"].email, "application_received")
        assert "mentee" in message.body.lower() and "withdraw" in message.body.lower()
        assert "11 January 2027" in message.body and "What happens next" in message.body
        application_withdraw(application=application)
        mail.outbox.clear()
        application_submit(employee=org["director_a"], programme=programme, role="mentee",
                           data=application_data("mentee"), charter_accepted=True)
        drain_outbox()
        assert len(to(org["director_a"].email, "application_received")) == 1
