import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mentorat.core import home
from sessions import services
from sessions.models import Delegate, PrivateNote
from sessions.selectors import cancellations, programme_followup
from tests.conftest import client_for

SECRET = "Je ne sais pas encore utiliser Teams devant le comité"


def future(pair):
    return pair.sessions.filter(status="planned").order_by("starts_at")


@pytest.mark.django_db
class TestPlanning:
    def test_activation_plans_the_sessions(self, active_pair):
        sessions = list(active_pair.sessions.order_by("starts_at"))
        programme = active_pair.programme
        assert 10 <= len(sessions) <= 14  # 9 months every 3 weeks
        assert sessions[0].starts_at.date() >= datetime.date(2027, 1, 11)
        assert sessions[-1].starts_at.date() <= programme.end_date
        assert all(s.duration_minutes == programme.session_minutes for s in sessions)
        assert sessions[0].theme  # from the senior's learning priorities

    def test_ending_a_pair_cancels_its_future_sessions(self, active_pair, coordinator):
        from binomes.services import pair_end

        pair_end(user=coordinator, pair=active_pair, completed=False, reason="Départ")
        assert not active_pair.sessions.filter(status="planned").exists()


@pytest.mark.django_db
class TestRescheduleAndCancel:
    def test_move_within_the_cadence_window(self, active_pair, org):
        first, second = future(active_pair)[:2]
        now = first.starts_at - datetime.timedelta(days=10)
        new = first.starts_at + datetime.timedelta(days=1)
        moved = services.session_reschedule(user=org["director_a"].user, session=first, starts_at=new, reason="Comité", now=now)
        assert moved.starts_at == new and moved.sequence == 1
        with pytest.raises(services.SessionError, match="rhythm"):
            services.session_reschedule(user=org["director_a"].user, session=first, starts_at=second.starts_at, reason="x", now=now)
        saturday = first.starts_at + datetime.timedelta(days=(5 - first.starts_at.weekday()) % 7)
        with pytest.raises(services.SessionError, match="not a working day"):
            services.session_reschedule(user=org["director_a"].user, session=first, starts_at=saturday, reason="x", now=now)
        with pytest.raises(services.SessionError, match="reason"):
            services.session_reschedule(user=org["director_a"].user, session=first, starts_at=new, reason=" ", now=now)

    def test_the_senior_s_delegate_may_move_but_not_read(self, active_pair, org, db):
        from tests.factories import UserFactory

        assistant = UserFactory(email="assistant@test.example")
        Delegate.objects.create(senior=org["director_a"], user=assistant)
        first = future(active_pair).first()
        new = first.starts_at + datetime.timedelta(days=1)
        services.session_reschedule(user=assistant, session=first, starts_at=new, reason="Agenda",
                                    now=first.starts_at - datetime.timedelta(days=5))
        services.note_add(user=org["director_a"].user, pair=active_pair, body=SECRET)
        page = client_for(assistant).get(reverse("sessions:workspace", args=[active_pair.pk]))
        assert page.status_code == 404 and SECRET not in page.content.decode()
        with pytest.raises(services.SessionError):
            services.note_add(user=assistant, pair=active_pair, body="x")

    def test_strangers_cannot_move_or_cancel(self, active_pair, other_pair, org):
        first = future(active_pair).first()
        with pytest.raises(services.SessionError):
            services.session_reschedule(user=org["junior_a"].user, session=first, starts_at=first.starts_at, reason="x")
        with pytest.raises(services.SessionError):
            services.session_cancel(user=org["junior_a"].user, session=first, reason="x")

    def test_two_senior_cancellations_in_a_row_flag_the_pair(self, active_pair, org, coordinator):
        sessions = list(future(active_pair)[:3])
        services.session_cancel(user=org["director_a"].user, session=sessions[0], reason="Comité")
        assert cancellations(list(active_pair.sessions.order_by("starts_at")))["senior_at_risk"] is False
        services.session_cancel(user=org["director_a"].user, session=sessions[1], reason="Voyage")
        info = cancellations(list(active_pair.sessions.order_by("starts_at")))
        assert info["by_side"]["mentee"] == 2 and info["senior_at_risk"]
        rows = programme_followup(user=coordinator, programme=active_pair.programme, now=sessions[2].starts_at)
        assert "senior_cancellations" in rows[0]["risks"] and rows[0]["cancelled"]["mentee"] == 2


