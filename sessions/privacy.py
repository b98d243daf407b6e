"""What the sessions app holds on a person (see ``mentorat.core.privacy``). A member's download
has their pair's sessions and logs, their own ratings and notes — never the other member's notes.

Erasure keeps every row (sessions, logs, ratings, goals, commitments: the KPIs count them) and
removes the text the person wrote: their logs, rating comments, goal titles, commitments, notes,
concerns, the reasons of their cancellations, the places and new-date reasons of their pairs'
sessions. What the other member wrote stays theirs, with the person's name replaced."""

from django.db.models import Q

from mentorat.core.privacy import ERASED_NAME, NotPersonal, Personal, identifiers_of
from programmes.privacy import PURGED, ended_before
from sessions.models import (
    CalendarFeed,
    Commitment,
    Concern,
    Delegate,
    GoalChange,
    LearningGoal,
    MentoringSession,
    PrivateNote,
    SessionChange,
    SessionLog,
    SessionRating,
)

ENCRYPTED = "scrubbed in Python for the person's pairs (encrypted at rest: no database search)"

FIELDS = {
    "mentoring_sessions.MentoringSession.uid": NotPersonal("a random UUID (iCalendar UID)"),
    "mentoring_sessions.MentoringSession.place_kind": NotPersonal("room | video"),
    "mentoring_sessions.MentoringSession.place": Personal("emptied for the person's pairs", retention=PURGED),
    "mentoring_sessions.MentoringSession.theme": Personal("scrubbed", retention=PURGED),
    "mentoring_sessions.MentoringSession.status": NotPersonal("a state (kept for the counts)"),
    "mentoring_sessions.MentoringSession.cancelled_by": NotPersonal("mentor | mentee | coordinator (kept for the counts)"),
    "mentoring_sessions.MentoringSession.cancel_reason": Personal("emptied where the person cancelled", retention=PURGED),
    "mentoring_sessions.MentoringSession.reschedule_reason": Personal("emptied for the person's pairs", retention=PURGED),
    "mentoring_sessions.SessionLog.topics": Personal("emptied where the person logged", retention=PURGED),
    "mentoring_sessions.SessionLog.learned": Personal("emptied where the person logged", retention=PURGED),
    "mentoring_sessions.SessionLog.exercise": Personal("emptied where the person logged", retention=PURGED),
    "mentoring_sessions.SessionLog.next_step": Personal("emptied where the person logged", retention=PURGED),
    "mentoring_sessions.SessionRating.role": NotPersonal("mentor | mentee"),
    "mentoring_sessions.SessionRating.comment": Personal("emptied on the person's side", retention=PURGED),
    "mentoring_sessions.PrivateNote.body": Personal("the person's notes are deleted; " + ENCRYPTED,
                                                    retention="deleted", scrub=False),
    "mentoring_sessions.LearningGoal.title": Personal("replaced by — where the person wrote it", retention=PURGED),
    "mentoring_sessions.LearningGoal.status": NotPersonal("a state (kept for the counts)"),
    "mentoring_sessions.SessionChange.kind": NotPersonal("moved | cancelled | reoffered | place"),
    "mentoring_sessions.SessionChange.actor_role": NotPersonal("mentor | mentee | delegate | coordinator"),
    "mentoring_sessions.SessionChange.reason": Personal("emptied for the person's pairs (like the sessions' reasons)",
                                                        retention=PURGED),
    "mentoring_sessions.GoalChange.role": NotPersonal("mentor | mentee: the side that moved the goal"),
    "mentoring_sessions.GoalChange.from_status": NotPersonal("a goal's state"),
    "mentoring_sessions.GoalChange.to_status": NotPersonal("a goal's state"),
    "mentoring_sessions.GoalChange.note": Personal("emptied where the person moved the goal; scrubbed of their name "
                                                   "in the other member's", retention=PURGED),
    "mentoring_sessions.Commitment.text": Personal("replaced by — (commitments are the senior's)", retention=PURGED),
    "mentoring_sessions.Commitment.status": NotPersonal("a state (kept for the counts)"),
    "mentoring_sessions.Concern.body": Personal("the person's concerns are deleted; " + ENCRYPTED,
                                                retention="deleted", scrub=False),
    "mentoring_sessions.CalendarFeed.token": NotPersonal("a random secret (the row is deleted with the account)"),
}


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
        "learning_goals": [{"title": g.title, "status": g.status, "progress": g.progress,
                            "moves": [{"when": c.changed_at.isoformat(),
                                       "by": "me" if c.role == _role(g.pair, employee) else "my pair",
                                       "progress": [c.from_progress, c.to_progress], "status": [c.from_status, c.to_status],
                                       "note": c.note} for c in g.changes.all()]}
                           for g in LearningGoal.objects.filter(mine).select_related("pair__mentor").prefetch_related("changes")],
        "commitments": [{"text": c.text, "due": c.due_date.isoformat(), "status": c.status}
                        for c in Commitment.objects.filter(pair__mentee__employee=employee)],
        "my_delegate": [{"name": d.user.get_full_name() or d.user.email, "email": d.user.email,
                         "since": d.created_at.isoformat()}
                        for d in Delegate.objects.filter(senior=employee).select_related("user")],
    }
    if user is not None:
        data["my_private_notes"] = [{"written": n.created_at.isoformat(), "text": n.body}
                                    for n in PrivateNote.objects.filter(mine, author=user)]
        data["my_concerns_to_hr"] = [{"raised": c.created_at.isoformat(), "text": c.body}
                                     for c in Concern.objects.filter(raised_by=user)]
        data["my_session_changes"] = [{"session": c.session.starts_at.isoformat(), "what": c.kind, "reason": c.reason,
                                       "when": c.created_at.isoformat()}
                                      for c in SessionChange.objects.filter(actor=user).select_related("session")]
        data["calendar_feed"] = CalendarFeed.objects.filter(user=user).exists()
        data["delegate_for"] = [d.senior.full_name for d in Delegate.objects.filter(user=user).select_related("senior")]
    return data


