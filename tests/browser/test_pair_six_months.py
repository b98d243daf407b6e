"""Issue #16's journey: a pair followed over several sessions, each member in their own language
and time zone. The senior (English, New York) moves a learning goal, moves a session and cancels
another, each with a reason; the junior (French, Paris) sees on the session pages who did it and
why, offers the cancelled session again and logs a past one. Every e-mail is read as a mail client
reads it: received once, in the recipient's language, its times in the recipient's zone. The four
pages a member lives in are photographed in both languages, on a desktop and on a phone."""

import datetime
import email
import email.policy
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from mentorat.core.models import Notification, User
from sessions import notifications
from sessions import services as session_services
from sessions.models import LearningGoal, MentoringSession
from tests.browser.conftest import screenshot, scrolls_sideways
from tests.browser.test_programme_journey import check
from tests.conftest import PASSWORD, drain_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK, PARIS = ZoneInfo("America/New_York"), ZoneInfo("Europe/Paris")
MOVE_REASON = "The board meeting moved to that morning"
CANCEL_REASON = "Travelling to the Boston office"
REOFFER_WORD = "Je la propose un peu plus tard, même heure"
GOAL = "Préparer un comité avec un assistant IA"

FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
EN_WORDS = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|June|"
                      r"July|August|September|October|November|December)\b")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TIME = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2} h \d{2}\b")
URL = re.compile(r"https?://\S+")


def in_new_york(moment: datetime.datetime) -> str:
    """How the English member's e-mails must write a moment (written here, not by the code under test)."""
    local = moment.astimezone(NEW_YORK)
    return (f"{local:%A} {local.day} {local:%B} {local.year}, {local.hour % 12 or 12}:{local:%M} "
            f"{'AM' if local.hour < 12 else 'PM'} (New York time)")


def in_paris(moment: datetime.datetime) -> str:
    """How the French member's e-mails and pages write a moment (Paris is the site's zone: not named)."""
    local = moment.astimezone(PARIS)
    return f"{FR_DAYS[local.weekday()]} {local.day} {FR_MONTHS[local.month - 1]} {local.year} à {local:%H} h {local:%M}"


def working_day_after(day: datetime.date, days: int) -> datetime.date:
    day += datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


class Mailbox:
    """Every message sent during the journey, parsed from its raw bytes. Each one is checked as it
    arrives: addressed to its row's recipient, once per (kind, object, recipient), in the recipient's
    language, with no ISO date; for the New York member every time names New York, for the French
    member every date is written in French."""

    def __init__(self, members):
        self.members = {user.email: user for user in members}
        self.seen = Counter()

    def drain(self, now=None):
        mail.outbox.clear()
        drain_outbox(now=now)
        messages = [email.message_from_bytes(m.message().as_bytes(), policy=email.policy.default) for m in mail.outbox]
        mail.outbox.clear()
        for raw in messages:
            self._check(raw)
        return messages

    def _check(self, raw):
        kind = raw["X-Mentorat-Kind"]
        row = Notification.objects.select_related("recipient").get(pk=int(raw["X-Mentorat-Notification"]))
        user = row.recipient
        assert row.kind == kind and raw["To"].addresses[0].addr_spec == user.email
        self.seen[(kind, row.object_key, user.email)] += 1
        assert self.seen[(kind, row.object_key, user.email)] == 1, f"{kind} {row.object_key} twice to {user.email}"
        assert raw["Content-Language"] == user.language, f"{kind} to {user.email} in {raw['Content-Language']}"
        assert f'<html lang="{user.language}">' in raw.get_body(preferencelist=("html",)).get_content()
        visible = subject(raw) + "\n" + URL.sub("", text_of(raw))
        assert not ISO_DATE.search(visible), f"{kind} to {user.email} writes an ISO date"
        if user.email not in self.members:
            return
        if user.timezone == "America/New_York":
            assert "a.m." not in visible and "p.m." not in visible
            for line in visible.splitlines():
                if TIME.search(line):
                    assert "New York" in line, f"{kind}: a time without its zone for the New York member: {line}"
        else:
            assert not EN_WORDS.search(visible), f"{kind} to the French member in English words: {visible}"
            assert "New York" not in visible

    def of(self, messages, kind, user):
        found = [raw for raw in messages if raw["X-Mentorat-Kind"] == kind and raw["To"].addresses[0].addr_spec == user.email]
        assert len(found) == 1, f"{kind} to {user.email}: {len(found)} messages"
        return found[0]


def subject(raw) -> str:
    # A long non-ASCII subject is folded after "Subject:"; mail clients show it without the fold's space.
    return raw["Subject"].strip()


def text_of(raw) -> str:
    return raw.get_body(preferencelist=("plain",)).get_content()


