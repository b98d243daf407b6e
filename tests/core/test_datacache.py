"""The read cache is never stale: every write to a table pages show moves the version on, however
it is made, and nothing computed from uncommitted data is shared."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentorat.core import datacache
from mentorat.core.models import Employee, Notification
from sessions.models import LearningGoal
from tests.conftest import client_for
from tests.factories import EmployeeFactory


def test_written_table_reads_the_statement():
    assert datacache.written_table('INSERT INTO "core_employee" ("a") VALUES (1)') == "core_employee"
    assert datacache.written_table('  update "binomes_pair" SET "status" = %s') == "binomes_pair"
    assert datacache.written_table('DELETE FROM "evaluation_answer" WHERE 1') == "evaluation_answer"
    assert datacache.written_table('TRUNCATE "core_user" CASCADE') == "core_user"
    assert datacache.written_table('SELECT * FROM "core_employee"') is None
    assert datacache.written_table('SELECT 1 FROM x WHERE "UPDATE" = 1') is None
    # SQLite's many-to-many add()
    assert datacache.written_table('INSERT OR IGNORE INTO "programmes_programme_x" ("a") VALUES (1)') == "programmes_programme_x"


@pytest.mark.django_db(transaction=True)
def test_every_kind_of_write_moves_the_version_on_commit():
    employee = EmployeeFactory()
    kinds = [
        lambda: Employee.objects.filter(pk=employee.pk).update(job_title="Other"),  # no signal sent
        lambda: employee.save(),
        lambda: EmployeeFactory(),
        lambda: Employee.objects.filter(pk=employee.pk).delete(),
    ]
    for write in kinds:
        before = datacache.version()
        write()  # autocommit: at once
        assert datacache.version() != before
    with transaction.atomic():
        before = datacache.version()
        EmployeeFactory()
        assert datacache.version() == before  # not yet committed: nothing to share…
        assert datacache.has_uncommitted_writes()  # …and reads skip the cache meanwhile
    assert datacache.version() != before
    assert not datacache.has_uncommitted_writes()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_nothing_shared():
    computed = []

    def compute():
        computed.append(Employee.objects.count())
        return computed[-1]

    assert datacache.cached(("count",), compute) == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        EmployeeFactory()
        assert datacache.cached(("count",), compute) == 1  # this connection sees its own write…
        raise RuntimeError
    assert datacache.cached(("count",), compute) == 0  # …which nobody else ever saw
    assert computed == [0, 1]  # the value of the rolled-back transaction was not stored


@pytest.mark.django_db(transaction=True)
def test_outbox_and_audit_writes_keep_the_cache():
    employee = EmployeeFactory()
    before = datacache.version()
    Notification.objects.create(kind="test", object_key="x:1", recipient=employee.user, due_at=timezone.now())
    Notification.objects.update(attempts=1)
    assert datacache.version() == before


@pytest.mark.django_db(transaction=True)
def test_home_and_navigation_cost_one_cache_read_and_follow_every_change(active_pair, org):
    user = org["junior_b"].user
    client = client_for(user)
    def page():
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get("/").content.decode())

    first = page()
    assert "Your sessions" in first or "Vos séances" in first
    with CaptureQueriesContext(connection) as queries:
        again = page()
    assert again == first
    # The user only (joined to its employee: the leave date), the login session, the sections and the
    # navigation come from the cache.
    assert [q["sql"].split(" FROM ")[1][:30] for q in queries.captured_queries] == ['"core_user" LEFT OUTER JOIN "c']
    # A change made elsewhere, without any model signal, shows at once.
    LearningGoal.objects.bulk_create([LearningGoal(pair=active_pair, title="Animer un atelier IA", progress=40)])
    assert "Animer un atelier IA" not in first
    assert "Animer un atelier IA" in page()


@pytest.mark.django_db(transaction=True)
def test_session_page_forms_follow_the_log(active_pair, org):
    session = active_pair.sessions.order_by("starts_at").first()
    client = client_for(org["junior_b"].user)
    url = f"/sessions/{session.pk}/"
    first = client.get(url).content.decode()
    assert 'name="place"' in first  # the forms are there…
    # …and a change made behind the page's back (no signal) shows at the next look.
    type(session).objects.filter(pk=session.pk).update(place="Salle Agora")
    assert 'value="Salle Agora"' in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_dashboard_body_follows_the_data(executive, active_pair):
    from programmes.models import Objective

    client = client_for(executive)
    assert "Taux d’appariement cible" not in client.get("/evaluation/").content.decode()
    Objective.objects.bulk_create([Objective(programme=active_pair.programme, kpi="pairing_rate",
                                             title="Taux d’appariement cible", target=80)])
    assert "Taux d’appariement cible" in client.get("/evaluation/").content.decode()


@pytest.mark.django_db
def test_session_page_forms_are_not_nested(active_pair, org):
    session = active_pair.sessions.order_by("starts_at").first()
    html = client_for(org["junior_b"].user).get(f"/sessions/{session.pk}/").content.decode()
    depth = 0
    for tag in re.findall(r"</?form\b", html):
        depth += 1 if tag == "<form" else -1
        assert depth in (0, 1), "a form inside a form: its submit button would fall outside it"
    assert depth == 0


@pytest.mark.django_db(transaction=True)
def test_an_expensive_value_is_computed_by_one_request_at_a_time():
    """After a write, the first request computes the dashboard; one arriving meanwhile gets the
    previous value (and nothing built from it is kept) instead of computing it too."""
    from django.core.cache import cache

    computed = []

    def compute():
        computed.append(Employee.objects.count())
        return f"{computed[-1]} employees"

    assert datacache.cached(("dash",), compute, one_at_a_time=True) == "0 employees"
    EmployeeFactory()  # a write: the value is out of date
    key = datacache._key(("dash",))
    assert cache.add(key + ":computing", "x", 60)  # another request is computing it now
    with datacache.expiries() as seen:
        assert datacache.cached(("dash",), compute, one_at_a_time=True) == "0 employees"
    assert computed == [0]  # not computed a second time
    assert seen and seen[0] <= timezone.now()  # a page built from it expires at once: not kept
    cache.delete(key + ":computing")  # that request is done (or gave up)
    assert datacache.cached(("dash",), compute, one_at_a_time=True) == "1 employees"
    assert datacache.cached(("dash",), compute) == "1 employees"
    assert computed == [0, 1]
    assert cache.get(key + ":computing") is None  # released
    # Without a previous value there is nothing to share: each request computes.
    assert cache.add(datacache._key(("other",)) + ":computing", "x", 60)
    assert datacache.cached(("other",), compute, one_at_a_time=True) == "1 employees"
