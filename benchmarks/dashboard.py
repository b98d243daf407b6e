"""Dashboard benchmark: a 10,000-employee company with four cohorts, then time the evaluation pages.

    python benchmarks/dashboard.py [--scale 1.0] [--requests 30] [--keep]

Builds with ``bulk_create`` (sizes at ``--scale 1``, each multiplied by it): 10,000 employees (13 departments, 12 sites,
a manager tree), 4 programmes (two closed, two running), 4,600 applications, 2,000 pairs, 50,000 sessions (held,
cancelled, missed, planned) with ratings, goals, commitments, promotions and leavers, the default surveys and 100,000
answers (baseline, mid-point, final, pulse; responses keep the respondent's department and site). Then, logged in with
``force_login``, it requests each page (executive dashboard, also filtered by a department; a sponsor's dashboard; the
CSV export; a running programme's operations view; a final survey's results; a participant's progress): a warm-up,
then ``--requests`` times a real write followed by a timed request ("cold": the first look just after a change) and a
second timed request ("warm": what the next visitors get). The write is what a member does on a session page: a
session log (``sessions.services.session_log``, committed, touching what it changed), of a session that has started
in a programme the page shows, drawn from up to 200 across its pairs: the older running programme for the executive
pages, the CSV and the operations view; the sponsor's programme for theirs; the participant's own pair for their
progress. No write users make reaches a closed survey's released results, so that page is timed after a log in the
running programme. Per page: ``queries`` (the request just after a write, counted under ``CaptureQueriesContext``)
and ``warm_queries`` (the next one), ``median_ms`` and ``p95_ms`` (cold), ``warm_median_ms``, ``write_median_ms``
and ``write`` (which). Timed requests run without capture, since on SQLite capturing runs an extra ``QUOTE()``
query per statement.

Database: ``var/bench-dashboard.sqlite3`` (under ``MENTORAT_VAR_DIR``) or, when ``DATABASE_URL`` names a PostgreSQL
server, a database of its own there, ``mentorat_bench_dashboard`` (analysed before timing, as autovacuum would). It
stays in place, with the session logs written while timing: ``--keep`` reuses the data already built (``data`` says
what is there), otherwise it is rebuilt.
Exactly one JSON object is printed on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import itertools
import json
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from org_chart import DEPARTMENTS, FIRST_NAMES, LAST_NAMES, SITES, TOP_LEVEL, ascii_slug, generate_hierarchy

PG_NAME = "mentorat_bench_dashboard"
SIZES = {"employees": 10_000, "pairs": 2_000, "sessions": 50_000, "answers": 100_000}
COHORTS = [(26, 9, "closed"), (15, 9, "closed"), (8, 12, "running"), (3, 9, "running")]  # (months ago, months, status)
SCALE = [2, 3, 4, 4, 4, 5, 5, 5]
VALUES = {"scale": SCALE, "skill_mentor": SCALE, "recommend": [5, 6, 7, 8, 9, 9, 9, 10, 10, 10]}  # what answers are drawn from
TEXTS = ["Je prépare mes réunions avec un assistant IA.", "Plus de pratique, moins de théorie.",
         "J'ai compris comment la direction arbitre.", "I now post on the internal network every week."]
DAY = datetime.timedelta(days=1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def choose_database(keep: bool) -> None:
    """Point DATABASE_URL at the benchmark's own database, emptied unless ``keep``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        import psycopg2

        admin = psycopg2.connect(urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, "")))
        admin.autocommit = True
        with contextlib.closing(admin), admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME])
            exists = cursor.fetchone() is not None
            if exists and not keep:
                cursor.execute(f"DROP DATABASE {PG_NAME}")
            if not (exists and keep):
                cursor.execute(f"CREATE DATABASE {PG_NAME}")
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, "/" + PG_NAME, parts.query, ""))
        log(f"benchmark database: PostgreSQL {PG_NAME} on {parts.hostname}")
    elif url:
        raise SystemExit("DATABASE_URL: only a PostgreSQL server is supported (unset it for SQLite).")
    else:
        path = Path(os.environ.get("MENTORAT_VAR_DIR", ROOT / "var")).resolve() / "bench-dashboard.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in [] if keep else [path] + [Path(f"{path}-{suffix}") for suffix in ("wal", "shm", "journal")]:
            stale.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        log(f"benchmark database: {path}")


