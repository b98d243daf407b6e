"""Demo sessions: the 2026 programme, several months in, with held, missed, cancelled and
upcoming sessions, goals, commitments and a private note; the demo coordinator is the HR contact
for concerns. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from binomes.models import Pair
from sessions import services
from sessions.models import LearningGoal, MentoringSession, SessionLog, SessionRating

SLUG = "mentorat-inverse-2026"


@transaction.atomic
def seed(stdout):
    pairs = list(Pair.objects.filter(programme__slug=SLUG, status=Pair.Status.ACTIVE)
                 .select_related("mentor__employee__user", "mentee__employee__user").order_by("pk"))
    if pairs and not pairs[0].programme.concern_contacts.exists():
        # The demo coordinator reads the juniors' concerns (a programme names its HR contacts).
        from mentorat.core.models import User

        pairs[0].programme.concern_contacts.set(User.objects.filter(is_coordinator=True, is_active=True).order_by("pk")[:1])
    if not pairs or SessionLog.objects.filter(session__pair__in=pairs).exists():
        stdout.write("Demo sessions: already there." if pairs else "Demo sessions: no active pair.")
        return
    now = timezone.now()
    for index, pair in enumerate(pairs):
        services.sessions_schedule_pair(pair)
        past = list(pair.sessions.filter(starts_at__lt=now).order_by("starts_at"))
        for number, session in enumerate(past):
            if index == 1 and number in (len(past) - 1, len(past) - 2):
                # A senior who keeps cancelling: the follow-up flags the pair.
                MentoringSession.objects.filter(pk=session.pk).update(status="cancelled", cancelled_by="mentee",
                                                                      cancel_reason="Comité de direction", sequence=1)
                continue
            if number % 5 == 3:
                MentoringSession.objects.filter(pk=session.pk).update(status="cancelled", cancelled_by="mentor",
                                                                      cancel_reason="Congés", sequence=1)
                continue
            if index == 0 and number == len(past) - 1:
                continue  # left to log: something due on Léa's and Bernard's home pages
            held = number % 7 != 6
            SessionLog.objects.create(session=session, held=held, actual_minutes=55 if held else None,
                                      topics=session.theme, learned="Créer un prompt structuré" if held else "",
                                      exercise="Rédiger un post LinkedIn ensemble" if held else "",
                                      next_step="Tester seul avant la prochaine séance" if held else "",
                                      logged_by=pair.mentor.employee.user)
            MentoringSession.objects.filter(pk=session.pk).update(status="held" if held else "missed")
            if held:
                SessionRating.objects.create(session=session, role="mentor", score=4 + (number % 2))
                SessionRating.objects.create(session=session, role="mentee", score=5 if index % 2 == 0 else 4)
        LearningGoal.objects.create(pair=pair, title="Utiliser un assistant IA pour préparer mes réunions",
                                    status="in_progress", progress=60, created_by=pair.mentee.employee.user)
        LearningGoal.objects.create(pair=pair, title="Publier sur le réseau social interne", status="achieved",
                                    progress=100, created_by=pair.mentor.employee.user)
        services.commitment_add(user=pair.mentee.employee.user, pair=pair, text="Animer mon comité avec un outil collaboratif",
                                due_date=pair.programme.end_date - datetime.timedelta(days=30))
    services.note_add(user=pairs[0].mentee.employee.user, pair=pairs[0], body="Je n'ose pas encore poster : en parler à la prochaine séance.")
    count = MentoringSession.objects.filter(pair__in=pairs).count()
    stdout.write(f"Demo sessions: {count} sessions for {len(pairs)} active pairs (held, missed, cancelled, upcoming).")
