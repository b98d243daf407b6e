"""Sessions reach calendars: one invitation per session when they are planned, the same UID
updated on a move, cancelled on a cancel or the pair's end; the other member (and the senior's
delegate) told who did it and why. E-mails are read back through a real MIME parser."""

import datetime
import email
import email.policy
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from mentorat.core import outbox
from mentorat.core.models import Notification
from sessions import notifications, services
from sessions.models import Delegate, MentoringSession
from tests.conftest import drain_outbox
from tests.factories import UserFactory

SENDER = "Programme Mentorat <mentorat@corp.example>"


@pytest.fixture(autouse=True)
def _sender(settings):
    settings.DEFAULT_FROM_EMAIL = SENDER


@pytest.fixture
def assistant(org):
    """The senior's (director_a's) delegate, named before the pair starts."""
    user = UserFactory(email="assistant@test.example", first_name="Alix", last_name="Assistante")
    Delegate.objects.create(senior=org["director_a"], user=user)
    return user


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendars_of(message):
    """(calendar, content type) of each text/calendar part of a sent message."""
    found = []
    for part in parsed(message).walk():
        if part.get_content_type() == "text/calendar":
            found.append((Calendar.from_ical(part.get_payload(decode=True)), f"method={part.get_param('method')}"))
    return found


def text_of(message):
    return parsed(message).get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return parsed(message).get_body(preferencelist=("html",)).get_content()


def invitations(recipient=None):
    result = []
    for message in mail.outbox:
        if recipient and message.to != [recipient]:
            continue
        for calendar, content_type in calendars_of(message):
            result.append((message, calendar, content_type))
    return result


def sent_now():
    Notification.objects.filter(kind__startswith="survey_").delete()  # the baseline survey's, tested elsewhere
    mail.outbox.clear()
    drain_outbox()


def english(*users):
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def future(pair):
    return pair.sessions.filter(status="planned").order_by("starts_at")


@pytest.mark.django_db
class TestInvitationsWhenPlanned:
    def test_the_pair_s_start_sends_one_invitation_per_session_to_both_members_and_the_delegate(self, assistant,
                                                                                              active_pair, org):
        sent_now()
        sessions = list(future(active_pair))
        assert len(sessions) >= 10
        uids = {f"session-{s.uid}@mentorat" for s in sessions}
        for user in (org["junior_b"].user, org["director_a"].user, assistant):
            mine = invitations(user.email)
            assert len(mine) == len(sessions), user.email  # one e-mail per session
            assert {calendar.walk("VEVENT")[0]["UID"] for _m, calendar, _t in mine} == uids
            for _message, calendar, content_type in mine:
                assert calendar["METHOD"] == "REQUEST" and "method=REQUEST" in content_type
                [event] = calendar.walk("VEVENT")
                assert event["SEQUENCE"] == 0
                assert str(event["ORGANIZER"]) == "mailto:mentorat@corp.example"
                assert str(event["ORGANIZER"].params["CN"]) == "Programme Mentorat"
                attendees = {str(a) for a in event.get("ATTENDEE")}
                assert attendees == {f"mailto:{org['junior_b'].email}", f"mailto:{org['director_a'].email}"}

    def test_the_delegate_s_copy_has_no_theme(self, assistant, active_pair, org):
        sent_now()
        session = future(active_pair).first()
        assert session.theme
        [(_m, calendar, _t)] = [i for i in invitations(assistant.email)
                                if i[1].walk("VEVENT")[0]["UID"] == f"session-{session.uid}@mentorat"]
        assert session.theme not in str(calendar.walk("VEVENT")[0].get("DESCRIPTION"))
        [(_m, calendar, _t)] = [i for i in invitations(org["director_a"].email)
                                if i[1].walk("VEVENT")[0]["UID"] == f"session-{session.uid}@mentorat"]
        assert session.theme in str(calendar.walk("VEVENT")[0].get("DESCRIPTION"))

    def test_the_organizer_is_never_localhost_even_with_a_quoted_sender_name(self, active_pair, settings):
        settings.DEFAULT_FROM_EMAIL = '"Mentorat <RH>" <rh@corp.example>'
        sent_now()
        [(_m, calendar, _t), *_rest] = invitations()
        organizer = calendar.walk("VEVENT")[0]["ORGANIZER"]
        assert str(organizer) == "mailto:rh@corp.example"


