"""What the pair's pages write around the words, in both languages: a label's colon as French
typography wants it ("Thème : …"), dates nobody can misread (French months in lower case that tell
June from July, English day first), the reader's time zone named beside times when it is not the
site's, and generated milestone titles in the reader's language."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from mentorat.core.models import User
from programmes.models import Milestone
from sessions import services
from sessions.models import Commitment, MentoringSession
from tests.conftest import client_for

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"


@pytest.fixture
def french():
    """The French catalogue as the build compiles it (these strings are merged into it)."""
    yield
    translation.deactivate()


def page(user, url, *, language: str, zone: str = "") -> str:
    User.objects.filter(pk=user.pk).update(language=language, timezone=zone)
    user.refresh_from_db()
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def next_session(pair) -> MentoringSession:
    return pair.sessions.filter(status="planned", starts_at__gte=timezone.now()).order_by("starts_at").first()


@pytest.mark.django_db
class TestLabelColons:
    @pytest.fixture
    def session(self, active_pair):
        session = next_session(active_pair)
        MentoringSession.objects.filter(pk=session.pk).update(theme="IA générative", place_kind="room", place="Salle 3")
        return session

    def test_french_puts_a_space_before_a_label_s_colon_on_the_session_page(self, french, session, mentor):
        html = page(mentor, reverse("sessions:detail", args=[session.pk]), language="fr")
        assert re.search(f"Thème[ {NBSP}]: IA générative", html)
        assert f'salle de réunion{NBSP}: <span data-testid="place">Salle 3</span>' in html
        assert "Thème: " not in html and "réunion: " not in html

    def test_french_puts_a_space_before_the_meeting_room_s_colon_at_home(self, french, session, mentor):
        html = page(mentor, reverse("core:home"), language="fr")
        assert f"Salle de réunion{NBSP}: Salle 3" in html and "réunion: " not in html

    def test_french_puts_a_space_before_the_colon_after_who_moved_a_goal(self, french, active_pair, mentor):
        goal = services.goal_save(user=mentor, pair=active_pair, title="Prompts")
        services.goal_move(user=mentor, goal=goal, progress=30, status="in_progress", note="Premier essai")
        html = page(mentor, reverse("sessions:workspace", args=[active_pair.pk]), language="fr")
        history = html[html.index(f'data-testid="goal-history-{goal.pk}"'):]
        assert f"{mentor.get_full_name()}{NBSP}:" in history

    def test_english_keeps_the_colon_against_the_label(self, session, mentor):
        html = page(mentor, reverse("sessions:detail", args=[session.pk]), language="en")
        assert "Theme: IA générative" in html and 'meeting room: <span data-testid="place">Salle 3</span>' in html
        home = page(mentor, reverse("core:home"), language="en")
        assert "Meeting room: Salle 3" in home


@pytest.mark.django_db
class TestDates:
    def test_french_dates_in_the_pair_space_are_lower_case_and_tell_june_from_july(self, french, active_pair, mentor):
        june, july = list(active_pair.sessions.order_by("starts_at"))[-2:]
        MentoringSession.objects.filter(pk=june.pk).update(starts_at=datetime.datetime(2027, 6, 16, 10, tzinfo=PARIS))
        MentoringSession.objects.filter(pk=july.pk).update(starts_at=datetime.datetime(2027, 7, 15, 10, tzinfo=PARIS))
        html = page(mentor, reverse("sessions:workspace", args=[active_pair.pk]), language="fr")
        table = html[html.index('data-testid="sessions"'):]
        table = table[:table.index("</table>")]
        assert "mer 16 juin 2027, 10:00" in table and "jeu 15 juil. 2027, 10:00" in table
        assert not re.search(r"\b(Jan|Fév|Mar|Avr|Mai|Jui|Jul|Aoû|Sep|Oct|Nov|Déc)\b", table)

    def test_english_short_dates_put_the_day_first_and_name_the_month(self):
        with translation.override("en"):
            assert formats.date_format(datetime.date(2027, 1, 12), "SHORT_DATE_FORMAT") == "12 Jan 2027"
            moment = datetime.datetime(2027, 1, 12, 14, 30)
            assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "12 Jan 2027, 14:30"
        with translation.override("fr"):
            assert formats.date_format(datetime.date(2027, 1, 12), "SHORT_DATE_FORMAT") == "12/01/2027"

    def test_the_senior_s_commitment_reads_day_first_in_english(self, active_pair, mentee):
        Commitment.objects.create(pair=active_pair, text="Write the memo", due_date=datetime.date(2027, 1, 12))
        html = page(mentee, reverse("sessions:workspace", args=[active_pair.pk]), language="en")
        assert "12 Jan 2027" in html and "01/12/2027" not in html


@pytest.mark.django_db
class TestTheTimeZoneIsNamed:
    def test_the_session_page_and_home_name_new_york_for_a_reader_there(self, active_pair, mentee):
        session = next_session(active_pair)
        html = page(mentee, reverse("sessions:detail", args=[session.pk]), language="en", zone="America/New_York")
        heading = html[html.index("<h1"):html.index("</h1>")]
        assert 'data-testid="time-zone"' in heading and "(New York time)" in heading
        home = page(mentee, reverse("core:home"), language="en", zone="America/New_York")
        headline = home[home.index('data-testid="next-session"'):]
        headline = headline[:headline.index("</p>")]
        assert "(New York time)" in headline

    def test_a_french_reader_abroad_reads_heure_de(self, active_pair, mentor):
        home = page(mentor, reverse("core:home"), language="fr", zone="America/New_York")
        headline = home[home.index('data-testid="next-session"'):]
        assert "(heure de New York)" in headline[:headline.index("</p>")]

    def test_no_zone_is_named_for_a_reader_in_the_site_s_zone(self, active_pair, mentee):
        session = next_session(active_pair)
        for url in (reverse("sessions:detail", args=[session.pk]), reverse("core:home")):
            for zone in ("", settings.TIME_ZONE):
                assert 'data-testid="time-zone"' not in page(mentee, url, language="en", zone=zone)


@pytest.mark.django_db
class TestMilestoneTitles:
    def test_a_generated_title_reads_in_the_reader_s_language_and_a_typed_one_as_typed(self, active_pair, mentee):
        today = timezone.localdate()
        Milestone.objects.create(programme=active_pair.programme, kind="final", title="bilan final", date=today)
        Milestone.objects.create(programme=active_pair.programme, kind="midpoint", title="Revue avec le comité",
                                 date=today + datetime.timedelta(days=1))
        english = page(mentee, reverse("core:home"), language="en")
        assert "Final review" in english and "bilan final" not in english
        assert "Revue avec le comité" in english
        french = page(mentee, reverse("core:home"), language="fr")
        assert "Bilan final" in french and "Revue avec le comité" in french

    def test_the_title_follows_the_language_whatever_the_language_it_was_generated_in(self):
        for title in ("lancement", "Kick-off", " LANCEMENT "):
            milestone = Milestone(kind="kickoff", title=title)
            with translation.override("en"):
                assert milestone.display_title == "Kick-off"
            with translation.override("fr"):
                assert milestone.display_title == "Lancement"
        with translation.override("en"):
            assert Milestone(kind="kickoff", title="Lancement du pilote").display_title == "Lancement du pilote"
            assert Milestone(kind="other", title="célébration").display_title == "célébration"