@pytest.mark.django_db
class TestLogsAndRatings:
    def test_log_then_rate(self, active_pair, org):
        session = future(active_pair).first()
        later = session.starts_at + datetime.timedelta(hours=2)
        with pytest.raises(services.SessionError, match="started"):
            services.session_log(user=org["junior_b"].user, session=session, data=services.LogData(held=True, actual_minutes=50),
                                 now=session.starts_at - datetime.timedelta(days=1))
        with pytest.raises(services.SessionError, match="how long"):
            services.session_log(user=org["junior_b"].user, session=session, data=services.LogData(held=True), now=later)
        services.session_log(user=org["junior_b"].user, session=session,
                             data=services.LogData(held=True, actual_minutes=50, topics="Prompts"), now=later)
        session.refresh_from_db()
        assert session.status == "held"
        services.session_rate(user=org["director_a"].user, session=session, score=5, comment="Merci")
        services.session_rate(user=org["director_a"].user, session=session, score=4)
        assert session.ratings.get(role="mentee").score == 4
        with pytest.raises(services.SessionError):
            services.session_rate(user=org["junior_b"].user, session=session, score=6)


@pytest.mark.django_db
class TestCalendars:
    def test_invitation_is_rfc5545_with_stable_uid_rising_sequence_and_cancel(self, active_pair, org):
        session = future(active_pair).first()
        client = client_for(org["director_a"].user)
        first = Calendar.from_ical(client.get(reverse("sessions:invitation", args=[session.pk])).content)
        event = first.walk("VEVENT")[0]
        assert first["METHOD"] == "REQUEST" and first.walk("VTIMEZONE")
        assert event["SEQUENCE"] == 0 and event["UID"] == f"session-{session.uid}@mentorat"
        assert event.decoded("DTSTART") == session.starts_at
        services.session_cancel(user=org["director_a"].user, session=session, reason="Comité")
        second = Calendar.from_ical(client.get(reverse("sessions:invitation", args=[session.pk])).content)
        cancelled = second.walk("VEVENT")[0]
        assert second["METHOD"] == "CANCEL" and cancelled["STATUS"] == "CANCELLED"
        assert cancelled["UID"] == event["UID"] and cancelled["SEQUENCE"] == 1

    def test_feed_lists_my_sessions_and_dies_when_revoked(self, active_pair, org, client):
        user = org["junior_b"].user
        token = services.feed_get(user=user).token
        response = client.get(reverse("sessions:feed", args=[token]))
        events = Calendar.from_ical(response.content).walk("VEVENT")
        assert len(events) == active_pair.sessions.count()
        services.feed_revoke(user=user)
        assert client.get(reverse("sessions:feed", args=[token])).status_code == 404
        assert client.get(reverse("sessions:feed", args=["guess"])).status_code == 404


