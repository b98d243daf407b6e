"""Homes that help: the coordinator's to-do (only the programmes they run; an HR lead's across all of
them), the executive's headline figures and the sponsor's programmes at a glance — the dashboard's
figures under its anonymity rule — and each home in a number of queries that does not grow with
the data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from binomes.models import Pair
from evaluation import definitions
from evaluation import selectors as evaluation_selectors
from evaluation.models import Survey
from evaluation.services import surveys_ensure
from programmes.models import Application, Programme, ProgrammeSponsor
from programmes.services import programme_create, programme_transition
from sessions.models import MentoringSession
from sessions.selectors import followup_todo, programme_followup
from tests.conftest import cold
from tests.evaluation.conftest import client_en, closed_programme, make_pairs, world  # noqa: F401 (fixtures)
from tests.factories import EmployeeFactory


def home(user) -> str:
    return client_en(user).get(reverse("core:home")).content.decode()


def block(page: str, testid: str) -> str:
    """The section of the page with this data-testid (to the end of the section)."""
    start = page.index(f'data-testid="{testid}"')
    return page[start:page.index("</section>", start)]


def submitted(programme, n: int, prefix: str) -> None:
    for i in range(n):
        employee = EmployeeFactory(employee_id=f"{prefix}{i}", job_level=1)
        Application.objects.create(programme=programme, employee=employee, role="mentor", status="submitted")


def other_programme(name: str, slug: str, *, by) -> Programme:
    programme = programme_create(actor=by, name=name, slug=slug, start_date=datetime.date(2027, 2, 1),
                                 duration_months=6, cadence_weeks=2)
    return programme_transition(actor=by, programme=programme, to=Programme.Status.ENROLMENT)


def senior_cancels_twice(pair: Pair) -> None:
    now = timezone.now()
    first, second, third = pair.sessions.order_by("starts_at")[:3]
    MentoringSession.objects.filter(pk=first.pk).update(starts_at=now - datetime.timedelta(days=20), status="cancelled",
                                                        cancelled_by="mentee")
    MentoringSession.objects.filter(pk=second.pk).update(starts_at=now - datetime.timedelta(days=10), status="cancelled",
                                                         cancelled_by="mentee")
    MentoringSession.objects.filter(pk=third.pk).update(starts_at=now - datetime.timedelta(days=3))  # still to log


@pytest.mark.django_db
class TestCoordinatorToDo:
    def test_applications_to_review_are_counted_per_programme_with_a_link_to_the_queue(self, programme, coordinator):
        submitted(programme, 3, "A")
        Application.objects.create(programme=programme, employee=EmployeeFactory(employee_id="OK", job_level=1),
                                   role="mentor", status="approved")
        todo = block(home(coordinator), "home-todo")
        assert "3 applications to review" in todo
        assert f'{reverse("programmes:queue", args=[programme.slug])}?status=submitted' in todo

    def test_a_pair_at_risk_links_to_its_page_and_overdue_logs_to_the_follow_up(self, active_pair, coordinator):
        senior_cancels_twice(active_pair)
        todo = block(home(coordinator), "home-todo")
        assert "1 pair at risk" in todo and "senior cancels" in todo
        assert reverse("binomes:pair", args=[active_pair.pk]) in todo
        assert "1 session log overdue" in todo
        assert reverse("sessions:followup", args=[active_pair.programme.slug]) in todo

    def test_it_agrees_with_the_follow_up_page(self, active_pair, other_pair, coordinator):
        senior_cancels_twice(active_pair)
        Pair.objects.filter(pk=other_pair.pk).update(activated_at=timezone.now() - datetime.timedelta(days=200))
        now = timezone.now()
        rows = programme_followup(user=coordinator, programme=active_pair.programme, now=now)
        todo = followup_todo(programme_ids=[active_pair.programme_id], now=now)[active_pair.programme_id]
        assert {p.pair_id: p.reasons for p in todo["at_risk"]} == {r["pair"].pk: tuple(r["risks"]) for r in rows if r["risks"]}
        assert {p.pair_id for p in todo["at_risk"]} == {active_pair.pk, other_pair.pk}
        assert todo["overdue"] == sum(r["unlogged"] for r in rows) == 1

    def test_a_review_closing_within_a_week_is_listed_and_one_closing_later_is_not(self, programme, coordinator):
        surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
        today = timezone.localdate()
        soon = surveys[("midpoint", "mentor")]
        Survey.objects.filter(pk=soon.pk).update(opens_on=today - datetime.timedelta(days=soon.days_open - 3))
        later = surveys[("midpoint", "mentee")]
        Survey.objects.filter(pk=later.pk).update(opens_on=today - datetime.timedelta(days=later.days_open - 10))
        todo = block(home(coordinator), "home-todo")
        assert todo.count('data-testid="todo-closing"') == 1
        assert f"“{soon.title_en}”, mentors (juniors), closes on" in todo

    def test_only_the_programmes_the_coordinator_runs_and_an_hr_lead_sees_them_all_rolled_up(
            self, programme, coordinator, hr_lead):
        stranger = EmployeeFactory(employee_id="C2", job_level=4, user__is_coordinator=True).user
        theirs = other_programme("Autre entité", "autre-entite", by=stranger)
        submitted(programme, 2, "A")
        submitted(theirs, 5, "B")
        mine = block(home(coordinator), "home-todo")
        assert "2 applications to review" in mine and "Autre entité" not in mine and "5 applications" not in mine
        assert 'data-testid="todo-rollup"' not in mine  # one programme: nothing to roll up
        everything = block(home(hr_lead), "home-todo")
        assert "Autre entité" in everything and "Cohorte test" in everything
        rollup = everything[everything.index('data-testid="todo-rollup"'):]
        assert "Across the 2 programmes in progress" in rollup and "7 applications to review" in rollup

    def test_nothing_waiting_says_so_and_participants_and_executives_get_no_to_do(self, programme, coordinator,
                                                                                  executive, outsider):
        assert 'data-testid="todo-empty"' in home(coordinator)
        assert 'data-testid="home-todo"' not in home(executive)
        assert 'data-testid="home-todo"' not in home(outsider)

    def test_the_to_do_never_shows_a_draft_nor_a_closed_programme(self, programme, coordinator):
        submitted(programme, 1, "A")
        Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
        assert "Cohorte test" not in block(home(coordinator), "home-todo")


@pytest.mark.django_db
class TestExecutiveHeadline:
    def test_five_figures_of_the_dashboard_with_a_link_to_it(self, world, executive):
        page = home(executive)
        headline = block(page, "home-headline")
        total = evaluation_selectors.dashboard(user=executive, filters=evaluation_selectors.Filters())["total"]
        cards = {card["key"]: card for card in definitions.cards(total)}
        assert headline.count('data-kpi="') == 5
        assert f'{cards["satisfaction"]["value"]}' in headline.split('data-kpi="satisfaction"')[1].split("</div>")[0]
        assert reverse("evaluation:dashboard") in headline
        assert page.index('data-testid="home-headline"') < page.index('data-testid="headcount"')

    def test_a_figure_under_the_anonymity_threshold_is_not_shown(self, closed_programme, executive):
        from tests.evaluation.conftest import answer

        pairs = make_pairs(closed_programme, 2)
        surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=closed_programme)}
        for pair in pairs:
            answer(surveys[("final", "mentee")], pair, "mentee", {"satisfaction": 5})
        from evaluation.services import results_release_due

        results_release_due()
        satisfaction = block(home(executive), "home-headline").split('data-kpi="satisfaction"')[1].split("</div>")[0]
        assert 'data-suppressed="1"' in satisfaction and "5.0" not in satisfaction

    def test_coordinators_sponsors_and_participants_get_no_headline(self, world, coordinator, sponsor, outsider):
        for user in (coordinator, sponsor, outsider):
            assert 'data-testid="home-headline"' not in home(user)


@pytest.mark.django_db
class TestSponsorGlance:
    def test_each_sponsored_programme_with_its_status_figures_milestone_and_link(self, world, sponsor, programme):
        ProgrammeSponsor.objects.create(programme=world["programme"], user=sponsor)
        glance = block(home(sponsor), "home-sponsor")
        assert glance.count('data-testid="glance"') == 2
        pilot = glance.split(f'data-programme="{world["programme"].slug}"')[1]
        column = next(c for c in evaluation_selectors.dashboard(user=sponsor, filters=evaluation_selectors.Filters())["columns"]
                      if c["programme"].pk == world["programme"].pk)["figures"]
        assert "Closed" in pilot
        assert f'data-glance="satisfaction">{column["satisfaction"]["value"]}' in pilot
        assert f'{reverse("evaluation:dashboard")}?programme={world["programme"].pk}' in pilot
        running = glance.split(f'data-programme="{programme.slug}"')[1].split('data-testid="glance"')[0]
        assert "Enrolment open" in running and "Kick-off" in running  # its next milestone
        assert "shown from 5 answers" in running  # no answer yet: no satisfaction

    def test_a_sponsor_sees_only_the_programmes_they_sponsor(self, world, sponsor):
        glance = block(home(sponsor), "home-sponsor")
        assert world["programme"].name not in glance

    def test_nobody_else_gets_the_glance(self, programme, sponsor, outsider, coordinator):
        assert 'data-testid="home-sponsor"' in home(sponsor)
        assert 'data-testid="home-sponsor"' not in home(outsider)
        assert 'data-testid="home-sponsor"' not in home(coordinator)


# --- Query counts that do not grow with the data --------------------------------------------------------


def grow(coordinator, n: int, prefix: str) -> None:
    """``n`` more programmes run by the coordinator, each with applications to review, pairs and a
    pair at risk, and a sponsor's programme's worth of figures."""
    for i in range(n):
        more = other_programme(f"Cohorte {prefix}{i}", f"cohorte-{prefix}{i}".lower(), by=coordinator)
        submitted(more, 2, f"{prefix}{i}A")
        pairs = make_pairs(more, 3, status=Pair.Status.ACTIVE, prefix=f"{prefix}{i}P")
        now = timezone.now()
        for pair in pairs:
            for days in (30, 20, 10):
                MentoringSession.objects.create(pair=pair, starts_at=now - datetime.timedelta(days=days),
                                                status="cancelled", cancelled_by="mentee")
            MentoringSession.objects.create(pair=pair, starts_at=now - datetime.timedelta(days=2))


def counted(client, django_assert_max_num_queries) -> tuple[int, int]:
    """(cold, warm) query counts of the home."""
    cold()
    with django_assert_max_num_queries(200) as first:
        client.get(reverse("core:home") + "?cold")
    with django_assert_max_num_queries(30) as second:
        client.get(reverse("core:home") + "?warm")
    return len(first.captured_queries), len(second.captured_queries)


@pytest.mark.django_db(transaction=True)  # warm counts: the fixtures' writes committed, as in production
@pytest.mark.parametrize("who", ["coordinator", "hr_lead", "executive", "sponsor"])
def test_a_role_s_home_costs_the_same_queries_with_more_programmes_pairs_and_sessions(
        who, request, active_pair, coordinator, django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    client = client_en(user)
    senior_cancels_twice(active_pair)
    small = counted(client, django_assert_max_num_queries)
    grow(coordinator, 3, "G")
    if who == "sponsor":
        for programme in Programme.objects.exclude(pk=active_pair.programme_id):
            ProgrammeSponsor.objects.create(programme=programme, user=user)
    large = counted(client, django_assert_max_num_queries)
    assert large[1] <= small[1], (small, large)  # warm: every figure from the cache
    if who in ("coordinator", "hr_lead"):  # the to-do is computed in a fixed number of queries even cold
        assert large[0] <= small[0], (small, large)
    page = client.get(reverse("core:home")).content.decode()
    if who in ("coordinator", "hr_lead"):
        assert page.count('data-testid="todo-programme"') == 4  # the data did grow
    if who == "sponsor":
        assert page.count('data-testid="glance"') == 4


@pytest.mark.django_db(transaction=True)  # warm counts: the fixtures' writes committed, as in production
def test_the_coordinator_blocks_are_cheap_once_cached(active_pair, coordinator, django_assert_max_num_queries):
    """The to-do's counts come from the cache (one query for the programmes, one for the
    coordinator's scope, one for the surveys closing)."""
    grow(coordinator, 2, "H")
    client = client_en(coordinator)
    client.get(reverse("core:home"))
    with django_assert_max_num_queries(6) as few:  # auth, scope, programmes, surveys, navigation + directory overview below
        todo = evaluation_selectors.coordinator_todo(user=coordinator)
    assert len(few.captured_queries) <= 3 and todo["total"]["at_risk"] == 6


