"""Messages of the pairing, sent through the outbox."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binomes.models import Pair
from mentorat.core import outbox


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
         "date": pair.expires_at.date() if pair.expires_at else "—"}
    return outbox.Message(_("Reverse mentoring: meet your pair"), text)


def render_expired(notification):
    pair = _pair(notification.object_key)
    if pair is None or pair.status != Pair.Status.EXPIRED:
        return None
    text = _("Hello,\n\nThe pair proposal of “%(programme)s” was not confirmed in time and has expired. "
             "The programme team will get back to you.") % {"programme": pair.programme.name}
    return outbox.Message(_("Reverse mentoring: your pair proposal expired"), text)


KINDS = [
    outbox.Kind("pair_proposal", gettext_lazy("A pair proposed to me"), True, render_proposal),
    outbox.Kind("pair_expired", gettext_lazy("A pair proposal that expired"), True, render_expired),
]


def notify_members(pair_ids, kind):
    for pair in Pair.objects.filter(pk__in=pair_ids).select_related("mentor__employee__user", "mentee__employee__user"):
        for member in (pair.mentor.employee, pair.mentee.employee):
            if member.user_id:
                outbox.notify(kind=kind, object_key=f"pair:{pair.pk}:{kind}", recipient=member.user)