def aware(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.timezone.utc)


def build_company(rng, count, today):
    from mentorat.core.models import Department, Employee, Site, User
    from mentorat.core.services import orgchart_rebuild_paths

    parents, depths, _managers = generate_hierarchy(count, rng)  # breadth first: depths never decrease
    departments = Department.objects.bulk_create([Department(name=name) for name in DEPARTMENTS + ["Direction générale"]])
    sites = Site.objects.bulk_create([Site(name=name) for name, _weight in SITES])
    weights = [weight for _name, weight in SITES]
    users, people = [], []
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{i}@bench.example"
        # The CEO is the executive, the next one sponsors a programme, the one after coordinates (HR lead: all).
        users.append(User(email=email, password="!", first_name=first, last_name=last, is_executive=i == 0,
                          is_coordinator=i == 2, is_hr_lead=i == 2))
        parent = people[parents[i]] if parents[i] is not None else None
        if parent is None:
            department, site = departments[-1], sites[0]
        elif depths[i] == 1:
            department, site = departments[(i - 1) % len(DEPARTMENTS)], rng.choices(sites, weights)[0]
        else:
            department = parent.department if rng.random() < 0.9 else rng.choice(departments[:-1])
            site = parent.site if rng.random() < 0.8 else rng.choices(sites, weights)[0]
        people.append(Employee(employee_id=f"B{i:07d}", first_name=first, last_name=last, email=email, department=department,
                               site=site, language="fr" if rng.random() < 0.8 else "en",
                               hire_date=today - rng.randint(400, 9000) * DAY,
                               job_level=max(1, TOP_LEVEL - depths[i] - rng.randint(0, 1))))
    User.objects.bulk_create(users, batch_size=2000)
    for _depth, level in itertools.groupby(range(count), key=depths.__getitem__):  # managers first
        level = list(level)
        for i in level:
            people[i].user_id = users[i].pk
            people[i].manager_id = people[parents[i]].pk if parents[i] is not None else None
        Employee.objects.bulk_create([people[i] for i in level], batch_size=2000)
    orgchart_rebuild_paths()
    return people, depths, [d.pk for d in departments], [s.pk for s in sites]


