"""What the pairing holds on a person (see ``mentorat.core.privacy``)."""

from django.db.models import Q

from binomes.models import Pair
from mentorat.core.privacy import NotPersonal, Personal
from programmes.privacy import PURGED, ended_before

SCORES = NotPersonal("numbers computed by the pairing engine (scores per criterion, application ids), no free text")

FIELDS = {
    "binomes.PairingSettings.mode": NotPersonal("a setting"),
    "binomes.Pair.status": NotPersonal("a state (kept for the counts)"),
    "binomes.Pair.source": NotPersonal("how the pair was made"),
    "binomes.Pair.breakdown": SCORES,
    "binomes.Pair.declined_by": NotPersonal("mentor | mentee"),
    "binomes.Pair.decline_reason": Personal("emptied for the person's pairs", retention=PURGED),
    "binomes.Pair.end_reason": Personal("emptied for the person's pairs", retention=PURGED),
    "binomes.Shortlist.options": SCORES,
    "binomes.PairingRunReport.unpaired": SCORES,
}


def export(employee, user) -> dict:
    if employee is None:
        return {}
    rows = []
    for pair in (Pair.objects.filter(Q(mentor__employee=employee) | Q(mentee__employee=employee))
                 .exclude(status__in=[Pair.Status.PROPOSED, Pair.Status.DISCARDED])
                 .select_related("programme", "mentor__employee", "mentee__employee")):
        role = pair.role_of(employee)
        other = pair.mentee.employee if role == "mentor" else pair.mentor.employee
        rows.append({"programme": pair.programme.name, "role": role, "with": other.full_name, "status": pair.status,
                     "published": pair.published_at.isoformat() if pair.published_at else None,
                     "active_from": pair.activated_at.isoformat() if pair.activated_at else None,
                     "ended": pair.ended_at.isoformat() if pair.ended_at else None,
                     # The reason is the decliner's own: shown only to them.
                     "my_decline_reason": pair.decline_reason if pair.declined_by == role else ""})
    return {"pairs": rows}


def erase(employee, user) -> None:
    Pair.objects.filter(Q(mentor__employee=employee) | Q(mentee__employee=employee)).update(decline_reason="", end_reason="")


def purge(cutoff) -> int:
    ended = ended_before(cutoff)
    return Pair.objects.filter(~Q(decline_reason="") | ~Q(end_reason=""), programme_id__in=ended).update(
        decline_reason="", end_reason="")
