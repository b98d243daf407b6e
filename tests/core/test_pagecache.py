"""Whole pages kept under the data's version: served again only to the same user, for the same
data, language and clock; a fresh CSRF token in each copy; messages never cached away."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentorat.core import pagecache
from tests.conftest import client_for

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_strip_csrf_takes_out_this_requests_tokens_only():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "k" * 32
    mine, also_mine = get_token(request), get_token(request)
    other = RequestFactory().get("/")
    other.META["CSRF_COOKIE"] = "m" * 32
    theirs = get_token(other)
    html = f'<input value="{mine}"><input value="{also_mine}"><i>{theirs}</i><b>{"x" * 64}</b>'
    assert pagecache.strip_csrf(html, "k" * 32) == (
        f'<input value="{pagecache.PLACEHOLDER}"><input value="{pagecache.PLACEHOLDER}"><i>{theirs}</i><b>{"x" * 64}</b>')
    assert pagecache.strip_csrf(html + pagecache.PLACEHOLDER, "k" * 32) is None  # never kept


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_is_served_again_with_a_fresh_csrf_token_that_posts(active_pair, org):
    client = logged_in(org["junior_b"].user, enforce_csrf_checks=True)
    first = client.get("/")
    assert not getattr(first, "page_cache_hit", False)
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/")
    assert second.page_cache_hit
    assert len(queries) == 1  # the user, read by the authentication middleware
    tokens = TOKEN.findall(second.content.decode())
    assert tokens and pagecache.PLACEHOLDER not in second.content.decode()
    assert tokens[0] not in TOKEN.findall(first.content.decode())  # masked anew, as on any page
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())
    # The token of the cached copy is good: switching the language (a POST) goes through.
    url = reverse("switch_language")
    forged = client.post(url, {"language": "en", "next": "/", "csrfmiddlewaretoken": "x" * 64})
    assert forged.status_code == 403  # the check is on
    response = client.post(url, {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    # The user's language is saved: the version moved on, and the page is rendered in English.
    english = client.get("/")
    assert not getattr(english, "page_cache_hit", False)
    assert 'lang="en"' in english.content.decode()


@pytest.mark.django_db(transaction=True)
def test_pages_are_kept_per_user(active_pair, org):
    session = active_pair.sessions.order_by("starts_at").first()
    url = f"/sessions/{session.pk}/"
    mentor, mentee = client_for(org["junior_b"].user), client_for(org["director_a"].user)
    outsider = client_for(org["junior_a"].user)
    assert mentor.get(url).status_code == 200
    assert mentor.get(url).page_cache_hit
    page = mentee.get(url)
    assert not getattr(page, "page_cache_hit", False)  # not the mentor's copy
    assert org["director_a"].user.get_full_name() in page.content.decode()
    assert outsider.get(url).status_code == 404  # the view's check runs for every user
    assert outsider.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_message_is_shown_once_and_never_cached_away(active_pair, org):
    session = active_pair.sessions.order_by("starts_at").first()
    url = f"/sessions/{session.pk}/"
    client = client_for(org["junior_b"].user)
    client.get(url)
    assert client.get(url).page_cache_hit
    response = client.post(url, {"action": "place", "place_kind": "room", "place": "Salle Agora",
                                  "theme": ""}, follow=True)
    html = response.content.decode()
    assert "Salle Agora" in html and 'role="status"' in html  # the success message, with the change
    again = client.get(url).content.decode()
    assert "Salle Agora" in again and 'role="status"' not in again  # shown once only
    assert client.get(url).page_cache_hit
    # A message waiting without any write (nothing moved the version on) is shown all the same.
    client.cookies["messages"] = CookieStorage(RequestFactory().get("/"))._encode(
        [Message(constants.SUCCESS, "Bravo pour cette séance")])
    shown = client.get(url)
    assert not getattr(shown, "page_cache_hit", False)
    assert "Bravo pour cette séance" in shown.content.decode()
    after = client.get(url)
    assert after.page_cache_hit and "Bravo pour cette séance" not in after.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_page_is_not_kept_past_the_moment_it_changes(active_pair, org):
    """Before a session starts its page offers to move it; from its start, to log it. No write
    happens at that moment: the page says when it expires."""
    session = active_pair.sessions.order_by("starts_at").first()
    url = f"/sessions/{session.pk}/"
    client = client_for(org["junior_b"].user)
    before = session.starts_at - datetime.timedelta(minutes=5)
    with mock.patch.object(timezone, "now", return_value=before):
        assert 'value="log"' not in client.get(url).content.decode()
        assert client.get(url).page_cache_hit
    after = session.starts_at + datetime.timedelta(minutes=1)
    with mock.patch.object(timezone, "now", return_value=after):
        page = client.get(url)
    assert not getattr(page, "page_cache_hit", False)
    assert 'value="log"' in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_dashboard_page_is_kept_per_user_and_filters(executive, active_pair):
    client = client_for(executive)
    client.get("/evaluation/")
    assert client.get("/evaluation/").page_cache_hit
    filtered = client.get("/evaluation/", {"programme": active_pair.programme.pk})
    assert not getattr(filtered, "page_cache_hit", False)
    assert client.get("/evaluation/", {"programme": active_pair.programme.pk}).page_cache_hit


@pytest.mark.django_db
def test_nothing_is_kept_while_the_test_transaction_holds_writes(active_pair, org):
    client = client_for(org["junior_b"].user)
    client.get("/")
    assert not getattr(client.get("/"), "page_cache_hit", False)


def test_only_pages_without_encrypted_content_are_kept_whole():
    """The cache holds pages in clear: a page showing private notes or concerns (encrypted at rest)
    must never be kept. Adding a page to this list is a decision, made here."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    kept = {f"{view.__module__}.{view.__name__}" for _route, view in walk(get_resolver().url_patterns)
            if getattr(view, "page_cached", False)}
    assert kept == {"mentorat.core.views.home", "sessions.views.session_detail", "evaluation.views.dashboard"}


