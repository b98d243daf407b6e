"""Outbox benchmark: N due notifications, one real Celery worker (embedded beat) sends them.

    python benchmarks/reminders.py --n 10000

Uses a throwaway SQLite database (or DATABASE_URL's server, in a database of its own) and Redis
(REDIS_URL, or a private redis-server on a free port). E-mails go to files; each carries its
notification id, so duplicates are counted. Prints one JSON object.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="mentorat-reminders-"))
    redis_process = None
    env = dict(os.environ, MENTORAT_VAR_DIR=str(tmp), DEBUG="1", MENTORAT_SWEEP_SECONDS="1",
               EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        import psycopg2

        base = database_url.rsplit("/", 1)[0]
        admin = psycopg2.connect(base + "/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS mentorat_bench_reminders")
            cursor.execute("CREATE DATABASE mentorat_bench_reminders")
        env["DATABASE_URL"] = base + "/mentorat_bench_reminders"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    if not os.environ.get("REDIS_URL"):
        port = free_port()
        redis_process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.5)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorat.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    import datetime

    from mentorat.core.models import Notification, User
    from programmes.models import Milestone
    from programmes.services import programme_create

    programme = programme_create(actor=None, name="Bench", slug="bench", start_date=datetime.date(2027, 1, 4),
                                 duration_months=6, cadence_weeks=2)
    milestone = Milestone.objects.filter(programme=programme).first()
    User.objects.bulk_create([User(email=f"u{i}@bench.example", password="!") for i in range(args.n)], batch_size=1000)
    now = timezone.now().replace(microsecond=0)
    users = list(User.objects.filter(email__endswith="@bench.example").values_list("pk", flat=True))
    Notification.objects.bulk_create([Notification(kind="milestone_due", object_key=f"milestone:{milestone.pk}",
                                                   recipient_id=pk, due_at=now) for pk in users], batch_size=1000)
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("celery")), "-A", "mentorat", "worker", "-B", "--concurrency", str(args.concurrency),
         "--loglevel", "WARNING", "--schedule", str(tmp / "beat")],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=open(tmp / "worker.log", "wb"))
    start = time.perf_counter()
    try:
        deadline = start + args.timeout
        while time.perf_counter() < deadline:
            if Notification.objects.filter(status="sent").count() >= args.n:
                break
            time.sleep(0.25)
        seconds = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        if redis_process:
            redis_process.kill()
    counts = Counter()
    for path in (tmp / "mail").iterdir() if (tmp / "mail").exists() else []:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("X-Mentorat-Notification:"):
                counts[int(line.split(":", 1)[1])] += 1
    sent = Notification.objects.filter(status="sent").count()
    print(json.dumps({"n": args.n, "seconds": round(seconds, 2), "sent": sent,
                      "sent_twice": sum(1 for c in counts.values() if c > 1), "emails": sum(counts.values())}))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
