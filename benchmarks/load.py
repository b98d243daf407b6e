"""Load benchmark: 50 concurrent users against gunicorn on PostgreSQL, with the dashboard benchmark's data.

    python benchmarks/load.py [--scale 1.0] [--seconds 30] [--users 50] [--workers N] [--keep | --rebuild]
    python benchmarks/load.py --scale 0.05 --seconds 10          # quick run

What it does, in one run:

1. Data: the dashboard benchmark's company (``benchmarks/dashboard.py``: ``choose_database`` and ``build``) in its own
   PostgreSQL database, ``mentorat_bench_dashboard``, on the server named by ``--database-url`` (default: the
   ``DATABASE_URL`` environment variable, else ``postgres://postgres@127.0.0.1:5432/postgres``). Data already there is
   reused when it was built at the requested ``--scale`` (same number of employees and pairs); otherwise the database
   is dropped and rebuilt. ``--keep`` reuses whatever is there, ``--rebuild`` always rebuilds. ``ANALYZE`` follows,
   as autovacuum would.
2. Server: gunicorn as in the Dockerfile (sync workers, ``--worker-tmp-dir /dev/shm``, access log on), on 127.0.0.1
   and a free port, ``--workers`` (default 2 × cores + 1), production settings: ``DEBUG=0``, a random 64-character
   ``SECRET_KEY``, a fresh Fernet ``MENTORAT_NOTES_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, no TLS redirect, no secure
   cookies, no HSTS (plain HTTP on loopback), ``CONN_MAX_AGE=60``, static files collected into a temporary folder
   (whitenoise's manifest storage), the filesystem Celery broker (``REDIS_URL`` is dropped). Its log goes to a
   temporary file, whose tail is shown if it fails. It is always stopped at the end, also on error or Ctrl-C.
3. Users: logging in through the form would trip django-axes, so each virtual user gets a Django session written
   by the configured session engine (the cache and the database) (``_auth_user_id``, ``ModelBackend``, ``_auth_user_hash``) and sends its ``sessionid``
   cookie; those sessions are deleted at the end.
4. Mixed phase (``--seconds``, default 30) with ``--users`` (default 50) threads, each a closed loop on its own
   ``http.client`` connection (gunicorn's sync workers close every connection, so each request reconnects):
   90 % of the users are participants (mentors and mentees of active pairs of the running programmes, alternately),
   who alternate their home page ``/`` and the session log page ``/sessions/<id>/`` of a session of their pair
   (cycling over up to six of its sessions); 10 % (at least one) are executives on the dashboard ``/evaluation/``.
   The data has one executive, the CEO: every executive user is a session of theirs (the dashboard caches nothing
   per user, so this costs the same as distinct executives). ``--think-ms`` adds a pause after each request (default
   0: every user always has a request in flight, the hardest case). ``--writes-per-second`` makes that many writes
   during the phase, from this process (an ``UPDATE`` that leaves a session as it was): each one moves the data's
   version on, so every cached page is recomputed at its next visit, as on a day of many changes (default 0).
5. Throughput phases (``--baseline-seconds``, default a third of ``--seconds``, at least 5), same number of users,
   never any think time: the participants' home page alone (``home_rps``), then the trivial view ``/health/``
   (``trivial_rps``), requested without a cookie, as a load balancer's probe does: one ``SELECT 1`` and a writable-folder
   check, no session or user lookup. ``--trivial-logged-in`` sends the participants' cookies instead, so the middleware
   also loads the session and the user (the floor of any logged-in page). ``home_vs_trivial`` is their ratio.

Before timing, each page is requested once and must answer 200, then a few seconds of the mix warm the workers up.
An error is an exception (refused, reset, timed out after 30 s) or a status outside 2xx and 3xx. Latencies are
wall-clock times from sending a request to having read the whole response, so they include the time spent waiting
for a free worker; percentiles are nearest-rank over every request of the phase. With no think time, Little's law
ties the two figures: mean latency = users / rps.

The load generator runs on the same machine and competes with gunicorn and PostgreSQL for the CPU. ``cpu_cores``, per
phase (Linux), says how many cores were busy on average: the whole machine, gunicorn, the PostgreSQL backends of the
benchmark database, the load generator (``client``) and anything else (``other``: another job running meanwhile
skews every figure; on a 2-core machine, check it is near 0).

Exactly one JSON object is printed on stdout: ``users``, ``requests``, ``errors``, ``rps``, ``p50_ms``, ``p95_ms``,
``p99_ms`` (mixed phase), ``trivial_rps``, ``home_rps``, ``home_vs_trivial``, ``pages`` (per page of the mixed phase),
``phases`` (details of the throughput phases), ``goals`` (0 errors in every phase, p95 under 250 ms, home at least
40 % of the trivial view) and the setup. Progress goes to stderr.
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
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from dashboard import PG_NAME, SIZES, build, choose_database, log  # noqa: E402

from mentorat.env import cache_url_for  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/1"
EXECUTIVE_SHARE = 0.10
SESSIONS_PER_PARTICIPANT = 6
REQUEST_TIMEOUT = 30.0
GOALS = {"errors": 0, "p95_ms": 250, "home_vs_trivial": 0.40}


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
    with connection.cursor() as cursor:  # as autovacuum soon would: without statistics, plans are poor
        cursor.execute("ANALYZE")
    from binomes.models import Pair
    from evaluation.models import Answer
    from mentorat.core.models import Employee
    from sessions.models import MentoringSession

    data = {"employees": Employee.objects.count(), "pairs": Pair.objects.count(),
            "sessions": MentoringSession.objects.count(), "answers": Answer.objects.count()}
    return {"data": data, "build_seconds": build_seconds}


def make_session(user) -> str:
    """A logged-in Django session for ``user``, as ``login()`` would leave it; returns its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from importlib import import_module

    from django.conf import settings

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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
        self.log_file = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
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
        return itertools.cycle([("trivial", "/health/", user["cookie"] if user else None)])
    if page == "home":
        return itertools.cycle([("home", "/", user["cookie"])])
    if user["kind"] == "executive":
        return itertools.cycle([("dashboard", "/evaluation/", user["cookie"])])
    steps = []
    for session in user["sessions"]:
        steps += [("home", "/", user["cookie"]), ("session log", f"/sessions/{session}/", user["cookie"])]
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