@pytest.mark.django_db(transaction=True)
def test_a_page_does_not_outlive_a_part_it_was_built_from(org):
    """A part cached by an earlier request (as the home sections are) bounds the page's life."""
    from django.http import HttpResponse

    from mentorat.core import datacache

    made = []

    def part():
        made.append(len(made) + 1)
        return f"part {made[-1]}"

    @pagecache.cached_page(timeout=60)
    def view(request):
        return HttpResponse(f"<p>{datacache.cached(('test-part',), part, timeout=60)}</p>")

    def get():
        request = RequestFactory().get("/page/")
        request.user = org["junior_b"].user
        return view(request)

    start = timezone.now()
    with mock.patch.object(timezone, "now", return_value=start):
        datacache.cached(("test-part",), part, timeout=60)  # filled by someone else, at 0 s
    with mock.patch.object(timezone, "now", return_value=start + datetime.timedelta(seconds=50)):
        assert get().content == b"<p>part 1</p>"  # the page is made at 50 s from a part of 0 s
        assert get().page_cache_hit
    with mock.patch.object(timezone, "now", return_value=start + datetime.timedelta(seconds=61)):
        page = get()  # the part has expired, so has the page, though the page is only 11 s old
    assert not getattr(page, "page_cache_hit", False)
    assert page.content == b"<p>part 2</p>"


@pytest.mark.django_db(transaction=True)
def test_undeclared_or_repeated_query_parameters_are_served_but_not_kept(executive, active_pair, org):
    home = client_for(org["junior_b"].user)
    home.get("/?utm=1")
    assert home.get("/?utm=1").status_code == 200
    assert not getattr(home.get("/?utm=1"), "page_cache_hit", False)
    dashboard = client_for(executive)
    url = f"/evaluation/?programme={active_pair.programme.pk}&programme={active_pair.programme.pk}"
    dashboard.get(url)
    assert dashboard.get(url).status_code == 200
    assert not getattr(dashboard.get(url), "page_cache_hit", False)


@pytest.mark.django_db(transaction=True)
def test_access_is_checked_on_every_request_even_when_a_change_did_not_move_the_version(active_pair, org, executive):
    """A change made out of band (a script, another database client) does not move the data's
    version on: a kept page must still be refused to someone who lost access, at once."""
    from binomes.models import Pair
    from mentorat.core import datacache

    session = active_pair.sessions.order_by("starts_at").first()
    url = f"/sessions/{session.pk}/"
    mentor = client_for(org["junior_b"].user)
    assert mentor.get(url).status_code == 200
    assert mentor.get(url).page_cache_hit
    boss = client_for(executive)
    boss.get("/evaluation/")
    assert boss.get("/evaluation/").page_cache_hit
    with mock.patch.object(datacache, "note_write", lambda connection: None):
        Pair.objects.filter(pk=active_pair.pk).update(status=Pair.Status.DISCARDED)
        type(executive).objects.filter(pk=executive.pk).update(is_executive=False)
    assert mentor.get(url).status_code == 404
    assert boss.get("/evaluation/").status_code == 403
