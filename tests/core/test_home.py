"""The home page shows what is due: programmes one can apply to, pending surveys (never "all up to
date" above them), the next session with its join link; participants find "My surveys" in the
navigation; a mentor's progress page does not ask for a baseline already answered."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from binomes.models import Pair
from evaluation.models import Survey
from programmes.models import Milestone, Programme
from sessions.models import MentoringSession
from tests.conftest import application_data, cold
from tests.evaluation.conftest import answer
from tests.evaluation.conftest import client_en as client_for
from tests.factories import EmployeeFactory

UP_TO_DATE = "all up to date"


def home(user) -> str:
    return client_for(user).get(reverse("core:home")).content.decode()


@pytest.mark.django_db
class TestOpenProgrammes:
    def test_an_eligible_employee_sees_the_open_programme_and_the_role_they_may_apply_for(self, programme, outsider):
        page = home(outsider)  # job level 2: a mentor of this programme (mentors ≤ 2, mentees ≥ 4)
        section = page[page.index('data-testid="home-open-programmes"'):]
        assert programme.name in section
        assert reverse("programmes:apply", args=[programme.slug, "mentor"]) in section
        assert reverse("programmes:apply", args=[programme.slug, "mentee"]) not in section

    def test_not_once_applied_nor_when_not_eligible_nor_for_a_sponsor_nor_a_draft(self, programme, outsider, sponsor,
                                                                                 coordinator, org):
        from programmes.services import application_submit, programme_create

        application_submit(employee=outsider.employee, programme=programme, role="mentor",
                           data=application_data("mentor"), charter_accepted=True)
        assert 'data-testid="home-open-programmes"' not in home(outsider)
        middle = EmployeeFactory(employee_id="MID", job_level=3).user  # neither a mentor nor a mentee here
        assert 'data-testid="home-open-programmes"' not in home(middle)
        assert 'data-testid="home-open-programmes"' not in home(sponsor)
        draft = programme_create(actor=coordinator, name="Brouillon", slug="brouillon", start_date=datetime.date(2027, 3, 1),
                                 duration_months=6, cadence_weeks=2)
        assert draft.status == Programme.Status.DRAFT
        assert "Brouillon" not in home(org["junior_a"].user)

    def test_not_to_someone_taking_part_in_a_running_programme(self, active_pair, coordinator, org):
        from programmes.services import programme_create, programme_transition

        more = programme_create(actor=coordinator, name="Cohorte suivante", slug="suivante",
                                start_date=datetime.date(2027, 9, 6), duration_months=6, cadence_weeks=2)
        programme_transition(actor=coordinator, programme=more, to=Programme.Status.ENROLMENT)
        assert "Cohorte suivante" not in home(org["director_a"].user)  # in the running pair
        assert "Cohorte suivante" in home(EmployeeFactory(employee_id="NEW", job_level=5).user)

    def test_the_query_count_does_not_grow_with_the_programmes(self, programme, outsider, coordinator,
                                                                django_assert_max_num_queries):
        from programmes.services import programme_create, programme_transition

        client = client_for(outsider)
        cold()
        with django_assert_max_num_queries(40) as few:
            client.get(reverse("core:home") + "?a")
        for index in range(4):
            more = programme_create(actor=coordinator, name=f"Cohorte {index}", slug=f"cohorte-{index}",
                                    start_date=datetime.date(2027, 3, 1), duration_months=6, cadence_weeks=2)
            programme_transition(actor=coordinator, programme=more, to=Programme.Status.ENROLMENT)
        cold()
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = client.get(reverse("core:home") + "?b").content.decode()
        assert "Cohorte 3" in page


@pytest.fixture
def live_pair(active_pair):
    Pair.objects.filter(pk=active_pair.pk).update(activated_at=timezone.now() - datetime.timedelta(days=1))
    active_pair.refresh_from_db()
    return active_pair


@pytest.mark.django_db
class TestWhatIsDue:
    def test_never_all_up_to_date_above_two_pending_surveys(self, live_pair, mentee):
        Milestone.objects.filter(programme=live_pair.programme, kind="midpoint").delete()
        Milestone.objects.create(programme=live_pair.programme, kind="midpoint", title="Mid-point", date=timezone.localdate())
        page = home(mentee)
        surveys = page[page.index('data-testid="home-surveys"'):]
        assert surveys.count(reverse("evaluation:answer", args=[
            Survey.objects.get(programme=live_pair.programme, moment="baseline", audience="mentee").pk])) == 1
        assert "2 surveys to answer" in page
        assert UP_TO_DATE not in page

    def test_all_up_to_date_once_the_surveys_are_answered(self, live_pair, mentee):
        survey = Survey.objects.get(programme=live_pair.programme, moment="baseline", audience="mentee")
        answer(survey, live_pair, "mentee", {})
        page = home(mentee)
        assert 'data-testid="home-surveys"' not in page and UP_TO_DATE in page

    def test_the_next_session_has_a_join_button_only_for_a_web_address(self, active_pair, mentee,
                                                                      django_capture_on_commit_callbacks):
        """Each change is committed (its on-commit touches run): the home caches the pair's sessions
        under the pair's scope, and a committed change shows on the next page."""
        upcoming = active_pair.sessions.filter(starts_at__gte=timezone.now()).order_by("starts_at")
        with django_capture_on_commit_callbacks(execute=True):
            MentoringSession.objects.filter(pk=upcoming.first().pk).update(place_kind="video", place="https://meet.example/abc")
        page = home(mentee)
        assert 'href="https://meet.example/abc"' in page and 'data-testid="join"' in page
        with django_capture_on_commit_callbacks(execute=True):
            MentoringSession.objects.filter(pk=upcoming.first().pk).update(place="javascript:alert(1)")
        page = home(mentee)
        assert 'href="javascript:' not in page and 'data-testid="join"' not in page
        with django_capture_on_commit_callbacks(execute=True):
            MentoringSession.objects.filter(pk=upcoming.first().pk).update(place_kind="room", place="Salle Jaurès")
        page = home(mentee)
        assert "Salle Jaurès" in page and 'data-testid="join"' not in page


@pytest.mark.django_db
def test_participants_find_my_surveys_in_the_navigation(active_pair, mentor, outsider):
    assert reverse("evaluation:my_surveys") in home(mentor)
    assert f'href="{reverse("evaluation:my_surveys")}"' not in home(outsider)


@pytest.mark.django_db
def test_a_mentor_s_progress_page_does_not_ask_for_a_baseline_already_answered(live_pair, mentor):
    url = reverse("evaluation:progress")
    assert "Answer the baseline survey" in client_for(mentor).get(url).content.decode()
    survey = Survey.objects.get(programme=live_pair.programme, moment="baseline", audience="mentor")
    answer(survey, live_pair, "mentor", {"scale": 4})
    page = client_for(mentor).get(url).content.decode()
    assert "Answer the baseline survey" not in page and "starting point is recorded" in page
