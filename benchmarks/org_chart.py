"""Org-chart benchmark: import a generated directory, then time chain and subtree reads.

Usage, from the project folder::

    python benchmarks/org_chart.py [--employees 50000] [--queries 200] [--profile]

By default it works on a throwaway SQLite database in a temporary folder. With ``DATABASE_URL``
set, it uses that server instead: for PostgreSQL it creates a dedicated ``mentorat_bench``
database (through the ``postgres`` maintenance database) and drops it at the end.

Exactly one JSON object is printed on stdout; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_DB_NAME = "mentorat_bench"
SEED = 42

FIELDS = [
    "employee_id", "first_name", "last_name", "email", "manager_id", "department", "site",
    "job_title", "job_level", "language", "hire_date", "leave_date",
]

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Sarah", "Zoé", "Julie", "Anne",
    "Claire", "Sophie", "Nathalie", "Isabelle", "Hélène", "Marie", "Lucie", "Amélie", "Alice", "Laura",
    "Thomas", "Lucas", "Hugo", "Louis", "Nathan", "Gabriel", "Jules", "Arthur", "Paul", "Nicolas", "Julien",
    "Pierre", "Antoine", "Maxime", "Alexandre", "Quentin", "Mathieu", "David", "Olivier", "Karim", "Mehdi",
    "Yasmine", "Fatou", "Moussa", "Wei", "Mei", "Priya", "Rahul", "James", "Emily", "Oliver", "Charlotte",
]
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure",
    "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand",
    "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
    "Diallo", "Nguyen", "Benali", "Smith", "Müller", "Rossi", "García", "Silva", "Kowalski", "Chen",
]
DEPARTMENTS = [
    "Finance", "Ressources humaines", "Informatique", "Ventes", "Marketing", "Opérations", "Juridique",
    "Recherche et développement", "Achats", "Logistique", "Service client", "Communication",
]
TOP_DEPARTMENT = "Direction générale"
# (name, weight): headquarters and a few big sites, then smaller ones.
SITES = [
    ("Paris La Défense", 30), ("Lyon", 15), ("Toulouse", 12), ("Nantes", 8), ("Lille", 8), ("Bordeaux", 7),
    ("Marseille", 6), ("Strasbourg", 4), ("Bruxelles", 4), ("Genève", 3), ("Londres", 2), ("Madrid", 1),
]
MANAGER_TITLES = ["Directeur", "Responsable", "Manager", "Chef de service", "Team lead"]
IC_TITLES = ["Analyste", "Chargé de mission", "Ingénieur", "Consultant", "Assistant", "Technicien", "Gestionnaire"]
TOP_LEVEL = 15


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=50000, help="size of the generated directory")
    parser.add_argument("--queries", type=int, default=200, help="employees sampled for each read")
    parser.add_argument("--profile", action="store_true", help="cProfile the import (stats on stderr)")
    args = parser.parse_args(argv)
    if args.employees < 2:
        parser.error("--employees must be at least 2")
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    return args


# --- Database set-up (before django.setup()) -----------------------------------------------------

class BenchDatabase:
    """Chooses the database, creates it if it is ours, and removes it at the end."""

    def __init__(self):
        self.tmpdir = tempfile.mkdtemp(prefix="mentorat-bench-")
        self.pg_admin = None  # psycopg2 connection kwargs for the maintenance database
        self.owned_sqlite = False

    def prepare(self) -> None:
        # Nothing the project might write (mail, celery queue, …) goes to its var/ folder.
        os.environ.setdefault("MENTORAT_VAR_DIR", os.path.join(self.tmpdir, "var"))
        url = os.environ.get("DATABASE_URL", "").strip()
        if not url:
            os.environ["DATABASE_URL"] = f"sqlite:///{os.path.join(self.tmpdir, 'bench.sqlite3')}"
            self.owned_sqlite = True
            return
        parts = urlsplit(url)
        if parts.scheme.lower() in {"postgres", "postgresql", "pgsql"}:
            import psycopg2
            from psycopg2 import sql

            self.pg_admin = {
                "dbname": "postgres",
                "user": unquote(parts.username or "") or None,
                "password": unquote(parts.password or "") or None,
                "host": parts.hostname or None,
                "port": parts.port or None,
            }
            self.pg_admin = {key: value for key, value in self.pg_admin.items() if value is not None}
            admin = psycopg2.connect(**self.pg_admin)
            try:
                admin.autocommit = True
                with admin.cursor() as cursor:
                    cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(BENCH_DB_NAME)))
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB_NAME)))
            finally:
                admin.close()
            netloc = parts.netloc
            os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, netloc, "/" + BENCH_DB_NAME, parts.query, ""))
            log(f"benchmark database: PostgreSQL {BENCH_DB_NAME} on {parts.hostname or 'local socket'}")
        else:
            log(f"benchmark database: {url} (given by DATABASE_URL, left in place afterwards)")

    def cleanup(self) -> None:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django never got set up
            pass
        if self.pg_admin is not None:
            import psycopg2
            from psycopg2 import sql

            try:
                admin = psycopg2.connect(**self.pg_admin)
                try:
                    admin.autocommit = True
                    with admin.cursor() as cursor:
                        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(BENCH_DB_NAME)))
                finally:
                    admin.close()
            except Exception as exc:
                log(f"warning: could not drop database {BENCH_DB_NAME}: {exc}")
        shutil.rmtree(self.tmpdir, ignore_errors=True)


# --- Generated directory ------------------------------------------------------------------------

def generate_hierarchy(n: int, rng: random.Random) -> tuple[list[int | None], list[int], list[bool]]:
    """Parents, depths and manager flags of ``n`` people, index 0 being the CEO.

    Breadth first: the CEO and the executive committee always manage; below them roughly 45%
    of people manage a team of 3 to 10, which gives ~8 levels for 5,000 people and ~10-11 for
    50,000 (everyone on the last, partly filled level is an individual contributor).
    """
    parents: list[int | None] = [None]
    depths = [0]
    children_count = [0]
    queue = [0]
    head = 0
    while len(parents) < n:
        if head == len(queue):
            # The tree died out early (unlikely): let the deepest people become managers.
            deepest = max(depths)
            queue.extend(i for i, d in enumerate(depths) if d == deepest and children_count[i] == 0)
        node = queue[head]
        head += 1
        depth = depths[node]
        manages = depth <= 1 or rng.random() < 0.45
        if not manages:
            continue
        for _ in range(min(rng.randint(3, 10), n - len(parents))):
            parents.append(node)
            depths.append(depth + 1)
            children_count.append(0)
            children_count[node] += 1
            queue.append(len(parents) - 1)
    return parents, depths, [count > 0 for count in children_count]


def generate_csv(n: int, rng: random.Random) -> tuple[bytes, dict]:
    parents, depths, is_manager = generate_hierarchy(n, rng)
    site_names = [name for name, _ in SITES]
    site_weights = [weight for _, weight in SITES]
    departments: list[str] = []
    sites: list[str] = []
    start = datetime.date(1995, 1, 1)
    end = datetime.date(2025, 6, 30)
    span = (end - start).days
    leavers = 0

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for i in range(n):
        parent = parents[i]
        depth = depths[i]
        if parent is None:
            department, site = TOP_DEPARTMENT, site_names[0]
        elif depth == 1:
            department = DEPARTMENTS[(i - 1) % len(DEPARTMENTS)]
            site = site_names[0] if rng.random() < 0.7 else rng.choices(site_names, site_weights)[0]
        else:
            department = departments[parent]
            site = sites[parent] if rng.random() < 0.8 else rng.choices(site_names, site_weights)[0]
        departments.append(department)
        sites.append(site)

        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{i + 1}@example.com"
        level = max(1, TOP_LEVEL - depth - (0 if is_manager[i] else rng.randint(0, 1)))
        if parent is None:
            title = "Président-directeur général"
        elif is_manager[i]:
            title = f"{rng.choice(MANAGER_TITLES)} {department}"
        else:
            title = f"{rng.choice(IC_TITLES)} {department}"
        hire = start + datetime.timedelta(days=rng.randrange(span))
        leave = ""
        if parent is not None and not is_manager[i] and rng.random() < 0.02:
            leave = (hire + datetime.timedelta(days=rng.randint(30, 3000))).isoformat()
            leavers += 1
        language = "fr" if rng.random() < 0.8 else "en"
        writer.writerow([
            employee_code(i), first, last, email, employee_code(parent) if parent is not None else "",
            department, site, title, level, language, hire.isoformat(), leave,
        ])
    shape = {
        "levels": max(depths) + 1,
        "managers": sum(is_manager),
        "leavers": leavers,
        "max_fan_out": max(Counter(p for p in parents if p is not None).values()),
    }
    return out.getvalue().encode("utf-8"), shape


def employee_code(index: int) -> str:
    return f"E{index + 1:07d}"


def ascii_slug(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


# --- Measurements ---------------------------------------------------------------------------------

def timed_import(data: bytes, profile: bool) -> float:
    from mentorat.core.services import directory_import

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    report = directory_import(data=data, dry_run=False)
    elapsed = time.perf_counter() - started
    if profiler is not None:
        import pstats

        profiler.disable()
        for order in ("cumulative", "tottime"):
            log(f"--- cProfile of directory_import, by {order} ---")
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(30)
    if not report.applied:
        raise SystemExit("directory_import refused the generated file:\n" + "\n".join(report.errors[:20]))
    log(f"import: {report.summary_line()} in {elapsed:.2f} s")
    return elapsed


def timed_reads(queries: int) -> dict:
    from mentorat.core import selectors
    from mentorat.core.models import Employee

    everyone = list(Employee.objects.order_by("pk").only("pk", "path", "depth", "manager_id"))
    manager_ids = {e.manager_id for e in everyone if e.manager_id is not None}
    managers = [e for e in everyone if e.pk in manager_ids]
    rng = random.Random(SEED)
    chain_sample = rng.sample(everyone, min(queries, len(everyone)))
    subtree_sample = rng.sample(managers, min(queries, len(managers)))

    # Warm-up (connection, statement caches), not measured.
    selectors.employee_chain(chain_sample[0])
    list(selectors.employee_subtree(subtree_sample[0]).values_list("pk", flat=True))

    chain_times = []
    for employee in chain_sample:
        started = time.perf_counter()
        chain = selectors.employee_chain(employee)
        chain_times.append(time.perf_counter() - started)
        assert len(chain) == employee.depth, (employee.pk, len(chain), employee.depth)

    subtree_times, sizes = [], []
    for employee in subtree_sample:
        started = time.perf_counter()
        below = list(selectors.employee_subtree(employee).values_list("pk", flat=True))
        subtree_times.append(time.perf_counter() - started)
        sizes.append(len(below))

    try:
        plan = selectors.employee_subtree(subtree_sample[0]).values_list("pk", flat=True).explain()
        log("subtree query plan:\n" + plan)
    except Exception as exc:  # explain is informative only
        log(f"(no query plan: {exc})")
    log(f"chain: median depth {statistics.median(e.depth for e in chain_sample)}; "
        f"subtree sizes: min {min(sizes)}, median {statistics.median(sizes)}, max {max(sizes)}")
    return {
        "chain_ms": statistics.median(chain_times) * 1000,
        "subtree_ms": statistics.median(subtree_times) * 1000,
        "subtree_avg_size": statistics.fmean(sizes),
    }


def run(args) -> dict:
    import django

    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "mentorat.settings"
    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # DEBUG defaults to on in this project; the benchmark should not pay for query logging.
    settings.DEBUG = False

    call_command("migrate", verbosity=0, interactive=False)
    from mentorat.core.models import Employee

    if Employee.objects.exists():
        raise SystemExit("the database already holds employees: refusing to benchmark on it.")

    started = time.perf_counter()
    data, shape = generate_csv(args.employees, random.Random(SEED))
    log(f"generated {args.employees} employees in {time.perf_counter() - started:.2f} s: "
        f"{shape['levels']} levels, {shape['managers']} managers (fan-out up to {shape['max_fan_out']}), {shape['leavers']} leavers, "
        f"{len(data) / 1e6:.1f} MB of CSV")

    import_seconds = timed_import(data, args.profile)
    reads = timed_reads(args.queries)
    return {
        "employees": args.employees,
        "import_seconds": round(import_seconds, 3),
        "chain_ms": round(reads["chain_ms"], 3),
        "subtree_ms": round(reads["subtree_ms"], 3),
        "subtree_avg_size": round(reads["subtree_avg_size"], 3),
        "database": "postgresql" if connection.vendor == "postgresql" else connection.vendor,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    real_stdout = sys.stdout
    database = BenchDatabase()
    try:
        # Anything printed along the way (migrations, warnings, …) goes to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            database.prepare()
            result = run(args)
    finally:
        database.cleanup()
    print(json.dumps(result), file=real_stdout, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