def build_programmes(rng, people, depths, n_pairs, today, now):
    from binomes.models import Pair
    from programmes.models import (
        SLOTS,
        Application,
        ApplicationDomain,
        LearningDomain,
        Milestone,
        Objective,
        Programme,
        ProgrammeSponsor,
        add_months,
    )

    domains = list(LearningDomain.objects.order_by("pk").values_list("pk", flat=True))[:4]
    programmes = Programme.objects.bulk_create([
        Programme(name=f"Bench cohort {k + 1}", slug=f"bench-cohort-{k + 1}", status=status, cadence_weeks=2,
                  start_date=add_months(today, -ago), duration_months=months) for k, (ago, months, status) in enumerate(COHORTS)])
    through = Programme.domains.through
    through.objects.bulk_create([through(programme_id=p.pk, learningdomain_id=d) for p in programmes for d in domains])
    Milestone.objects.bulk_create([Milestone(programme=p, kind=kind, title=kind, date=day) for p in programmes for kind, day in (
        ("kickoff", p.start_date), ("midpoint", p.start_date + (p.end_date - p.start_date) / 2),
        ("final", p.end_date - 14 * DAY))])
    objectives = [("recommendation_rate", 80), ("session_completion", 80), ("skill_gain_rate", 70)]
    Objective.objects.bulk_create([Objective(programme=p, title=kpi, kpi=kpi, target=target, order=k)
                                   for p in programmes for k, (kpi, target) in enumerate(objectives)])
    ProgrammeSponsor.objects.bulk_create([ProgrammeSponsor(programme=programmes[1], user_id=people[1].user_id, message="Merci.")])
    order = sorted(range(3, len(people)), key=depths.__getitem__)
    seniors, juniors = order[:len(order) // 4], order[len(order) // 2:]  # mentees high in the tree, mentors low
    applications, approved = [], defaultdict(lambda: {"mentor": [], "mentee": []})
    for k, programme in enumerate(programmes):
        count = n_pairs // 4 + (k < n_pairs % 4)
        for role, pool, extra in (("mentee", seniors, 0.1), ("mentor", juniors, 0.2)):
            for j, i in enumerate(rng.sample(pool, min(len(pool), count + int(count * extra)))):
                status = "approved" if j < count else rng.choice(["waitlisted", "declined", "submitted", "withdrawn"])
                applications.append(Application(programme=programme, employee=people[i], role=role, status=status,
                                                availability=rng.sample(SLOTS, 3), languages=["fr"],
                                                submitted_at=aware(programme.start_date - rng.randint(20, 60) * DAY)))
                if status == "approved":
                    approved[programme.pk][role].append(applications[-1])
    Application.objects.bulk_create(applications, batch_size=2000)
    topics = {a.pk: rng.sample(domains, 2) for a in applications if a.status == "approved"}
    ApplicationDomain.objects.bulk_create([ApplicationDomain(application_id=pk, domain_id=d, weight=rng.randint(1, 3))
                                           for pk, chosen in topics.items() for d in chosen], batch_size=2000)
    pairs = []
    for programme in programmes:
        closed = programme.status == "closed"
        for mentor, mentee in zip(approved[programme.pk]["mentor"], approved[programme.pk]["mentee"], strict=False):
            activated = aware(programme.start_date + rng.randint(0, 14) * DAY)
            ended = rng.random() < (0.1 if closed else 0.05)
            end = aware(programme.end_date) if closed else None
            if ended:
                end = activated + (min(now, aware(programme.end_date)) - activated) * rng.uniform(0.3, 0.9)
            pairs.append(Pair(programme=programme, mentor=mentor, mentee=mentee, score=rng.randint(50, 95),
                              status="ended" if ended else ("completed" if closed else "active"),
                              published_at=activated - 7 * DAY, activated_at=activated, mentor_confirmed_at=activated,
                              mentee_confirmed_at=activated, ended_at=end))
    Pair.objects.bulk_create(pairs, batch_size=2000)
    return programmes, pairs, topics


def build_follow_up(rng, programmes, pairs, n_sessions, today, now):
    from mentorat.core.models import Employee, JobLevelChange
    from sessions.models import Commitment, LearningGoal, MentoringSession, SessionRating

    sessions = []
    for index, pair in enumerate(pairs):
        count = n_sessions // len(pairs) + (index < n_sessions % len(pairs))
        first = pair.activated_at + 7 * DAY
        step = ((pair.ended_at or aware(pair.programme.end_date)) - first) / max(1, count)
        for k in range(count):
            starts, status, side = first + step * k, "planned", ""
            if starts < now:
                status = rng.choices(["held", "cancelled", "missed", "planned"], [80, 10, 6, 4])[0]
                side = rng.choices(["mentor", "mentee", "coordinator"], [45, 45, 10])[0] if status == "cancelled" else ""
            sessions.append(MentoringSession(pair=pair, starts_at=starts, status=status, cancelled_by=side, theme="Pratique"))
    MentoringSession.objects.bulk_create(sessions, batch_size=2000)
    SessionRating.objects.bulk_create([SessionRating(session=s, role=role, score=rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 5]))
                                       for s in sessions if s.status == "held" for role in ("mentor", "mentee")
                                       if rng.random() < 0.7], batch_size=2000)
    goals, commitments = [], []
    for pair in pairs:
        for k in range(3):
            weights = [1, 2, 6, 1] if pair.status != "active" else [3, 4, 2, 1]
            status = rng.choices(["open", "in_progress", "achieved", "dropped"], weights)[0]
            goals.append(LearningGoal(pair=pair, title=f"Objectif {k + 1}", status=status,
                                      progress={"open": 0, "in_progress": 50, "achieved": 100, "dropped": 20}[status]))
        for k in range(2):
            due = (pair.activated_at + (aware(pair.programme.end_date) - pair.activated_at) * (k + 1) / 2).date()
            status = rng.choices(["open", "kept", "not_kept"], [2, 6, 2])[0] if due < today else "open"
            commitments.append(Commitment(pair=pair, text="Publier chaque mois", due_date=due, status=status))
    LearningGoal.objects.bulk_create(goals, batch_size=2000)
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    # Mentors of completed pairs: some promoted since, some left 4 to 11 months after the end.
    completed = [p for p in pairs if p.status == "completed"]
    JobLevelChange.objects.bulk_create([
        JobLevelChange(employee_id=p.mentor.employee_id, from_level=p.mentor.employee.job_level,
                       to_level=p.mentor.employee.job_level + 1, changed_on=p.ended_at.date() + 60 * DAY)
        for p in completed if rng.random() < 0.12])
    for programme in programmes:
        leavers = [p.mentor.employee_id for p in completed if p.programme_id == programme.pk and rng.random() < 0.08]
        Employee.objects.filter(pk__in=leavers).update(leave_date=programme.end_date + rng.randint(120, 330) * DAY)
    return sessions


