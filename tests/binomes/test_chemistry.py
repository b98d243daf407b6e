"""The chemistry meeting: the slots both declared, a proposed time, an invitation both receive,
another time either may propose (the other is told)."""

import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from binomes import chemistry, selectors, services
from binomes.models import ChemistryMeeting, Pair
from mentorat.core.models import Notification, User
from tests.conftest import client_for, drain_outbox

PARIS = ZoneInfo("Europe/Paris")
FR_2026 = {datetime.date(2026, 12, 25), datetime.date(2027, 1, 1)}
SENDER = "Programme Mentorat <mentorat@corp.example>"


class TestProposedTime:
    def test_the_slots_both_declared_monday_morning_first(self):
        assert chemistry.common_slots(["tue-pm", "mon-am", "fri-am"], ["fri-am", "tue-pm", "wed-am"]) == ["tue-pm", "fri-am"]
        assert chemistry.common_slots(["mon-am"], ["mon-pm"]) == []

    def test_no_common_slot_no_proposed_time(self):
        assert chemistry.proposed_time([], today=datetime.date(2026, 12, 2), holidays=set(), tz=PARIS) is None

    def test_at_least_two_working_days_ahead(self):
        wednesday = datetime.date(2026, 12, 2)
        # Friday is the second working day after Wednesday: the first Monday from then.
        assert chemistry.proposed_time(["mon-am"], today=wednesday, holidays=set(), tz=PARIS) == \
            datetime.datetime(2026, 12, 7, 10, tzinfo=PARIS)
        assert chemistry.proposed_time(["fri-pm"], today=wednesday, holidays=set(), tz=PARIS) == \
            datetime.datetime(2026, 12, 4, 14, tzinfo=PARIS)
        # From a Friday, the weekend does not count: Tuesday is the second working day.
        assert chemistry.proposed_time(["mon-am"], today=datetime.date(2026, 12, 4), holidays=set(), tz=PARIS) == \
            datetime.datetime(2026, 12, 14, 10, tzinfo=PARIS)

    def test_holidays_neither_count_nor_host_the_meeting(self):
        # Wed 23 Dec: Thursday 24 and (Christmas skipped) Monday 28 are the two working days; Friday
        # 1 January is a holiday too, so the first Friday is the 8th.
        assert chemistry.proposed_time(["fri-am"], today=datetime.date(2026, 12, 23), holidays=FR_2026, tz=PARIS) == \
            datetime.datetime(2027, 1, 8, 10, tzinfo=PARIS)

    @given(st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2030, 12, 31)),
           st.sampled_from(["mon-am", "tue-pm", "wed-am", "thu-pm", "fri-am"]))
    def test_always_the_first_working_day_of_that_slot_after_the_lead(self, today, slot):
        when = chemistry.proposed_time([slot], today=today, holidays=FR_2026, tz=PARIS)
        assert when.weekday() == chemistry.WEEKDAY[slot[:3]] and when.date() not in FR_2026
        earliest = chemistry.add_working_days(today, 2, FR_2026)
        assert earliest <= when.date()
        # Every earlier day of that weekday since the lead is a holiday: a week is skipped only for one
        # (Christmas and New Year's Day on the same weekday skip two), so within two weeks otherwise.
        skipped = [earliest + datetime.timedelta(days=n) for n in range((when.date() - earliest).days)]
        skipped = [day for day in skipped if day.weekday() == when.weekday()]
        assert all(day in FR_2026 for day in skipped)
        assert when.date() <= today + datetime.timedelta(days=16 + 7 * len(skipped))


def published(coordinator, programme, cohort, org):
    pair = services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])
    services.pairs_publish(actor=coordinator, programme=programme)
    pair.refresh_from_db()
    User.objects.update(language="en")
    drain_outbox()
    mail.outbox.clear()
    return pair


def invitations(address):
    result = []
    for message in mail.outbox:
        if message.to == [address]:
            for _name, content, mimetype in message.attachments:
                if "text/calendar" in mimetype:
                    result.append((message, Calendar.from_ical(content), mimetype))
    return result


def local(when):
    return timezone.localtime(when, PARIS).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
