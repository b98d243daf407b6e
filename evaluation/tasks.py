"""Beat task that plans survey invitations into the outbox (the outbox sweep sends them)."""

from celery import shared_task

from evaluation import notifications


@shared_task(name="evaluation.plan_surveys", ignore_result=True)
def plan_surveys() -> int:
    return notifications.plan_surveys()
