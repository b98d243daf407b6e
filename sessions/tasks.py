"""Beat tasks that plan reminders into the outbox (the outbox sweep sends them)."""

from celery import shared_task

from sessions import notifications


@shared_task(name="sessions.plan_reminders", ignore_result=True)
def plan_reminders() -> int:
    return notifications.plan_reminders()


@shared_task(name="sessions.plan_alerts", ignore_result=True)
def plan_alerts() -> int:
    return notifications.plan_alerts()


@shared_task(name="sessions.plan_digest", ignore_result=True)
def plan_digest() -> int:
    return notifications.plan_digest()