@pytest.mark.django_db
class TestPrivateNotesStayPrivate:
    """The two members read and write them; nobody else, through any path."""

    @pytest.fixture
    def note(self, active_pair, org):
        return services.note_add(user=org["junior_b"].user, pair=active_pair, body=SECRET)

    def test_the_two_members_read_them(self, note, active_pair, org):
        for member in (org["junior_b"], org["director_a"]):
            page = client_for(member.user).get(reverse("sessions:workspace", args=[active_pair.pk]))
            assert SECRET in page.content.decode()

    def test_nobody_else_reaches_the_workspace(self, note, active_pair, other_pair, org, coordinator, executive, sponsor, outsider, superuser):
        url = reverse("sessions:workspace", args=[active_pair.pk])
        for user in (org["junior_a"].user, coordinator, executive, sponsor, outsider, superuser):
            response = client_for(user).get(url)
            assert response.status_code == 404 and SECRET not in response.content.decode()
            assert client_for(user).post(url, {"action": "note", "body": "x"}).status_code == 404

    def test_not_in_the_coordinator_views_nor_exports(self, note, active_pair, coordinator):
        client = client_for(coordinator)
        slug = active_pair.programme.slug
        for url in (reverse("sessions:followup", args=[slug]), reverse("binomes:pair", args=[active_pair.pk]),
                    reverse("binomes:export", args=[slug]), reverse("programmes:queue", args=[slug]) + "?format=csv",
                    reverse("binomes:board", args=[slug])):
            response = client.get(url)
            assert response.status_code == 200 and SECRET not in response.content.decode("utf-8", "ignore"), url

    def test_not_in_the_admin(self, note, superuser):
        client = client_for(superuser)
        assert client.get("/admin/mentoring_sessions/privatenote/").status_code == 404
        assert SECRET not in client.get("/admin/").content.decode()
        assert SECRET not in client.get("/admin/mentoring_sessions/mentoringsession/").content.decode()

    def test_not_in_calendars(self, note, org, client):
        token = services.feed_get(user=org["junior_b"].user).token
        assert SECRET.encode() not in client.get(reverse("sessions:feed", args=[token])).content

    def test_the_database_holds_no_plaintext(self, note):
        with connection.cursor() as cursor:
            cursor.execute("SELECT body FROM mentoring_sessions_privatenote WHERE id = %s", [note.pk])
            raw = cursor.fetchone()[0]
        assert SECRET not in raw and "comité" not in raw
        assert PrivateNote.objects.get(pk=note.pk).body == SECRET


@pytest.mark.django_db
class TestConcernsAndAccess:
    def test_the_junior_s_concern_reaches_hr_not_the_senior(self, active_pair, org, coordinator):
        active_pair.programme.concern_contacts.add(coordinator)
        client_for(org["junior_b"].user).post(reverse("sessions:workspace", args=[active_pair.pk]),
                                              {"action": "concern", "body": "Il me coupe sans cesse"})
        assert "Il me coupe sans cesse" in client_for(coordinator).get(reverse("sessions:concerns")).content.decode()
        senior_page = client_for(org["director_a"].user).get(reverse("sessions:workspace", args=[active_pair.pk]))
        assert "Il me coupe sans cesse" not in senior_page.content.decode()
        with pytest.raises(services.SessionError):
            services.concern_raise(user=org["director_a"].user, pair=active_pair, body="x")

    def test_a_member_of_another_pair_gets_404_on_sessions(self, active_pair, other_pair, org):
        session = future(active_pair).first()
        client = client_for(org["junior_a"].user)
        for name in ("sessions:detail", "sessions:invitation"):
            assert client.get(reverse(name, args=[session.pk])).status_code == 404

    def test_followup_is_for_coordinators_with_bounded_queries(self, active_pair, other_pair, coordinator, sponsor, org,
                                                               django_assert_max_num_queries):
        url = reverse("sessions:followup", args=[active_pair.programme.slug])
        assert client_for(sponsor).get(url).status_code == 403
        assert client_for(org["junior_b"].user).get(url).status_code == 403
        client = client_for(coordinator)
        # session, user, programme, pairs (+ rating average and open concerns), their sessions,
        # concerns, nav: about ten, whatever the number of pairs and sessions.
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200

    def test_home_shows_the_next_session_and_what_is_due(self, active_pair, org):
        page = client_for(org["director_a"].user).get("/")
        upcoming = future(active_pair).filter(starts_at__gte=timezone.now()).first()
        assert 'data-testid="next-session"' in page.content.decode()
        assert reverse("sessions:detail", args=[upcoming.pk]) in page.content.decode()
        request = RequestFactory().get("/")
        request.user = org["director_a"].user
        section = next(s for s in home.sections_for(request) if s["template"] == "sessions/_home.html")
        assert section["next"] == upcoming