def build_answers(rng, programmes, pairs, sessions, topics, department_ids, site_ids, target, now):
    from evaluation.models import Answer, Question, Response, Testimonial
    from evaluation.services import surveys_ensure
    from programmes.models import Milestone

    surveys = {(s.programme_id, s.moment, s.audience): s for p in programmes for s in surveys_ensure(programme=p)}
    questions = defaultdict(list)
    for question in Question.objects.filter(survey__programme__in=programmes).order_by("order", "pk"):
        questions[question.survey_id].append(question)
    review = {(m.programme_id, m.kind): aware(m.date) for m in Milestone.objects.filter(programme__in=programmes)}
    responses, answers, skill = [], [], {}

    def respond(pair, moment, role, when, session=None):
        survey = surveys[(pair.programme_id, moment, role)]
        employee = (pair.mentor if role == "mentor" else pair.mentee).employee
        moved = rng.random() < 0.05  # the directory changed since: the snapshot keeps the old values
        responses.append(Response(survey=survey, respondent_id=employee.pk, pair=pair, session=session, role=role,
                                  department_id=rng.choice(department_ids) if moved else employee.department_id,
                                  site_id=rng.choice(site_ids) if moved else employee.site_id, submitted_at=when))
        for question in questions[survey.pk]:
            for domain in topics[pair.mentee_id] if question.kind in Question.PER_DOMAIN else [None]:
                answer = Answer(response=responses[-1], question=question, domain_id=domain)
                if question.kind == "skill_self":
                    base = skill.setdefault((pair.pk, domain), rng.choice([1, 2, 2, 3]))
                    answer.value = base if moment == "baseline" else min(5, base + rng.choice([0, 0, 1, 1, 2]))
                elif question.kind in VALUES:
                    answer.value = rng.choice(VALUES[question.kind])
                elif question.kind == "single":
                    answer.value = rng.randint(1, len(question.choice_list()))
                elif question.kind == "multiple":
                    answer.choices = rng.sample([key for key, _label in question.choice_list()], 2)
                elif rng.random() < 0.6:
                    answer.text = rng.choice(TEXTS)
                else:
                    continue
                answers.append(answer)

    for pair in pairs:
        for role in ("mentor", "mentee"):
            if rng.random() < 0.9:
                respond(pair, "baseline", role, pair.activated_at + 2 * DAY)
            for moment, rate in (("midpoint", 0.8), ("final", 0.75)):
                opening = review[(pair.programme_id, moment)]
                if opening <= min(now, pair.ended_at or now) and rng.random() < rate:
                    respond(pair, moment, role, opening + 3 * DAY)
    pulses = [(s, role) for s in sessions if s.status == "held" for role in ("mentor", "mentee")]
    rng.shuffle(pulses)
    for session, role in pulses:  # pulses fill the rest of the answers
        if len(answers) >= target:
            break
        respond(session.pair, "pulse", role, session.starts_at + 3 * DAY / 24, session=session)
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(answers[:target], batch_size=2000)
    Testimonial.objects.bulk_create([Testimonial(programme_id=p.programme_id, author_id=p.mentor.employee_id, role="mentor",
                                                 title="Mon atelier", body=rng.choice(TEXTS), consent=True,
                                                 status=rng.choice(["submitted", "published"])) for p in pairs[::50]])