@pytest.mark.django_db
class TestUpdatesAndCancellations:
    def test_a_move_updates_the_same_uid_with_a_higher_sequence_for_all_three(self, assistant, active_pair, org):
        session = future(active_pair).first()
        sent_now()
        mail.outbox.clear()
        new = session.starts_at + datetime.timedelta(days=1)
        services.session_reschedule(user=org["junior_b"].user, session=session, starts_at=new, reason="Partiels",
                                    now=session.starts_at - datetime.timedelta(days=5))
        drain_outbox()
        received = invitations()
        assert sorted(m.to[0] for m, _c, _t in received) == sorted(
            [org["junior_b"].email, org["director_a"].email, assistant.email])
        for _message, calendar, content_type in received:
            [event] = calendar.walk("VEVENT")
            assert calendar["METHOD"] == "REQUEST" and event["UID"] == f"session-{session.uid}@mentorat"
            assert event["SEQUENCE"] == 1 and event.decoded("DTSTART") == new

    def test_two_moves_before_a_sweep_send_one_up_to_date_message(self, active_pair, org):
        session = future(active_pair).first()
        sent_now()
        mail.outbox.clear()
        now = session.starts_at - datetime.timedelta(days=5)
        services.session_reschedule(user=org["junior_b"].user, session=session,
                                    starts_at=session.starts_at + datetime.timedelta(days=1), reason="Partiels", now=now)
        last = session.starts_at + datetime.timedelta(days=2)
        services.session_reschedule(user=org["director_a"].user, session=session, starts_at=last, reason="Comité", now=now)
        drain_outbox()
        for user in (org["junior_b"].user, org["director_a"].user):
            [(_m, calendar, _t)] = invitations(user.email)
            event = calendar.walk("VEVENT")[0]
            assert event["SEQUENCE"] == 2 and event.decoded("DTSTART") == last

    def test_a_cancel_sends_the_cancelling_invitation_to_all_three(self, assistant, active_pair, org):
        session = future(active_pair).first()
        sent_now()
        mail.outbox.clear()
        services.session_cancel(user=org["director_a"].user, session=session, reason="Conseil d'administration")
        drain_outbox()
        received = invitations()
        assert len(received) == 3
        for _message, calendar, content_type in received:
            assert calendar["METHOD"] == "CANCEL" and "method=CANCEL" in content_type
            assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"

    def test_the_pair_s_end_cancels_every_future_invitation(self, assistant, active_pair, org, coordinator):
        from binomes.services import pair_end

        sent_now()
        mail.outbox.clear()
        count = future(active_pair).count()
        pair_end(user=coordinator, pair=active_pair, completed=False, reason="Départ")
        drain_outbox()
        mine = invitations(assistant.email)
        assert len(mine) == count and all(c["METHOD"] == "CANCEL" for _m, c, _t in mine)


@pytest.mark.django_db
class TestTheOtherMemberIsTold:
    def test_a_move_tells_the_other_member_who_and_why_in_their_language_and_time_zone(self, assistant, active_pair, org):
        senior = org["director_a"].user
        senior.language, senior.timezone = "en", "America/New_York"
        senior.save()
        assistant.language = "fr"
        assistant.save()
        session = future(active_pair).first()
        sent_now()
        mail.outbox.clear()
        new = session.starts_at + datetime.timedelta(days=1)
        services.session_reschedule(user=org["junior_b"].user, session=session, starts_at=new, reason="Partiels de juin",
                                    now=session.starts_at - datetime.timedelta(days=5))
        drain_outbox()
        [(message, _c, _t)] = invitations(senior.email)
        body = text_of(message)
        local = new.astimezone(ZoneInfo("America/New_York"))
        assert org["junior_b"].full_name in body and "Partiels de juin" in body
        assert "moved" in message.subject.lower()
        assert f"{local:%-I:%M}" in body and "New York" in body  # their time, the zone named
        assert "p.m.." not in body
        [(message, _c, _t)] = invitations(assistant.email)
        body = text_of(message)
        assert "janvier" in body and org["junior_b"].full_name in body  # French dates (the text once the catalogue has it)
        assert "Partiels de juin" not in body  # the delegate books; the members' reasons are theirs
        with translation.override("fr"):
            assert outbox.when(new, ZoneInfo("Europe/Paris")) in body  # the site's time, as French people write it

    def test_a_cancel_tells_who_and_why(self, active_pair, org):
        english(org["director_a"].user)
        session = future(active_pair).first()
        sent_now()
        mail.outbox.clear()
        services.session_cancel(user=org["director_a"].user, session=session, reason="Conseil d'administration")
        drain_outbox()
        [(message, _c, _t)] = invitations(org["junior_b"].email)
        body = text_of(message)
        assert org["director_a"].full_name in body and "Conseil d'administration" in body
        [(message, _c, _t)] = invitations(org["director_a"].email)
        assert "You cancelled" in text_of(message)

    def test_the_delegate_s_move_names_the_delegate_for_the_senior(self, assistant, active_pair, org):
        session = future(active_pair).first()
        sent_now()
        mail.outbox.clear()
        services.session_reschedule(user=assistant, session=session, starts_at=session.starts_at + datetime.timedelta(days=1),
                                    reason="Agenda du directeur", now=session.starts_at - datetime.timedelta(days=5))
        drain_outbox()
        [(message, _c, _t)] = invitations(org["junior_b"].email)
        assert "Alix Assistante" in text_of(message) and "Agenda du directeur" in text_of(message)

    def test_a_cancelled_session_offered_again_tells_the_other_member_the_new_date(self, active_pair, org):
        session = future(active_pair).first()
        now = session.starts_at - datetime.timedelta(days=5)
        services.session_cancel(user=org["director_a"].user, session=session, reason="Comité")
        sent_now()
        mail.outbox.clear()
        new = session.starts_at + datetime.timedelta(days=1)
        services.session_reoffer(user=org["director_a"].user, session=session, starts_at=new, reason="Je me libère", now=now)
        session.refresh_from_db()
        assert session.status == MentoringSession.Status.PLANNED and session.starts_at == new
        drain_outbox()
        [(message, calendar, _t)] = invitations(org["junior_b"].email)
        assert calendar["METHOD"] == "REQUEST" and calendar.walk("VEVENT")[0]["SEQUENCE"] == 2
        assert "Je me libère" in text_of(message) and org["director_a"].full_name in text_of(message)


