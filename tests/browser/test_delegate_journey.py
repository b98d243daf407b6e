"""The senior's delegate, in a browser. The senior names her assistant on "My calendar"; the
assistant (an employee, French) gets the invitations of the senior's sessions ahead, finds them on
the home page and on "Sessions I book" with booking data only (date, length, place: never the
theme, the goals, the notes nor a way into the pair space), and moves one with a reason. The
junior mentor sees on the session page that the delegate moved it, and why; the delegate never
sees the members' reasons. Every link shown to the delegate leads to a page; the pair space is a
404. The delegate's pages are photographed in French and English, on a desktop and on a phone."""

import datetime
import re

import pytest
from django.utils import timezone

from mentorat.core.models import User
from sessions import services as session_services
from sessions.models import Delegate, MentoringSession
from tests.browser.test_pair_six_months import (
    FR_DAYS,
    FR_MONTHS,
    PARIS,
    Mailbox,
    in_paris,
    log_in,
    log_out,
    subject,
    text_of,
    visit,
    working_day_after,
)
from tests.browser.test_programme_journey import check
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEME = "Thème-secret-du-binôme"
GOAL = "Objectif-secret-du-binôme"
NOTE = "Note-privée-du-binôme"
ROOM = "Salle Vauban, 3e étage"
DELEGATE_REASON = "Le comité de direction a été avancé à ce matin-là"
JUNIOR_REASON = "Soutenance de fin de sprint ce jour-là"
SENIOR, JUNIOR, ASSISTANT = "Bénédicte Laurent", "Léa Moreau", "Alix Martin"
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def home_date(moment: datetime.datetime, language: str = "fr") -> str:
    """How the delegate's home writes a session's start ("l j F Y, H:i", Paris time), first in its line
    (the weekday capitalised, also in French)."""
    local = moment.astimezone(PARIS)
    days, months = (FR_DAYS, FR_MONTHS) if language == "fr" else (EN_DAYS, EN_MONTHS)
    return f"{days[local.weekday()].capitalize()} {local.day} {months[local.month - 1]} {local.year}, {local:%H:%M}"


def secrets_absent(tab, where):
    """Nothing of the pair's content on the page the delegate sees, nor a way into the pair space."""
    html = tab.content()
    for secret in (THEME, GOAL, NOTE):
        assert secret not in html, f"{where}: the delegate sees {secret!r}"
    assert not re.search(r'href="/sessions/pair/\d+/"', html), f"{where}: a link to the pair space"
    assert not re.search(r'href="/pairs/\d+/', html), f"{where}: a link to the pair's page"


def local_links(tab) -> set[str]:
    hrefs = tab.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return {href.split("#")[0] for href in hrefs if href.startswith("/") and not href.startswith("/static/")} - {""}


def decoded(raw) -> str:
    """Everything a mail client shows of a message: its subject, and each part decoded (text, HTML, invitation)."""
    parts = [subject(raw)]
    for part in raw.walk():
        if not part.is_multipart():
            content = part.get_content()
            parts.append(content.decode() if isinstance(content, bytes) else content)
    return "\n".join(parts)


def move(tab, session, day: datetime.date, hour: int, reason: str, *, when_label: str, reason_label: str, button: str):
    tab.get_by_label(when_label).fill(f"{day.isoformat()}T{hour:02d}:00")
    tab.get_by_label(reason_label, exact=True).fill(reason)
    tab.get_by_role("button", name=button, exact=True).click()
    tab.wait_for_load_state()
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


@pytest.fixture
def people(active_pair, org):
    """The senior (mentee), the junior (mentor) and the senior's assistant, all French in Paris; the
    pair's sessions have a theme and a room, the pair a goal and a private note."""
    for key, name in (("director_a", SENIOR), ("junior_b", JUNIOR)):
        employee = org[key]
        employee.first_name, employee.last_name = name.split()
        employee.save()
        User.objects.filter(pk=employee.user_id).update(first_name=employee.first_name, last_name=employee.last_name)
    first, last = ASSISTANT.split()
    assistant = EmployeeFactory(employee_id="ASSIST", job_level=2, first_name=first, last_name=last).user
    MentoringSession.objects.filter(pair=active_pair).update(theme=THEME, place_kind=MentoringSession.Place.ROOM, place=ROOM)
    senior, junior = (User.objects.get(pk=org[key].user_id) for key in ("director_a", "junior_b"))
    session_services.goal_save(user=senior, pair=active_pair, title=GOAL)
    session_services.note_add(user=junior, pair=active_pair, body=NOTE)
    return senior, junior, assistant


