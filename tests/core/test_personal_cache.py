"""The values cached per user (``mentorat.core.personal``, the auth backend): the navigation, a
participant's home sections and the session's user. Each is served from the cache while nothing it
depends on changes, and a committed write to any of those shows on the next request (transactional
tests: touches take effect on commit, as in production)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from mentorat.core import scopes
from programmes.models import Programme, ProgrammeSponsor
from sessions.models import MentoringSession
from tests.conftest import client_for, cold
from tests.evaluation.conftest import client_en

User = get_user_model()
pytestmark = pytest.mark.django_db(transaction=True)


def main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>")[0]


def nav_urls(client) -> set[str]:
    response = client.get(reverse("core:home"))
    return {item.url for item in response.context["nav_items"]}


def test_a_warm_participant_home_reads_only_the_session(active_pair, mentor, django_assert_max_num_queries):
    client = client_en(mentor)
    client.get(reverse("core:home"))
    with django_assert_max_num_queries(1):  # the login session (cached_db: from the cache once written)
        assert client.get(reverse("core:home")).status_code == 200


def test_a_rating_takes_the_session_off_the_home_s_to_rate_list_at_once(active_pair, mentor):
    """The rating touches the pair: before, the cached pair state kept "to rate" for an hour."""
    from sessions import services

    session = active_pair.sessions.order_by("starts_at").first()
    MentoringSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    session.refresh_from_db()
    services.session_log(user=mentor, session=session, data=services.LogData(held=True, actual_minutes=60, topics="IA"))
    client = client_en(mentor)
    rate = reverse("sessions:detail", args=[session.pk])
    assert rate in client.get(reverse("core:home")).content.decode()
    assert rate in client.get(reverse("core:home")).content.decode()  # from the cache
    services.session_rate(user=mentor, session=MentoringSession.objects.get(pk=session.pk), score=5)
    page = client.get(reverse("core:home")).content.decode()
    assert rate not in main(page)


def test_a_role_given_or_taken_shows_in_the_navigation_on_the_next_page(programme, outsider):
    client = client_en(outsider)
    dashboard = reverse("evaluation:dashboard")
    assert dashboard not in nav_urls(client)
    assert dashboard not in nav_urls(client)  # cached now
    sponsorship = ProgrammeSponsor.objects.create(programme=programme, user=outsider)
    assert dashboard in nav_urls(client)
    sponsorship.delete()
    assert dashboard not in nav_urls(client)
    User.objects.filter(pk=outsider.pk).update(is_coordinator=True)  # a bulk update touches too
    assert reverse("evaluation:operations") in nav_urls(client)


def test_being_named_a_concern_contact_shows_the_concerns_page_at_once(programme, outsider):
    client = client_en(outsider)
    concerns = reverse("sessions:concerns")
    assert concerns not in nav_urls(client)
    programme.concern_contacts.add(outsider)  # a many-to-many link
    assert concerns in nav_urls(client)
    programme.concern_contacts.clear()
    assert concerns not in nav_urls(client)
    outsider.concern_programmes.add(programme)  # from the other side
    assert concerns in nav_urls(client)


def test_a_programme_opening_shows_on_a_participant_s_cached_home_at_once(coordinator, outsider):
    from programmes.services import programme_create, programme_transition

    client = client_en(outsider)
    assert "Cohorte ouverte" not in client.get(reverse("core:home")).content.decode()
    programme = programme_create(actor=coordinator, name="Cohorte ouverte", slug="cohorte-ouverte",
                                 start_date=datetime.date(2027, 3, 1), duration_months=6, cadence_weeks=2)
    programme_transition(actor=coordinator, programme=programme, to=Programme.Status.ENROLMENT)
    assert "Cohorte ouverte" in client.get(reverse("core:home")).content.decode()


def test_the_cached_user_never_outlives_a_deactivation_or_a_password_change(mentor):
    client = client_for(mentor)
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("core:home")).status_code == 200  # the user from the cache
    User.objects.filter(pk=mentor.pk).update(is_active=False)  # as the nightly deactivation does
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]

    User.objects.filter(pk=mentor.pk).update(is_active=True)
    other = client_for(User.objects.get(pk=mentor.pk))
    assert other.get(reverse("core:home")).status_code == 200
    user = User.objects.get(pk=mentor.pk)
    user.set_password("Un-autre-mot-de-passe-42")
    user.save()
    assert other.get(reverse("core:home")).status_code == 302  # the session's hash no longer matches


def test_a_leave_date_reached_ends_the_session_despite_the_cached_user(org, mentor):
    from mentorat.core.models import Employee

    client = client_for(mentor)
    assert client.get(reverse("core:home")).status_code == 200
    Employee.objects.filter(user=mentor).update(leave_date=timezone.localdate())
    assert client.get(reverse("core:home")).status_code == 302


def test_each_request_gets_its_own_copy_of_the_cached_user(mentor):
    from mentorat.core.auth import DirectoryModelBackend

    backend = DirectoryModelBackend()
    first = backend.get_user(mentor.pk)
    first.first_name = "Modifié"
    assert backend.get_user(mentor.pk).first_name != "Modifié"
    assert backend.get_user("not-a-number") is None


def test_the_values_are_per_language(active_pair, mentor):
    client = client_for(mentor)
    scopes.clear_memo()
    User.objects.filter(pk=mentor.pk).update(language="fr")
    assert "Accueil" in client.get(reverse("core:home")).content.decode()
    User.objects.filter(pk=mentor.pk).update(language="en")
    assert ">Home<" in client.get(reverse("core:home")).content.decode()


def test_cold_and_warm_homes_show_the_same(active_pair, mentor):
    client = client_en(mentor)
    cold()
    first = client.get(reverse("core:home")).content.decode()
    second = client.get(reverse("core:home")).content.decode()
    assert main(first) == main(second)  # the page around it carries a CSRF token of its own each time


def future_session(pair) -> MentoringSession:
    return pair.sessions.filter(starts_at__gt=timezone.now(), status="planned").order_by("starts_at").first()


def test_a_member_s_session_page_is_read_from_the_cache_and_follows_the_other_member(
        active_pair, mentor, mentee, django_assert_max_num_queries):
    from sessions import services

    session = future_session(active_pair)
    url = reverse("sessions:detail", args=[session.pk])
    client = client_en(mentor)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(1):  # the login session at most
        assert client.get(url).status_code == 200
    services.session_cancel(user=mentee, session=MentoringSession.objects.get(pk=session.pk), reason="Comité")
    page = main(client.get(url).content.decode())
    assert "cancelled the session" in page and "Comité" in page


def test_a_rating_shows_on_the_cached_session_page_at_once(active_pair, mentor):
    from sessions import services

    session = active_pair.sessions.order_by("starts_at").first()
    MentoringSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    services.session_log(user=mentor, session=MentoringSession.objects.get(pk=session.pk),
                         data=services.LogData(held=True, actual_minutes=60, topics="IA"))
    url = reverse("sessions:detail", args=[session.pk])
    client = client_en(mentor)
    assert "You rated it" not in client.get(url).content.decode()
    client.get(url)
    services.session_rate(user=mentor, session=MentoringSession.objects.get(pk=session.pk), score=4)
    assert "You rated it 4/5." in client.get(url).content.decode()


def test_a_delegate_s_session_page_is_never_served_from_a_value_nothing_would_invalidate(active_pair, org):
    """The delegate's values do not depend on the senior's pair: their session page is read for each request."""
    from sessions import services
    from sessions.models import Delegate
    from tests.factories import UserFactory

    assistant = UserFactory(email="assistant@test.example")
    Delegate.objects.create(senior=org["director_a"], user=assistant)
    session = future_session(active_pair)
    url = reverse("sessions:detail", args=[session.pk])
    client = client_en(assistant)
    assert client.get(url).status_code == 200
    client.get(url)
    services.session_cancel(user=org["junior_b"].user, session=MentoringSession.objects.get(pk=session.pk), reason="x")
    assert "cancelled the session" in main(client.get(url).content.decode())


def test_someone_else_s_session_page_stays_a_404_from_the_cache_too(active_pair, outsider):
    url = reverse("sessions:detail", args=[future_session(active_pair).pk])
    client = client_en(outsider)
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404


def test_the_surveys_to_answer_on_a_cached_home_follow_answers_and_survey_changes(active_pair, mentor, mentee):
    from binomes.models import Pair
    from evaluation.models import Survey
    from tests.evaluation.conftest import answer

    Pair.objects.filter(pk=active_pair.pk).update(activated_at=timezone.now() - datetime.timedelta(days=1))
    pair = Pair.objects.get(pk=active_pair.pk)
    for user, role in ((mentor, "mentor"), (mentee, "mentee")):
        client = client_en(user)
        baseline = Survey.objects.get(programme=pair.programme, moment="baseline", audience=role)
        link = reverse("evaluation:answer", args=[baseline.pk])
        assert link in main(client.get(reverse("core:home")).content.decode())
        assert link in main(client.get(reverse("core:home")).content.decode())  # from the cache
        if role == "mentor":
            answer(baseline, pair, "mentor", {"scale": 4})  # the response touches its respondent
        else:
            Survey.objects.filter(pk=baseline.pk).delete()  # a coordinator's change touches the programme
        assert link not in main(client.get(reverse("core:home")).content.decode())


def test_a_release_step_leaves_the_participants_cached_pages_alone(active_pair, mentor, django_assert_max_num_queries):
    """Published figures changing is no reason to recompute every participant's pages."""
    from evaluation.models import ResultRelease, Survey

    client = client_en(mentor)
    client.get(reverse("core:home"))
    survey = Survey.objects.filter(programme=active_pair.programme).first()
    ResultRelease.objects.create(survey=survey, released_at=timezone.now(), people=5)
    with django_assert_max_num_queries(1):
        client.get(reverse("core:home"))