@pytest.mark.django_db
class TestTheVideoLink:
    def test_the_invitation_carries_the_join_link_and_a_room_as_its_location(self, active_pair, org):
        first, second = future(active_pair)[:2]
        link = "https://meet.example/abc-defg"
        services.session_set_place(user=org["junior_b"].user, session=first, place_kind="video", place=link)
        services.session_set_place(user=org["junior_b"].user, session=second, place_kind="room", place="Salle Agora")
        from sessions import ics

        event = Calendar.from_ical(ics.session_invitation(MentoringSession.objects.get(pk=first.pk))).walk("VEVENT")[0]
        assert str(event["URL"]) == link and link in str(event["DESCRIPTION"])
        room = Calendar.from_ical(ics.session_invitation(MentoringSession.objects.get(pk=second.pk))).walk("VEVENT")[0]
        assert str(room["LOCATION"]) == "Salle Agora" and "URL" not in room

    def test_a_link_that_is_not_http_never_becomes_a_url(self, active_pair):
        session = future(active_pair).first()
        MentoringSession.objects.filter(pk=session.pk).update(place_kind="video", place="javascript:alert(1)")
        from sessions import ics

        event = Calendar.from_ical(ics.session_invitation(MentoringSession.objects.get(pk=session.pk))).walk("VEVENT")[0]
        assert "URL" not in event and "javascript" not in event.to_ical().decode()

    def test_the_reminder_has_a_join_button(self, active_pair, org):
        session = future(active_pair).first()
        link = "https://meet.example/abc-defg"
        english(org["junior_b"].user, org["director_a"].user)
        services.session_set_place(user=org["junior_b"].user, session=session, place_kind="video", place=link)
        sent_now()
        mail.outbox.clear()
        notifications.plan_reminders(now=session.starts_at - datetime.timedelta(days=2, minutes=5))
        drain_outbox(now=session.starts_at - datetime.timedelta(days=2))
        assert len(mail.outbox) == 2
        for message in mail.outbox:
            html = html_of(message)
            assert f'href="{link}"' in html and ">Join" in html
            assert link in text_of(message)


@pytest.mark.django_db
def test_a_delegate_named_after_the_start_gets_the_invitations_of_the_sessions_ahead(active_pair, org):
    sent_now()
    mail.outbox.clear()
    user = UserFactory(email="late.assistant@test.example")
    services.delegate_set(user=org["director_a"].user, email=user.email)
    services.delegate_set(user=org["director_a"].user, email=user.email)  # saved again: nothing new
    drain_outbox()
    mine = invitations(user.email)
    assert len(mine) == future(active_pair).count()
    assert all(c["METHOD"] == "REQUEST" for _m, c, _t in mine)
    assert not invitations(org["director_a"].email)


@pytest.mark.django_db
def test_a_delegate_replaced_or_removed_gets_the_cancellations_of_the_sessions_ahead(assistant, active_pair, org):
    sent_now()
    mail.outbox.clear()
    services.delegate_set(user=org["director_a"].user, email="")
    drain_outbox()
    mine = invitations(assistant.email)
    assert len(mine) == future(active_pair).count()
    assert all(c["METHOD"] == "CANCEL" and c.walk("VEVENT")[0]["STATUS"] == "CANCELLED" for _m, c, _t in mine)
    assert all(future(active_pair).first().theme not in m.body for m, _c, _t in mine)
    assert not invitations(org["director_a"].email) and not invitations(org["junior_b"].email)
