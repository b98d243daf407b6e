"""Scoped caches: every model a cached value reads says which scopes its rows belong to, every
kind of ORM write touches them, a touch takes effect on commit, and a write recomputes only the
values of its own scopes."""

import datetime

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentorat.core import scopes
from mentorat.core.models import Employee
from sessions.models import LearningGoal, MentoringSession
from tests.conftest import client_for
from tests.factories import EmployeeFactory

OURS = {"core", "programmes", "binomes", "mentoring_sessions", "evaluation", "api"}


@pytest.fixture
def touched():
    seen = []
    scopes._listeners.append(seen.extend)
    yield seen
    scopes._listeners.remove(seen.extend)


def test_every_model_of_ours_is_scoped_or_says_why_not():
    models = [m for m in apps.get_models() if m._meta.app_label in OURS]
    undeclared = [m._meta.label for m in models if not getattr(m, "SCOPED_BY", None) and m._meta.label not in scopes.UNSCOPED]
    assert undeclared == []
    both = [m._meta.label for m in models if getattr(m, "SCOPED_BY", None) and m._meta.label in scopes.UNSCOPED]
    assert both == []
    assert set(scopes.UNSCOPED) <= {m._meta.label for m in models}  # no stale entry


def test_a_scoped_model_s_bulk_writes_go_through_the_scoped_queryset():
    for model in scopes.scoped_models():
        assert isinstance(model._default_manager.all(), scopes.ScopedQuerySet), model._meta.label
        for kind in model.SCOPED_BY:
            assert kind in scopes.KINDS


def test_every_kind_of_write_touches_the_scopes_of_its_rows(active_pair, touched):
    pair, programme = active_pair.pk, active_pair.programme_id
    session = active_pair.sessions.order_by("starts_at").first()
    sessions, goals = {("pair", pair), ("sessions", programme)}, {("pair", pair), ("goals", programme)}
    writes = [
        (lambda: session.save(), sessions),
        (lambda: MentoringSession.objects.filter(pk=session.pk).update(theme="Prompts"), sessions),  # no signal
        (lambda: LearningGoal.objects.bulk_create([LearningGoal(pair=active_pair, title="Teams")]), goals),
        (lambda: LearningGoal.objects.filter(pair=active_pair).delete(), goals),
        (lambda: active_pair.sessions.filter(pk=session.pk).update(place="Salle 3"), sessions),  # related manager
        (lambda: active_pair.save(), {("pair", pair), ("programme", programme)}),
    ]
    for write, expected in writes:
        touched.clear()
        write()
        assert expected <= set(touched)
    touched.clear()
    Employee.objects.filter(pk=active_pair.mentor.employee_id).update(job_title="Analyste")
    assert ("directory",) in touched


@pytest.mark.django_db(transaction=True)
def test_a_touch_takes_effect_on_commit_and_uncommitted_reads_skip_the_cache():
    EmployeeFactory()

    def read():
        return scopes.cached("count", (), Employee.objects.count, scopes=[("directory",)], timeout=60)

    assert read() == 1
    Employee.objects.update(job_title="x")  # autocommit: touched at once, after the write
    with transaction.atomic():
        EmployeeFactory()
        assert read() == 2  # this connection sees its own write, computed, not stored…
        assert ("directory",) in scopes._pending()
    assert read() == 2  # …and after the commit everybody sees it
    with CaptureQueriesContext(connection) as queries:
        assert read() == 2
    assert len(queries) == 0  # a hit costs no query
    try:
        with transaction.atomic():
            EmployeeFactory()
            read()
            raise RuntimeError
    except RuntimeError:
        pass
    assert read() == 2  # a rolled-back write never reached the cache


@pytest.mark.django_db(transaction=True)
def test_a_value_computed_while_a_write_commits_is_not_served_after_it():
    EmployeeFactory()
    state = {"n": 0}

    def compute():
        state["n"] += 1
        if state["n"] == 1:
            EmployeeFactory()  # another request commits a change meanwhile (autocommit here)
            return "stale"
        return "fresh"

    assert scopes.cached("race", (), compute, scopes=[("directory",)], timeout=60) == "stale"
    assert scopes.cached("race", (), compute, scopes=[("directory",)], timeout=60) == "fresh"


