"""Beat tasks of the programmes app."""

from celery import shared_task

from programmes import notifications


@shared_task(name="programmes.plan_milestones", ignore_result=True)
def plan_milestones() -> int:
    return notifications.plan_milestones()