def _role(pair, employee) -> str:
    return "mentor" if pair.mentor.employee_id == employee.pk else "mentee"


def erase(employee, user) -> None:
    ids = identifiers_of(employee, user)
    as_mentor, as_mentee = Q(pair__mentor__employee=employee), Q(pair__mentee__employee=employee)
    theirs = as_mentor | as_mentee
    if user is not None:
        PrivateNote.objects.filter(author=user).delete()
        Concern.objects.filter(raised_by=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        Delegate.objects.filter(user=user).delete()
        SessionLog.objects.filter(logged_by=user).update(topics="", learned="", exercise="", next_step="")
        LearningGoal.objects.filter(created_by=user).update(title=ERASED_NAME)
    GoalChange.objects.filter(goal__pair__mentor__employee=employee, role="mentor").update(note="")
    GoalChange.objects.filter(goal__pair__mentee__employee=employee, role="mentee").update(note="")
    Delegate.objects.filter(senior=employee).delete()
    SessionRating.objects.filter(session__pair__mentor__employee=employee, role="mentor").update(comment="")
    SessionRating.objects.filter(session__pair__mentee__employee=employee, role="mentee").update(comment="")
    Commitment.objects.filter(as_mentee).update(text=ERASED_NAME)
    MentoringSession.objects.filter(theirs).update(place="", reschedule_reason="")
    SessionChange.objects.filter(session__in=MentoringSession.objects.filter(theirs)).update(reason="")
    MentoringSession.objects.filter(as_mentor, cancelled_by="mentor").update(cancel_reason="")
    MentoringSession.objects.filter(as_mentee, cancelled_by="mentee").update(cancel_reason="")
    in_their_pairs = Q(goal__pair__mentor__employee=employee) | Q(goal__pair__mentee__employee=employee)
    for change in GoalChange.objects.filter(in_their_pairs).exclude(note=""):
        if ids.mentions(change.note):
            change.note = ids.scrub(change.note)[:200]
            change.save(update_fields=["note"])
    # The other member's notes and concerns about the person: encrypted, so read and rewritten here.
    for model in (PrivateNote, Concern):
        for item in model.objects.filter(theirs):
            if ids.mentions(item.body):
                item.body = ids.scrub(item.body)
                item.save(update_fields=["body"])


def purge(cutoff) -> int:
    ended = ended_before(cutoff)
    in_ended = Q(session__pair__programme_id__in=ended)
    count = PrivateNote.objects.filter(pair__programme_id__in=ended).delete()[0]
    count += Concern.objects.filter(pair__programme_id__in=ended).delete()[0]
    count += SessionRating.objects.filter(~Q(comment=""), in_ended).update(comment="")
    count += (SessionLog.objects.filter(in_ended)
              .exclude(topics="", learned="", exercise="", next_step="")
              .update(topics="", learned="", exercise="", next_step=""))
    count += (MentoringSession.objects.filter(pair__programme_id__in=ended)
              .exclude(place="", theme="", cancel_reason="", reschedule_reason="")
              .update(place="", theme="", cancel_reason="", reschedule_reason=""))
    count += (SessionChange.objects.filter(session__pair__programme_id__in=ended).exclude(reason="")
              .update(reason=""))
    count += LearningGoal.objects.filter(pair__programme_id__in=ended).exclude(title=ERASED_NAME).update(title=ERASED_NAME)
    count += GoalChange.objects.filter(goal__pair__programme_id__in=ended).exclude(note="").update(note="")
    count += Commitment.objects.filter(pair__programme_id__in=ended).exclude(text=ERASED_NAME).update(text=ERASED_NAME)
    return count