@pytest.mark.django_db(transaction=True)  # warm counts: the fixtures' writes committed, as in production
def test_a_mentor_s_home_costs_the_same_queries_with_more_sessions_goals_and_programmes(
        active_pair, mentor, coordinator, django_assert_max_num_queries):
    """Every participant section reads in a fixed number of queries, and the sections of other
    roles cost a participant nothing (the navigation, read once, says whether they apply)."""
    from sessions.models import Commitment, LearningGoal

    client = client_en(mentor)
    client.get(reverse("core:home"))
    with django_assert_max_num_queries(2):  # warm: the session and the cached user, navigation and sections
        client.get(reverse("core:home") + "?warm")
    cold()
    with django_assert_max_num_queries(18) as small:  # cold: those read again, per pair, and the user's reach (two)
        client.get(reverse("core:home") + "?small")
    now = timezone.now()
    for days in range(1, 12):
        MentoringSession.objects.create(pair=active_pair, starts_at=now - datetime.timedelta(days=days * 7),
                                        status="held")
    for n in range(8):
        LearningGoal.objects.create(pair=active_pair, title=f"Goal {n}", created_by=mentor)
        Commitment.objects.create(pair=active_pair, text=f"Commitment {n}", due_date=timezone.localdate())
    for n in range(3):
        other_programme(f"Cohorte {n}", f"cohorte-{n}", by=coordinator)
    cold()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("core:home") + "?large").content.decode()
    assert "Goal 5" in page  # the data did grow