@contextlib.contextmanager
def writer(rate: float, session_ids: list[int]):
    """``rate`` writes a second during the block, from this process: an ``UPDATE`` of one session
    that leaves it as it was but, like any write, moves the data's version on, so that every
    cached page and part is recomputed at its next visit (the worst case for the cache)."""
    done = {"writes": 0}
    if rate <= 0 or not session_ids:
        yield done
        return
    from django.db import connection
    from django.db.models import F

    from sessions.models import MentoringSession

    stop = threading.Event()

    def run() -> None:
        try:
            for pk in itertools.cycle(session_ids):
                if stop.wait(1 / rate):
                    break
                MentoringSession.objects.filter(pk=pk).update(theme=F("theme"))
                done["writes"] += 1
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield done
    finally:
        stop.set()
        thread.join()
    log(f"  {done['writes']} writes during the mixed phase")


def smoke_check(port: int, participants: list[dict], executives: list[dict]) -> None:
    """Each page once: anything but a 200 (a redirect to the login page, a 403, a 500…) stops the run here."""
    user = participants[0]
    for name, path, cookie in [("home", "/", user["cookie"]), ("session log", f"/sessions/{user['sessions'][0]}/",
                                                                 user["cookie"]),
                               ("dashboard", "/evaluation/", executives[0]["cookie"]), ("trivial", "/health/", None)]:
        status, body = fetch(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"{name}: GET {path} answered {status}: {body[:300]!r}")
        log(f"  {name}: GET {path} 200, {len(body)} bytes")


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

    connections.close_all()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = args.workers or 2 * cores + 1
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env["CACHE_URL"] = args.cache_url
    from django.core.cache import caches

    from mentorat.core import datacache

    caches["default"].clear()
    datacache.bump()  # every run starts with a cold cache
    server = Gunicorn(env, workers, workdir / "gunicorn.log")
    try:
        server.wait_ready()
        smoke_check(server.port, participants, executives)
        n_exec = len(executives)
        mix = [user_loop(u, None) for u in executives + participants[:args.users - n_exec]]
        pid, think = server.process.pid, args.think_ms / 1000
        drive(server.port, mix, args.warmup, think, "warm-up", pid)
        with writer(args.writes_per_second, [sid for u in participants for sid in u["sessions"]]) as writes:
            mixed = drive(server.port, mix, args.seconds, think, f"mixed phase, {args.seconds} s", pid)
        home = drive(server.port, [user_loop(u, "home") for u in participants], args.baseline_seconds, 0,
                     f"home page alone, {args.baseline_seconds} s", pid)
        trivial = drive(server.port, [user_loop(u if args.trivial_logged_in else None, "trivial") for u in participants],
                        args.baseline_seconds, 0, f"trivial view (/health/), {args.baseline_seconds} s", pid)
        other = drive(server.port, [user_loop(None if args.trivial_logged_in else u, "trivial") for u in participants],
                      args.baseline_seconds, 0, f"trivial view (/health/) {'anonymous' if args.trivial_logged_in else 'with the participants’ cookies'}, {args.baseline_seconds} s", pid)
    finally:
        server.stop()
        delete_sessions(keys)
    ratio = round(home["rps"] / trivial["rps"], 3) if trivial["rps"] else None
    total_errors = mixed["errors"] + home["errors"] + trivial["errors"] + other["errors"]
    return {
        "users": args.users, "requests": mixed["requests"], "errors": mixed["errors"], "rps": mixed["rps"],
        "p50_ms": mixed["p50_ms"], "p95_ms": mixed["p95_ms"], "p99_ms": mixed["p99_ms"],
        "trivial_rps": trivial["rps"], "home_rps": home["rps"], "home_vs_trivial": ratio,
        ("trivial_anonymous_rps" if args.trivial_logged_in else "trivial_logged_in_rps"): other["rps"],
        "pages": mixed["pages"],
        "goals": {"no_errors": total_errors == GOALS["errors"],
                  "p95_under_250_ms": mixed["p95_ms"] is not None and mixed["p95_ms"] < GOALS["p95_ms"],
                  "home_at_least_40_pct_of_trivial": ratio is not None and ratio >= GOALS["home_vs_trivial"]},
        "phases": {
            "mixed": {key: mixed[key] for key in ("elapsed_s", "mean_ms", "cpu_cores", "error_samples")},
            "home": {key: home[key] for key in home if key != "pages"},
            "trivial": {key: trivial[key] for key in trivial if key != "pages"},
            "trivial_other": {key: other[key] for key in other if key != "pages"},
        },
        "writes": writes["writes"], "writes_per_second": args.writes_per_second,
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
                        help="writes to the data during the mixed phase (each one empties the read cache; default 0)")
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
            os.environ["CACHE_URL"] = args.cache_url  # this process bumps the version the server reads
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
