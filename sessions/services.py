"""Writes on sessions and on what belongs to a pair. Members act for themselves; a senior's
delegate may book and move the senior's sessions; coordinators may cancel. Private notes are for
the two members only, in every path."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from binomes.models import Pair
from mentorat.core.errors import ServiceError
from mentorat.core.models import User
from mentorat.core.selectors import employee_of
from mentorat.core.services import audit_log
from programmes.selectors import coordinates
from sessions import scheduling
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


class SessionError(ServiceError):
    pass


def holidays_between(countries: set[str], start: datetime.date, end: datetime.date) -> set[datetime.date]:
    """Public holidays of every country given (the members' sites), France when none is known."""
    result: set[datetime.date] = set()
    for country in countries or {"FR"}:
        try:
            result |= set(holidays_lib.country_holidays(country, years=range(start.year, end.year + 1)))
        except NotImplementedError:
            continue
    return result


def member_role(user: User, pair: Pair) -> str | None:
    """``mentor`` or ``mentee`` for the two members, None for anyone else."""
    employee = employee_of(user)
    return pair.role_of(employee) if employee is not None else None


def session_offers(*, session: MentoringSession, role: str | None, now: datetime.datetime) -> dict[str, bool]:
    """What a session's page offers, by the rules the services below enforce: before the start,
    to move it, set its place or cancel it; from the start, the members log it, then rate it once held;
    a cancelled session of an active pair may be offered again."""
    can_move = session.status == MentoringSession.Status.PLANNED and session.starts_at > now
    can_log = bool(role) and session.status != MentoringSession.Status.CANCELLED and session.starts_at <= now
    can_reoffer = session.status == MentoringSession.Status.CANCELLED and session.pair.status == Pair.Status.ACTIVE
    return {"can_move": can_move, "can_log": can_log, "can_rate": can_log and session.status == MentoringSession.Status.HELD,
            "can_reoffer": can_reoffer}


def acting_role(user: User, pair: Pair) -> str | None:
    """Like ``member_role``, plus ``delegate`` for the senior's named delegate."""
    role = member_role(user, pair)
    if role:
        return role
    from sessions.selectors import delegations_in_force

    if delegations_in_force(user=user).filter(senior_id=pair.mentee.employee_id).exists():
        return "delegate"
    return None


def _tz() -> ZoneInfo:
    return ZoneInfo(timezone.get_default_timezone_name())


@transaction.atomic
def sessions_schedule_pair(pair: Pair, now: datetime.datetime | None = None) -> list[MentoringSession]:
    """Plan an active pair's sessions from its activation (one week later, for a first meeting
    to be arranged) to the programme's end, at the programme's cadence, in the pair's slot, on
    working days of the members' sites. Themes follow the senior's learning priorities."""
    now = now or timezone.now()
    pair = Pair.objects.select_related("programme", "mentor__employee__site", "mentee__employee__site",
                                       "mentee__employee__user").get(pk=pair.pk)
    if pair.sessions.exists():
        return list(pair.sessions.all())
    programme = pair.programme
    activated = (pair.activated_at or now).astimezone(_tz()).date()
    start = max(programme.start_date, activated + datetime.timedelta(days=7))
    end = programme.end_date
    countries = {e.site.country for e in (pair.mentor.employee, pair.mentee.employee) if e.site}
    slot = scheduling.preferred_slot(pair.mentor.availability, pair.mentee.availability)
    dates = scheduling.plan(start=start, end=end, cadence_weeks=programme.cadence_weeks, slot=slot,
                            holidays=holidays_between(countries, start, end), tz=_tz(), now=pair.activated_at or now)
    # Themes are stored as text in the senior's language (they appear in both members' calendars).
    senior_user = pair.mentee.employee.user
    english = senior_user is not None and senior_user.language == "en"
    themes = [item.domain.name_en if english else item.domain.name_fr
              for item in pair.mentee.domain_items.select_related("domain").order_by("-weight", "domain__slug")]
    remote = "remote" in (pair.mentor.format, pair.mentee.format)
    same_site = pair.mentor.employee.site_id and pair.mentor.employee.site_id == pair.mentee.employee.site_id
    place_kind = MentoringSession.Place.ROOM if (same_site and not remote) else MentoringSession.Place.VIDEO
    sessions = [
        MentoringSession(pair=pair, starts_at=when, duration_minutes=programme.session_minutes, place_kind=place_kind,
                         theme=themes[index % len(themes)] if themes else "")
        for index, when in enumerate(dates)
    ]
    MentoringSession.objects.bulk_create(sessions)
    planned = list(pair.sessions.filter(starts_at__gt=now).select_related(*_SESSION_PEOPLE))
    from sessions.notifications import notify_planned

    notify_planned(planned)  # the day the pair starts, each session lands in the calendars
    return sessions


_SESSION_PEOPLE = ("pair__programme", "pair__mentor__employee__user", "pair__mentee__employee__user")


def notify_change(session: MentoringSession) -> None:
    from sessions.notifications import notify_change as notify

    notify(session)


def _record(session: MentoringSession, kind: str, *, user: User | None, role: str, reason: str = "",
            previous: datetime.datetime | None = None) -> None:
    """A line of the session's history, at its new SEQUENCE (what the e-mails and the page tell)."""
    SessionChange.objects.create(session=session, kind=kind, sequence=session.sequence, actor=user, actor_role=role,
                                 previous_starts_at=previous, starts_at=session.starts_at, reason=reason)


def date_guard(programme, start: datetime.date, end: datetime.date) -> str | None:
    """A programme's dates may not move so that planned or held sessions fall outside them."""
    outside = MentoringSession.objects.filter(pair__programme=programme).exclude(status=MentoringSession.Status.CANCELLED)
    tz = _tz()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    count = outside.filter(Q(starts_at__lt=lo) | Q(starts_at__gte=hi)).count()
    if count:
        from django.utils.translation import ngettext

        return ngettext("%(n)s session would fall outside the new dates: move or cancel it first.",
                        "%(n)s sessions would fall outside the new dates: move or cancel them first.", count) % {"n": count}
    return None


def _cancel_future(sessions, *, reason: str, now: datetime.datetime) -> int:
    """Cancel the planned sessions still ahead, on the coordinator's side, each member getting the
    cancelling invitation (METHOD:CANCEL) through the outbox, as for a session cancelled by hand."""
    count = 0
    for session in (sessions.filter(status=MentoringSession.Status.PLANNED, starts_at__gt=now)
                    .select_related("pair__mentor__employee", "pair__mentee__employee")):
        session.status = MentoringSession.Status.CANCELLED
        session.cancelled_by = "coordinator"
        session.cancel_reason = reason
        session.sequence += 1
        session.save(update_fields=["status", "cancelled_by", "cancel_reason", "sequence", "updated_at"])
        _record(session, SessionChange.Kind.CANCELLED, user=None, role="coordinator", reason=reason)
        notify_change(session)
        count += 1
    return count


def on_pair_end(pair: Pair) -> None:
    """A pair that ends cancels its future sessions (the invitations are withdrawn)."""
    _cancel_future(pair.sessions.all(), reason="pair ended", now=timezone.now())


def _future_of(programme):
    return MentoringSession.objects.filter(pair__programme=programme, pair__status=Pair.Status.ACTIVE)


def closing_preview(programme, now: datetime.datetime) -> list[str]:
    from django.utils.translation import ngettext

    count = _future_of(programme).filter(status=MentoringSession.Status.PLANNED, starts_at__gt=now).count()
    return [ngettext("%(n)s future session is cancelled; both members get the cancelling invitation.",
                     "%(n)s future sessions are cancelled; both members get the cancelling invitations.", count) % {"n": count}]


def on_programme_closed(programme, actor: User, now: datetime.datetime) -> dict[str, int]:
    """Closing a programme cancels the sessions still ahead (before the pairs end: counted here)."""
    return {"sessions_cancelled": _cancel_future(_future_of(programme), reason="programme closed", now=now)}


def _lock(session: MentoringSession) -> MentoringSession:
    return MentoringSession.objects.select_for_update().select_related("pair__programme", "pair__mentor__employee",
                                                                       "pair__mentee__employee").get(pk=session.pk)


@transaction.atomic
def session_reschedule(*, user: User, session: MentoringSession, starts_at: datetime.datetime, reason: str,
                       now: datetime.datetime | None = None) -> MentoringSession:
    """Move a planned session within its cadence window (after the previous session, before the
    next one, on a working day, in the future), with a reason. Members or the senior's delegate."""
    now = now or timezone.now()
    session = _lock(session)
    role = acting_role(user, session.pair)
    if role is None:
        raise SessionError(_("Only the two members of the pair, or the senior's delegate, can move a session."))
    if session.status != MentoringSession.Status.PLANNED:
        raise SessionError(_("Only a planned session can be moved."))
    if not reason.strip():
        raise SessionError(_("Give a reason for the change."), "reason")
    _check_new_time(session, starts_at, now)
    previous = session.starts_at
    session.starts_at = starts_at
    session.reschedule_reason = reason.strip()
    session.rescheduled_by = user
    session.sequence += 1
    session.save(update_fields=["starts_at", "reschedule_reason", "rescheduled_by", "sequence", "updated_at"])
    _record(session, SessionChange.Kind.MOVED, user=user, role=role, reason=reason.strip(), previous=previous)
    notify_change(session)
    return session


@transaction.atomic
def session_reoffer(*, user: User, session: MentoringSession, starts_at: datetime.datetime, reason: str = "",
                    now: datetime.datetime | None = None) -> MentoringSession:
    """Offer a cancelled session again at a new time (same rules as a move): it is planned again,
    with the same UID and a higher SEQUENCE, so calendars put it back; the others are told the new
    date. Members or the senior's delegate, while the pair is active."""
    now = now or timezone.now()
    session = _lock(session)
    role = acting_role(user, session.pair)
    if role is None:
        raise SessionError(_("Only the two members of the pair, or the senior's delegate, can offer a session again."))
    if session.status != MentoringSession.Status.CANCELLED or session.pair.status != Pair.Status.ACTIVE:
        raise SessionError(_("Only a cancelled session of an active pair can be offered again."))
    _check_new_time(session, starts_at, now)
    previous = session.starts_at
    session.starts_at = starts_at
    session.status = MentoringSession.Status.PLANNED
    session.cancelled_by, session.cancel_reason = "", ""  # the cancellation stays in the history
    session.rescheduled_by = user
    session.reschedule_reason = reason.strip()
    session.sequence += 1
    session.save(update_fields=["starts_at", "status", "cancelled_by", "cancel_reason", "rescheduled_by",
                                "reschedule_reason", "sequence", "updated_at"])
    _record(session, SessionChange.Kind.REOFFERED, user=user, role=role, reason=reason.strip(), previous=previous)
    notify_change(session)
    return session


def _check_new_time(session: MentoringSession, starts_at: datetime.datetime, now: datetime.datetime) -> None:
    """A new time for a session: in the future, within its cadence window (after the previous
    session, before the next one, before the programme's end), on a working day of both sites."""
    if starts_at <= now:
        raise SessionError(_("Choose a moment in the future."), "starts_at")
    siblings = session.pair.sessions.exclude(pk=session.pk).exclude(status=MentoringSession.Status.CANCELLED)
    previous = siblings.filter(starts_at__lt=session.starts_at).order_by("-starts_at").first()
    following = siblings.filter(starts_at__gt=session.starts_at).order_by("starts_at").first()
    low, high = scheduling.reschedule_window(previous.starts_at if previous else None,
                                             following.starts_at if following else None, session.pair.programme.end_date)
    day = starts_at.astimezone(_tz()).date()
    if (low and day < low) or day > high:
        raise SessionError(_("Keep the rhythm: choose a day between %(low)s and %(high)s.")
                           % {"low": low or "—", "high": high}, "starts_at")
    countries = {e.site.country for e in (session.pair.mentor.employee, session.pair.mentee.employee) if e.site_id}
    if not scheduling.is_working_day(day, holidays_between(countries, day, day)):
        raise SessionError(_("%(day)s is not a working day.") % {"day": day}, "starts_at")


def _is_web_link(value: str) -> bool:
    """An http(s) address with a host and nothing a link must not hold (what becomes the Join button)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return False
    return True


@transaction.atomic
def session_set_place(*, user: User, session: MentoringSession, place_kind: str, place: str,
                      theme: str | None = None) -> MentoringSession:
    """Where the pair meets (a neutral meeting room, or a video link) and what the session is about
    (members only: ``theme`` None keeps it, as for the senior's delegate, who never sets it)."""
    session = _lock(session)
    role = acting_role(user, session.pair)
    if role is None:
        raise SessionError(_("Only the two members of the pair, or the senior's delegate, can change a session."))
    if session.status != MentoringSession.Status.PLANNED:
        raise SessionError(_("Only a planned session can be changed."))
    if place_kind not in MentoringSession.Place.values:
        raise SessionError(_("Choose a meeting room or a video call."), "place_kind")
    if place_kind == MentoringSession.Place.VIDEO and place.strip() and not _is_web_link(place.strip()):
        raise SessionError(_("A video link starts with https://."), "place")
    if theme is not None and member_role(user, session.pair) is None:
        raise SessionError(_("The theme is the pair's: only its two members set it."), "theme")
    session.place_kind, session.place = place_kind, place.strip()
    if theme is not None:
        session.theme = theme.strip()
    session.sequence += 1
    session.save(update_fields=["place_kind", "place", "theme", "sequence", "updated_at"])
    _record(session, SessionChange.Kind.PLACE, user=user, role=role)
    notify_change(session)
    return session


@transaction.atomic
def session_cancel(*, user: User, session: MentoringSession, reason: str) -> MentoringSession:
    """Cancel a planned session; who cancelled (which side) and why are kept for follow-through."""
    session = _lock(session)
    role = acting = acting_role(user, session.pair)
    if role == "delegate":
        role = "mentee"  # the delegate acts for the senior: it counts on the senior's side
    if role is None and coordinates(user, session.pair.programme_id):
        role = acting = "coordinator"
    if role is None:
        raise SessionError(_("Only the members of the pair can cancel a session."))
    if session.status != MentoringSession.Status.PLANNED:
        raise SessionError(_("Only a planned session can be cancelled."))
    if not reason.strip():
        raise SessionError(_("Give a reason for the cancellation."), "reason")
    session.status = MentoringSession.Status.CANCELLED
    session.cancelled_by = role
    session.cancel_reason = reason.strip()
    session.sequence += 1
    session.save(update_fields=["status", "cancelled_by", "cancel_reason", "sequence", "updated_at"])
    _record(session, SessionChange.Kind.CANCELLED, user=user, role=acting, reason=reason.strip())
    notify_change(session)
    return session


@dataclass
class LogData:
    held: bool
    actual_minutes: int | None = None
    topics: str = ""
    learned: str = ""
    exercise: str = ""
    next_step: str = ""


@transaction.atomic
def session_log(*, user: User, session: MentoringSession, data: LogData, now: datetime.datetime | None = None) -> SessionLog:
    """Either member logs a past session (held or not); the session's status follows."""
    now = now or timezone.now()
    session = _lock(session)
    if member_role(user, session.pair) is None:
        raise SessionError(_("Only the two members of the pair can log a session."))
    if session.status == MentoringSession.Status.CANCELLED:
        raise SessionError(_("A cancelled session cannot be logged."))
    if session.starts_at > now:
        raise SessionError(_("A session is logged once it has started."))
    if data.held and not data.actual_minutes:
        raise SessionError(_("Say how long the session lasted."), "actual_minutes")
    log, _created = SessionLog.objects.update_or_create(session=session, defaults={
        "held": data.held, "actual_minutes": data.actual_minutes if data.held else None, "topics": data.topics.strip(),
        "learned": data.learned.strip(), "exercise": data.exercise.strip(), "next_step": data.next_step.strip(),
        "logged_by": user,
    })
    session.status = MentoringSession.Status.HELD if data.held else MentoringSession.Status.MISSED
    session.save(update_fields=["status", "updated_at"])
    return log


# Filled by higher apps (evaluation): ``locked(rating) -> bool``, true once a rating joined published
# figures, after which changing it would reveal one person's new score by before/after.
RATING_LOCKS: list = []


@transaction.atomic
def session_rate(*, user: User, session: MentoringSession, score: int, comment: str = "") -> SessionRating:
    role = member_role(user, session.pair)
    if role is None:
        raise SessionError(_("Only the two members of the pair can rate a session."))
    if session.status != MentoringSession.Status.HELD:
        raise SessionError(_("Rate a session once it is logged as held."))
    if score not in (1, 2, 3, 4, 5):
        raise SessionError(_("A rating goes from 1 to 5."), "score")
    existing = SessionRating.objects.filter(session=session, role=role).first()
    if existing is not None and any(locked(existing) for locked in RATING_LOCKS):
        raise SessionError(_("Your rating is part of the programme's published figures: it can no longer change."))
    rating, _created = SessionRating.objects.update_or_create(session=session, role=role,
                                                             defaults={"score": score, "comment": comment.strip()})
    return rating


def _member_only(user: User, pair: Pair) -> str:
    role = member_role(user, pair)
    if role is None:
        raise SessionError(_("Only the two members of the pair can do this."))
    return role


def note_add(*, user: User, pair: Pair, body: str) -> PrivateNote:
    """A private note: the two members read and write it; nobody else, in any path."""
    _member_only(user, pair)
    if not body.strip():
        raise SessionError(_("The note is empty."), "body")
    return PrivateNote.objects.create(pair=pair, author=user, body=body.strip())


def _author_only(user: User, note: PrivateNote) -> None:
    _member_only(user, note.pair)
    if note.author_id != user.pk:
        raise SessionError(_("Only the author of a note can change or delete it."))


@transaction.atomic
def note_update(*, user: User, note: PrivateNote, body: str) -> PrivateNote:
    """The author rewrites their note (still a member of the pair); nobody else."""
    _author_only(user, note)
    if not body.strip():
        raise SessionError(_("The note is empty."), "body")
    note.body = body.strip()
    note.save(update_fields=["body", "updated_at"])
    return note


@transaction.atomic
def note_delete(*, user: User, note: PrivateNote) -> None:
    """The author deletes their note (the view asks for a confirmation first); nobody else."""
    _author_only(user, note)
    note.delete()


@transaction.atomic
def goal_save(*, user: User, pair: Pair, title: str, domain=None, status: str = LearningGoal.Status.OPEN,
              progress: int = 0, goal: LearningGoal | None = None) -> LearningGoal:
    """Goals are co-written: either member creates or updates them. A change of an existing goal's
    progress or status is kept in its history, as ``goal_move`` keeps it."""
    role = _member_only(user, pair)
    if goal is not None and goal.pair_id != pair.pk:
        raise SessionError(_("This goal belongs to another pair."))
    if not title.strip():
        raise SessionError(_("Name the goal."), "title")
    status, progress = _goal_values(status=status, progress=progress)
    if goal is None:
        goal = LearningGoal(pair=pair, created_by=user)
    else:
        goal = LearningGoal.objects.select_for_update().get(pk=goal.pk)
        _goal_record(goal=goal, user=user, role=role, status=status, progress=progress)
    goal.title, goal.domain, goal.status, goal.progress = title.strip(), domain, status, progress
    goal.save()
    return goal


def _goal_values(*, status: str, progress) -> tuple[str, int]:
    if status not in LearningGoal.Status.values:
        raise SessionError(_("Choose a status from the list."), "status")
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise SessionError(_("Progress goes from 0 to 100 %."), "progress")
    if status == LearningGoal.Status.ACHIEVED:
        progress = 100
    elif status == LearningGoal.Status.OPEN and progress > 0:
        status = LearningGoal.Status.IN_PROGRESS  # some progress: the goal has started
    return status, progress


def _goal_record(*, goal: LearningGoal, user: User, role: str, status: str, progress: int, note: str = "",
                 now: datetime.datetime | None = None) -> GoalChange | None:
    if (goal.status, goal.progress) == (status, progress):
        return None
    return GoalChange.objects.create(goal=goal, changed_by=user, role=role, changed_at=now or timezone.now(),
                                     from_progress=goal.progress, to_progress=progress,
                                     from_status=goal.status, to_status=status, note=note.strip())


@transaction.atomic
def goal_move(*, user: User, goal: LearningGoal, progress: int, status: str, note: str = "",
              now: datetime.datetime | None = None) -> GoalChange:
    """Either member moves an existing goal (progress 0–100 %, status), with an optional word on
    what moved it; the move is kept (who, from what to what, when). Not the senior's delegate, not
    coordinators. Some progress starts a goal still "to start"; "achieved" fills the bar. A move
    that changes nothing is refused, so the history holds only real moves."""
    goal = LearningGoal.objects.select_for_update().select_related("pair__mentor", "pair__mentee").get(pk=goal.pk)
    role = _member_only(user, goal.pair)
    if len(note.strip()) > 200:
        raise SessionError(_("Keep the note under 200 characters."), "note")
    status, progress = _goal_values(status=status, progress=progress)
    change = _goal_record(goal=goal, user=user, role=role, status=status, progress=progress, note=note, now=now)
    if change is None:
        raise SessionError(_("Nothing changed: move the progress or the status."), "progress")
    goal.status, goal.progress = status, progress
    goal.save(update_fields=["status", "progress", "updated_at"])
    return change


def commitment_add(*, user: User, pair: Pair, text: str, due_date: datetime.date, session=None) -> Commitment:
    """The senior commits to change something by a date (within the programme)."""
    if member_role(user, pair) != "mentee":
        raise SessionError(_("Commitments are the senior's."))
    if not text.strip():
        raise SessionError(_("Say what you will change."), "text")
    if due_date > pair.programme.end_date:
        raise SessionError(_("Choose a date before the end of the programme (%(end)s).") % {"end": pair.programme.end_date}, "due_date")
    return Commitment.objects.create(pair=pair, text=text.strip(), due_date=due_date, session=session)


def commitment_set_status(*, user: User, commitment: Commitment, status: str) -> Commitment:
    _member_only(user, commitment.pair)
    if status not in Commitment.Status.values:
        raise SessionError(_("Unknown status."), "status")
    commitment.status = status
    commitment.save(update_fields=["status", "updated_at"])
    return commitment


@transaction.atomic
def concern_raise(*, user: User, pair: Pair, body: str) -> Concern:
    """The junior writes to the HR contacts the programme names (the names shown beside the box):
    they are recorded as the concern's recipients and get an e-mail without the text. The senior
    never sees it, nor does any other coordinator or administrator. Refused while nobody is named."""
    if member_role(user, pair) != "mentor":
        raise SessionError(_("This channel is the junior mentor's."))
    if not body.strip():
        raise SessionError(_("Write what worries you."), "body")
    from sessions.selectors import concern_contacts_of

    contacts = concern_contacts_of(programme=pair.programme)
    if not contacts:
        raise SessionError(_("No HR contact is named for concerns in this programme yet: ask the programme's coordinators."))
    concern = Concern.objects.create(pair=pair, raised_by=user, body=body.strip())
    concern.recipients.set(contacts)
    from sessions.notifications import notify_concern

    notify_concern(concern, contacts)
    return concern


@transaction.atomic
def concern_handle(*, actor: User, concern: Concern) -> Concern:
    """A named contact who received the concern marks it handled (audited, without its text)."""
    from sessions.selectors import concerns_for_contact

    if not concerns_for_contact(user=actor).filter(pk=concern.pk).exists():
        raise SessionError(_("Only the HR contacts the concern was sent to handle it."))
    concern.handled_at = timezone.now()
    concern.save(update_fields=["handled_at"])
    audit_log(actor=actor, action="concern.handled", target=str(concern.pk))
    return concern


def delegate_set(*, user: User, email: str) -> Delegate | None:
    """A senior (the mentee of an active pair: ``selectors.is_senior``) names, or with an empty
    address removes, the person who may move their sessions. Anyone else is refused on ``email``,
    except that a delegate already named may always be removed (the pair may have ended since)."""
    from sessions.selectors import is_senior

    employee = employee_of(user)
    if employee is None:
        raise SessionError(_("Only employees can name a delegate."))
    before = Delegate.objects.filter(senior=employee).select_related("user").first()
    if not (before is not None and not email.strip()) and not is_senior(user=user):
        raise SessionError(_("Only a senior, the mentee of an active pair, can name a delegate for their sessions."),
                           "email")
    if not email.strip():
        Delegate.objects.filter(senior=employee).delete()
        _delegate_changed(employee, old=before.user if before else None, new=None)
        return None
    from mentorat.core.auth import present_users

    delegate = present_users().filter(email__iexact=email.strip()).first()  # not someone who has left
    if delegate is None:
        raise SessionError(_("Nobody who can log in has this e-mail address."), "email")
    if delegate == user:
        raise SessionError(_("Name someone else."), "email")
    obj, _created = Delegate.objects.update_or_create(senior=employee, defaults={"user": delegate})
    _delegate_changed(employee, old=before.user if before else None, new=delegate)
    return obj


def _delegate_changed(senior, *, old: User | None, new: User | None) -> None:
    """The senior's sessions ahead leave the former delegate's calendar (cancellations) and reach
    the new one's (invitations), as if named at the start. Nothing when the delegate is the same."""
    if old == new:
        return
    from sessions.notifications import notify_planned, notify_uninvited

    ahead = list(MentoringSession.objects.filter(pair__mentee__employee=senior, pair__status=Pair.Status.ACTIVE,
                                                 status=MentoringSession.Status.PLANNED, starts_at__gt=timezone.now())
                 .select_related(*_SESSION_PEOPLE))
    if old is not None:
        notify_uninvited(ahead, user=old)
    if new is not None:
        notify_planned(ahead, users=[new])


def feed_get(*, user: User) -> CalendarFeed:
    return CalendarFeed.objects.get_or_create(user=user)[0]


def feed_revoke(*, user: User) -> CalendarFeed:
    """A new secret: the old subscription URL stops working at once."""
    from sessions.models import new_feed_token

    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "created_at"])
    return feed
