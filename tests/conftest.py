"""The cast, each with a stated right:

- ``coordinator``: HR programme owner, runs the programmes they create (site-wide role, scoped);
- ``hr_lead``: runs every programme, manages the directory, assigns roles (site-wide role);
- ``executive``: sees the organisation and, later, every dashboard (site-wide role);
- ``superuser``: the only one admitted to the Django admin;
- ``mentor`` / ``mentee``: a junior and a senior employee with no site-wide role (per-programme
  roles come with the programmes issue), ``mentee`` two levels above in another branch;
- ``outsider``: an employee with no role at all.
"""


from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

PASSWORD = "secret-pass-123"

# The SQLite test database is a file (shared with worker processes): its folder must exist,
# also on a fresh clone where nothing has created var/ yet.
_test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
if _test_name:
    Path(_test_name).parent.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: database ids are reused from one test to the next."""
    from django.core.cache import cache

    from mentorat.core import scopes

    cache.clear()
    scopes.clear_pending()  # a test's transaction is rolled back, never committed
    scopes.clear_memo()  # ids are reused from one test to the next


def cold() -> None:
    """Forget every cached value, as right after a deploy: a query count measured after it is the
    whole computation's (the user, their navigation and reach, the page's values), whatever a
    previous request left in the cache. A test's writes never commit, so their touches would be lost
    (``mentorat.core.scopes``): measure cold, or warm after no write."""
    from django.core.cache import cache

    from mentorat.core import scopes

    cache.clear()
    scopes.clear_memo()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    """A small company: ceo → (director_a → manager_a → junior_a), (director_b → junior_b)."""
    dept_a = DepartmentFactory(name="Opérations")
    dept_b = DepartmentFactory(name="Marketing")
    ceo = EmployeeFactory(employee_id="CEO", job_level=6, department=dept_a)
    director_a = EmployeeFactory(employee_id="DA", manager=ceo, job_level=5, department=dept_a)
    manager_a = EmployeeFactory(employee_id="MA", manager=director_a, job_level=3, department=dept_a)
    junior_a = EmployeeFactory(employee_id="JA", manager=manager_a, job_level=1, department=dept_a)
    director_b = EmployeeFactory(employee_id="DB", manager=ceo, job_level=5, department=dept_b)
    junior_b = EmployeeFactory(employee_id="JB", manager=director_b, job_level=1, department=dept_b)
    return {
        "ceo": ceo, "director_a": director_a, "manager_a": manager_a, "junior_a": junior_a,
        "director_b": director_b, "junior_b": junior_b,
    }


@pytest.fixture
def coordinator(db):
    return EmployeeFactory(employee_id="COORD", job_level=4, user__is_coordinator=True).user


@pytest.fixture
def hr_lead(db):
    return EmployeeFactory(employee_id="HRLEAD", job_level=5, user__is_hr_lead=True, user__first_name="Hugo",
                           user__last_name="Lead").user


@pytest.fixture
def executive(db):
    return EmployeeFactory(employee_id="EXEC", job_level=6, user__is_executive=True).user


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@test.example", is_superuser=True, is_staff=True)


@pytest.fixture
def mentor(org):
    return org["junior_b"].user


@pytest.fixture
def mentee(org):
    return org["director_a"].user


@pytest.fixture
def outsider(db):
    return EmployeeFactory(employee_id="OUT", job_level=2).user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def programme(db, coordinator):
    """An open programme on the default domains: mentees level ≥ 4, mentors level ≤ 2."""
    import datetime

    from programmes.models import Programme
    from programmes.services import programme_create, programme_transition

    programme = programme_create(
        actor=coordinator, name="Cohorte test", slug="cohorte-test", start_date=datetime.date(2027, 1, 11),
        duration_months=9, cadence_weeks=3,
    )
    programme.mentee_min_level, programme.mentor_max_level = 4, 2
    programme.save()
    return programme_transition(actor=coordinator, programme=programme, to=Programme.Status.ENROLMENT)


@pytest.fixture
def sponsor(programme):
    from programmes.models import ProgrammeSponsor

    user = EmployeeFactory(employee_id="SPON", job_level=6).user
    ProgrammeSponsor.objects.create(programme=programme, user=user, message="Apprenons de nos juniors.")
    return user


def application_data(role="mentor", **overrides):
    from programmes.services import ApplicationData

    values = {
        "domains": {"generative-ai": 3} if role == "mentor" else {"generative-ai": 2},
        "availability": ["mon-am", "tue-pm"], "format": "either", "languages": ["fr"], "capacity": 1,
        "motivation": "Secret motivation of the mentor" if role == "mentor" else "",
        "desired_outcome": "Use AI assistants every day" if role == "mentee" else "",
    }
    values.update(overrides)
    return ApplicationData(**values)


@pytest.fixture
def cohort(programme, org, coordinator):
    """Approved: mentors junior_a (under director_a's subtree) and junior_b (reports to director_b);
    mentees director_a and director_b. Programme in the pairing state."""
    from programmes.services import application_review, application_submit, programme_transition

    apps = {}
    for key, role in [("junior_a", "mentor"), ("junior_b", "mentor"), ("director_a", "mentee"), ("director_b", "mentee")]:
        apps[key] = application_submit(employee=org[key], programme=programme, role=role, data=application_data(role),
                                       charter_accepted=True)
        application_review(actor=coordinator, application=apps[key], decision="approve")
    programme_transition(actor=coordinator, programme=programme, to="pairing")
    programme.refresh_from_db()
    return apps


def drain_outbox(now=None):
    """What the beat sweep and a worker would do, in-process: claim what is due and send it."""
    from mentorat.core import outbox

    results = []
    for pk, token in outbox.claim_due(now=now):
        results.append(outbox.send_one(pk, token, now=now))
    return results


@pytest.fixture
def active_pair(programme, cohort, coordinator, org):
    """JB (mentor) & DA (mentee), active since 2027-01-04, sessions planned by the activation hook."""
    import datetime

    from binomes import services as pairing_services
    from binomes.models import Pair

    pair = pairing_services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])
    pairing_services.pairs_publish(actor=coordinator, programme=programme)
    Pair.objects.filter(pk=pair.pk).update(expires_at=None)
    when = datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC)
    pairing_services.pair_confirm(user=org["junior_b"].user, pair=pair, now=when)
    pairing_services.pair_confirm(user=org["director_a"].user, pair=pair, now=when)
    pair.refresh_from_db()
    return pair


@pytest.fixture
def other_pair(programme, cohort, coordinator, org, active_pair):
    import datetime

    from binomes import services as pairing_services
    from binomes.models import Pair

    pair = pairing_services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
    pairing_services.pairs_publish(actor=coordinator, programme=programme)
    Pair.objects.filter(pk=pair.pk).update(expires_at=None)
    when = datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC)
    for member in (org["junior_a"], org["director_b"]):
        pairing_services.pair_confirm(user=member.user, pair=pair, now=when)
    pair.refresh_from_db()
    return pair
