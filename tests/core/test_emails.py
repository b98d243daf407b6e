"""E-mails as a mail client reads them: parsed from the raw bytes with the standard library."""

import email
import email.policy
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from mentorat.core import outbox
from mentorat.core.models import NotificationPreference
from programmes.models import Milestone
from tests.conftest import drain_outbox


def parsed(message):
    """The message as the recipient's mail client gets it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def parts(raw):
    text = raw.get_body(preferencelist=("plain",)).get_content()
    html = raw.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.fixture
def milestone(programme):
    return Milestone.objects.filter(programme=programme).first()


@pytest.mark.django_db
class TestOneClickUnsubscribe:
    def _sent(self, user, milestone):
        outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}", recipient=user)
        assert drain_outbox() == ["sent"]
        return parsed(mail.outbox[-1])

    def test_a_non_essential_message_carries_rfc_8058_headers(self, mentor, milestone):
        raw = self._sent(mentor, milestone)
        [url] = re.findall(r"<([^>]+)>", raw["List-Unsubscribe"])
        assert url.startswith(settings.SITE_URL + "/unsubscribe/")
        assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    def test_a_post_without_cookies_or_csrf_token_unsubscribes_that_kind_only(self, mentor, milestone):
        raw = self._sent(mentor, milestone)
        [url] = re.findall(r"<([^>]+)>", raw["List-Unsubscribe"])
        client = Client(enforce_csrf_checks=True)  # a mail provider's server: no session, no CSRF cookie
        response = client.post(urlsplit(url).path, data="List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        assert set(NotificationPreference.objects.filter(user=mentor).values_list("kind", flat=True)) == {"milestone_due"}
        mail.outbox.clear()
        outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}:again", recipient=mentor)
        assert drain_outbox() == ["skipped"]

    def test_the_page_for_people_asks_before_it_unsubscribes(self, mentor, milestone):
        raw = self._sent(mentor, milestone)
        [url] = re.findall(r"<([^>]+)>", raw["List-Unsubscribe"])
        client = Client(enforce_csrf_checks=True)
        page = client.get(urlsplit(url).path)
        assert page.status_code == 200 and b'type="submit"' in page.content
        assert not NotificationPreference.objects.filter(user=mentor).exists()  # a link scanner's GET changes nothing
        token = page.cookies[settings.CSRF_COOKIE_NAME].value
        done = client.post(urlsplit(url).path, {"csrfmiddlewaretoken": token})
        assert done.status_code == 200 and NotificationPreference.objects.filter(user=mentor, kind="milestone_due").exists()

    def test_a_forged_or_other_kind_token_changes_nothing(self, mentor, milestone, client):
        token = outbox.unsubscribe_token(mentor, "milestone_due")
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        assert Client(enforce_csrf_checks=True).post(f"/unsubscribe/{forged}/", data="List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded").status_code == 400
        essential = outbox.unsubscribe_token(mentor, "session_changed")
        assert Client(enforce_csrf_checks=True).post(f"/unsubscribe/{essential}/", data="List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded").status_code == 400
        assert not NotificationPreference.objects.filter(user=mentor).exists()

    def test_an_essential_message_has_no_unsubscribe_header(self, active_pair, org):
        from sessions import services

        session = active_pair.sessions.filter(status="planned").order_by("starts_at").first()
        drain_outbox()
        mail.outbox.clear()
        services.session_cancel(user=org["junior_b"].user, session=session, reason="Malade")
        drain_outbox()
        raws = [parsed(m) for m in mail.outbox if m.extra_headers.get("X-Mentorat-Kind") == "session_changed"]
        assert raws and all(raw["List-Unsubscribe"] is None for raw in raws)


@pytest.mark.django_db
def test_every_message_has_its_sender_date_message_id_and_language(mentor, executive, milestone):
    executive.language = "en"
    executive.save()
    for user in (mentor, executive):
        outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}", recipient=user)
    drain_outbox()
    by_to = {m.to[0]: parsed(m) for m in mail.outbox}
    domain = urlsplit(settings.SITE_URL).hostname
    for address, language in ((mentor.email, "fr"), (executive.email, "en")):
        raw = by_to[address]
        assert raw["From"] == settings.DEFAULT_FROM_EMAIL
        assert raw["Date"] and raw["Message-ID"].endswith(f"@{domain}>")
        assert raw["Content-Language"] == language
        _text, html = parts(raw)
        assert f'<html lang="{language}">' in html


# ---------------------------------------------------------------------------------------------
# Every kind of e-mail, rendered for a suitable object, in each language and a far time zone.

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
URL = re.compile(r"https?://[^\s<>\"')\]]+")
HREF = re.compile(r'href="([^"]+)"')
TIME = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2} h \d{2}\b")


def _send_again(row):
    """Send one outbox row now, whatever its state: claimed with a fresh token, sent at its due moment."""
    import uuid

    from mentorat.core.models import Notification

    token = str(uuid.uuid4())
    Notification.objects.filter(pk=row.pk).update(status=Notification.Status.CLAIMED, claim_token=token)
    before = len(mail.outbox)
    result = outbox.send_one(row.pk, token, now=max(row.due_at, timezone_now()))
    return result, mail.outbox[before:]


def timezone_now():
    from django.utils import timezone

    return timezone.now()


@pytest.fixture
def every_kind(programme, cohort, active_pair, other_pair, org, coordinator, superuser):
    """At least one outbox row of every registered kind, each about an object in a state where the
    message is still needed (rows are sent one kind after the other, changing state in between)."""
    import datetime

    from django.utils import timezone

    from binomes import services as pairing_services
    from mentorat.core import services as core_services
    from mentorat.core.models import Notification
    from programmes.services import programme_set_concern_contacts
    from sessions import notifications as session_notifications
    from sessions import services as session_services

    now = timezone.now()
    sessions = list(active_pair.sessions.filter(status="planned").order_by("starts_at"))
    session_services.session_reschedule(user=org["director_a"].user, session=sessions[0],
                                        starts_at=sessions[0].starts_at + datetime.timedelta(days=1), reason="Comité", now=now)
    sessions[0].refresh_from_db()
    session_notifications.plan_reminders(now=sessions[0].starts_at - datetime.timedelta(days=2, minutes=5))
    # A past session nobody logged, for the log reminder and the coordinators' alerts.
    past = sessions[1]
    past.starts_at = now - datetime.timedelta(days=2)
    past.save(update_fields=["starts_at"])
    session_notifications.plan_reminders(now=now)
    for session in sessions[2:5]:
        session_services.session_cancel(user=org["director_a"].user, session=session, reason="Agenda")
    session_notifications.plan_alerts(now=now)
    session_notifications.plan_digest(now=now)
    programme_set_concern_contacts(actor=coordinator, programme=programme, users=[coordinator])
    session_services.concern_raise(user=org["junior_b"].user, pair=active_pair, body="Un souci")
    # A delegate named then removed: the invitations of the senior's sessions, then their cancellations.
    from tests.factories import UserFactory

    assistant = UserFactory(email="every.assistant@test.example")
    session_services.delegate_set(user=org["director_a"].user, email=assistant.email)
    session_services.delegate_set(user=org["director_a"].user, email="")
    core_services.password_reset_link_send(actor=superuser, user=org["junior_b"].user)
    core_services._email_change_request(user=org["junior_a"].user, new_email="new.address@test.example", actor=coordinator,
                                        source="admin")
    milestone = Milestone.objects.filter(programme=programme).first()
    outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}", recipient=org["junior_b"].user)
    survey_rows = Notification.objects.filter(kind="survey_invitation")
    for row in survey_rows[:1]:
        outbox.notify(kind="survey_reminder", object_key=row.object_key, recipient=row.recipient,
                      due_at=row.due_at + datetime.timedelta(days=1))
    return {"now": now, "other_pair": other_pair, "pairing_services": pairing_services, "coordinator": coordinator}


def _check_message(kind, message, recipient, language):
    raw = parsed(message)
    text, html = parts(raw)
    visible = "\n".join([raw["Subject"], URL.sub("", text), re.sub(r"<[^>]+>", " ", HREF.sub("", html))])
    assert not ISO_DATE.search(visible), f"{kind} ({language}) writes an ISO date: {ISO_DATE.search(visible).group()}"
    if language == "en":
        assert "p.m." not in visible and "a.m." not in visible, f"{kind} (en) writes p.m./a.m."
    if TIME.search(visible):
        assert ("New York" in visible), f"{kind} ({language}) shows a time without naming the recipient's zone"
    hrefs = {link for link in HREF.findall(html) if not link.startswith("mailto:")}  # urlize links addresses
    links = set(URL.findall(text)) | hrefs
    for link in links:
        assert link.startswith(settings.SITE_URL + "/"), f"{kind}: a link not built from SITE_URL: {link}"
    return links


def _follow(kind, links, recipient):
    from tests.conftest import client_for

    for link in sorted(links):
        split = urlsplit(link.rstrip(".,;"))
        path = split.path + (f"?{split.query}" if split.query else "")
        client = Client() if "/unsubscribe/" in path else client_for(recipient)
        response = client.get(path)
        if response.status_code == 302:
            response = client.get(response["Location"])
        assert response.status_code == 200, f"{kind}: {path} answers {response.status_code} to its recipient"


@pytest.mark.django_db
def test_every_kind_of_e_mail_writes_dates_in_the_recipient_s_zone_and_language_and_its_links_work(every_kind, org):
    from django.contrib.auth import get_user_model

    from binomes.models import Pair
    from mentorat.core.models import Notification

    get_user_model().objects.update(timezone="America/New_York")
    seen = set()

    def send_all(kinds=None):
        rows = Notification.objects.select_related("recipient").order_by("pk")
        if kinds:
            rows = rows.filter(kind__in=kinds)
        done = set()
        for row in rows:
            if row.kind in done:
                continue
            for language in ("fr", "en"):
                get_user_model().objects.filter(pk=row.recipient_id).update(language=language)
                row.recipient.refresh_from_db()
                result, messages = _send_again(row)
                if result != "sent":
                    break
                [message] = messages
                links = _check_message(row.kind, message, row.recipient, language)
                _follow(row.kind, links, row.recipient)
            else:
                done.add(row.kind)
        seen.update(done)

    send_all()
    import datetime

    from django.utils import timezone

    from binomes.models import Shortlist
    from mentorat.core import services as core_services
    from mentorat.core.models import PendingEmailChange
    from sessions import notifications as session_notifications

    now = every_kind["now"]
    other = every_kind["other_pair"]
    services = every_kind["pairing_services"]
    change = PendingEmailChange.objects.get(new_email="new.address@test.example")
    core_services.login_email_change_apply(change=change, actor=None, how="link")
    later = other.sessions.order_by("-starts_at").first().starts_at
    session_notifications.plan_alerts(now=later)
    send_all(["login_email_changed", "pair_alert"])
    # A proposal waiting for its answers: the proposal itself and the chemistry meeting's invitation.
    Pair.objects.filter(pk=other.pk).update(status=Pair.Status.PUBLISHED, expires_at=None)
    outbox.notify(kind="pair_proposal", object_key=f"pair:{other.pk}:pair_proposal", recipient=org["junior_a"].user)
    services.chemistry_propose(user=every_kind["coordinator"], pair=other, starts_at=timezone.now() + datetime.timedelta(days=3))
    send_all(["pair_proposal", "chemistry_invitation"])
    Pair.objects.filter(pk=other.pk).update(status=Pair.Status.ACTIVE)
    shortlist = Shortlist.objects.create(programme=other.programme, mentee=other.mentee, expires_at=now + datetime.timedelta(days=7),
                                         options=[{"mentor": other.mentor_id, "score": 80, "breakdown": {}}])
    outbox.notify(kind="shortlist_waiting", object_key=f"shortlist:{shortlist.pk}:waiting", recipient=org["director_b"].user)
    send_all(["shortlist_waiting"])
    # The pair met once: a certificate is for a completed pair that held a session.
    other.sessions.filter(pk=other.sessions.order_by("starts_at").first().pk).update(status="held")
    every_kind["pairing_services"].pair_end(user=every_kind["coordinator"], pair=other, completed=True)
    for user in (org["junior_a"].user, org["director_b"].user):
        outbox.notify(kind="certificate_issued", object_key=f"certificate:{other.pk}", recipient=user)
    send_all(["pair_ended", "certificate_issued"])
    Pair.objects.filter(pk=other.pk).update(status=Pair.Status.EXPIRED)
    outbox.notify(kind="pair_expired", object_key=f"pair:{other.pk}:pair_expired", recipient=org["junior_a"].user)
    send_all(["pair_expired"])
    missing = set(outbox.KINDS) - seen
    assert not missing, f"kinds never rendered here (give them an object in every_kind): {sorted(missing)}"


@pytest.mark.django_db
def test_moments_are_written_as_each_language_writes_them_with_the_zone_named_when_not_the_site_s():
    import datetime
    import zoneinfo

    from django.utils import translation

    moment = datetime.datetime(2026, 12, 16, 13, 0, tzinfo=datetime.UTC)  # 14:00 in Paris, 08:00 in New York
    new_york = zoneinfo.ZoneInfo("America/New_York")
    with translation.override("fr"):
        assert outbox.when(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE)) == "mercredi 16 décembre 2026 à 14 h 00"
        assert outbox.when(moment, new_york) == "mercredi 16 décembre 2026 à 08 h 00 (heure de New York)"
        assert outbox.day(datetime.date(2027, 1, 11)) == "lundi 11 janvier 2027"
    with translation.override("en"):
        assert outbox.when(moment + datetime.timedelta(hours=5), new_york) == "Wednesday 16 December 2026, 1:00 PM (New York time)"
        assert outbox.when(moment, zoneinfo.ZoneInfo(settings.TIME_ZONE)) == "Wednesday 16 December 2026, 2:00 PM"


@pytest.mark.django_db
def test_a_reminder_to_someone_in_new_york_gives_the_new_york_time(active_pair, org):
    import datetime
    import zoneinfo

    from django.utils import translation

    from sessions import notifications

    session = active_pair.sessions.filter(status="planned").order_by("starts_at").first()
    drain_outbox()
    mail.outbox.clear()
    user = org["director_a"].user
    user.timezone, user.language = "America/New_York", "en"
    user.save()
    notifications.plan_reminders(now=session.starts_at - datetime.timedelta(hours=2))
    drain_outbox(now=session.starts_at - datetime.timedelta(hours=2))
    reminders = [m for m in mail.outbox if m.extra_headers["X-Mentorat-Kind"] == "session_upcoming"]
    [message] = [m for m in reminders if m.to == [user.email]]
    with translation.override("en"):
        expected = outbox.when(session.starts_at, zoneinfo.ZoneInfo("America/New_York"))
    assert expected.endswith("(New York time)") and expected in message.body and expected in message.subject
    [other] = [m for m in reminders if m.to == [org["junior_b"].user.email]]
    assert "New York" not in other.body  # the other member reads the site's time, in French


@pytest.mark.django_db
class TestPasswordResetEmail:
    def _request(self, user, browser_language):
        from django.urls import reverse

        client = Client(HTTP_ACCEPT_LANGUAGE=browser_language)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = browser_language
        client.post(reverse("password_reset"), {"email": user.email})
        [message] = mail.outbox
        return parsed(message)

    def test_it_is_in_the_person_s_saved_language_with_text_and_html_parts(self, mentor):
        mentor.language = "en"
        mentor.save()
        raw = self._request(mentor, "fr")
        text, html = parts(raw)
        assert raw["Subject"] == "Mentorat: choose your password"
        assert "Someone (hopefully you)" in text and '<html lang="en">' in html
        assert raw["Content-Language"] == "en" and raw["From"] == settings.DEFAULT_FROM_EMAIL
        assert raw["Message-ID"].endswith(f"@{urlsplit(settings.SITE_URL).hostname}>")

    def test_a_french_speaker_gets_it_in_french_from_an_english_browser(self, mentor):
        raw = self._request(mentor, "en")
        _text, html = parts(raw)
        assert "Mentorat : choisissez votre mot de passe" in raw["Subject"] or "choisi" in raw["Subject"].lower()
        assert '<html lang="fr">' in html and raw["Content-Language"] == "fr"

    def test_its_link_is_built_from_site_url_and_works(self, mentor):
        raw = self._request(mentor, "fr")
        text, html = parts(raw)
        [link] = {u for u in URL.findall(text) if "/accounts/reset/" in u}
        assert link.startswith(settings.SITE_URL + "/accounts/reset/")  # never the request's Host header
        assert link in HREF.findall(html)
        client = Client()
        response = client.get(urlsplit(link).path)
        assert response.status_code == 302 and client.get(response["Location"]).status_code == 200

    def test_a_forged_host_header_does_not_reach_the_link(self, mentor, settings):
        from django.urls import reverse

        settings.ALLOWED_HOSTS = ["*"]
        Client(HTTP_HOST="evil.example").post(reverse("password_reset"), {"email": mentor.email})
        assert "evil.example" not in mail.outbox[0].body


@pytest.mark.django_db
def test_the_unsubscribe_page_speaks_the_language_of_the_e_mail(mentor):
    mentor.language = "en"
    mentor.save()
    token = outbox.unsubscribe_token(mentor, "milestone_due")
    page = Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/unsubscribe/{token}/")
    assert page.status_code == 200 and b"Stop receiving" in page.content
