"""What the programmes app holds on a person (see ``mentorat.core.privacy``)."""

from django.db.models import Q

from mentorat.core.privacy import NotPersonal, Personal
from programmes.models import Application, ManagerAcknowledgement, Programme, ProgrammeSponsor, TrainingCompletion

DESIGN = NotPersonal("the programme's design, written by coordinators for every participant")
PURGED = "emptied when the programme closed longer than the retention period ago"

FIELDS = {
    "programmes.LearningDomain.slug": DESIGN, "programmes.LearningDomain.name_fr": DESIGN,
    "programmes.LearningDomain.name_en": DESIGN,
    "programmes.Programme.name": DESIGN, "programmes.Programme.slug": DESIGN, "programmes.Programme.description": DESIGN,
    "programmes.Programme.description_en": DESIGN,
    "programmes.Programme.status": NotPersonal("a state"),
    "programmes.Objective.title": DESIGN, "programmes.Objective.title_en": DESIGN, "programmes.Objective.kpi": DESIGN,
    "programmes.Charter.text": DESIGN, "programmes.Charter.text_en": DESIGN,
    "programmes.Milestone.kind": DESIGN, "programmes.Milestone.title": DESIGN, "programmes.Milestone.title_en": DESIGN,
    "programmes.TrainingModule.audience": DESIGN, "programmes.TrainingModule.title": DESIGN,
    "programmes.TrainingModule.title_en": DESIGN, "programmes.TrainingModule.content": DESIGN,
    "programmes.TrainingModule.content_en": DESIGN, "programmes.TrainingModule.link": DESIGN,
    "programmes.ProgrammeSponsor.message": Personal("the sponsor's messages are emptied", retention=PURGED),
    "programmes.ProgrammeSponsor.message_en": Personal("the sponsor's messages are emptied", retention=PURGED),
    "programmes.Application.role": NotPersonal("mentor | mentee (kept for the counts)"),
    "programmes.Application.status": NotPersonal("a state (kept for the counts)"),
    "programmes.Application.format": NotPersonal("onsite | remote | either"),
    "programmes.Application.source": NotPersonal("form | import"),
    "programmes.Application.motivation": Personal("emptied", retention=PURGED),
    "programmes.Application.desired_outcome": Personal("emptied", retention=PURGED),
    "programmes.Application.review_message": Personal("emptied", retention=PURGED),
    "programmes.Application.availability": Personal("emptied", retention=PURGED),
    "programmes.Application.languages": Personal("emptied", retention=PURGED),
    "programmes.ManagerAcknowledgement.token": NotPersonal("a random secret of the acknowledgement link"),
}


def export(employee, user) -> dict:
    data = {}
    if employee is not None:
        data["applications"] = [{
            "programme": a.programme.name, "role": a.role, "status": a.status, "submitted": a.submitted_at.isoformat(),
            "motivation": a.motivation, "desired_outcome": a.desired_outcome, "availability": a.availability,
            "format": a.format, "languages": a.languages, "capacity": a.capacity,
            "domains": {item.domain.slug: item.weight for item in a.domain_items.all()},
            "charter_version": a.charter.version if a.charter else None,
            "message_from_the_coordinators": a.review_message,
        } for a in Application.objects.filter(employee=employee).select_related("programme", "charter")
            .prefetch_related("domain_items__domain")]
        data["training_completed"] = [{"module": c.module.title, "on": c.completed_at.isoformat()}
                                      for c in TrainingCompletion.objects.filter(employee=employee).select_related("module")]
        # The line manager's acknowledgement of the time a junior mentor gives, both ways: of the
        # person's applications, and those the person was asked for as a manager.
        data["manager_acknowledgements"] = [{
            "programme": ack.application.programme.name, "manager": ack.manager.full_name,
            "requested": ack.requested_at.isoformat(),
            "acknowledged": ack.acknowledged_at.isoformat() if ack.acknowledged_at else None,
        } for ack in ManagerAcknowledgement.objects.filter(application__employee=employee)
            .select_related("application__programme", "manager").order_by("requested_at")]
        data["acknowledgements_asked_of_me"] = [{
            "programme": ack.application.programme.name, "for": ack.application.employee.full_name,
            "requested": ack.requested_at.isoformat(),
            "acknowledged": ack.acknowledged_at.isoformat() if ack.acknowledged_at else None,
        } for ack in ManagerAcknowledgement.objects.filter(manager=employee)
            .select_related("application__programme", "application__employee").order_by("requested_at")]
    if user is not None:
        data["sponsorships"] = [{"programme": s.programme.name, "message": s.message, "message_en": s.message_en}
                                for s in ProgrammeSponsor.objects.filter(user=user).select_related("programme")]
    return data


def erase(employee, user) -> None:
    Application.objects.filter(employee=employee).update(motivation="", desired_outcome="", review_message="",
                                                         availability=[], languages=[])
    if user is not None:
        ProgrammeSponsor.objects.filter(user=user).update(message="", message_en="")


def ended_before(cutoff) -> list[int]:
    """Closed programmes whose end date is before ``cutoff``: their personal content is due for removal."""
    return [p.pk for p in Programme.objects.filter(status=Programme.Status.CLOSED) if p.end_date < cutoff]


def purge(cutoff) -> int:
    ended = ended_before(cutoff)
    count = Application.objects.filter(
        ~Q(motivation="") | ~Q(desired_outcome="") | ~Q(review_message="") | ~Q(availability=[]) | ~Q(languages=[]),
        programme_id__in=ended,
    ).update(motivation="", desired_outcome="", review_message="", availability=[], languages=[])
    count += ProgrammeSponsor.objects.filter(~Q(message="") | ~Q(message_en=""), programme_id__in=ended).update(
        message="", message_en="")
    return count