def build(scale: float) -> None:
    from django.db import transaction

    n = {key: max(4, round(value * scale)) for key, value in SIZES.items()}
    now = datetime.datetime.now(datetime.timezone.utc)
    rng, today, started = random.Random(7), now.date(), time.perf_counter()
    with transaction.atomic():
        people, depths, department_ids, site_ids = build_company(rng, max(n["employees"], 5 * n["pairs"]), today)
        log(f"  {len(people)} employees, {max(depths) + 1} levels: {time.perf_counter() - started:.1f} s")
        programmes, pairs, topics = build_programmes(rng, people, depths, n["pairs"], today, now)
        log(f"  programmes, applications, {len(pairs)} pairs: {time.perf_counter() - started:.1f} s")
        sessions = build_follow_up(rng, programmes, pairs, n["sessions"], today, now)
        log(f"  {len(sessions)} sessions, ratings, goals, commitments: {time.perf_counter() - started:.1f} s")
        build_answers(rng, programmes, pairs, sessions, topics, department_ids, site_ids, n["answers"], now)
        log(f"  surveys and answers: {time.perf_counter() - started:.1f} s")


def log_pool(rng: random.Random, *, programme=None, pair=None, size: int = 200) -> itertools.cycle:
    """Endless (member's user, session) to log: sessions of the programme's (or the pair's) pairs that have started
    and are not cancelled, as the session page offers to log them (``session_offers``), up to ``size`` drawn at random
    (so many pairs), each logged by its mentor or its mentee."""
    from django.utils import timezone

    from sessions.models import MentoringSession

    sessions = MentoringSession.objects.filter(starts_at__lte=timezone.now()).exclude(status="cancelled")
    sessions = sessions.filter(pair=pair) if pair is not None else sessions.filter(pair__programme=programme)
    ids = list(sessions.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(ids, min(size, len(ids)))
    if not chosen:
        raise SystemExit(f"no session to log in {pair or programme}")
    rows = MentoringSession.objects.filter(pk__in=chosen).select_related("pair__mentor__employee__user",
                                                                          "pair__mentee__employee__user")
    by_pk = {session.pk: session for session in rows}
    return itertools.cycle([(getattr(by_pk[pk].pair, rng.choice(["mentor", "mentee"])).employee.user, by_pk[pk])
                            for pk in chosen])


def write(pool: itertools.cycle) -> float:
    """A real write, as the session page makes it: a member logs a session as held (``session_log``, which commits
    and touches what it changed); returns its time in ms."""
    from sessions.services import LogData, session_log

    user, session = next(pool)
    started = time.perf_counter()
    session_log(user=user, session=session, data=LogData(held=True, actual_minutes=60, topics="Assistant IA",
                                                         learned="Résumer un document", next_step="Pratiquer"))
    return (time.perf_counter() - started) * 1000


def measure(requests: int) -> tuple[list[dict], dict]:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from binomes.models import Pair
    from evaluation.models import Answer, Response, Survey
    from mentorat.core.models import Department, Employee, User
    from programmes.models import Application, Programme, ProgrammeSponsor
    from sessions.models import MentoringSession, SessionRating

    executive = User.objects.filter(is_executive=True).order_by("pk").first()
    coordinator = User.objects.filter(is_coordinator=True).order_by("pk").first()
    running = Programme.objects.filter(status="running").order_by("start_date").first()
    final = Survey.objects.filter(programme__status="closed", moment="final", audience="mentee").order_by("-pk").first()
    department = Department.objects.annotate(n=Count("employees")).order_by("-n", "pk").first()
    participant_pair = Pair.objects.filter(programme=running, status="active").order_by("pk").first()
    participant = participant_pair.mentee.employee.user
    sponsorship = ProgrammeSponsor.objects.select_related("programme", "user").order_by("pk").first()
    rng = random.Random(5)
    in_running = (f"a session log in {running.name} (running)", log_pool(rng, programme=running))
    in_sponsored = (f"a session log in {sponsorship.programme.name} ({sponsorship.programme.status}), the sponsor's",
                    log_pool(rng, programme=sponsorship.programme))
    in_own_pair = ("a session log in the participant's own pair", log_pool(rng, pair=participant_pair))
    pages = [  # (name, user, path, the write before each cold request: one the page shows when there is one)
        ("executive dashboard", executive, "/evaluation/", in_running),
        ("executive dashboard, one department", executive, f"/evaluation/?department={department.pk}", in_running),
        ("sponsor dashboard", sponsorship.user, "/evaluation/", in_sponsored),
        ("CSV export", executive, "/evaluation/export.csv", in_running),
        ("coordinator operations", coordinator, f"/evaluation/operations/?programme={running.slug}", in_running),
        # A closed programme's released results: no write users make reaches them (the survey is closed); a session
        # log elsewhere shows what the page costs just after an unrelated write.
        ("final survey results", executive, f"/evaluation/surveys/{final.pk}/results/", in_running),
        ("participant progress", participant, "/evaluation/progress/", in_own_pair),
    ]
    results = []
    for name, user, path, (what, pool) in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if (status := client.get(path).status_code) != 200:
            raise SystemExit(f"{name}: {path} answered {status}")
        # Cold: a real write just before each request (the first look after a change, whatever the cache holds
        # then); warm: the next request, what everyone after it gets.
        write(pool)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured.captured_queries)  # read now: the next request empties the log
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        warm_queries = len(captured.captured_queries)
        times, warm, writes = [], [], []
        for _ in range(requests):
            writes.append(write(pool))
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get(path)
            warm.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append({"name": name, "path": path, "write": what, "queries": queries, "warm_queries": warm_queries,
                        "median_ms": round(statistics.median(times), 1),
                        "p95_ms": round(times[max(0, math.ceil(0.95 * len(times)) - 1)], 1),
                        "warm_median_ms": round(statistics.median(warm), 1),
                        "write_median_ms": round(statistics.median(writes), 1)})
        log(f"  {results[-1]}")
    counted = {"employees": Employee, "applications": Application, "pairs": Pair, "sessions": MentoringSession,
               "ratings": SessionRating, "responses": Response, "answers": Answer}
    return results, {key: model.objects.count() for key, model in counted.items()}