@pytest.mark.django_db(transaction=True)
def test_the_cached_to_do_changes_as_soon_as_a_coordinator_acts(coordinator):
    """The to-do's counts are cached under the programme's scopes: a review or a session logged shows
    on the next page, not after the cache's timeout."""
    from programmes.services import application_review
    from tests.conftest import application_data

    cold()
    programme = other_programme("Cohorte vivante", "cohorte-vivante", by=coordinator)
    from programmes.services import application_submit

    applications = [application_submit(employee=EmployeeFactory(employee_id=f"L{i}", job_level=1).user.employee,
                                       programme=programme, role="mentor", data=application_data("mentor"),
                                       charter_accepted=True) for i in range(2)]
    [pair] = make_pairs(programme, 1, status=Pair.Status.ACTIVE, prefix="LP")
    session = MentoringSession.objects.create(pair=pair, starts_at=timezone.now() - datetime.timedelta(days=1))
    client = client_en(coordinator)
    todo = block(client.get(reverse("core:home")).content.decode(), "home-todo")
    assert "2 applications to review" in todo and "1 session log overdue" in todo
    application_review(actor=coordinator, application=applications[0], decision="approve")
    MentoringSession.objects.filter(pk=session.pk).update(status=MentoringSession.Status.HELD)
    todo = block(client.get(reverse("core:home")).content.decode(), "home-todo")
    assert "1 application to review" in todo and "overdue" not in todo


