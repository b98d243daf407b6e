"""What closing a programme does to evaluation: its surveys close (no more invitations, reminders
or answers) and each member of a completed pair is told their certificate of participation is
ready, when the pair met (at least one session held: ``selectors.certified_pairs``). Registered
in ``programmes.services.CLOSE_HOOKS`` from ``EvaluationConfig.ready``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from binomes.models import Pair
from evaluation.selectors import certified_pairs, held_a_session
from mentorat.core import outbox
from programmes.models import Programme


def _members(pair: Pair) -> list:
    return [employee.user for employee in (pair.mentor.employee, pair.mentee.employee) if employee.user_id]


def surveys_preview(programme: Programme, now: datetime.datetime) -> list[str]:
    count = programme.surveys.filter(is_active=True).count()
    return [ngettext("%(n)s survey closes: no more invitations, reminders or answers.",
                     "%(n)s surveys close: no more invitations, reminders or answers.", count) % {"n": count}]


def close_surveys(programme: Programme, actor, now: datetime.datetime) -> dict[str, int]:
    """Switch the programme's surveys off; invitations already queued are skipped at send time."""
    return {"surveys_closed": programme.surveys.filter(is_active=True).update(is_active=False)}


def _certified(programme: Programme):
    return certified_pairs(programme.pairs.all()).select_related("mentor__employee__user", "mentee__employee__user")


def certificates_preview(programme: Programme, now: datetime.datetime) -> list[str]:
    # Run before anything changed: the active pairs are about to complete.
    pairs = (programme.pairs.filter(status__in=[Pair.Status.ACTIVE, Pair.Status.COMPLETED]).annotate(met=held_a_session())
             .select_related("mentor__employee", "mentee__employee"))
    count = sum(len(_members(pair)) for pair in pairs if pair.met)
    lines = [ngettext("%(n)s certificate of participation is issued (one per member of each completed pair that held a "
                      "session), announced by e-mail.",
                      "%(n)s certificates of participation are issued (one per member of each completed pair that held a "
                      "session), announced by e-mail.", count) % {"n": count}]
    unmet = sum(1 for pair in pairs if not pair.met)
    if unmet:
        lines.append(ngettext("%(n)s pair never held a session: its members get no certificate.",
                              "%(n)s pairs never held a session: their members get no certificate.", unmet) % {"n": unmet})
    return lines


def issue_certificates(programme: Programme, actor, now: datetime.datetime) -> dict[str, int]:
    """After the pairs completed: each member of each completed pair that held a session is told
    (once: the outbox is unique per pair and recipient) where to print their certificate. A pair
    that never met gets none."""
    count = 0
    for pair in _certified(programme):
        for user in _members(pair):
            outbox.notify(kind="certificate_issued", object_key=f"certificate:{pair.pk}", recipient=user)
            count += 1
    return {"certificates": count}


def render_certificate(notification):
    pair = certified_pairs(Pair.objects.filter(pk=notification.object_key.split(":")[1])).select_related("programme").first()
    if pair is None:
        return None
    text = _("Hello,\n\n“%(programme)s” is over: thank you for taking part. Your certificate of participation is "
             "ready to print: %(url)s") % {"programme": pair.programme.name,
                                             "url": settings.SITE_URL + reverse("evaluation:certificate", args=[pair.pk])}
    return outbox.Message(_("Your certificate of participation"), text)


KIND = outbox.Kind("certificate_issued", gettext_lazy("Your certificate of participation, when a programme closes"), True,
                   render_certificate)


def steps():
    from programmes.services import ClosingStep

    return [ClosingStep(order=30, preview=surveys_preview, run=close_surveys),
            ClosingStep(order=40, preview=certificates_preview, run=issue_certificates)]
