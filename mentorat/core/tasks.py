"""Core tasks: the outbox sweep (beat, every minute) and the send batches it hands out.

Tasks take ids (and the claim token), never objects; they are acked late and rejected if the
worker dies, and stay well under the broker's visibility timeout.
"""

import smtplib
import socket

from celery import shared_task

from mentorat.core import outbox

TRANSPORT_ERRORS = (smtplib.SMTPException, socket.error, OSError)


@shared_task(name="core.ping", ignore_result=True)
def ping(token: str) -> str:
    return token


@shared_task(name="outbox.sweep", ignore_result=True, acks_late=True)
def sweep() -> int:
    """Claim what is due and queue it in batches. If the broker refuses, the claimed rows return
    to the queue after ``STALE_AFTER`` and the next sweep tries again: nothing is lost."""
    claimed = outbox.claim_due()
    for start in range(0, len(claimed), outbox.BATCH):
        send_batch.delay(claimed[start:start + outbox.BATCH])
    return len(claimed)


@shared_task(name="outbox.send_batch", ignore_result=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=240, time_limit=300)
def send_batch(items: list) -> dict:
    counts: dict[str, int] = {}
    for pk, token in items:
        try:
            result = outbox.send_one(pk, token)
        except TRANSPORT_ERRORS as exc:
            result = outbox.record_failure(pk, token, exc)
        except Exception as exc:  # a rendering bug must not block the rest of the batch
            result = outbox.record_failure(pk, token, exc)
        counts[result] = counts.get(result, 0) + 1
    return counts
