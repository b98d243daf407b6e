"""Demo data for the evaluation: a pilot cohort (2025) that completed, with its surveys, ratings,
retention and promotions, and the running 2026 cohort's baseline, pulses and mid-point answers.
Deterministic and idempotent."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from binomes.models import Pair
from evaluation.models import Answer, Response, Testimonial
from evaluation.services import results_release_due, surveys_ensure
from mentorat.core.demo import DOMAIN
from mentorat.core.models import Employee, JobLevelChange, User
from programmes.models import (
    Application,
    ApplicationDomain,
    Charter,
    LearningDomain,
    Milestone,
    Objective,
    Programme,
    ProgrammeSponsor,
)
from sessions.models import Commitment, LearningGoal, MentoringSession, SessionLog, SessionRating

PILOT = "mentorat-inverse-pilote"
RUNNING = "mentorat-inverse-2026"
DOMAINS = ["generative-ai", "social-media", "collaboration-tools", "agile-methods"]


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _answer(rng, survey, pair, role, when, skill_base=None, session=None):
    """A believable response: seniors start around 2 and end around 4; most recommend."""
    employee = pair.mentor.employee if role == "mentor" else pair.mentee.employee
    response = Response.objects.create(survey=survey, respondent=employee, pair=pair, session=session, role=role,
                                       department_id=employee.department_id, site_id=employee.site_id, submitted_at=when)
    domains = [item.domain for item in pair.mentee.domain_items.all()] or []
    rows = []
    for question in survey.questions.all():
        if question.kind == "scale":
            rows.append(Answer(response=response, question=question, value=rng.choice([3, 4, 4, 4, 5, 5, 5])))
        elif question.kind == "recommend":
            rows.append(Answer(response=response, question=question, value=rng.choice([6, 7, 8, 9, 9, 9, 10, 10, 10, 10])))
        elif question.kind in ("skill_self", "skill_mentor"):
            for domain in domains:
                if question.kind == "skill_self" and survey.moment == "baseline":
                    value = skill_base.setdefault((pair.pk, domain.pk), rng.choice([1, 2, 2, 2, 3]))
                elif question.kind == "skill_self":
                    value = min(5, skill_base.get((pair.pk, domain.pk), 2) + rng.choice([0, 0, 0, 1, 1, 2]))
                else:
                    value = rng.choice([3, 4, 4, 5])
                rows.append(Answer(response=response, question=question, domain=domain, value=value))
        elif question.kind == "single":
            rows.append(Answer(response=response, question=question, value=rng.choice([1, 2, 2, 2, 3])))
        elif question.kind == "multiple":
            rows.append(Answer(response=response, question=question, choices=rng.sample(["1", "2", "3", "4"], 2)))
        elif question.kind == "text" and rng.random() < 0.6:
            rows.append(Answer(response=response, question=question, text=rng.choice([
                "Je prépare désormais mes réunions avec un assistant IA.",
                "Plus de séances pratiques, moins de théorie.",
                "J'ai compris comment la direction arbitre ses priorités.",
                "Un rythme toutes les trois semaines est idéal.",
                "I now post on the internal network every week.",
            ])))
    Answer.objects.bulk_create(rows)


def _pilot(rng, stdout):
    coordinator = User.objects.get(email=f"claire.dubois@{DOMAIN}")
    start = datetime.date(2024, 9, 2)
    programme = Programme.objects.create(
        name="Mentorat inversé 2024-2025 (pilote)", slug=PILOT, start_date=start, duration_months=9, cadence_weeks=3,
        status=Programme.Status.CLOSED, created_by=coordinator,
        description="La promotion pilote : douze dirigeants, douze mentors juniors, neuf mois.")
    programme.domains.set(LearningDomain.objects.filter(slug__in=DOMAINS))
    charter = Charter.objects.create(programme=programme, version=1, text="Confidentialité, bienveillance, régularité.",
                                     created_by=coordinator)
    ProgrammeSponsor.objects.create(programme=programme, user=User.objects.get(email=f"sophie.laurent@{DOMAIN}"),
                                    message="Le pilote a convaincu le comité : merci à tous.")
    end = programme.end_date
    Milestone.objects.bulk_create([
        Milestone(programme=programme, kind="kickoff", title="Lancement", date=start),
        Milestone(programme=programme, kind="midpoint", title="Bilan à mi-parcours", date=datetime.date(2025, 1, 20)),
        Milestone(programme=programme, kind="final", title="Bilan final", date=end - datetime.timedelta(days=14)),
    ])
    Objective.objects.bulk_create([
        Objective(programme=programme, title="90 % des participants recommandent le programme", kpi="recommendation_rate",
                  target=90, order=0),
        Objective(programme=programme, title="80 % des séances prévues ont lieu", kpi="session_completion", target=80, order=1),
        Objective(programme=programme, title="70 % des dirigeants progressent", kpi="skill_gain_rate", target=70, order=2),
    ])
    taken = set(Application.objects.values_list("employee_id", flat=True)) | set(
        Employee.objects.filter(email__in=[f"{name}@{DOMAIN}" for name in ("philippe.garnier", "claire.dubois",
                                                                           "sophie.laurent")]).values_list("pk", flat=True))
    # Two juniors who left the company after the pilot, seven still here, three promoted since
    # (level 2 today): retention and promotions come from the directory as it is, untouched.
    leavers = list(Employee.objects.filter(job_level=1, leave_date__gt=start).exclude(pk__in=taken).order_by("employee_id")[:2])
    juniors = leavers + list(Employee.objects.present().filter(job_level=1).exclude(pk__in=taken).order_by("employee_id")[:7])
    promoted = list(Employee.objects.present().filter(job_level=2).exclude(pk__in=taken).order_by("employee_id")[:3])
    juniors += promoted
    seniors = list(Employee.objects.present().filter(job_level__in=[3, 4, 5]).exclude(pk__in=taken)
                   .order_by("-job_level", "employee_id")[:12])
    domains = {d.slug: d for d in LearningDomain.objects.filter(slug__in=DOMAINS)}
    pairs = []
    for index, (junior, senior) in enumerate(zip(juniors, seniors, strict=False)):
        mentor = Application.objects.create(programme=programme, employee=junior, role="mentor", status="approved",
                                            charter=charter, charter_accepted_at=_aware(start - datetime.timedelta(days=40)),
                                            languages=["fr"], availability=["tue-pm"], submitted_at=_aware(start - datetime.timedelta(days=40)))
        mentee = Application.objects.create(programme=programme, employee=senior, role="mentee", status="approved",
                                            charter=charter, charter_accepted_at=_aware(start - datetime.timedelta(days=38)),
                                            languages=["fr"], availability=["tue-pm"], submitted_at=_aware(start - datetime.timedelta(days=38)))
        ApplicationDomain.objects.create(application=mentor, domain=domains[DOMAINS[index % 4]], weight=3)
        ApplicationDomain.objects.create(application=mentee, domain=domains[DOMAINS[index % 4]], weight=3)
        ApplicationDomain.objects.create(application=mentee, domain=domains[DOMAINS[(index + 1) % 4]], weight=2)
        completed = index < 11  # one pair ended early, without blame
        pairs.append(Pair.objects.create(
            programme=programme, mentor=mentor, mentee=mentee, source="algorithm", score=80,
            status=Pair.Status.COMPLETED if completed else Pair.Status.ENDED,
            published_at=_aware(start - datetime.timedelta(days=10)), activated_at=_aware(start - datetime.timedelta(days=5)),
            mentor_confirmed_at=_aware(start - datetime.timedelta(days=7)), mentee_confirmed_at=_aware(start - datetime.timedelta(days=6)),
            ended_at=_aware(end if completed else datetime.date(2025, 2, 3)),
            end_reason="" if completed else "Mobilité internationale du dirigeant."))
    for extra in Employee.objects.present().filter(job_level=1).exclude(pk__in=taken).exclude(
            pk__in=[j.pk for j in juniors]).order_by("employee_id")[:5]:
        Application.objects.create(programme=programme, employee=extra, role="mentor", status="waitlisted", languages=["fr"],
                                   submitted_at=_aware(start - datetime.timedelta(days=35)))
    sessions, ratings, logs = [], [], []
    for index, pair in enumerate(pairs):
        day, number = start, 0
        stop = pair.ended_at.date()
        while day < stop:
            status = "held"
            cancelled_by = ""
            if number % 6 == 4:
                status, cancelled_by = "cancelled", ("mentee" if index % 3 == 0 else "mentor")
            elif number % 9 == 7:
                status = "missed"
            sessions.append(MentoringSession(pair=pair, starts_at=_aware(day, 14), duration_minutes=60, status=status,
                                             cancelled_by=cancelled_by, theme="Pratique guidée"))
            day += datetime.timedelta(weeks=3)
            number += 1
    MentoringSession.objects.bulk_create(sessions)
    for session in MentoringSession.objects.filter(pair__in=pairs, status="held"):
        logs.append(SessionLog(session=session, held=True, actual_minutes=60, topics="Pratique guidée",
                               logged_by=None))
        ratings.append(SessionRating(session=session, role="mentor", score=rng.choice([4, 4, 5, 5, 3])))
        ratings.append(SessionRating(session=session, role="mentee", score=rng.choice([4, 5, 5, 5, 3])))
    SessionLog.objects.bulk_create(logs)
    SessionRating.objects.bulk_create(ratings)
    for index, pair in enumerate(pairs):
        LearningGoal.objects.create(pair=pair, title="Utiliser un assistant IA chaque semaine",
                                    status="achieved" if index % 4 else "in_progress", progress=100 if index % 4 else 70)
        LearningGoal.objects.create(pair=pair, title="Animer une réunion hybride avec un tableau blanc",
                                    status="achieved" if index % 3 else "dropped", progress=100 if index % 3 else 20)
        Commitment.objects.create(pair=pair, text="Publier chaque mois sur le réseau interne", due_date=end,
                                  status="kept" if index % 5 else "not_kept")
    JobLevelChange.objects.bulk_create([JobLevelChange(employee=junior, from_level=1, to_level=2,
                                                       changed_on=end + datetime.timedelta(days=60 + 30 * i))
                                        for i, junior in enumerate(promoted)])
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
    skill_base: dict = {}
    for pair in Pair.objects.filter(pk__in=[p.pk for p in pairs]).select_related(
            "mentor__employee", "mentee__employee").prefetch_related("mentee__domain_items__domain"):
        for role in ("mentor", "mentee"):
            _answer(rng, surveys[("baseline", role)], pair, role, pair.activated_at + datetime.timedelta(days=3), skill_base)
            if pair.status == Pair.Status.COMPLETED:
                _answer(rng, surveys[("midpoint", role)], pair, role, _aware(datetime.date(2025, 1, 22)), skill_base)
                if rng.random() < 0.92:
                    _answer(rng, surveys[("final", role)], pair, role, _aware(end - datetime.timedelta(days=10)), skill_base)
    first = pairs[0]
    Testimonial.objects.create(programme=programme, author=first.mentee.employee, role="mentee",
                               title="J'ai arrêté de déléguer mes présentations",
                               body="En neuf mois, mon mentor m'a appris à préparer seul mes supports avec l'IA. "
                                    "Je gagne deux heures par semaine et mon équipe l'a remarqué.",
                               consent=True, status="published", published_at=_aware(end), published_by=coordinator)
    Testimonial.objects.create(programme=programme, author=first.mentor.employee, role="mentor",
                               title="Comprendre comment décide un comité de direction",
                               body="Je vois maintenant pourquoi certains projets attendent : j'ai appris à présenter les miens.",
                               consent=True, status="published", published_at=_aware(end), published_by=coordinator)
    stdout.write(f"Demo pilot {PILOT}: closed, {len(pairs)} pairs, {len(sessions)} sessions, surveys answered.")


def _running(rng, stdout):
    programme = Programme.objects.filter(slug=RUNNING).first()
    if programme is None:
        return
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
    if Response.objects.filter(survey__programme=programme).exists():
        return
    now = timezone.now()
    Milestone.objects.get_or_create(programme=programme, kind="midpoint",
                                    defaults={"title": "Bilan à mi-parcours", "date": timezone.localdate(now) - datetime.timedelta(days=6)})
    skill_base: dict = {}
    pairs = list(Pair.objects.filter(programme=programme, status=Pair.Status.ACTIVE).select_related(
        "mentor__employee", "mentee__employee").prefetch_related("mentee__domain_items__domain"))
    for index, pair in enumerate(pairs):
        for role in ("mentor", "mentee"):
            _answer(rng, surveys[("baseline", role)], pair, role, pair.activated_at + datetime.timedelta(days=2), skill_base)
            if index != 0:  # Léa and Bernard still have their mid-point review to answer
                _answer(rng, surveys[("midpoint", role)], pair, role, now - datetime.timedelta(days=3), skill_base)
        for session in pair.sessions.filter(status="held").order_by("-starts_at")[:3]:
            for role in ("mentor", "mentee"):
                _answer(rng, surveys[("pulse", role)], pair, role, session.starts_at + datetime.timedelta(hours=3),
                        session=session)
    if pairs:
        Testimonial.objects.create(programme=programme, author=pairs[-1].mentor.employee, role="mentor",
                                   title="Mon premier atelier avec le comité", consent=True,
                                   body="J'ai animé un atelier sur les assistants IA devant le comité : une première.")
    stdout.write(f"Demo surveys {RUNNING}: baseline, mid-point and pulse answers for {len(pairs)} pairs.")


@transaction.atomic
def seed(stdout):
    rng = random.Random(2025)
    if not Programme.objects.filter(slug=PILOT).exists():
        _pilot(rng, stdout)
    else:
        stdout.write(f"Demo pilot {PILOT}: already there.")
    _running(rng, stdout)
    results_release_due()  # the seeded answers join the figures in steps, as answers given in the app do
