"""What the community of practice holds on a person (see ``mentorat.core.privacy``): the
learnings they shared. Erasure deletes them (published ones too: the author's consent goes with
them). Retention: once their programme closed longer than the retention period ago, those never
published are deleted and the published ones lose their author (kept, unsigned, for the
employees who read them)."""

from django.db.models import Q

from mentorat.core.privacy import NotPersonal, Personal
from programmes.privacy import ended_before
from sessions.models import SharedLearning

RETENTION = "not published: deleted; published: kept without its author or pair"

FIELDS = {
    "mentoring_sessions.SharedLearning.kind": NotPersonal("learning | resource | tip"),
    "mentoring_sessions.SharedLearning.status": NotPersonal("a state"),
    "mentoring_sessions.SharedLearning.title": Personal("the person's learnings are deleted", retention=RETENTION),
    "mentoring_sessions.SharedLearning.body": Personal("the person's learnings are deleted", retention=RETENTION),
    "mentoring_sessions.SharedLearning.link": Personal("the person's learnings are deleted", retention=RETENTION),
    "mentoring_sessions.SharedLearning.review_message": Personal("the person's learnings are deleted",
                                                                 retention="deleted with the learning, or emptied"),
}


def export(employee, user) -> dict:
    if employee is None:
        return {}
    return {"my_shared_learnings": [
        {"title": item.title, "text": item.body, "link": item.link, "kind": item.kind, "anonymous": item.anonymous,
         "status": item.status, "message_from_the_coordinators": item.review_message,
         "shared": item.created_at.isoformat()}
        for item in SharedLearning.objects.filter(author=employee).order_by("created_at")]}


def erase(employee, user) -> None:
    if employee is not None:
        SharedLearning.objects.filter(author=employee).delete()


def purge(cutoff) -> int:
    ended = Q(programme_id__in=ended_before(cutoff))
    count = SharedLearning.objects.filter(ended).exclude(status=SharedLearning.Status.PUBLISHED).delete()[0]
    count += (SharedLearning.objects.filter(ended, status=SharedLearning.Status.PUBLISHED)
              .filter(Q(author__isnull=False) | Q(pair__isnull=False) | ~Q(review_message=""))
              .update(author=None, pair=None, anonymous=True, review_message=""))
    return count