def log_in(page, user):
    """Log in by the fields' names: the login page speaks the browser's language, not the member's."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def log_out(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # the phone's collapsed menu: open it, and wait for its animation to end
        toggler.click()
        page.locator("#main-nav.collapse.show").wait_for()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


def visit(page, path, name, *, phone=False):
    page.goto(path)
    check(page, name)
    if phone:
        assert not scrolls_sideways(page), f"{name}: the phone scrolls sideways"
    screenshot(page, name)


@pytest.fixture
def members(active_pair, org):
    """The senior (mentee) writes English in New York, the junior (mentor) French in Paris."""
    names = {"director_a": ("Margaret", "Hale", "en", "America/New_York"),
             "junior_b": ("Léa", "Moreau", "fr", "Europe/Paris")}
    for key, (first, last, language, zone) in names.items():
        employee = org[key]
        employee.first_name, employee.last_name = first, last
        employee.save()
        User.objects.filter(pk=employee.user_id).update(first_name=first, last_name=last, language=language, timezone=zone)
    return User.objects.get(pk=org["director_a"].user_id), User.objects.get(pk=org["junior_b"].user_id)


def test_a_pair_over_several_sessions_in_two_languages_and_time_zones(page, phone, active_pair, members):
    senior, junior = members
    box = Mailbox([senior, junior])
    sessions = list(active_pair.sessions.filter(status="planned").order_by("starts_at"))
    past, to_move, to_cancel = sessions[0], sessions[1], sessions[2]
    # The first session took place two days ago (its time has come).
    past_start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=2)
    MentoringSession.objects.filter(pk=past.pk).update(starts_at=past_start)
    goal = session_services.goal_save(user=junior, pair=active_pair, title=GOAL)

    # The day the pair started: one invitation per session ahead, to each member.
    planned = [raw for raw in box.drain() if raw["X-Mentorat-Kind"] == "session_planned"]
    assert len(planned) == 2 * (len(sessions) - 1)
    for user, written in ((senior, in_new_york), (junior, in_paris)):  # each invitation written for its reader
        box.of([raw for raw in planned if written(to_move.starts_at) in subject(raw)], "session_planned", user)

    # 1. The senior, in English, moves the goal forward in the pair space.
    log_in(page, senior)
    page.goto(f"/sessions/pair/{active_pair.pk}/")
    item = page.get_by_test_id("goals").locator("li", has_text=GOAL)
    item.get_by_text("Move this goal").click()
    item.get_by_label("Progress (%)").fill("40")
    item.get_by_label("Status").select_option("in_progress")
    item.get_by_label("What moved it (optional)").fill("First board paper drafted with the assistant")
    item.get_by_role("button", name="Save the move").click()
    page.wait_for_load_state()
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (40, LearningGoal.Status.IN_PROGRESS)
    check(page, "pair space (en) after a goal moved")

    # 2. … moves the second session to the next working day, 10:00 in New York, with a reason.
    old_start = to_move.starts_at
    new_day = working_day_after(old_start.astimezone(PARIS).date(), 1)
    new_start = datetime.datetime.combine(new_day, datetime.time(10), tzinfo=NEW_YORK)
    page.goto(f"/sessions/{to_move.pk}/")
    page.get_by_label("New date and time").fill(f"{new_day.isoformat()}T10:00")
    page.get_by_label("Reason*", exact=True).fill(MOVE_REASON)
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_load_state()
    to_move.refresh_from_db()
    assert to_move.starts_at == new_start
    history = page.get_by_test_id("session-history").inner_text()
    assert f"You moved the session from {in_new_york(old_start)} to {in_new_york(new_start)}" in history
    check(page, "session page (en) after a move")

    sent = box.drain()
    mine = box.of(sent, "session_changed", senior)
    assert subject(mine) == f"Session moved: {in_new_york(new_start)}"
    assert f"You moved the reverse-mentoring session of {in_new_york(old_start)} to {in_new_york(new_start)}." in text_of(mine)
    assert f"Reason: {MOVE_REASON}" in text_of(mine)
    theirs = box.of(sent, "session_changed", junior)
    assert subject(theirs) == f"Séance déplacée : {in_paris(new_start)}"
    assert (f"Margaret Hale a déplacé la séance de mentorat inversé du {in_paris(old_start)} au {in_paris(new_start)}."
            in text_of(theirs))
    assert f"Motif : {MOVE_REASON}" in text_of(theirs)

    # 3. … and cancels the third one, with a reason.
    page.goto(f"/sessions/{to_cancel.pk}/")
    page.get_by_label("Why cancel?").fill(CANCEL_REASON)
    page.get_by_role("button", name="Cancel the session").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("session-status").inner_text() == "cancelled"
    sent = box.drain()
    assert subject(box.of(sent, "session_changed", senior)) == f"Session cancelled: {in_new_york(to_cancel.starts_at)}"
    theirs = box.of(sent, "session_changed", junior)
    assert subject(theirs) == f"Séance annulée : {in_paris(to_cancel.starts_at)}"
    assert f"Margaret Hale a annulé la séance de mentorat inversé du {in_paris(to_cancel.starts_at)}." in text_of(theirs)
    assert f"Motif : {CANCEL_REASON}" in text_of(theirs)
    log_out(page)

    # 4. The junior, in French on her phone, sees who moved and who cancelled, and why.
    log_in(phone, junior)
    phone.goto(f"/sessions/{to_move.pk}/")
    history = phone.get_by_test_id("session-history").inner_text()
    assert f"Margaret Hale a déplacé la séance du {in_paris(old_start)} au {in_paris(new_start)}" in history
    assert f"motif : {MOVE_REASON}" in history
    check(phone, "session page (fr, phone) of a moved session")
    phone.goto(f"/sessions/{to_cancel.pk}/")
    history = phone.get_by_test_id("session-history").inner_text()
    assert "Margaret Hale a annulé la séance" in history and f"motif : {CANCEL_REASON}" in history
    check(phone, "session page (fr, phone) of a cancelled session")

    # 5. … offers it again two working days later, same hour in Paris.
    cancelled_start = to_cancel.starts_at
    local = cancelled_start.astimezone(PARIS)
    again_day = working_day_after(local.date(), 2)
    again = datetime.datetime.combine(again_day, local.time(), tzinfo=PARIS)
    phone.get_by_label("Nouvelle date et heure").fill(f"{again_day.isoformat()}T{local:%H:%M}")
    phone.get_by_label("Un mot pour les autres (facultatif)").fill(REOFFER_WORD)
    phone.get_by_role("button", name="La proposer à nouveau").click()
    phone.wait_for_load_state()
    to_cancel.refresh_from_db()
    assert (to_cancel.status, to_cancel.starts_at) == (MentoringSession.Status.PLANNED, again)
    assert phone.get_by_test_id("session-status").inner_text() == "prévue"
    sent = box.drain()
    mine = box.of(sent, "session_changed", junior)
    assert subject(mine) == f"Séance proposée à nouveau : {in_paris(again)}"
    theirs = box.of(sent, "session_changed", senior)
    assert subject(theirs) == f"Session offered again: {in_new_york(again)}"
    assert (f"Léa Moreau offers the cancelled session of {in_new_york(cancelled_start)} again: it is now on "
            f"{in_new_york(again)}." in text_of(theirs))
    assert f"Reason: {REOFFER_WORD}" in text_of(theirs)

    # 6. The reminder to log the past session comes once, however often the planner runs; she logs it.
    notifications.plan_reminders()
    notifications.plan_reminders()
    sent = box.drain()
    assert in_paris(past_start) in text_of(box.of(sent, "session_log", junior))
    assert in_new_york(past_start) in text_of(box.of(sent, "session_log", senior))
    phone.goto(f"/sessions/{past.pk}/")
    phone.get_by_label("Durée réelle (minutes)").fill("55")
    phone.get_by_label("Sujets abordés").fill("Un prompt pour préparer le comité")
    phone.get_by_role("button", name="Enregistrer le compte rendu").click()
    phone.wait_for_load_state()
    assert phone.get_by_test_id("session-status").inner_text() == "tenue"
    notifications.plan_reminders()
    assert [raw for raw in box.drain() if raw["X-Mentorat-Kind"] == "session_log"] == []

    # 7. In the pair space she sees the goal the senior moved, by whom and why.
    phone.goto(f"/sessions/pair/{active_pair.pk}/")
    phone.get_by_test_id(f"goal-history-{goal.pk}").locator("summary").click()
    moves = phone.get_by_test_id(f"goal-history-{goal.pk}").inner_text()
    assert "Margaret Hale" in moves and "0 % → 40 %" in moves and "First board paper drafted with the assistant" in moves
    log_out(phone)

    # 8. Two days before the moved session, one reminder each, at its new time, however often the planner runs.
    soon = new_start - datetime.timedelta(days=2)
    notifications.plan_reminders(now=soon - datetime.timedelta(minutes=30))
    notifications.plan_reminders(now=soon - datetime.timedelta(minutes=5))
    sent = box.drain(now=soon)
    assert subject(box.of(sent, "session_upcoming", senior)) == f"Reverse mentoring session on {in_new_york(new_start)}"
    assert subject(box.of(sent, "session_upcoming", junior)) == f"Séance de mentorat inversé le {in_paris(new_start)}"
    assert [raw for raw in box.drain(now=soon + datetime.timedelta(minutes=10)) if raw["X-Mentorat-Kind"] == "session_upcoming"] == []

    # 9. The pages each member lives in, in their language, on a desktop and on a phone.
    for user, language in ((junior, "fr"), (senior, "en")):
        for device, tab in (("desktop", page), ("phone", phone)):
            log_in(tab, user)
            suffix = f"{language}-{device}"
            visit(tab, "/", f"pair-six-months-home-{suffix}", phone=device == "phone")
            # The senior reads her next session in her zone, and is told so; Paris is the site's own.
            assert ("(New York time)" in tab.get_by_test_id("next-session").inner_text()) == (user == senior)
            visit(tab, f"/sessions/{to_cancel.pk}/", f"pair-six-months-session-{suffix}", phone=device == "phone")
            visit(tab, f"/sessions/pair/{active_pair.pk}/", f"pair-six-months-pair-space-{suffix}", phone=device == "phone")
            visit(tab, "/sessions/calendar/", f"pair-six-months-calendar-{suffix}", phone=device == "phone")
            # Only the senior may name a delegate for her sessions.
            assert tab.get_by_test_id("delegate").count() == (1 if user == senior else 0)
            assert tab.locator("html").get_attribute("lang") == language
            log_out(tab)
