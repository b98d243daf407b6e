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
