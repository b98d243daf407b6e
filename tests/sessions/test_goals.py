"""Learning goals move: either member moves an existing goal's progress and status, each move is
kept (who, from what to what, when) and shown in the pair space; nobody else moves them."""

import datetime
import re

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import Delegate, GoalChange, LearningGoal
from tests.conftest import client_for
from tests.factories import UserFactory


@pytest.fixture
def goal(active_pair, org):
    return services.goal_save(user=org["director_a"].user, pair=active_pair, title="Animer une réunion Teams")


def move(user, goal, **data):
    return client_for(user).post(reverse("sessions:workspace", args=[goal.pair_id]),
                                 {"action": "goal_move", "goal": goal.pk, **data})


@pytest.mark.django_db
class TestGoalsMove:
    def test_both_members_move_a_goal_and_each_move_is_kept(self, goal, org):
        junior, senior = org["junior_b"].user, org["director_a"].user
        assert move(junior, goal, progress=30, status="in_progress", note="Première réunion animée").status_code == 302
        assert move(senior, goal, progress=60, status="in_progress").status_code == 302
        goal.refresh_from_db()
        assert (goal.progress, goal.status) == (60, "in_progress")
        changes = list(GoalChange.objects.filter(goal=goal).order_by("changed_at", "pk"))
        assert [(c.changed_by, c.role, c.from_progress, c.to_progress, c.from_status, c.to_status) for c in changes] == [
            (junior, "mentor", 0, 30, "open", "in_progress"), (senior, "mentee", 30, 60, "in_progress", "in_progress")]
        assert changes[0].note == "Première réunion animée"

    def test_the_pair_space_tells_the_story(self, goal, org):
        services.goal_move(user=org["junior_b"].user, goal=goal, progress=40, status="in_progress",
                           note="Deux réunions menées")
        page = client_for(org["director_a"].user).get(reverse("sessions:workspace", args=[goal.pair_id])).content.decode()
        history = page[page.index('data-testid="goal-history-%s"' % goal.pk):]
        assert org["junior_b"].full_name in history[:2000]
        assert "0 % → 40 %" in history[:2000] and "Deux réunions menées" in history[:2000]
        # Each goal's move form has ids of its own (no duplicate with the "add a goal" form).
        assert f'id="goal{goal.pk}-progress"' in page
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

    def test_reaching_achieved_fills_the_bar_and_progress_starts_the_goal(self, goal, org):
        services.goal_move(user=org["junior_b"].user, goal=goal, progress=10, status="open")
        goal.refresh_from_db()
        assert goal.status == "in_progress"
        services.goal_move(user=org["junior_b"].user, goal=goal, progress=70, status="achieved")
        goal.refresh_from_db()
        assert (goal.progress, goal.status) == (100, "achieved")

    def test_a_bad_progress_names_the_field_and_writes_nothing(self, goal, org):
        response = move(org["junior_b"].user, goal, progress=150, status="in_progress")
        assert response.status_code == 200
        assert "progress" in response.content.decode().lower()
        goal.refresh_from_db()
        assert goal.progress == 0 and not GoalChange.objects.exists()
        with pytest.raises(services.SessionError) as error:
            services.goal_move(user=org["junior_b"].user, goal=goal, progress=-1, status="open")
        assert error.value.field == "progress"
        with pytest.raises(services.SessionError) as error:
            services.goal_move(user=org["junior_b"].user, goal=goal, progress=10, status="won")
        assert error.value.field == "status"
        assert not GoalChange.objects.exists()

    def test_nothing_changed_records_nothing(self, goal, org):
        with pytest.raises(services.SessionError):
            services.goal_move(user=org["junior_b"].user, goal=goal, progress=0, status="open")
        assert not GoalChange.objects.exists()

    def test_nobody_else_moves_a_goal(self, goal, active_pair, other_pair, org, coordinator, superuser):
        assistant = UserFactory(email="assistant@test.example")
        Delegate.objects.create(senior=org["director_a"], user=assistant)
        for user in (assistant, coordinator, superuser, org["junior_a"].user):
            with pytest.raises(services.SessionError):
                services.goal_move(user=user, goal=goal, progress=50, status="in_progress")
            assert move(user, goal, progress=50, status="in_progress").status_code == 404
        # A goal of another pair, posted to one's own pair space, is not found.
        theirs = services.goal_save(user=org["junior_a"].user, pair=other_pair, title="Autre")
        response = client_for(org["junior_b"].user).post(reverse("sessions:workspace", args=[active_pair.pk]),
                                                         {"action": "goal_move", "goal": theirs.pk, "progress": 50,
                                                          "status": "in_progress"})
        assert response.status_code == 404
        goal.refresh_from_db()
        theirs.refresh_from_db()
        assert goal.progress == 0 and theirs.progress == 0 and not GoalChange.objects.exists()

    def test_a_junk_goal_id_is_not_found_not_an_error(self, goal, org):
        for junk in ("abc", "1'", "١", "9" * 30):
            response = client_for(org["junior_b"].user).post(reverse("sessions:workspace", args=[goal.pair_id]),
                                                             {"action": "goal_move", "goal": junk, "progress": 5,
                                                              "status": "open"})
            assert response.status_code == 404, junk

    def test_editing_a_goal_through_the_form_is_kept_in_the_history_too(self, goal, org):
        services.goal_save(user=org["junior_b"].user, pair=goal.pair, goal=goal, title=goal.title,
                           status="in_progress", progress=20)
        change = GoalChange.objects.get(goal=goal)
        assert (change.from_progress, change.to_progress, change.changed_by) == (0, 20, org["junior_b"].user)

    def test_the_history_is_in_the_person_s_data_and_goes_with_erasure_and_retention(self, goal, org, programme):
        from mentorat.core import privacy

        services.goal_move(user=org["junior_b"].user, goal=goal, progress=40, status="in_progress", note="Note de Benoît")
        data = privacy.personal_data(user=org["junior_b"].user)
        assert "Note de Benoît" in str(data)
        from sessions.privacy import erase, purge

        erase(org["junior_b"], org["junior_b"].user)
        assert GoalChange.objects.get().note == ""
        services.goal_move(user=org["director_a"].user, goal=goal, progress=50, status="in_progress", note="Encore")
        from programmes.models import Programme

        Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED,
                                                         start_date=datetime.date(2020, 1, 6))
        assert purge(datetime.date(2030, 1, 1)) >= 1
        assert set(GoalChange.objects.values_list("note", flat=True)) == {""}
        assert LearningGoal.objects.count() == 1


