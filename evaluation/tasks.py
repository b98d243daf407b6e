"""Beat task that plans survey invitations into the outbox (the outbox sweep sends them) and
releases the survey results that reached the anonymity threshold."""

from celery import shared_task

from evaluation import notifications, services


@shared_task(name="evaluation.plan_surveys", ignore_result=True)
def plan_surveys() -> int:
    services.results_release_due()
    return notifications.plan_surveys()
