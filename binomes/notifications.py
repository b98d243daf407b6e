"""Messages of the pairing, sent through the outbox.

A key names what a message is about and the moment it refers to (``pair:12:confirmed:mentor``,
``shortlist:3:reminder:<expiry>``), never the time a service or planner ran, so a second call
changes nothing. No message quotes a reason given when declining or ending: those are private
to the person who wrote them and the programme team.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binomes.models import ChemistryMeeting, Pair, Shortlist
from mentorat.core import outbox
from mentorat.core.models import User

# Others to tell when a pair ends, besides its two members (the senior's delegate, filled in by
# the sessions app): provider(pair) -> users.
PAIR_WATCHERS: list[Callable[[Pair], Iterable[User]]] = []


def _pair(key):
    return Pair.objects.select_related("programme", "mentor__employee", "mentee__employee").filter(pk=key.split(":")[1]).first()


def render_proposal(notification):
    pair = _pair(notification.object_key)
    if pair is None or pair.status != Pair.Status.PUBLISHED:
        return None
    text = _(
        "Hello,\n\nThe reverse-mentoring programme “%(programme)s” proposes a pair: %(mentor)s (mentor) and %(mentee)s "
        "(mentee).\n\nMeet for a first, informal chemistry meeting, then each of you confirms or declines on this page:\n"
        "%(url)s\n\nPlease answer before %(date)s."
    ) % {"programme": pair.programme.name, "mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name,
         "url": settings.SITE_URL + reverse("binomes:pair", args=[pair.pk]),
         "date": outbox.day(pair.expires_at) if pair.expires_at else "—"}
    return outbox.Message(_("Reverse mentoring: meet your pair"), text)


def render_expired(notification):
    pair = _pair(notification.object_key)
    if pair is None or pair.status != Pair.Status.EXPIRED:
        return None
    text = _("Hello,\n\nThe pair proposal of “%(programme)s” was not confirmed in time and has expired. "
             "The programme team will get back to you.") % {"programme": pair.programme.name}
    return outbox.Message(_("Reverse mentoring: your pair proposal expired"), text)


def _pair_url(pair):
    return settings.SITE_URL + reverse("binomes:pair", args=[pair.pk])


def _role_name(role):
    return _("mentor") if role == "mentor" else _("mentee")


def _member(pair, role):
    return pair.mentor.employee if role == "mentor" else pair.mentee.employee


def _name_in(pair, user_id):
    """A member's name, or “the programme team” for anyone else (a coordinator, nobody)."""
    for role in ("mentor", "mentee"):
        if user_id is not None and _member(pair, role).user_id == user_id:
            return _member(pair, role).full_name
    return _("the programme team")


def render_answer(notification):
    """To the other member: ``pair:<pk>:confirmed:<role>`` or ``pair:<pk>:declined:<role>``."""
    _name, _pk, answer, role = notification.object_key.split(":")
    pair = _pair(notification.object_key)
    if pair is None or role not in ("mentor", "mentee"):
        return None
    who = _member(pair, role).full_name
    values = {"who": who, "role": _role_name(role), "programme": pair.programme.name, "url": _pair_url(pair)}
    if answer == "confirmed":
        if getattr(pair, f"{role}_confirmed_at") is None:
            return None
        if pair.status == Pair.Status.ACTIVE:
            text = _("Hello,\n\n%(who)s (%(role)s) confirmed your pair in “%(programme)s”: you have both confirmed, "
                     "so the pair is active. Your sessions are planned in your pair space:\n%(url)s") % values
            return outbox.Message(_("Reverse mentoring: your pair is active"), text)
        if pair.status != Pair.Status.PUBLISHED:
            return None
        text = _("Hello,\n\n%(who)s (%(role)s) confirmed your pair in “%(programme)s” after the chemistry meeting. "
                 "It becomes active when you confirm too (or decline, without blame):\n%(url)s") % values
        return outbox.Message(_("Reverse mentoring: %(who)s confirmed your pair") % {"who": who}, text)
    if answer == "declined":
        if pair.status != Pair.Status.DECLINED or pair.declined_by != role:
            return None
        # Never the reason: it is private to the one who declined and the programme team.
        text = _("Hello,\n\n%(who)s (%(role)s) declined the pair proposed in “%(programme)s”. Nobody is to blame: "
                 "the programme team will suggest another pair to you. There is nothing you need to do.") % values
        return outbox.Message(_("Reverse mentoring: the pair proposal was declined"), text)
    return None


