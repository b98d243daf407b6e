"""Core tasks: the outbox sweep (beat, every minute) and the send batches it hands out.

Tasks take ids (and the claim token), never objects; they are acked late and rejected if the
worker dies, and stay well under the broker's visibility timeout.
"""

from celery import shared_task

from mentorat.core import outbox


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
    # Any error of one message (transport, or a rendering bug) is recorded on that row alone:
    # retried with backoff, then failed; the rest of the batch goes on.
    results = outbox.send_many([(pk, token) for pk, token in items], on_error=outbox.record_failure)
    counts: dict[str, int] = {}
    for result in results.values():
        counts[result] = counts.get(result, 0) + 1
    return counts


@shared_task(name="privacy.retention", ignore_result=True)
def retention() -> int:
    """Nightly: personal content of programmes closed longer than the retention period."""
    from mentorat.core.privacy import retention_purge

    return retention_purge()


@shared_task(name="directory.import_purge", ignore_result=True)
def import_purge() -> int:
    """Nightly: raw HRIS files are kept only as long as needed (the summaries stay)."""
    from mentorat.core.services import directory_import_purge

    return directory_import_purge()


@shared_task(name="accounts.deactivate_leavers", ignore_result=True)
def deactivate_leavers() -> int:
    """Nightly: accounts of employees whose leave date has passed are deactivated (audited)."""
    from mentorat.core.auth import accounts_deactivate_leavers

    return len(accounts_deactivate_leavers())