@pytest.mark.django_db
class TestTwoWayFeedback:
    WORD = "Merci pour la démo de Copilot, très claire"

    @pytest.fixture
    def rated(self, active_pair, org):
        session = active_pair.sessions.order_by("starts_at").first()
        after = session.starts_at + datetime.timedelta(hours=2)
        services.session_log(user=org["junior_b"].user, session=session, now=after,
                             data=services.LogData(held=True, actual_minutes=60))
        session.refresh_from_db()
        services.session_rate(user=org["junior_b"].user, session=session, score=2, comment=self.WORD)
        return session

    def test_the_word_for_the_partner_reaches_the_partner(self, rated, active_pair, org):
        page = client_for(org["director_a"].user).get(reverse("sessions:workspace", args=[active_pair.pk])).content.decode()
        words = page[page.index('data-testid="partner-words"'):]
        assert self.WORD in words and org["junior_b"].full_name in words[:1500]
        assert "2/5" not in words[:1500]  # the word, not the score

    def test_the_author_does_not_see_it_as_a_word_from_the_partner(self, rated, active_pair, org):
        page = client_for(org["junior_b"].user).get(reverse("sessions:workspace", args=[active_pair.pk])).content.decode()
        assert 'data-testid="partner-words"' not in page

    def test_the_form_says_who_reads_the_word(self, rated, org):
        from sessions.forms import RatingForm

        assert "partner" in str(RatingForm().fields["comment"].label)


def test_the_pulse_survey_does_not_ask_the_rating_again():
    """The session page rates the session 1–5; the pulse asks something else in its minute."""
    from evaluation.defaults import TEMPLATES, S

    for audience in ("mentor", "mentee"):
        questions = TEMPLATES[("pulse", audience)][4]
        assert questions and not [q for q in questions if q[0] == S], audience
        assert not [q for q in questions if "useful" in q[2].lower() or "utile" in q[1].lower()], audience