def render_ended(notification):
    """To both members and the senior's delegate: ``pair:<pk>:ended``. Not the reason; the
    cancelling invitations of the future sessions come with the sessions' own e-mails."""
    pair = _pair(notification.object_key)
    if pair is None or pair.status not in (Pair.Status.ENDED, Pair.Status.COMPLETED):
        return None
    values = {"mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name,
              "programme": pair.programme.name, "url": _pair_url(pair)}
    employee = getattr(notification.recipient, "employee", None)
    member = employee is not None and pair.role_of(employee) is not None
    if pair.status == Pair.Status.COMPLETED:
        subject = _("Reverse mentoring: your pair has completed the programme")
        first = _("The pair %(mentor)s & %(mentee)s has completed the programme “%(programme)s”. Thank you both!") % values
    else:
        values["who"] = _name_in(pair, pair.ended_by_id)
        subject = _("Reverse mentoring: your pair has ended")
        first = _("The pair %(mentor)s & %(mentee)s of “%(programme)s” has ended early, without blame (ended by %(who)s).") % values
    if member:
        rest = _("The sessions still ahead are cancelled: each comes with its cancelling invitation, so that your "
                 "calendar removes it.") % values
        if pair.status == Pair.Status.ENDED:
            rest += " " + _("You can each be paired again.")
        rest += "\n" + values["url"]
    else:
        subject = _("Reverse mentoring: the pair of %(mentee)s has ended") % values
        rest = _("You book sessions for %(mentee)s: the sessions still ahead are cancelled, each with its cancelling "
                 "invitation. There is nothing more to book for this pair.") % values
    return outbox.Message(subject, _("Hello,\n\n%(first)s\n%(rest)s") % {"first": first, "rest": rest})


def _shortlist(key):
    return Shortlist.objects.select_related("programme", "mentee__employee").filter(pk=key.split(":")[1]).first()


def render_shortlist(notification):
    """To the senior: ``shortlist:<pk>:waiting`` at once, ``shortlist:<pk>:reminder:<expiry>`` once
    before it expires; nothing once they have chosen or it closed."""
    shortlist = _shortlist(notification.object_key)
    if shortlist is None or shortlist.closed_at is not None or shortlist.expires_at <= notification.due_at:
        return None
    parts = notification.object_key.split(":")
    reminder = parts[2] == "reminder"
    if reminder and parts[3] != shortlist.expires_at.strftime("%Y%m%dT%H%M%S"):
        return None  # an expiry that changed since
    values = {"programme": shortlist.programme.name, "n": len(shortlist.options),
              "date": outbox.when(shortlist.expires_at),
              "url": settings.SITE_URL + reverse("binomes:shortlist", args=[shortlist.pk])}
    if reminder:
        text = _("Hello,\n\nA reminder: your shortlist of mentors for “%(programme)s” is waiting for your choice until "
                 "%(date)s. After that, the programme team pairs you with the best match.\n%(url)s") % values
        return outbox.Message(_("Reverse mentoring: your shortlist closes soon"), text)
    text = _("Hello,\n\nThe programme “%(programme)s” offers you a shortlist of %(n)s junior mentors who fit what you "
             "want to learn. Choose the one you would like to meet, before %(date)s:\n%(url)s\n\n"
             "Without an answer by then, the programme team pairs you with the best match.") % values
    return outbox.Message(_("Reverse mentoring: choose your mentor from your shortlist"), text)


def _chemistry(key):
    return (ChemistryMeeting.objects.select_related("pair__programme", "pair__mentor__employee", "pair__mentee__employee",
                                                    "proposed_by").filter(pair_id=key.split(":")[1]).first())


def render_chemistry(notification):
    """To both members: ``chemistry:<pair>:v<sequence>``, the invitation (METHOD:REQUEST) to the
    chemistry meeting; the other member of the one who proposed it is told who did."""
    from binomes import chemistry_ics

    meeting = _chemistry(notification.object_key)
    if meeting is None or notification.object_key.rsplit(":", 1)[-1] != f"v{meeting.sequence}":
        return None  # moved again since: the newer invitation is another row
    pair = meeting.pair
    if meeting.cancelled:
        when = outbox.when(meeting.starts_at)
        text = _("Hello,\n\nThe chemistry meeting of %(when)s is cancelled: the pair proposal of “%(programme)s” no "
                 "longer awaits answers. The cancelling invitation is attached, so that your calendar removes it.") % {
            "when": when, "programme": pair.programme.name}
        return outbox.Message(_("Chemistry meeting cancelled: %(when)s") % {"when": when}, text,
                              [("invitation.ics", chemistry_ics.invitation(meeting), "text/calendar; method=CANCEL")])
    if pair.status != Pair.Status.PUBLISHED:
        return None
    proposer_id = meeting.proposed_by_id
    when = outbox.when(meeting.starts_at)
    values = {"when": when, "minutes": meeting.duration_minutes, "programme": pair.programme.name,
              "who": _name_in(pair, proposer_id), "url": _pair_url(pair)}
    if proposer_id is not None and proposer_id == notification.recipient.pk:
        text = _("Hello,\n\nYou proposed %(when)s (%(minutes)s minutes) for the chemistry meeting of “%(programme)s”. "
                 "The invitation is attached. Your pair page:\n%(url)s") % values
    elif meeting.sequence > 1:
        text = _("Hello,\n\n%(who)s proposes another time for your chemistry meeting of “%(programme)s”: %(when)s "
                 "(%(minutes)s minutes). The updated invitation is attached. Another time suits you better? "
                 "Propose it on your pair page:\n%(url)s") % values
    else:
        text = _("Hello,\n\n%(who)s invites you to the chemistry meeting of “%(programme)s”: %(when)s "
                 "(%(minutes)s minutes). The invitation is attached. Another time suits you better? "
                 "Propose it on your pair page:\n%(url)s") % values
    return outbox.Message(_("Reverse mentoring: chemistry meeting on %(when)s") % {"when": when}, text,
                          [("invitation.ics", chemistry_ics.invitation(meeting), "text/calendar; method=REQUEST")])


