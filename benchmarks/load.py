"""Load benchmark: 50 concurrent users against gunicorn on PostgreSQL, with the dashboard benchmark's data.

    python benchmarks/load.py [--scale 1.0] [--seconds 30] [--users 50] [--workers N] [--keep | --rebuild]
    python benchmarks/load.py --scale 0.05 --seconds 10          # quick run

What it does, in one run:

1. Data: the dashboard benchmark's company (``benchmarks/dashboard.py``: ``choose_database`` and ``build``) in its own
   PostgreSQL database, ``mentorat_bench_dashboard``, on the server named by ``--database-url`` (default: the
   ``DATABASE_URL`` environment variable, else ``postgres://postgres@127.0.0.1:5432/postgres``). Data already there is
   reused when it was built at the requested ``--scale`` (same number of employees and pairs); otherwise the database
   is dropped and rebuilt. ``--keep`` reuses whatever is there, ``--rebuild`` always rebuilds. The hourly release
   step follows (``results_release_due``: answers and ratings waiting for one are released where they reach the
   threshold), then ``VACUUM (ANALYZE)``, as autovacuum would soon after a bulk load.
2. Server: gunicorn as in the Dockerfile (sync workers, ``--worker-tmp-dir /dev/shm``, access log on), on 127.0.0.1
   and a free port, ``--workers`` (default 2 × cores + 1), production settings: ``DEBUG=0``, a random 64-character
   ``SECRET_KEY``, a fresh Fernet ``MENTORAT_NOTES_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, no TLS redirect, no secure
   cookies, no HSTS (plain HTTP on loopback), ``CONN_MAX_AGE=60``, static files collected into a temporary folder
   (whitenoise's manifest storage), the filesystem Celery broker (``REDIS_URL`` is dropped). Its log goes to a
   temporary file, whose tail is shown if it fails. It is always stopped at the end, also on error or Ctrl-C.
3. Users: logging in through the form would trip django-axes, so each virtual user gets a Django session written
   by the configured session engine (the cache and the database) (``_auth_user_id``, the configured model backend,
   ``_auth_user_hash``) and sends its ``sessionid`` cookie; those sessions (and the writers', below) are deleted at
   the end.
4. Mixed phase (``--seconds``, default 30) with ``--users`` (default 50) threads, each a closed loop on its own
   ``http.client`` connection (gunicorn's sync workers close every connection, so each request reconnects):
   90 % of the users are participants (mentors and mentees of active pairs of the running programmes, alternately),
   who alternate their home page ``/`` and the session page ``/sessions/<id>/`` of a session of their pair
   (cycling over up to six of its sessions); 10 % (at least one) are executives on the dashboard ``/evaluation/``.
   The data has one executive, the CEO: every executive user is a login session of theirs. ``--think-ms`` adds a
   pause after each request (default 0: every user always has a request in flight, the hardest case).
   ``--writes-per-second N`` adds N writes a second during the phase, made as participants make them: through the
   server, each one the page (``GET``, which must answer 200 with the form and its CSRF token) then the form posted
   with that token and the CSRF cookie (``POST``, which must redirect as the view does on success; a form sent back
   with errors, a 403… is an error).
   In turn: a session log (``action=log`` on ``/sessions/<id>/``, a session that has started, logged as held; logging
   it again updates the log), a survey answer (``/evaluation/surveys/<id>/``, a survey open to the member and not yet
   answered, each used once; when none is left a session log takes the turn) and a session rating (``action=rate``,
   a held session). They are posted by the members of up to 120 active pairs of the running programmes (shuffled:
   several programmes, many pairs), each with a login session of its own, at a steady pace from a few threads of
   this process. The writes stay in the data (``--rebuild`` starts afresh).
5. Throughput phases (``--baseline-seconds``, default a third of ``--seconds``, at least 5), same number of users,
   never any think time: the participants' home page alone (``home_rps``), then the trivial view ``/health/``
   (``trivial_rps``), requested without a cookie, as a load balancer's probe does: one ``SELECT 1`` and a writable-folder
   check, no session or user lookup. ``--trivial-logged-in`` sends the participants' cookies instead, so the middleware
   also loads the session and the user (the floor of any logged-in page). ``home_vs_trivial`` is their ratio.

Before gunicorn starts, this process counts the SQL queries of one request of each page kind (home, session page,
dashboard, ``/health/`` anonymous and logged in) with Django's test client and ``CaptureQueriesContext``, on the same
database and cache: a warm-up request of each, then per page the first request after emptying the cache
(``queries_cold``) and the next one (``queries``), then the CPU time of this process per warm request over
20 more (``cpu_ms``: Django's own work for the page, without HTTP, queueing or PostgreSQL's side); with
writes, also one write of each kind (its ``POST``). The cache
(``--cache-url``) is then emptied, so every run starts cold. Each page is then requested once through gunicorn and
must answer 200, then a few seconds of the mix warm the workers up.

An error is an exception (refused, reset, timed out after 30 s) or a status outside 2xx and 3xx. Latencies are
wall-clock times from sending a request to having read the whole response, so they include the time spent waiting
for a free worker; percentiles are nearest-rank over every request of the phase. With no think time, Little's law
ties the two figures: mean latency = users / rps.

The load generator runs on the same machine and competes with gunicorn and PostgreSQL for the CPU. ``cpu_cores``, per
phase (Linux), says how many cores were busy on average: the whole machine, gunicorn, the PostgreSQL backends of the
benchmark database, the load generator (``client``) and anything else (``other``: another job running meanwhile
skews every figure; on a 2-core machine, check it is near 0).

Exactly one JSON object is printed on stdout: ``users``, ``requests``, ``errors``, ``rps``, ``p50_ms``, ``p95_ms``,
``p99_ms`` (mixed phase), ``trivial_rps``, ``home_rps``, ``home_vs_trivial``, ``pages`` (per page kind: ``p50_ms``,
``p95_ms``, ``p99_ms``, ``requests``, ``errors``, ``rps`` of its phase — the mixed phase, ``/health/``'s own — and its
``queries``, ``queries_cold`` and ``cpu_ms``), ``writes`` (``done``, ``errors``, ``achieved_per_second``, the latency of the
``POST``s and of the pages opened before them, the same per kind with each kind's ``queries``, ``targets`` and
``error_samples``), ``phases`` (details of the throughput phases), ``goals`` (0 errors in every phase and write, p95
under 250 ms, home at least 40 % of the trivial view) and the setup. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from dashboard import PG_NAME, SIZES, build, choose_database, log

from mentorat.env import cache_url_for

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/1"
EXECUTIVE_SHARE = 0.10
SESSIONS_PER_PARTICIPANT = 6
REQUEST_TIMEOUT = 30.0
GOALS = {"errors": 0, "p95_ms": 250, "home_vs_trivial": 0.40}
IN_PROCESS_REQUESTS = 20  # warm requests of each page timed in process (CPU of this process: Django's own work)


# --- Setup: environment, data, sessions -----------------------------------------------------------------------------

def production_environment(database_url: str, static_root: Path) -> dict:
    """The variables gunicorn (and this process, which writes the sessions) run with: the same secret in both."""
    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "mentorat.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "MENTORAT_NOTES_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "60",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
    }


def expected_counts(scale: float) -> dict:
    """What ``dashboard.build(scale)`` creates: the fingerprint of a build at that scale."""
    n = {key: max(4, round(value * scale)) for key, value in SIZES.items()}
    return {"employees": max(n["employees"], 5 * n["pairs"]), "pairs": n["pairs"]}


def present_counts() -> dict | None:
    from binomes.models import Pair
    from mentorat.core.models import Employee
    from programmes.models import Programme

    if not Programme.objects.filter(slug__startswith="bench-cohort-").exists():
        return None
    return {"employees": Employee.objects.count(), "pairs": Pair.objects.count()}


def prepare_data(args) -> dict:
    """Build or reuse the dashboard benchmark's data; return what is there and the build time."""
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0, interactive=False)
    present, wanted = present_counts(), expected_counts(args.scale)
    build_seconds = None
    if present is not None and (args.keep or present == wanted) and not args.rebuild:
        log(f"reusing the data already in {PG_NAME}: {present}")
    else:
        from mentorat.core.models import Employee

        if present is not None or Employee.objects.exists():
            why = "--rebuild" if args.rebuild else f"not a build at scale {args.scale}"
            log(f"{PG_NAME} holds {present or 'other data'} ({why}): rebuilding it")
            connections.close_all()
            choose_database(keep=False)  # DATABASE_URL already names the benchmark database: drop and create it
            call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        log(f"building at scale {args.scale}")
        build(args.scale)
        build_seconds = round(time.perf_counter() - started, 1)
        log(f"built in {build_seconds} s")
    # As autovacuum soon would after a bulk load: statistics (without them plans are poor) and the
    # visibility map and hint bits (without them the first reads of every row write to it).
    # As the hourly task (evaluation.tasks) does: the answers waiting for a release step are released
    # where they reach the anonymity threshold. The build leaves tens of thousands waiting; left there,
    # the first answers of the run would each release a backlog no running site has.
    from evaluation.services import results_release_due

    started = time.perf_counter()
    steps = results_release_due()
    log(f"{steps} release steps of waiting answers and ratings ({time.perf_counter() - started:.1f} s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    from binomes.models import Pair
    from evaluation.models import Answer
    from mentorat.core.models import Employee
    from sessions.models import MentoringSession

    data = {"employees": Employee.objects.count(), "pairs": Pair.objects.count(),
            "sessions": MentoringSession.objects.count(), "answers": Answer.objects.count()}
    return {"data": data, "build_seconds": build_seconds}


def make_session(user) -> str:
    """A logged-in Django session for ``user``, as ``login()`` would leave it; returns its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.backends import ModelBackend
    from django.utils.module_loading import import_string

    # The configured model backend (the directory's): a session naming a backend not in the settings is anonymous.
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if issubclass(import_string(path), ModelBackend))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def make_users(n_users: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """``n_users`` participants (for the home-only phase; the mix uses the first ones) and the executives."""
    from binomes.models import Pair
    from mentorat.core.models import User
    from sessions.models import MentoringSession

    n_exec = max(1, round(n_users * EXECUTIVE_SHARE))
    pairs = list(Pair.objects.filter(status="active", programme__status="running")
                 .select_related("mentor__employee__user", "mentee__employee__user").order_by("pk"))
    if not pairs:
        raise SystemExit("no active pair in a running programme: is the dashboard data built?")
    rng.shuffle(pairs)
    # Mentee of the first pair, mentor of the second…; then the other member of each; then around again.
    first = [(p, "mentee" if k % 2 == 0 else "mentor") for k, p in enumerate(pairs)]
    second = [(p, "mentor" if role == "mentee" else "mentee") for p, role in first]
    participants = []
    for pair, role in itertools.islice(itertools.cycle(first + second), n_users):
        user = getattr(pair, role).employee.user
        sessions = list(MentoringSession.objects.filter(pair=pair).values_list("pk", flat=True))
        chosen = rng.sample(sessions, min(SESSIONS_PER_PARTICIPANT, len(sessions)))
        if not chosen:
            raise SystemExit(f"pair {pair.pk} has no session")
        participants.append({"kind": "participant", "role": role, "user": user.pk, "cookie": make_session(user),
                             "sessions": chosen})
    executive = User.objects.filter(is_executive=True, is_active=True).order_by("pk").first()
    if executive is None:
        raise SystemExit("no executive in the data")
    executives = [{"kind": "executive", "user": executive.pk, "cookie": make_session(executive)} for _ in range(n_exec)]
    return participants, executives


def delete_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session
    from django.db import connections

    connections.close_all()  # the connection may have gone stale during the run
    Session.objects.filter(session_key__in=keys).delete()
    from django.core.cache import cache

    cache.delete_many([f"django.contrib.sessions.cached_db{key}" for key in keys])  # cached_db's copies


# --- Server ---------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, env: dict, workers: int, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.log_file = open(log_path, "wb")  # closed in stop()
        command = [sys.executable, "-m", "gunicorn", "mentorat.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "60",
                   "--graceful-timeout", "5", "--worker-tmp-dir", "/dev/shm",
                   "--access-logfile", "-", "--error-logfile", "-"]
        # Its own session: a Ctrl-C reaches this script only, which then stops the whole server (master and workers).
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log(f"gunicorn: pid {self.process.pid}, {workers} workers, http://127.0.0.1:{self.port}/")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}\n{self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _body = fetch(self.port, "/health/")
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"/health/ did not answer 200 within {timeout:.0f} s\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log_file.flush()
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)  # graceful: the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)  # the group this script created for it
                self.process.wait()
            log(f"gunicorn stopped ({self.process.returncode})")
        self.log_file.close()


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- Load -----------------------------------------------------------------------------------------------------------

def user_loop(user: dict | None, page: str | None) -> itertools.cycle:
    """The endless (page name, path, cookie) sequence of one virtual user; ``page`` pins a single page."""
    if page == "trivial":  # a cookie only with --trivial-logged-in
        return itertools.cycle([("health, logged in", "/health/", user["cookie"]) if user else ("health", "/health/", None)])
    if page == "home":
        return itertools.cycle([("home", "/", user["cookie"])])
    if user["kind"] == "executive":
        return itertools.cycle([("dashboard", "/evaluation/", user["cookie"])])
    steps = []
    for session in user["sessions"]:
        steps += [("home", "/", user["cookie"]), ("session page", f"/sessions/{session}/", user["cookie"])]
    return itertools.cycle(steps)


def cpu_seconds(server_pid: int) -> dict | None:
    """CPU time so far (Linux ``/proc``): the whole machine (busy, all cores), gunicorn (master and workers), the
    PostgreSQL backends connected to the benchmark database, and this process (the load generator)."""
    try:
        tick = os.sysconf("SC_CLK_TCK")
        with open("/proc/stat") as stat:
            jiffies = [int(v) for v in stat.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
        result = {"machine": (sum(jiffies) - jiffies[3] - jiffies[4]) / tick, "server": 0.0, "database": 0.0}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                text = Path(entry.path, "stat").read_text()
                fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, …
                seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
                if server_pid in (int(entry.name), int(fields[1])):
                    result["server"] += seconds
                elif (command := Path(entry.path, "cmdline").read_bytes()).startswith(b"postgres:") and \
                        PG_NAME.encode() in command:
                    result["database"] += seconds
    except OSError:
        return None
    times = os.times()
    result["client"] = times.user + times.system
    return result


def cpu_cores(before: dict | None, after: dict | None, elapsed: float) -> dict | None:
    """Average cores used in a phase by each party; ``other`` is whatever else ran on the machine meanwhile."""
    if before is None or after is None:
        return None
    used = {key: max(0.0, (after[key] - before[key]) / elapsed) for key in before}
    used["other"] = max(0.0, used["machine"] - used["server"] - used["database"] - used["client"])
    return {key: round(value, 2) for key, value in used.items()}


def drive(port: int, loops: list[itertools.cycle], seconds: float, think: float, label: str, server_pid: int) -> dict:
    """Run every loop in its own thread for ``seconds``; return the samples and the figures."""
    samples: list[list] = [[] for _ in loops]  # per thread: (page, ms, ok)
    errors: list[str] = []
    start = threading.Event()
    deadline = [0.0]

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        record, loop = samples[index].append, loops[index]
        start.wait()
        try:
            for page, path, cookie in loop:
                if time.perf_counter() >= deadline[0]:
                    break
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"} if cookie else {})
                    response = conn.getresponse()
                    response.read()
                    ok, problem = 200 <= response.status < 400, f"{response.status} on {path}"
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    ok, problem = False, f"{exc.__class__.__name__} on {path}: {exc}"
                record((page, (time.perf_counter() - began) * 1000, ok))
                if not ok:
                    if len(errors) < 20:
                        errors.append(problem)
                    time.sleep(0.05)  # no hot loop against a dead server
                elif think:
                    time.sleep(think)
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(loops))]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds(server_pid)
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = cpu_cores(cpu_before, cpu_seconds(server_pid), elapsed)
    every = [sample for thread_samples in samples for sample in thread_samples]
    result = {"elapsed_s": round(elapsed, 2), **figures(every, elapsed), "cpu_cores": cpu, "pages": {}}
    for page in sorted({s[0] for s in every}):
        result["pages"][page] = figures([s for s in every if s[0] == page], elapsed)
    for problem in errors[:5]:
        log(f"  error: {problem}")
    result["error_samples"] = errors[:5]
    log(f"{label}: {result['requests']} requests, {result['errors']} errors, {result['rps']} rps, "
        f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, cores used {cpu}")
    return result


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    return round(sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)], 1)


def figures(samples: list, elapsed: float) -> dict:
    times = sorted(s[1] for s in samples)
    return {"requests": len(samples), "errors": sum(1 for s in samples if not s[2]),
            "rps": round(len(samples) / elapsed, 1) if elapsed else None,
            "p50_ms": percentile(times, 0.50), "p95_ms": percentile(times, 0.95), "p99_ms": percentile(times, 0.99),
            "mean_ms": round(sum(times) / len(times), 1) if times else None}


def page_kinds(participants: list[dict], executives: list[dict]) -> list[tuple[str, str, str | None]]:
    """One request of each page kind: (name, path, cookie)."""
    user = participants[0]
    return [("home", "/", user["cookie"]), ("session page", f"/sessions/{user['sessions'][0]}/", user["cookie"]),
            ("dashboard", "/evaluation/", executives[0]["cookie"]), ("health", "/health/", None),
            ("health, logged in", "/health/", user["cookie"])]


def smoke_check(port: int, participants: list[dict], executives: list[dict]) -> None:
    """Each page once: anything but a 200 (a redirect to the login page, a 403, a 500…) stops the run here."""
    for name, path, cookie in page_kinds(participants, executives):
        status, body = fetch(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"{name}: GET {path} answered {status}: {body[:300]!r}")
        log(f"  {name}: GET {path} 200, {len(body)} bytes")


def measure_queries(participants: list[dict], executives: list[dict], targets: dict | None) -> tuple[dict, dict]:
    """SQL queries of one request of each page kind, counted in this process (Django's test client, same database,
    same cache as the server) after a warm-up request of every page: ``queries_cold`` is the first request after
    emptying the cache, ``queries`` the next one (what most visits cost while nothing changes). With writes, one
    write of each kind is posted the same way (a real write; the test client skips the CSRF check) and its queries
    counted; the survey answer used is taken out of the pool."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client_for(cookie: str | None) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            client.cookies["sessionid"] = cookie
        return client

    kinds = page_kinds(participants, executives)
    for name, path, cookie in kinds:
        if (status := client_for(cookie).get(path).status_code) != 200:
            raise RuntimeError(f"{name}: GET {path} answered {status} in process")
    pages = {}
    for name, path, cookie in kinds:
        cache.clear()
        client = client_for(cookie)
        with CaptureQueriesContext(connection) as cold:
            client.get(path)
        queries_cold = len(cold.captured_queries)  # read now: the next request empties the log
        with CaptureQueriesContext(connection) as warm:
            client.get(path)
        queries = len(warm.captured_queries)
        started = time.process_time()
        for _ in range(IN_PROCESS_REQUESTS):
            client.get(path)
        cpu_ms = round((time.process_time() - started) * 1000 / IN_PROCESS_REQUESTS, 2)
        pages[name] = {"queries": queries, "queries_cold": queries_cold, "cpu_ms": cpu_ms}
        log(f"  {name}: {pages[name]['queries']} queries ({pages[name]['queries_cold']} with an empty cache), "
            f"{cpu_ms} ms of CPU")
    writes = {}
    for kind in WRITE_KINDS if targets else ():
        pool = targets["pools"][kind]
        if not pool:
            continue
        target = pool.pop() if kind == "survey answer" else pool[0]
        client = client_for(target["cookie"])
        client.get(target["path"])  # the page first, as the participant does
        with CaptureQueriesContext(connection) as captured:
            response = client.post(target["path"], urlencode(target["fields"]),
                                   content_type="application/x-www-form-urlencoded")
        if response.status_code != 302 or urlsplit(response.get("Location", "")).path != target["expect"]:
            raise RuntimeError(f"{kind}: POST {target['path']} answered {response.status_code} in process")
        writes[kind] = {"queries": len(captured.captured_queries)}
        log(f"  {kind}: {writes[kind]['queries']} queries (POST)")
    cache.clear()
    return pages, writes


# --- Writes: what participants post, through the server ----------------------------------------------------------

WRITE_KINDS = ("session log", "survey answer", "session rating")  # in turn: a third each
WRITE_PAIRS = 120  # the pairs whose members write, spread over the running programmes
TARGETS_PER_MEMBER = 3
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TEXTS = ["Prise en main d'un assistant IA", "Un fil interne par semaine", "Tableaux croisés dynamiques",
         "Visioconférence : partager un écran", "Résumer un long document"]


def survey_fields(form, rng: random.Random) -> list[tuple[str, str]]:
    """What a participant ticks and types in a survey form: every field answered, within its choices."""
    from django import forms

    fields = []
    for name, field in form.fields.items():
        if isinstance(field, forms.MultipleChoiceField):
            keys = [str(key) for key, _label in field.choices if key != ""]
            fields += [(name, key) for key in rng.sample(keys, min(2, len(keys)))]
        elif isinstance(field, forms.ChoiceField):
            keys = [str(key) for key, _label in field.choices if key != ""]
            fields.append((name, rng.choice(keys[len(keys) // 2:])))  # mostly favourable, as in the data
        else:
            fields.append((name, rng.choice(TEXTS)))
    return fields


def write_targets(rng: random.Random) -> dict:
    """Per kind of write, what the members of up to ``WRITE_PAIRS`` active pairs of the running programmes
    (shuffled, so several programmes and many pairs) may post, each with a login session of its own:

    * session log: a session of their pair that has started and is not cancelled (``can_log``), logged as held;
      logging it again is allowed (the service updates the log);
    * session rating: a session of their pair that is held and whose rating by them is not yet part of released
      figures (``RATING_LOCKS``); rating again is allowed;
    * survey answer: a survey open to them (``surveys_for_user``), not answered yet — each used once, since an
      answer may be released into the figures at once and can no longer change then.
    """
    from django.utils import timezone

    from binomes.models import Pair
    from evaluation import selectors as evaluation_selectors
    from evaluation.forms import ResponseForm
    from evaluation.models import RatingRelease
    from sessions.models import MentoringSession, SessionRating

    now = timezone.now()
    pairs = list(Pair.objects.filter(status="active", programme__status="running")
                 .select_related("mentor__employee__user", "mentee__employee__user").order_by("pk"))
    rng.shuffle(pairs)
    pairs = pairs[:WRITE_PAIRS]
    released_up_to = {}
    for programme_id, up_to in RatingRelease.objects.values_list("programme_id", "up_to"):
        released_up_to[programme_id] = max(up_to, released_up_to.get(programme_id, 0))
    pools = {kind: [] for kind in WRITE_KINDS}
    cookies: dict[int, str] = {}
    for pair in pairs:
        sessions = list(MentoringSession.objects.filter(pair=pair, starts_at__lte=now)
                        .exclude(status=MentoringSession.Status.CANCELLED).values_list("pk", "status"))
        ratings = {(s, role): pk for pk, s, role in SessionRating.objects.filter(session__pair=pair)
                   .values_list("pk", "session_id", "role")}
        for role in ("mentor", "mentee"):
            user = getattr(pair, role).employee.user
            if user.pk not in cookies:
                cookies[user.pk] = make_session(user)
            cookie = cookies[user.pk]
            for pk, _status in rng.sample(sessions, min(TARGETS_PER_MEMBER, len(sessions))):
                pools["session log"].append({"cookie": cookie, "path": f"/sessions/{pk}/", "expect": f"/sessions/{pk}/",
                                             "action": "log", "fields": [
                                                 ("action", "log"), ("held", "1"),
                                                 ("actual_minutes", str(rng.choice([45, 60, 60, 75, 90]))),
                                                 ("topics", rng.choice(TEXTS)), ("learned", rng.choice(TEXTS)),
                                                 ("exercise", ""), ("next_step", rng.choice(TEXTS))]})
            released = released_up_to.get(pair.programme_id, 0)  # a rating up to this id is locked
            held = [pk for pk, status in sessions if status == MentoringSession.Status.HELD
                    and ratings.get((pk, role), released + 1) > released]
            for pk in rng.sample(held, min(TARGETS_PER_MEMBER, len(held))):
                pools["session rating"].append({"cookie": cookie, "path": f"/sessions/{pk}/", "expect": f"/sessions/{pk}/",
                                                "action": "rate", "fields": [
                                                    ("action", "rate"), ("score", str(rng.choice([3, 4, 4, 5, 5]))),
                                                    ("comment", rng.choice(["", "Merci !", "Très utile."]))]})
            for item in evaluation_selectors.surveys_for_user(user=user, now=now):
                if item["answered"] or item["pair"].pk != pair.pk:
                    continue
                session = item["session"]
                entry = evaluation_selectors.survey_entry_for_user(user=user, survey_pk=item["survey"].pk,
                                                                   session_pk=session.pk if session else None)
                form = ResponseForm(questions=entry["questions"], domains=entry["domains"])
                path = f"/evaluation/surveys/{item['survey'].pk}/" + (f"?session={session.pk}" if session else "")
                pools["survey answer"].append({"cookie": cookie, "path": path, "expect": "/evaluation/surveys/",
                                               "action": None, "fields": survey_fields(form, rng)})
    for pool in pools.values():
        rng.shuffle(pool)
    log("write targets: " + ", ".join(f"{len(pool)} for a {kind}" for kind, pool in pools.items())
        + f", from {len(pairs)} pairs ({len(cookies)} members)")
    return {"pools": pools, "cookies": list(cookies.values()), "pairs": len(pairs)}


class CookieJar:
    """One participant's cookies (sessionid, then csrftoken and messages as the server sets them)."""

    def __init__(self, sessionid: str):
        self.lock, self.values = threading.Lock(), {"sessionid": sessionid}

    def header(self) -> str:
        with self.lock:
            return "; ".join(f"{name}={value}" for name, value in self.values.items())

    def update(self, response: http.client.HTTPResponse) -> None:
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            with self.lock:
                for name, morsel in cookie.items():
                    if morsel.value == "" or morsel["max-age"] == "0":
                        self.values.pop(name, None)
                    else:
                        self.values[name] = morsel.value


def exchange(port: int, method: str, path: str, jar: CookieJar, body: str | None = None) -> tuple[int, str, str]:
    """One request with the jar's cookies (and, for a POST, the form and the browser's Origin); returns the status,
    the Location header and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    headers = {"Cookie": jar.header()}
    if body is not None:
        headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"}
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        jar.update(response)
        return response.status, response.getheader("Location") or "", text
    finally:
        conn.close()


def write_once(port: int, kind: str, target: dict, jar: CookieJar) -> tuple[bool, float, float, str]:
    """What a participant does: open the page (200, the form offered, its CSRF token), then post the form, which must
    redirect where the view redirects on success (a form sent back with errors answers 200: an error). Returns
    (ok, ms of the GET, ms of the POST, what went wrong)."""
    path = target["path"]
    began = time.perf_counter()
    try:
        status, _location, page = exchange(port, "GET", path, jar)
    except (OSError, http.client.HTTPException) as exc:
        return False, (time.perf_counter() - began) * 1000, 0.0, f"{kind}: GET {path}: {exc.__class__.__name__}: {exc}"
    get_ms = (time.perf_counter() - began) * 1000
    token = TOKEN.search(page)
    if status != 200 or token is None or (target["action"] and f'name="action" value="{target["action"]}"' not in page):
        why = f"answered {status}" if status != 200 else "no CSRF token" if token is None else "form not offered"
        return False, get_ms, 0.0, f"{kind}: GET {path} {why}"
    body = urlencode([("csrfmiddlewaretoken", token.group(1)), *target["fields"]])
    began = time.perf_counter()
    try:
        status, location, page = exchange(port, "POST", path, jar, body)
    except (OSError, http.client.HTTPException) as exc:
        return False, get_ms, (time.perf_counter() - began) * 1000, f"{kind}: POST {path}: {exc.__class__.__name__}: {exc}"
    post_ms = (time.perf_counter() - began) * 1000
    if status == 302 and urlsplit(location).path == target["expect"]:
        return True, get_ms, post_ms, ""
    errors = re.findall(r'class="[^"]*invalid-feedback[^"]*"[^>]*>\s*(?:<strong>)?([^<]{0,160})', page)
    detail = f" ({'; '.join(e.strip() for e in errors[:2])})" if errors else ""
    return False, get_ms, post_ms, f"{kind}: POST {path} answered {status} {location}{detail}".rstrip()


@contextlib.contextmanager
def writer(port: int, rate: float, targets: dict):
    """``rate`` writes a second during the block, made as participants make them: through the server, each its page
    then its form (``write_once``), kinds in turn (a session log, a survey answer, a session rating), each kind
    cycling over its targets (``write_targets``; survey answers are used once: when none is left, a session log takes
    the turn). Writes are due at a steady pace (the k-th at k / rate s) and made by a few threads, so that a slow one
    does not hold the next ones back; a write that could not start on time starts as soon as a thread is free
    (``achieved_per_second`` says whether the pace was kept)."""
    report = {"per_second": rate, "done": 0, "errors": 0}
    if rate <= 0:
        yield report
        return
    pools = targets["pools"]
    jars = {cookie: CookieJar(cookie) for cookie in targets["cookies"]}
    lock, stop = threading.Lock(), threading.Event()
    counter, position = itertools.count(), {kind: 0 for kind in WRITE_KINDS}
    samples: list[tuple[str, bool, float, float]] = []
    problems: list[str] = []
    began = time.perf_counter()

    def next_write() -> tuple[int, str, dict | None]:
        with lock:
            k = next(counter)
            kind = WRITE_KINDS[k % len(WRITE_KINDS)]
            if kind == "survey answer" and position[kind] >= len(pools[kind]):
                report["survey_pool_exhausted"] = True
                kind = "session log"
            pool = pools[kind]
            if not pool:
                return k, kind, None
            target = pool[position[kind] % len(pool)]
            position[kind] += 1
            return k, kind, target

    def run() -> None:
        while not stop.is_set():
            k, kind, target = next_write()
            if stop.wait(max(0.0, began + k / rate - time.perf_counter())):
                return
            if target is None:
                sample = (kind, False, 0.0, 0.0)
                problem = f"{kind}: no target in the data"
            else:
                ok, get_ms, post_ms, problem = write_once(port, kind, target, jars[target["cookie"]])
                sample = (kind, ok, get_ms, post_ms)
            with lock:
                samples.append(sample)
                if problem and len(problems) < 20:
                    problems.append(problem)

    # Enough threads for writes of a few seconds each to keep the pace (each is a participant busy with a form).
    threads = [threading.Thread(target=run, daemon=True) for _ in range(max(2, min(32, math.ceil(6 * rate))))]
    for thread in threads:
        thread.start()
    try:
        yield report
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        report |= write_figures(samples, elapsed)
        report["by_kind"] = {kind: write_figures([s for s in samples if s[0] == kind], elapsed) for kind in WRITE_KINDS}
        report["error_samples"] = problems[:5]
        report["targets"] = {kind: len(pool) for kind, pool in pools.items()} | {"pairs": targets["pairs"]}
        log(f"  writes: {report['done']} done ({report['achieved_per_second']}/s), {report['errors']} errors, "
            f"POST p50 {report['post_p50_ms']} ms, p95 {report['post_p95_ms']} ms; "
            + ", ".join(f"{kind} {fig['done']} ({fig['errors']} errors)" for kind, fig in report["by_kind"].items()))
        for problem in problems[:5]:
            log(f"  write error: {problem}")


def write_figures(samples: list, elapsed: float) -> dict:
    posts = sorted(s[3] for s in samples if s[3])
    gets = sorted(s[2] for s in samples if s[2])
    return {"done": len(samples), "errors": sum(1 for s in samples if not s[1]),
            "achieved_per_second": round(len(samples) / elapsed, 2) if elapsed else None,
            "post_p50_ms": percentile(posts, 0.50), "post_p95_ms": percentile(posts, 0.95),
            "post_max_ms": round(posts[-1], 1) if posts else None,
            "page_p50_ms": percentile(gets, 0.50), "page_p95_ms": percentile(gets, 0.95)}


# --- Main -----------------------------------------------------------------------------------------------------------

def run(args, workdir: Path) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    setup = prepare_data(args)
    call_command("compile_translations", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    log("static files collected")
    rng = random.Random(11)
    participants, executives = make_users(args.users, rng)
    keys = [u["cookie"] for u in participants + executives]
    from django.db import connections

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = args.workers or 2 * cores + 1
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env["CACHE_URL"] = args.cache_url
    server = None
    try:
        targets = write_targets(random.Random(13)) if args.writes_per_second > 0 else None
        keys += targets["cookies"] if targets else []
        log("queries per request, in process:")
        queries, write_queries = measure_queries(participants, executives, targets)  # then empties the cache:
        connections.close_all()  # every run starts cold
        server = Gunicorn(env, workers, workdir / "gunicorn.log")
        server.wait_ready()
        smoke_check(server.port, participants, executives)
        n_exec = len(executives)
        mix = [user_loop(u, None) for u in executives + participants[:args.users - n_exec]]
        pid, think = server.process.pid, args.think_ms / 1000
        drive(server.port, mix, args.warmup, think, "warm-up", pid)
        with writer(server.port, args.writes_per_second, targets) as writes:
            mixed = drive(server.port, mix, args.seconds, think, f"mixed phase, {args.seconds} s", pid)
        home = drive(server.port, [user_loop(u, "home") for u in participants], args.baseline_seconds, 0,
                     f"home page alone, {args.baseline_seconds} s", pid)
        trivial = drive(server.port, [user_loop(u if args.trivial_logged_in else None, "trivial") for u in participants],
                        args.baseline_seconds, 0, f"trivial view (/health/), {args.baseline_seconds} s", pid)
        other = drive(server.port, [user_loop(None if args.trivial_logged_in else u, "trivial") for u in participants],
                      args.baseline_seconds, 0, f"trivial view (/health/) {'anonymous' if args.trivial_logged_in else 'with the participants’ cookies'}, {args.baseline_seconds} s", pid)
    finally:
        if server is not None:
            server.stop()
        delete_sessions(keys)
    ratio = round(home["rps"] / trivial["rps"], 3) if trivial["rps"] else None
    total_errors = mixed["errors"] + home["errors"] + trivial["errors"] + other["errors"]
    pages = {}  # the mixed phase's pages, then /health/ from its own phases; each with its queries
    for name, figures_ in {**mixed["pages"], **trivial["pages"], **other["pages"]}.items():
        pages[name] = {key: figures_[key] for key in ("p50_ms", "p95_ms", "p99_ms", "requests", "errors", "rps")}
        pages[name] |= queries.get(name, {})
    if writes.get("by_kind"):
        for kind, count in write_queries.items():
            writes["by_kind"][kind]["queries"] = count["queries"]
    return {
        "users": args.users, "requests": mixed["requests"], "errors": mixed["errors"], "rps": mixed["rps"],
        "p50_ms": mixed["p50_ms"], "p95_ms": mixed["p95_ms"], "p99_ms": mixed["p99_ms"],
        "trivial_rps": trivial["rps"], "home_rps": home["rps"], "home_vs_trivial": ratio,
        ("trivial_anonymous_rps" if args.trivial_logged_in else "trivial_logged_in_rps"): other["rps"],
        "pages": pages, "writes": writes,
        "goals": {"no_errors": total_errors + writes["errors"] == GOALS["errors"],
                  "p95_under_250_ms": mixed["p95_ms"] is not None and mixed["p95_ms"] < GOALS["p95_ms"],
                  "home_at_least_40_pct_of_trivial": ratio is not None and ratio >= GOALS["home_vs_trivial"]},
        "phases": {
            "mixed": {key: mixed[key] for key in ("elapsed_s", "mean_ms", "cpu_cores", "error_samples")},
            "home": {key: home[key] for key in home if key != "pages"},
            "trivial": {key: trivial[key] for key in trivial if key != "pages"},
            "trivial_other": {key: other[key] for key in other if key != "pages"},
        },
        "mix": {"participants": args.users - n_exec, "executives": n_exec,
                "participant_loop": "/ then /sessions/<id>/ (up to 6 sessions of their pair, in turn)",
                "executive_loop": "/evaluation/", "think_ms": args.think_ms},
        "trivial": "/health/ " + ("with the participants' cookies" if args.trivial_logged_in else "anonymous"),
        "seconds": args.seconds, "baseline_seconds": args.baseline_seconds, "workers": workers, "cores": cores,
        "server": "gunicorn sync workers, DEBUG=0, PostgreSQL, Redis cache, loopback", "cache_url": args.cache_url,
        "scale": args.scale, **setup,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="dashboard data size (0.05 for a quick run)")
    parser.add_argument("--seconds", type=float, default=30, help="duration of the mixed phase")
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="duration of each throughput phase (home alone, trivial view); default seconds/3, ≥ 5")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of untimed mix before measuring")
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--trivial-logged-in", action="store_true",
                        help="send the participants' session cookies to /health/ too (session and user loaded)")
    parser.add_argument("--think-ms", type=float, default=0, help="pause after each request of the mixed phase")
    parser.add_argument("--writes-per-second", type=float, default=0,
                        help="writes during the mixed phase, posted by participants through the server: a session log, a survey "
                             "answer, a session rating in turn (default 0)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
                        help=f"PostgreSQL server (default: $DATABASE_URL, else {DEFAULT_DATABASE_URL})")
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL") or (
        cache_url_for(os.environ["REDIS_URL"]) if os.environ.get("REDIS_URL") else DEFAULT_CACHE_URL),
        help=f"Redis for gunicorn's cache, as in production (default: $CACHE_URL, else database 1 of $REDIS_URL, else {DEFAULT_CACHE_URL})")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--keep", action="store_true", help="reuse the data already built, whatever its scale")
    group.add_argument("--rebuild", action="store_true", help="rebuild the data even when it matches --scale")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.seconds <= 0 or args.users < 2 or args.warmup < 0 or (args.workers or 1) < 1:
        parser.error("--scale and --seconds must be positive, --users at least 2, --workers at least 1")
    if args.baseline_seconds is None:
        args.baseline_seconds = max(5.0, round(args.seconds / 3, 1))
    if urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        parser.error("--database-url / DATABASE_URL must name a PostgreSQL server")

    # SIGTERM too goes through the finally blocks below (gunicorn stopped, sessions and temporary files removed).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    real_stdout = sys.stdout
    workdir = Path(tempfile.mkdtemp(prefix="mentorat-load-"))
    try:
        with contextlib.redirect_stdout(sys.stderr):  # migrations, warnings…
            os.environ["DATABASE_URL"] = args.database_url
            choose_database(keep=True)  # created if absent, never dropped here: prepare_data decides
            os.environ.update(production_environment(os.environ["DATABASE_URL"], workdir / "static"))
            os.environ["CACHE_URL"] = args.cache_url  # the server's cache: this process counts queries with it, then empties it
            result = run(args, workdir)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result), file=real_stdout, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
