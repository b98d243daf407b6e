"""What the programmes app holds on a person (see ``mentorat.core.privacy``)."""

from django.db.models import Q

from programmes.models import Application, Programme, ProgrammeSponsor, TrainingCompletion


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
    if user is not None:
        data["sponsorships"] = [{"programme": s.programme.name, "message": s.message}
                                for s in ProgrammeSponsor.objects.filter(user=user).select_related("programme")]
    return data


def erase(employee, user) -> None:
    Application.objects.filter(employee=employee).update(motivation="", desired_outcome="", review_message="",
                                                         availability=[], languages=[])
    if user is not None:
        ProgrammeSponsor.objects.filter(user=user).update(message="")


def ended_before(cutoff) -> list[int]:
    """Closed programmes whose end date is before ``cutoff``: their personal content is due for removal."""
    return [p.pk for p in Programme.objects.filter(status=Programme.Status.CLOSED) if p.end_date < cutoff]


def purge(cutoff) -> int:
    ended = ended_before(cutoff)
    return Application.objects.filter(~Q(motivation="") | ~Q(desired_outcome="") | ~Q(review_message=""),
                                      programme_id__in=ended).update(motivation="", desired_outcome="", review_message="")
