"""``make run``'s supervisor: the web server and a Celery worker with embedded beat, stopped together.

Each child runs in its own process group so that one Ctrl-C (or a TERM) stops both, reloader
child and pool processes included, and nothing is left holding the port. Both get ``SITE_URL``
(``http://127.0.0.1:<port>`` unless it is set), so the links of the e-mails the worker sends
lead to this server.
"""

import argparse
import os
import signal
import subprocess
import sys
import time


def child_env(*, host: str, port: str, environ=None) -> dict[str, str]:
    """The children's environment: ``SITE_URL`` of the port served, unless one is set. A server
    listening on every interface (0.0.0.0) is still reached at 127.0.0.1 from this machine."""
    env = dict(os.environ if environ is None else environ)
    if not env.get("SITE_URL"):
        env["SITE_URL"] = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
    return env


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args(argv)
    python = sys.executable
    celery = os.path.join(os.path.dirname(python), "celery")
    env = child_env(host=args.host, port=args.port)
    print(f"E-mail links: {env['SITE_URL']}")
    children = [
        subprocess.Popen([celery, "-A", "mentorat", "worker", "-B", "--loglevel", "INFO", "--concurrency", "1",
                          "--schedule", os.path.join("var", "celerybeat-schedule")], start_new_session=True, env=env),
        subprocess.Popen([python, "manage.py", "runserver", f"{args.host}:{args.port}"], start_new_session=True, env=env),
    ]
    stopping = False

    def stop(*_):
        nonlocal stopping
        if stopping:
            return
        stopping = True
        for child in children:
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop()
        deadline = time.monotonic() + 20
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
    print("Mentorat stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
