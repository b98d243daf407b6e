"""Demo data for pairing: a programme whose pairs are active, awaiting confirmation or declined. Idempotent."""

import datetime

from django.db import transaction

from binomes import services
from binomes.models import Pair
from mentorat.core.demo import DOMAIN
from mentorat.core.models import Employee, User
from programmes.models import Application, Programme, ProgrammeSponsor, Role
from programmes.services import ApplicationData, application_review, application_submit, programme_create, programme_transition

SLUG = "mentorat-inverse-2026"


@transaction.atomic
def seed(stdout):
    if Programme.objects.filter(slug=SLUG).exists():
        stdout.write(f"Demo programme {SLUG}: already there.")
        return
    coordinator = User.objects.get(email=f"claire.dubois@{DOMAIN}")
    programme = programme_create(
        actor=coordinator, name="Mentorat inversé 2026", slug=SLUG, start_date=datetime.date(2026, 5, 4),
        duration_months=12, cadence_weeks=3,
        description="Première promotion : dix dirigeants et leurs mentors juniors, sur l'IA générative et les réseaux sociaux.",
    )
    ProgrammeSponsor.objects.create(
        programme=programme, user=User.objects.get(email=f"philippe.garnier@{DOMAIN}"),
        message="Je veux que chaque membre du comité de direction apprenne de nos jeunes talents. Merci aux mentors.",
    )
    programme_transition(actor=coordinator, programme=programme, to=Programme.Status.ENROLMENT)
    lea = Employee.objects.get(email=f"lea.moreau@{DOMAIN}")
    bernard = Employee.objects.get(email=f"bernard.lefevre@{DOMAIN}")
    others = {lea.pk, bernard.pk, *Employee.objects.filter(email__in=[f"sophie.laurent@{DOMAIN}", f"philippe.garnier@{DOMAIN}",
                                                                     f"claire.dubois@{DOMAIN}"]).values_list("pk", flat=True)}
    juniors = [lea] + list(Employee.objects.present().filter(job_level=1).exclude(pk__in=others).order_by("-employee_id")[:7])
    seniors = [bernard] + list(Employee.objects.present().filter(job_level__in=[4, 5]).exclude(pk__in=others).order_by("-employee_id")[:6])
    domains = ["generative-ai", "social-media", "collaboration-tools", "agile-methods"]
    applications = {}
    for index, employee in enumerate(juniors):
        applications[employee.pk] = application_submit(
            employee=employee, programme=programme, role=Role.MENTOR, charter_accepted=True,
            data=ApplicationData(domains={domains[index % 4]: 3, domains[(index + 1) % 4]: 2}, availability=["tue-pm", "thu-am", "mon-am"],
                                 format="either", languages=["fr", "en"], motivation="Transmettre ce que je pratique chaque jour."),
        )
    for index, employee in enumerate(seniors):
        applications[employee.pk] = application_submit(
            employee=employee, programme=programme, role=Role.MENTEE, charter_accepted=True,
            data=ApplicationData(domains={domains[index % 4]: 3}, availability=["tue-pm", "thu-am"], format="either",
                                 languages=["fr"], desired_outcome="Pratiquer moi-même, sans déléguer."),
        )
    for application in applications.values():
        application_review(actor=coordinator, application=application, decision="approve")
    programme_transition(actor=coordinator, programme=programme, to=Programme.Status.PAIRING)
    services.pair_manual(actor=coordinator, programme=programme, mentor=applications[lea.pk], mentee=applications[bernard.pk])
    services.pairing_run(actor=coordinator, programme=programme)
    published_at = datetime.datetime(2026, 4, 20, 9, 0, tzinfo=datetime.UTC)
    services.pairs_publish(actor=coordinator, programme=programme, now=published_at)
    pairs = list(Pair.objects.filter(programme=programme).select_related("mentor__employee__user", "mentee__employee__user").order_by("pk"))
    confirm_at = published_at + datetime.timedelta(days=5)
    for index, pair in enumerate(pairs):
        if index == len(pairs) - 1:
            services.pair_decline(user=pair.mentee.employee.user, pair=pair, reason="Nos agendas ne se croisent pas.")
        elif index == len(pairs) - 2:
            Pair.objects.filter(pk=pair.pk).update(expires_at=datetime.datetime(2027, 12, 31, tzinfo=datetime.UTC))
            services.pair_confirm(user=pair.mentor.employee.user, pair=pair, now=confirm_at)
        else:
            services.pair_confirm(user=pair.mentor.employee.user, pair=pair, now=confirm_at)
            services.pair_confirm(user=pair.mentee.employee.user, pair=pair, now=confirm_at)
    programme_transition(actor=coordinator, programme=programme, to=Programme.Status.RUNNING)
    counts = {s: Pair.objects.filter(programme=programme, status=s).count() for s in ("active", "published", "declined")}
    stdout.write(f"Demo programme {SLUG}: running; pairs active {counts['active']}, awaiting {counts['published']}, "
                 f"declined {counts['declined']}.")
    assert Application.objects.filter(programme=programme).count() == len(applications)