KINDS = [
    outbox.Kind("pair_proposal", gettext_lazy("A pair proposed to me"), True, render_proposal),
    outbox.Kind("pair_expired", gettext_lazy("A pair proposal that expired"), True, render_expired),
    outbox.Kind("pair_answered", gettext_lazy("The other member confirmed or declined our pair"), True, render_answer),
    outbox.Kind("pair_ended", gettext_lazy("A pair that ended"), True, render_ended, per_recipient=True),
    outbox.Kind("shortlist_waiting", gettext_lazy("A shortlist of mentors waiting for my choice"), True, render_shortlist,
                per_recipient=True),  # the closing time in the recipient's time zone
    outbox.Kind("chemistry_invitation", gettext_lazy("The chemistry meeting's invitation"), True, render_chemistry,
                per_recipient=True),
]


def notify_members(pair_ids, kind):
    for pair in Pair.objects.filter(pk__in=pair_ids).select_related("mentor__employee__user", "mentee__employee__user"):
        for member in (pair.mentor.employee, pair.mentee.employee):
            if member.user_id:
                outbox.notify(kind=kind, object_key=f"pair:{pair.pk}:{kind}", recipient=member.user)


def _users(pair):
    return {role: _member(pair, role).user for role in ("mentor", "mentee") if _member(pair, role).user_id}


def notify_answer(pair: Pair, *, role: str, answer: str) -> None:
    """The other member hears that ``role`` confirmed or declined (called on the change only: a
    second click, a minute later, queues nothing)."""
    other = "mentee" if role == "mentor" else "mentor"
    user = _users(pair).get(other)
    if user is not None:
        outbox.notify(kind="pair_answered", object_key=f"pair:{pair.pk}:{answer}:{role}", recipient=user)


def notify_ended(pair: Pair) -> None:
    """Both members and whoever watches the pair (the senior's delegate) hear that it ended."""
    recipients = list(_users(pair).values())
    for provider in PAIR_WATCHERS:
        recipients += [user for user in provider(pair) if user not in recipients]
    for user in recipients:
        outbox.notify(kind="pair_ended", object_key=f"pair:{pair.pk}:ended", recipient=user, due_at=pair.ended_at)


def shortlist_reminder_at(shortlist: Shortlist, created_at: datetime.datetime) -> datetime.datetime:
    """Two days before the shortlist closes, but never in its first half."""
    length = shortlist.expires_at - created_at
    return max(shortlist.expires_at - datetime.timedelta(days=2), created_at + length / 2)


def notify_shortlist(shortlist: Shortlist, *, created_at: datetime.datetime) -> None:
    """The senior hears at once, and once more before it closes (a row due then: no planner)."""
    user = shortlist.mentee.employee.user
    if user is None:
        return
    outbox.notify(kind="shortlist_waiting", object_key=f"shortlist:{shortlist.pk}:waiting", recipient=user,
                  due_at=created_at)
    outbox.notify(kind="shortlist_waiting", recipient=user, due_at=shortlist_reminder_at(shortlist, created_at),
                  object_key=f"shortlist:{shortlist.pk}:reminder:{shortlist.expires_at.strftime('%Y%m%dT%H%M%S')}")


def notify_chemistry(meeting: ChemistryMeeting) -> None:
    for user in _users(meeting.pair).values():
        outbox.notify(kind="chemistry_invitation", object_key=f"chemistry:{meeting.pair_id}:v{meeting.sequence}",
                      recipient=user, due_at=meeting.updated_at)
