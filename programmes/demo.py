"""Demo data for programmes: an open programme with applications in every state. Idempotent."""

import datetime

from django.db import transaction

from mentorat.core.demo import DOMAIN
from mentorat.core.models import Employee, User
from programmes.models import Application, CoordinatorAssignment, Objective, Programme, ProgrammeSponsor, Role, TrainingModule
from programmes.services import ApplicationData, application_review, application_submit, programme_create, programme_transition

SLUG = "mentorat-inverse-2027"

SPONSOR_MESSAGE = (
    "Nos collègues les plus jeunes voient avant nous ce qui change dans nos métiers. "
    "Je compte sur chaque dirigeant de ce programme pour accepter de ne pas savoir, écouter et essayer. "
    "— Sophie Laurent, directrice marketing"
)
SPONSOR_MESSAGE_EN = (
    "Our youngest colleagues see before we do what is changing in our jobs. "
    "I count on every executive in this programme to accept not knowing, to listen and to try. "
    "— Sophie Laurent, Chief Marketing Officer"
)

# (employee id rank among juniors/seniors, role, domains, final status)
MENTOR_DOMAINS = [
    {"generative-ai": 3, "social-media": 2}, {"collaboration-tools": 3, "agile-methods": 2},
    {"social-media": 3, "generational-trends": 3}, {"cybersecurity": 2, "generative-ai": 2},
    {"diversity-inclusion": 3, "csr": 2}, {"agile-methods": 3}, {"generative-ai": 2, "collaboration-tools": 2},
    {"generational-trends": 2, "social-media": 2},
]
MENTEE_DOMAINS = [
    {"generative-ai": 3, "social-media": 1}, {"social-media": 3}, {"collaboration-tools": 2, "agile-methods": 3},
    {"generational-trends": 3, "diversity-inclusion": 2}, {"cybersecurity": 3}, {"generative-ai": 2, "csr": 2},
    {"agile-methods": 2}, {"social-media": 2, "generational-trends": 2},
]
STATUSES = ["approve", "approve", "approve", "approve", None, "waitlist", "decline", "withdraw"]
SLOTS = [["mon-am", "tue-pm", "thu-am"], ["tue-am", "wed-pm"], ["mon-pm", "thu-pm", "fri-am"], ["wed-am", "fri-am"]]


@transaction.atomic
def seed(stdout):
    if Programme.objects.filter(slug=SLUG).exists():
        stdout.write(f"Demo programme {SLUG}: already there.")
        return
    coordinator = User.objects.get(email=f"claire.dubois@{DOMAIN}")
    programme = programme_create(
        actor=coordinator, name="Mentorat inversé 2027", slug=SLUG, start_date=datetime.date(2027, 1, 11),
        duration_months=9, cadence_weeks=3, session_minutes=60,
        description="Des juniors volontaires accompagnent des dirigeants sur l'IA générative, les réseaux sociaux, "
                    "les nouveaux modes de travail et les attentes de leur génération.",
        description_en="Junior volunteers guide executives through generative AI, social media, new ways of working "
                       "and what their generation expects.",
    )
    programme.mentee_min_level = 4
    programme.mentor_max_level = 2
    programme.save()
    CoordinatorAssignment.objects.create(user=User.objects.get(email=f"julien.roche@{DOMAIN}"), programme=programme,
                                         granted_by=coordinator)
    Objective.objects.bulk_create([
        Objective(programme=programme, title="80 % des mentorés déclarent une progression",
                  title_en="80% of mentees report a skill gain", kpi="skill_gain_rate", target=80, order=1),
        Objective(programme=programme, title="90 % recommanderaient le programme",
                  title_en="90% would recommend the programme", kpi="recommendation_rate", target=90, order=2),
        Objective(programme=programme, title="75 % des séances prévues tenues",
                  title_en="75% of planned sessions held", kpi="session_completion", target=75, order=3),
    ])
    ProgrammeSponsor.objects.create(programme=programme, user=User.objects.get(email=f"sophie.laurent@{DOMAIN}"),
                                    message=SPONSOR_MESSAGE, message_en=SPONSOR_MESSAGE_EN)
    TrainingModule.objects.bulk_create([
        TrainingModule(programme=programme, audience="both", title="La charte et la confidentialité",
                       title_en="The charter and confidentiality", duration_minutes=20,
                       content="Ce qui se dit dans le binôme y reste ; pas d'évaluation du mentor.",
                       content_en="What is said in the pair stays there; the mentor is never assessed on it.", order=1),
        TrainingModule(programme=programme, audience="mentor", title="Animer une séance de mentorat inversé",
                       title_en="Running a reverse-mentoring session", duration_minutes=45,
                       content="Préparer un exercice pratique, partir des situations du mentoré.",
                       content_en="Prepare a hands-on exercise; start from the mentee's own situations.", order=2),
        TrainingModule(programme=programme, audience="mentee", title="Accepter de ne pas savoir",
                       title_en="Accepting not knowing", duration_minutes=30,
                       content="La posture d'apprenant, poser des questions, essayer entre les séances.",
                       content_en="The learner's stance: ask questions, try things out between sessions.", order=3),
    ])
    programme_transition(actor=coordinator, programme=programme, to=Programme.Status.ENROLMENT)
    programme.refresh_from_db()
    taken = {f"lea.moreau@{DOMAIN}", f"bernard.lefevre@{DOMAIN}", f"sophie.laurent@{DOMAIN}", f"claire.dubois@{DOMAIN}"}
    juniors = list(Employee.objects.present().filter(job_level__lte=2).exclude(email__in=taken).order_by("employee_id"))
    seniors = list(Employee.objects.present().filter(job_level__gte=4).exclude(email__in=taken).order_by("employee_id"))
    for index, status in enumerate(STATUSES):
        for role, people, domains in ((Role.MENTOR, juniors[::7], MENTOR_DOMAINS), (Role.MENTEE, seniors[::2], MENTEE_DOMAINS)):
            employee = people[index]
            application = application_submit(
                employee=employee, programme=programme, role=role, charter_accepted=True,
                data=ApplicationData(
                    domains=domains[index], availability=SLOTS[index % len(SLOTS)], format=["either", "onsite", "remote"][index % 3],
                    languages=["fr"] if index % 4 else ["fr", "en"], capacity=2 if index % 3 == 0 else 1,
                    motivation="Partager ce que j'utilise tous les jours et comprendre comment décident nos dirigeants.",
                    desired_outcome="Utiliser ces outils moi-même au quotidien et mieux comprendre mes équipes.",
                ),
            )
            if status == "withdraw":
                from programmes.services import application_withdraw

                application_withdraw(application=application)
            elif status:
                application_review(actor=coordinator, application=application, decision=status)
    lea = Employee.objects.get(email=f"lea.moreau@{DOMAIN}")
    application_submit(
        employee=lea, programme=programme, role=Role.MENTOR, charter_accepted=True,
        data=ApplicationData(domains={"social-media": 3, "generative-ai": 2}, availability=["tue-pm", "thu-am"],
                             format="either", languages=["fr", "en"], capacity=1,
                             motivation="Je gère les réseaux sociaux de la marque et j'aime expliquer."),
    )
    count = Application.objects.filter(programme=programme).count()
    stdout.write(f"Demo programme {SLUG}: enrolment open, {count} applications in every state.")
