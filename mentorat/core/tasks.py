"""Core tasks. ``ping`` lets a deployment check that a worker consumes from the broker."""

from celery import shared_task


@shared_task(name="core.ping", ignore_result=True)
def ping(token: str) -> str:
    return token
