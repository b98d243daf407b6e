"""What the sessions app holds on a person (see ``mentorat.core.privacy``). A member's download
has their pair's sessions and logs, their own ratings and notes — never the other member's notes."""

from django.db.models import Q

from programmes.privacy import ended_before
from sessions.models import (
    CalendarFeed,
    Commitment,
    Concern,
    Delegate,
    LearningGoal,
    MentoringSession,
    PrivateNote,
    SessionRating,
)


def export(employee, user) -> dict:
    if employee is None:
        return {}
    mine = Q(pair__mentor__employee=employee) | Q(pair__mentee__employee=employee)
    sessions = []
    for session in (MentoringSession.objects.filter(mine).select_related("pair", "pair__mentor", "log")
                    .prefetch_related("ratings").order_by("starts_at")):
        role = "mentor" if session.pair.mentor.employee_id == employee.pk else "mentee"
        log = getattr(session, "log", None)
        sessions.append({
            "starts": session.starts_at.isoformat(), "status": session.status, "theme": session.theme,
            "log": {"topics": log.topics, "learned": log.learned, "exercise": log.exercise, "next_step": log.next_step}
            if log else None,
            "my_rating": next(({"score": r.score, "comment": r.comment} for r in session.ratings.all() if r.role == role), None),
        })
    data = {
        "sessions": sessions,
        "learning_goals": [{"title": g.title, "status": g.status, "progress": g.progress}
                           for g in LearningGoal.objects.filter(mine)],
        "commitments": [{"text": c.text, "due": c.due_date.isoformat(), "status": c.status}
                        for c in Commitment.objects.filter(pair__mentee__employee=employee)],
    }
    if user is not None:
        data["my_private_notes"] = [{"written": n.created_at.isoformat(), "text": n.body}
                                    for n in PrivateNote.objects.filter(mine, author=user)]
        data["my_concerns_to_hr"] = [{"raised": c.created_at.isoformat(), "text": c.body}
                                     for c in Concern.objects.filter(raised_by=user)]
        data["calendar_feed"] = CalendarFeed.objects.filter(user=user).exists()
        data["delegate_for"] = [d.senior.full_name for d in Delegate.objects.filter(user=user).select_related("senior")]
    return data


def erase(employee, user) -> None:
    if user is not None:
        PrivateNote.objects.filter(author=user).delete()
        Concern.objects.filter(raised_by=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        Delegate.objects.filter(user=user).delete()
    Delegate.objects.filter(senior=employee).delete()
    SessionRating.objects.filter(session__pair__mentor__employee=employee, role="mentor").update(comment="")
    SessionRating.objects.filter(session__pair__mentee__employee=employee, role="mentee").update(comment="")


def purge(cutoff) -> int:
    ended = ended_before(cutoff)
    count = PrivateNote.objects.filter(pair__programme_id__in=ended).delete()[0]
    count += Concern.objects.filter(pair__programme_id__in=ended).delete()[0]
    count += SessionRating.objects.filter(~Q(comment=""), session__pair__programme_id__in=ended).update(comment="")
    from sessions.models import SessionLog

    count += (SessionLog.objects.filter(session__pair__programme_id__in=ended)
              .exclude(topics="", learned="", exercise="", next_step="")
              .update(topics="", learned="", exercise="", next_step=""))
    return count