def run(args) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorat.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from mentorat.core.models import Employee
    from programmes.models import Programme

    settings.DEBUG = False  # no query log on the timed requests
    started, build_seconds = time.perf_counter(), None
    call_command("migrate", verbosity=0, interactive=False)
    if args.keep and Programme.objects.filter(slug__startswith="bench-cohort-").exists():
        log("reusing the data already built (--keep)")
    elif Employee.objects.exists():
        raise SystemExit("the benchmark database holds other data: refusing to build on it.")
    else:
        log(f"building at scale {args.scale}")
        build(args.scale)
        build_seconds = round(time.perf_counter() - started, 1)
        log(f"built in {build_seconds} s (migrations included)")
    if connection.vendor == "postgresql":  # as autovacuum soon would: without statistics, plans are poor
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from mentorat.wsgi import settle  # as the server's processes start (gunicorn loads mentorat.wsgi)

    settle()
    pages, data = measure(args.requests)
    return {"pages": pages, "data": data, "database": connection.vendor, "build_seconds": build_seconds,
            "requests": args.requests}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every size (0.05 for a quick run)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse the benchmark database when already built")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.requests < 1:
        parser.error("--scale must be positive and --requests at least 1")
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # migrations, warnings…
        choose_database(args.keep)
        result = run(args)
    print(json.dumps(result), file=real_stdout, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