@pytest.mark.django_db(transaction=True)
def test_the_participants_cached_pair_state_follows_each_committed_write(active_pair, mentor):
    """The pair's sessions, goals and commitments are cached under the pair's scope: a session logged
    or a goal written shows at once (the scope is touched on commit), not after the cache's timeout."""
    from sessions import services as pair_services
    from sessions.selectors import due_for_user

    cold()
    session = active_pair.sessions.order_by("starts_at").first()
    MentoringSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    assert [s.pk for s in due_for_user(user=mentor)["to_log"]] == [session.pk]
    assert [s.pk for s in due_for_user(user=mentor)["to_log"]] == [session.pk]  # now from the cache
    pair_services.session_log(user=mentor, session=MentoringSession.objects.get(pk=session.pk),
                              data=pair_services.LogData(held=True, actual_minutes=60, topics="IA"))
    pair_services.goal_save(user=mentor, pair=active_pair, title="Prompting au quotidien")
    due = due_for_user(user=mentor)
    assert due["to_log"] == [] and [s.pk for s in due["to_rate"]] == [session.pk]
    assert "Prompting au quotidien" in [goal.title for goal in due["goals"]]
    assert "Prompting au quotidien" in client_en(mentor).get(reverse("core:home")).content.decode()
    # The programme's milestones are cached under its scope: a milestone added shows at once too.
    from programmes.models import Milestone

    Milestone.objects.filter(programme=active_pair.programme).delete()
    assert due_for_user(user=mentor)["milestones"] == []
    Milestone.objects.create(programme=active_pair.programme, title="Fête de mi-parcours",
                             date=timezone.localdate() + datetime.timedelta(days=3))
    assert [m.title for m in due_for_user(user=mentor)["milestones"]] == ["Fête de mi-parcours"]