@pytest.mark.django_db(transaction=True)
def test_a_write_in_one_programme_recomputes_only_that_programme_and_shows_at_once(coordinator, executive):
    from django.core.cache import cache

    from programmes.services import programme_create
    from tests.evaluation.conftest import at, make_pairs

    programmes = [programme_create(actor=coordinator, name=f"Cohorte {n}", slug=f"cohorte-{n}",
                                   start_date=datetime.date(2026, 1, 12), duration_months=9, cadence_weeks=3)
                  for n in (1, 2)]
    sessions = []
    for n, programme in enumerate(programmes):
        programme.status = "running"
        programme.save()
        [pair] = make_pairs(programme, 1, status="active", prefix=f"P{n}")
        sessions.append(MentoringSession.objects.create(pair=pair, starts_at=at(datetime.date(2026, 2, 2))))
    page = client_for(executive)
    url = reverse("evaluation:dashboard")

    def grouped(response_queries):
        return [q for q in response_queries.captured_queries if "GROUP BY" in q["sql"]]

    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert page.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        page.get(url)
    assert grouped(warm) == []  # every programme's cells from the cache
    MentoringSession.objects.filter(pk=sessions[0].pk).update(status=MentoringSession.Status.HELD)
    with CaptureQueriesContext(connection) as after_write:
        response = page.get(url)
    # The written programme's operational cells and months again, not the other's, nor any answer cell.
    assert 0 < len(grouped(after_write)) < len(grouped(cold))
    assert len(grouped(after_write)) * 2 <= len([q for q in grouped(cold) if "evaluation_answer" not in q["sql"]
                                                 and "sessionrating" not in q["sql"]])
    assert response.status_code == 200


def test_an_unknown_scope_kind_is_refused():
    with pytest.raises(ValueError):
        scopes.touch(("everything",))


@pytest.mark.django_db
def test_single_flight_waits_for_the_value_another_process_is_computing(monkeypatch):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    calls = []
    key = scopes._value_key("sf", (1,))
    scopes.bump([("catalogue",)])
    tokens = (cache.get(scopes._scope_key(("catalogue",))),)
    assert cache.add("computing:" + key, 1, 30)  # another process has started computing it

    def they_store_it_while_we_wait(_seconds):
        cache.set(key, (tokens, "theirs", timezone.now() + timedelta(seconds=60)), 60)

    monkeypatch.setattr(scopes.time, "sleep", they_store_it_while_we_wait)
    value = scopes.cached("sf", (1,), lambda: calls.append(1) or "mine", scopes=[("catalogue",)], timeout=60,
                          single_flight=True)
    assert value == "theirs" and calls == []


@pytest.mark.django_db
def test_single_flight_computes_itself_when_the_other_gives_up_and_releases_its_own_lock(monkeypatch):
    from django.core.cache import cache

    key = scopes._value_key("sf2", (1,))
    cache.add("computing:" + key, 1, 30)
    monkeypatch.setattr(scopes.time, "sleep", lambda _seconds: cache.delete("computing:" + key))  # they crash
    assert scopes.cached("sf2", (1,), lambda: "mine", scopes=[("catalogue",)], timeout=60, single_flight=True) == "mine"
    scopes.clear_memo()
    cache.delete(key)
    with pytest.raises(ZeroDivisionError):
        scopes.cached("sf2", (1,), lambda: 1 / 0, scopes=[("catalogue",)], timeout=60, single_flight=True)
    assert cache.get("computing:" + key) is None  # released on error: nobody waits for nothing


@pytest.mark.django_db
def test_within_a_request_each_scope_s_token_is_read_once_and_prefetch_reads_them_together(monkeypatch):
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    reads = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, **kw: reads.append(sorted(keys)) or real(keys, **kw))
    request_started.send(sender=None)
    try:
        scopes.prefetch([("catalogue",), ("directory",)])
        assert len(reads) == 1 and len(reads[0]) == 2
        scopes.cached("p1", (1,), lambda: 1, scopes=[("catalogue",)], timeout=60)
        scopes.cached("p2", (1,), lambda: 2, scopes=[("catalogue",), ("directory",)], timeout=60)
        assert not any(key.startswith("scope:") for keys in reads[1:] for key in keys)  # tokens already known
        scopes.touch(("catalogue",))  # a write in this request: the new token replaces the known one
        assert scopes.cached("p1", (1,), lambda: "again", scopes=[("catalogue",)], timeout=60) == "again"
    finally:
        request_finished.send(sender=None)
    reads.clear()
    scopes.cached("p1", (1,), lambda: 3, scopes=[("catalogue",)], timeout=60)
    assert any(key.startswith("scope:") for keys in reads for key in keys)  # outside a request: read each time


@pytest.mark.django_db
def test_the_import_s_plain_sql_column_writes_touch_what_the_model_declares(org, touched):
    """An account linked to its record by the import (plain SQL, no queryset) reaches the user's
    cached values: the directory's scope and that user's."""
    from mentorat.core.services import _set_columns

    employee = org["junior_a"]
    _set_columns(Employee, ["user"], [(employee.pk, employee.user_id)])
    assert ("directory",) in touched and ("user", employee.user_id) in touched
    touched.clear()
    _set_columns(Employee, ["path", "depth"], [(employee.pk, employee.path, employee.depth)])
    assert touched == [("directory",)]