def test_the_senior_s_assistant_books_and_moves_her_sessions(page, phone, active_pair, people):
    senior, junior, assistant = people
    box = Mailbox([senior, junior, assistant])
    box.drain()  # the invitations sent to the two members the day the pair started
    ahead = list(active_pair.sessions.filter(status="planned", starts_at__gt=timezone.now()).order_by("starts_at"))
    assert len(ahead) >= 3
    first, by_delegate, by_junior = ahead[0], ahead[1], ahead[2]

    # 1. The senior names her assistant on "My calendar".
    log_in(page, senior)
    page.get_by_test_id("nav").get_by_role("link", name="Mon agenda").click()
    page.wait_for_url("**/sessions/calendar/")
    form = page.get_by_test_id("delegate")
    form.get_by_label("Adresse e-mail de votre délégué·e (vide pour retirer)").fill(assistant.email.upper())
    form.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("delegate").get_by_text(f"Délégué actuel : {ASSISTANT}").is_visible()
    assert Delegate.objects.get(senior__user=senior).user == assistant
    check(page, "calendar (fr) with a delegate named")
    log_out(page)

    # 2. The assistant receives the invitation of each session ahead, with no word of the pair's content.
    sent = box.drain()
    invitations = [raw for raw in sent if raw["X-Mentorat-Kind"] == "session_planned"]
    assert sorted(raw["To"].addresses[0].addr_spec for raw in sent) == [assistant.email] * len(ahead)
    assert len(invitations) == len(ahead)
    for session in ahead:
        raw = next(raw for raw in invitations if in_paris(session.starts_at) in subject(raw))
        assert subject(raw) == f"Invitation : séance de mentorat inversé le {in_paris(session.starts_at)}"
        text = text_of(raw)
        assert f"séance de mentorat inversé de {SENIOR} avec {JUNIOR}" in text
        assert f"/sessions/{session.pk}/" in text and f"Lieu : {ROOM}" in text
        assert "BEGIN:VEVENT" in decoded(raw)  # the invitation, to put in the senior's calendar
        for secret in (THEME, GOAL, NOTE):
            assert secret not in decoded(raw)

    # 3. Her home lists the senior's sessions ahead: date, length, place; nothing of the pair's content.
    log_in(page, assistant)
    section = page.get_by_test_id("home-delegated")
    listed = section.locator("li.list-group-item")
    assert listed.count() == min(5, len(ahead))
    assert home_date(first.starts_at) in listed.first.inner_text()
    assert SENIOR in listed.first.inner_text() and ROOM in listed.first.inner_text()
    secrets_absent(page, "home")
    check(page, "delegate home (fr)")
    home_links = local_links(page)

    # 4. "Sessions I book": every session of the senior, the one to move opened from there.
    page.get_by_test_id("nav").get_by_role("link", name="Séances que je planifie").click()
    page.wait_for_url("**/sessions/delegated/")
    table = page.get_by_test_id("delegated")
    assert table.locator("tbody tr").count() == active_pair.sessions.count()
    assert ROOM in table.inner_text() and SENIOR in table.inner_text()
    # The column says whom the session is for ("Pour"), not the surveys' "Destinataires".
    assert table.locator("thead th").first.inner_text() == "Pour"
    secrets_absent(page, "sessions I book")
    check(page, "sessions I book (fr)")
    booking_links = local_links(page)
    table.locator(f"a[href='/sessions/{by_delegate.pk}/']").click()
    page.wait_for_url(f"**/sessions/{by_delegate.pk}/")
    secrets_absent(page, "session page")

    # 5. … and moves it to the next working day, 10:00, with a reason.
    old_start = by_delegate.starts_at
    new_day = working_day_after(old_start.astimezone(PARIS).date(), 1)
    move(page, by_delegate, new_day, 10, DELEGATE_REASON, when_label="Nouvelle date et heure", reason_label="Motif*",
         button="Déplacer")
    new_start = by_delegate.starts_at
    history = page.get_by_test_id("session-history").inner_text()
    assert f"Vous avez déplacé la séance du {in_paris(old_start)} au {in_paris(new_start)}" in history
    assert DELEGATE_REASON not in page.content()  # the reasons are the members': not on the delegate's page
    secrets_absent(page, "session page after the move")
    check(page, "session page (fr) of the delegate after a move")
    session_links = local_links(page)

    sent = box.drain()
    assert sorted(raw["X-Mentorat-Kind"] for raw in sent) == ["session_changed"] * 3
    theirs = text_of(box.of(sent, "session_changed", junior))
    assert (f"{ASSISTANT}, pour {SENIOR} a déplacé la séance de mentorat inversé du {in_paris(old_start)} au "
            f"{in_paris(new_start)}." in theirs)
    assert f"Motif : {DELEGATE_REASON}" in theirs
    assert f"Motif : {DELEGATE_REASON}" in text_of(box.of(sent, "session_changed", senior))
    mine = box.of(sent, "session_changed", assistant)
    assert subject(mine) == f"Séance déplacée : {in_paris(new_start)}"
    assert (f"Séance de {SENIOR} avec {JUNIOR} : Vous avez déplacé la séance de mentorat inversé du "
            f"{in_paris(old_start)} au {in_paris(new_start)}." in text_of(mine))
    assert DELEGATE_REASON not in decoded(mine) and THEME not in decoded(mine)

    # 6. Every link shown to the delegate leads to a page; the pair space and the pair's page are 404s.
    for link in sorted(home_links | booking_links | session_links):
        if link.startswith("/accounts/logout"):
            continue
        response = page.request.get(link, max_redirects=0)
        assert response.status == 200, f"{link}: {response.status}"
        if link.endswith(".ics"):
            assert THEME not in response.text()
    assert f"/sessions/{by_delegate.pk}/invitation.ics" in session_links
    for forbidden in (f"/sessions/pair/{active_pair.pk}/", f"/pairs/{active_pair.pk}/"):
        assert page.goto(forbidden).status == 404, forbidden
    log_out(page)

    # 7. The junior, on her phone, sees that the delegate moved it, for the senior, and why …
    log_in(phone, junior)
    phone.goto(f"/sessions/{by_delegate.pk}/")
    history = phone.get_by_test_id("session-history").inner_text()
    assert (f"{ASSISTANT}, pour {SENIOR} a déplacé la séance du {in_paris(old_start)} au {in_paris(new_start)}"
            in history)
    assert f"motif : {DELEGATE_REASON}" in history
    check(phone, "session page (fr, phone) of the junior after the delegate's move")
    # … and moves another session herself, with a reason of her own.
    phone.goto(f"/sessions/{by_junior.pk}/")
    junior_old = by_junior.starts_at
    move(phone, by_junior, working_day_after(junior_old.astimezone(PARIS).date(), 1), 14, JUNIOR_REASON,
         when_label="Nouvelle date et heure", reason_label="Motif*", button="Déplacer")
    log_out(phone)
    sent = box.drain()
    mine = box.of(sent, "session_changed", assistant)  # told of the move, not of the junior's reason
    assert (f"{JUNIOR} a déplacé la séance de mentorat inversé du {in_paris(junior_old)} au "
            f"{in_paris(by_junior.starts_at)}." in text_of(mine))
    assert JUNIOR_REASON not in decoded(mine)
    assert f"Motif : {JUNIOR_REASON}" in text_of(box.of(sent, "session_changed", senior))

    # 8. The delegate sees who moved it, not why.
    log_in(phone, assistant)
    phone.goto(f"/sessions/{by_junior.pk}/")
    history = phone.get_by_test_id("session-history").inner_text()
    assert (f"{JUNIOR} a déplacé la séance du {in_paris(junior_old)} au {in_paris(by_junior.starts_at)}"
            in history)
    assert JUNIOR_REASON not in phone.content()
    secrets_absent(phone, "session page moved by the junior")

    # 9. The delegate's pages, in French then in English (switched by the assistant), desktop and phone.
    log_in(page, assistant)
    for language in ("fr", "en"):
        if language == "en":
            page.locator("button[name=language][value=en]").click()
            page.wait_for_load_state()
            assert User.objects.get(pk=assistant.pk).language == "en"
        for device, tab in (("desktop", page), ("phone", phone)):
            suffix = f"{language}-{device}"
            on_phone = device == "phone"
            visit(tab, "/", f"delegate-home-{suffix}", phone=on_phone)
            assert tab.locator("html").get_attribute("lang") == language
            assert home_date(ahead[0].starts_at, language) in tab.get_by_test_id("home-delegated").inner_text()
            assert tab.get_by_test_id("home-delegated").get_by_role("heading").inner_text() == (
                "Séances que je planifie" if language == "fr" else "Sessions I book")
            secrets_absent(tab, f"home ({suffix})")
            visit(tab, "/sessions/delegated/", f"delegate-sessions-i-book-{suffix}", phone=on_phone)
            secrets_absent(tab, f"sessions I book ({suffix})")
            visit(tab, f"/sessions/{by_delegate.pk}/", f"delegate-session-{suffix}", phone=on_phone)
            secrets_absent(tab, f"session page ({suffix})")
            assert DELEGATE_REASON not in tab.content()
    log_out(page)
    log_out(phone)