class TestTheChemistryMeeting:
    def test_the_pair_page_shows_the_common_slots_and_a_proposed_time(self, coordinator, programme, cohort, org):
        pair = published(coordinator, programme, cohort, org)
        page = client_for(org["director_a"].user).get(reverse("binomes:pair", args=[pair.pk])).content.decode()
        assert "Monday morning, Tuesday afternoon" in page
        assert 'data-testid="chemistry-proposed"' in page
        proposed = selectors.chemistry_help(pair=pair)["proposed"]
        assert f'value="{local(proposed)}"' in page  # the form is filled with it

    def test_without_a_common_slot_the_page_says_so(self, coordinator, programme, cohort, org):
        pair = published(coordinator, programme, cohort, org)
        cohort["director_a"].__class__.objects.filter(pk=cohort["director_a"].pk).update(availability=["fri-pm"])
        page = client_for(org["junior_b"].user).get(reverse("binomes:pair", args=[pair.pk])).content.decode()
        assert "no weekly slot in common" in page
        assert 'data-testid="chemistry-proposed"' not in page

    def test_the_invitation_reaches_both_members_organised_by_the_sender(self, coordinator, programme, cohort, org, settings):
        settings.DEFAULT_FROM_EMAIL = SENDER
        pair = published(coordinator, programme, cohort, org)
        when = selectors.chemistry_help(pair=pair)["proposed"]
        response = client_for(org["junior_b"].user).post(reverse("binomes:chemistry", args=[pair.pk]), {"starts_at": local(when)})
        assert response.status_code == 302
        drain_outbox()
        drain_outbox()
        for member in (org["junior_b"], org["director_a"]):
            [(_message, calendar, mimetype)] = invitations(member.email)
            assert "method=REQUEST" in mimetype and calendar["METHOD"] == "REQUEST"
            [event] = calendar.walk("VEVENT")
            assert event["UID"] == f"chemistry-{pair.pk}@mentorat" and event["SEQUENCE"] == 1
            assert event.decoded("DTSTART") == when
            assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(minutes=30)
            assert str(event["ORGANIZER"]) == "mailto:" + parseaddr(SENDER)[1]
            assert sorted(str(a) for a in event["ATTENDEE"]) == sorted(
                f"mailto:{e.email}" for e in (org["junior_b"], org["director_a"]))
        [(to_senior, _c, _m)] = invitations(org["director_a"].email)
        assert org["junior_b"].full_name in to_senior.body  # who invites

    def test_the_other_member_proposes_another_time_and_the_first_is_told(self, coordinator, programme, cohort, org):
        pair = published(coordinator, programme, cohort, org)
        first = selectors.chemistry_help(pair=pair)["proposed"]
        services.chemistry_propose(user=org["junior_b"].user, pair=pair, starts_at=first)
        drain_outbox()
        mail.outbox.clear()
        later = first + datetime.timedelta(days=1, hours=3)
        client_for(org["director_a"].user).post(reverse("binomes:chemistry", args=[pair.pk]), {"starts_at": local(later)})
        drain_outbox()
        drain_outbox()
        [(message, calendar, _mimetype)] = invitations(org["junior_b"].email)
        assert org["director_a"].full_name in message.body and "another time" in message.body
        [event] = calendar.walk("VEVENT")
        assert event["UID"] == f"chemistry-{pair.pk}@mentorat" and event["SEQUENCE"] == 2
        assert event.decoded("DTSTART") == later
        [(own, _calendar, _m)] = invitations(org["director_a"].email)  # the proposer's calendar follows too
        assert "You proposed" in own.body

    def test_the_same_time_twice_sends_nothing_more(self, coordinator, programme, cohort, org):
        pair = published(coordinator, programme, cohort, org)
        when = selectors.chemistry_help(pair=pair)["proposed"]
        for _ in range(2):
            services.chemistry_propose(user=org["junior_b"].user, pair=pair, starts_at=when)
        assert Notification.objects.filter(kind="chemistry_invitation").count() == 2

    def test_a_decline_withdraws_the_meeting_from_both_calendars(self, coordinator, programme, cohort, org):
        pair = published(coordinator, programme, cohort, org)
        services.chemistry_propose(user=org["junior_b"].user, pair=pair,
                                   starts_at=selectors.chemistry_help(pair=pair)["proposed"])
        drain_outbox()
        mail.outbox.clear()
        services.pair_decline(user=org["director_a"].user, pair=pair, reason="Pas le temps")
        drain_outbox()
        for member in (org["junior_b"], org["director_a"]):
            [(_message, calendar, mimetype)] = invitations(member.email)
            assert "method=CANCEL" in mimetype and calendar.walk("VEVENT")[0]["SEQUENCE"] == 2

    def test_refused_in_the_past_after_the_expiry_or_once_active(self, coordinator, programme, cohort, org):
        pair = published(coordinator, programme, cohort, org)
        client = client_for(org["junior_b"].user)
        url = reverse("binomes:chemistry", args=[pair.pk])
        page = client.post(url, {"starts_at": local(timezone.now() - datetime.timedelta(hours=1))}, follow=True)
        assert "in the future" in page.content.decode()
        client.post(url, {"starts_at": local(pair.expires_at + datetime.timedelta(days=1))})
        page = client.post(url, {"starts_at": "not a date"}, follow=True)
        assert "give a date and a time" in page.content.decode()
        assert not ChemistryMeeting.objects.exists()
        Pair.objects.filter(pk=pair.pk).update(status="active")
        with pytest.raises(services.PairingError, match="awaiting"):
            services.chemistry_propose(user=org["junior_b"].user, pair=pair, starts_at=timezone.now() + datetime.timedelta(days=3))

    def test_only_the_two_members_and_coordinators(self, coordinator, programme, cohort, org, outsider):
        pair = published(coordinator, programme, cohort, org)
        url = reverse("binomes:chemistry", args=[pair.pk])
        when = local(timezone.now() + datetime.timedelta(days=3))
        for stranger in (org["junior_a"].user, org["director_b"].user, outsider):
            assert client_for(stranger).post(url, {"starts_at": when}).status_code == 404
        assert not ChemistryMeeting.objects.exists()
        assert client_for(org["junior_b"].user).get(url).status_code == 405
        client_for(coordinator).post(url, {"starts_at": when})
        assert ChemistryMeeting.objects.get().proposed_by == coordinator

    def test_the_coordinator_sees_the_booking_help_and_a_withdrawn_meeting_can_be_sent_again(self, coordinator, programme,
                                                                                            cohort, org):
        pair = published(coordinator, programme, cohort, org)
        url = reverse("binomes:pair", args=[pair.pk])
        assert 'data-testid="chemistry"' in client_for(coordinator).get(url).content.decode()
        when = selectors.chemistry_help(pair=pair)["proposed"]
        meeting = services.chemistry_propose(user=coordinator, pair=pair, starts_at=when)
        ChemistryMeeting.objects.filter(pk=meeting.pk).update(cancelled=True)
        page = client_for(org["junior_b"].user).get(url).content.decode()
        assert 'data-testid="chemistry-meeting"' not in page and "Send the invitation" in page
        again = services.chemistry_propose(user=org["junior_b"].user, pair=pair, starts_at=when)
        assert not again.cancelled and again.sequence == 2