@pytest.mark.django_db
def test_members_set_a_neutral_room_or_a_video_link(active_pair, org, outsider):
    session = future(active_pair).first()
    client = client_for(org["junior_b"].user)
    client.post(reverse("sessions:detail", args=[session.pk]),
                {"action": "place", "place_kind": "video", "place": "zoom.example/abc", "theme": "IA"})
    session.refresh_from_db()
    assert session.place == ""  # refused: a link starts with https://
    client.post(reverse("sessions:detail", args=[session.pk]),
                {"action": "place", "place_kind": "room", "place": "Salle Agora, 3e étage", "theme": "Prompts"})
    session.refresh_from_db()
    assert (session.place_kind, session.place, session.theme, session.sequence) == ("room", "Salle Agora, 3e étage", "Prompts", 1)
    with pytest.raises(services.SessionError):
        services.session_set_place(user=outsider, session=session, place_kind="room", place="x", theme="")


@pytest.mark.django_db
def test_times_show_in_the_user_s_time_zone(active_pair, org):
    user = org["director_a"].user
    user.timezone = "America/New_York"
    user.save()
    session = future(active_pair).first()
    page = client_for(user).get(reverse("sessions:detail", args=[session.pk])).content.decode()
    local = timezone.localtime(session.starts_at, timezone=__import__("zoneinfo").ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in page


@pytest.mark.django_db
def test_only_coordinators_set_reminder_timing_and_only_the_named_contacts_handle_concerns(active_pair, org, sponsor,
                                                                                          executive, coordinator):
    from sessions.models import Concern, ReminderTiming

    active_pair.programme.concern_contacts.add(coordinator)
    concern = services.concern_raise(user=org["junior_b"].user, pair=active_pair, body="Inquiétude")
    timing_url = reverse("sessions:reminder_timing", args=[active_pair.programme.slug])
    handle_url = reverse("sessions:concern_handle", args=[concern.pk])
    for user in (org["junior_b"].user, org["director_a"].user, sponsor, executive):
        client = client_for(user)
        assert client.get(timing_url).status_code == 403
        assert client.post(timing_url, {"first_hours_before": "1", "second_hours_before": "0", "log_hours_after": "1"}).status_code == 403
        assert client.post(handle_url).status_code == 404
    assert not ReminderTiming.objects.exists() and Concern.objects.get().handled_at is None
    client_for(coordinator).post(handle_url)
    assert Concern.objects.get().handled_at is not None


@pytest.mark.django_db
def test_the_one_pair_check_agrees_with_the_pair_scope(active_pair, other_pair, org, coordinator, outsider):
    """``may_see_sessions`` (session and pair pages) and ``pairs_with_sessions`` (lists) say the same."""
    from sessions.selectors import may_see_sessions, pairs_with_sessions
    from tests.factories import UserFactory

    assistant = UserFactory(email="assistant@test.example")
    Delegate.objects.create(senior=org["director_a"], user=assistant)
    cast = [org["junior_b"].user, org["director_a"].user, assistant, org["junior_a"].user, coordinator, outsider]
    for pair in (active_pair, other_pair):
        for user in cast:
            assert may_see_sessions(user=user, pair=pair) == pairs_with_sessions(user=user).filter(pk=pair.pk).exists()
    assert may_see_sessions(user=assistant, pair=active_pair)
    session = future(active_pair).first()
    assert client_for(assistant).get(reverse("sessions:detail", args=[session.pk])).status_code == 200
    assert client_for(org["junior_a"].user).get(reverse("sessions:detail", args=[session.pk])).status_code == 404
