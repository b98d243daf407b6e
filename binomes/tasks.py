"""Pairing chores run by Celery beat: expire unanswered proposals, fall back from shortlists."""

from celery import shared_task

from binomes import services


@shared_task(name="binomes.expire_proposals", ignore_result=True, max_retries=3)
def expire_proposals() -> int:
    return services.pairs_expire()


@shared_task(name="binomes.shortlist_fallback", ignore_result=True, max_retries=3)
def shortlist_fallback() -> int:
    return services.shortlists_fallback()
