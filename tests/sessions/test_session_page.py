"""The session page and the pair space as each role reads them: the video link is a link (only
http/https), a room is a place, who moved or cancelled a session and why, a cancelled session
offered again, element ids unique and every label pointing at a field of its own form; and
"My calendar" with its subscription links."""

import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sessions import services
from sessions.models import Delegate, MentoringSession
from tests.conftest import client_for
from tests.factories import UserFactory


class Page(HTMLParser):
    """Ids (with the form each is in), labels (with theirs), links and scripts of a page."""

    def __init__(self, html):
        super().__init__()
        self.ids, self.labels, self.links, self.scripts = [], [], [], []
        self.forms, self._form = 0, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms += 1
            self._form = self.forms
        if attrs.get("id"):
            self.ids.append((attrs["id"], self._form))
        if tag == "label" and attrs.get("for"):
            self.labels.append((attrs["for"], self._form))
        if tag == "a":
            self.links.append(attrs)
        if tag == "script":
            self.scripts.append(attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def problems(self):
        seen, duplicates = {}, []
        for element_id, form in self.ids:
            if element_id in seen:
                duplicates.append(element_id)
            seen[element_id] = form
        wrong = [(target, form, seen.get(target, "missing")) for target, form in self.labels
                 if target not in seen or (form is not None and seen[target] != form)]
        return duplicates, wrong


def page_of(user, url):
    if user.language != "en":
        user.language = "en"  # the texts below are the English source strings
        user.save(update_fields=["language"])
    response = client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def future(pair):
    return pair.sessions.filter(status="planned").order_by("starts_at")


@pytest.fixture
def assistant(org):
    user = UserFactory(email="assistant@test.example", first_name="Alix", last_name="Assistante")
    Delegate.objects.create(senior=org["director_a"], user=user)
    return user


@pytest.mark.django_db
class TestTheVideoLinkIsALink:
    def test_an_https_link_opens_in_a_new_tab_without_the_opener(self, active_pair, org, assistant):
        session = future(active_pair).first()
        link = "https://meet.example/abc-defg?pwd=1&x=2"
        services.session_set_place(user=org["junior_b"].user, session=session, place_kind="video", place=link)
        for user in (org["junior_b"].user, org["director_a"].user, assistant):
            page = Page(page_of(user, reverse("sessions:detail", args=[session.pk])))
            [join] = [a for a in page.links if a.get("href") == link]
            assert join["target"] == "_blank" and set(join["rel"].split()) == {"noopener", "noreferrer"}

    @pytest.mark.parametrize("place", ["javascript:alert(document.cookie)", "JavaScript:alert(1)",
                                       "data:text/html,<script>alert(1)</script>", "//evil.example/x"])
    def test_anything_but_http_never_becomes_a_link(self, active_pair, org, place):
        session = future(active_pair).first()
        MentoringSession.objects.filter(pk=session.pk).update(place_kind="video", place=place)
        html = page_of(org["director_a"].user, reverse("sessions:detail", args=[session.pk]))
        hrefs = [a.get("href", "") for a in Page(html).links]
        assert not any(place.lower() in href.lower() for href in hrefs)
        assert "<script>alert" not in html

    def test_a_room_is_shown_as_a_place_not_a_link(self, active_pair, org):
        session = future(active_pair).first()
        services.session_set_place(user=org["junior_b"].user, session=session, place_kind="room",
                                   place="https://rooms.example/agora")
        html = page_of(org["director_a"].user, reverse("sessions:detail", args=[session.pk]))
        assert "https://rooms.example/agora" in html
        assert not any(a.get("href") == "https://rooms.example/agora" for a in Page(html).links)


@pytest.mark.django_db
class TestWhoMovedItAndWhy:
    def test_the_other_member_reads_who_moved_and_why_the_delegate_who_only(self, active_pair, org, assistant):
        session = future(active_pair).first()
        new = session.starts_at + datetime.timedelta(days=1)
        services.session_reschedule(user=org["junior_b"].user, session=session, starts_at=new, reason="Partiels de juin",
                                    now=session.starts_at - datetime.timedelta(days=5))
        session.refresh_from_db()
        assert session.rescheduled_by == org["junior_b"].user
        url = reverse("sessions:detail", args=[session.pk])
        html = page_of(org["director_a"].user, url)
        assert org["junior_b"].full_name in html and "Partiels de juin" in html and "moved" in html
        html = page_of(assistant, url)
        assert org["junior_b"].full_name in html and "Partiels de juin" not in html

    def test_who_cancelled_and_why_by_name(self, active_pair, org, assistant):
        session = future(active_pair).first()
        services.session_cancel(user=assistant, session=session, reason="Conseil d'administration")
        html = page_of(org["junior_b"].user, reverse("sessions:detail", args=[session.pk]))
        assert "Alix Assistante" in html and "Conseil d&#x27;administration" in html

    def test_a_session_cancelled_when_the_pair_ended_says_so_in_words(self, active_pair, org, coordinator):
        from binomes.services import pair_end

        session = future(active_pair).first()
        pair_end(user=coordinator, pair=active_pair, completed=False, reason="Départ")
        html = page_of(org["director_a"].user, reverse("sessions:detail", args=[session.pk]))
        assert "the pair has ended" in html and "pair ended:" not in html

    def test_a_cancelled_session_is_offered_again_from_its_page(self, active_pair, org):
        session = future(active_pair).first()
        services.session_cancel(user=org["director_a"].user, session=session, reason="Comité")
        url = reverse("sessions:detail", args=[session.pk])
        client = client_for(org["director_a"].user)
        assert 'value="reoffer"' in page_of(org["director_a"].user, url)
        new = timezone.localtime(session.starts_at + datetime.timedelta(days=1))
        response = client.post(url, {"action": "reoffer", "starts_at": f"{new:%Y-%m-%dT%H:%M}", "reason": "Je me libère"})
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.status == "planned" and session.starts_at == new and session.sequence == 2
        html = page_of(org["junior_b"].user, url)
        assert "offered" in html and "Je me libère" in html

    def test_a_stranger_cannot_offer_a_session_again(self, active_pair, other_pair, org):
        session = future(active_pair).first()
        services.session_cancel(user=org["director_a"].user, session=session, reason="Comité")
        with pytest.raises(services.SessionError):
            services.session_reoffer(user=org["junior_a"].user, session=session,
                                     starts_at=session.starts_at + datetime.timedelta(days=1))
        response = client_for(org["junior_a"].user).post(reverse("sessions:detail", args=[session.pk]), {
            "action": "reoffer", "starts_at": "2027-01-12T10:00"})
        assert response.status_code == 404


@pytest.mark.django_db
class TestIdsAndLabels:
    def assert_clean(self, html):
        duplicates, wrong = Page(html).problems()
        assert not duplicates, f"duplicate ids: {duplicates}"
        assert not wrong, f"labels pointing outside their form: {wrong}"

    def test_the_session_page_before_the_session_for_each_role(self, active_pair, org, assistant):
        session = future(active_pair).first()
        for user in (org["junior_b"].user, org["director_a"].user, assistant):
            self.assert_clean(page_of(user, reverse("sessions:detail", args=[session.pk])))

    def test_the_cancel_reason_label_points_at_the_cancel_form(self, active_pair, org):
        session = future(active_pair).first()
        page = Page(page_of(org["director_a"].user, reverse("sessions:detail", args=[session.pk])))
        ids = dict(page.ids)
        reasons = [(target, form) for target, form in page.labels if "reason" in target]
        assert len(reasons) == 2 and len({form for _t, form in reasons}) == 2
        assert all(ids[target] == form for target, form in reasons)

    def test_the_session_page_after_the_session_for_each_member(self, active_pair, org):
        session = future(active_pair).first()
        MentoringSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
        session.refresh_from_db()
        services.session_log(user=org["junior_b"].user, session=session, data=services.LogData(held=True, actual_minutes=60))
        for user in (org["junior_b"].user, org["director_a"].user):
            html = page_of(user, reverse("sessions:detail", args=[session.pk]))
            assert 'value="rate"' in html and 'value="log"' in html
            self.assert_clean(html)

    def test_the_pair_space_for_each_member(self, active_pair, org, coordinator):
        from sessions.models import LearningGoal

        active_pair.programme.concern_contacts.add(coordinator)
        LearningGoal.objects.create(pair=active_pair, title="Prompts", progress=20)
        LearningGoal.objects.create(pair=active_pair, title="Teams", progress=40)
        url = reverse("sessions:workspace", args=[active_pair.pk])
        mentor_html = page_of(org["junior_b"].user, url)
        assert 'value="concern"' in mentor_html and 'value="note"' in mentor_html
        page = Page(mentor_html)
        ids = dict(page.ids)
        bodies = [(target, form) for target, form in page.labels if target.endswith("body")]
        assert len(bodies) == 2 and len({target for target, _f in bodies}) == 2  # the note's and the concern's
        assert all(ids[target] == form for target, form in bodies)
        for user in (org["junior_b"].user, org["director_a"].user):
            self.assert_clean(page_of(user, url))


@pytest.mark.django_db
class TestMyCalendar:
    def test_copy_button_webcal_outlook_and_google_links_and_a_how_to(self, active_pair, org):
        user = org["junior_b"].user
        token = services.feed_get(user=user).token
        html = page_of(user, reverse("sessions:calendar"))
        page = Page(html)
        feed_url = settings.SITE_URL + reverse("sessions:feed", args=[token])
        webcal = "webcal://" + feed_url.split("://", 1)[1]
        assert f'value="{feed_url}"' in html and 'data-copy-target="feed-url"' in html
        hrefs = [a.get("href", "") for a in page.links]
        assert webcal in hrefs
        [outlook] = [h for h in hrefs if h.startswith("https://outlook.office.com/calendar/0/addfromweb?")]
        query = parse_qs(urlsplit(outlook).query)
        assert query["url"] == [feed_url] and query["name"] == ["Reverse mentoring"]
        [google] = [h for h in hrefs if h.startswith("https://calendar.google.com/calendar/r?")]
        assert parse_qs(urlsplit(google).query)["cid"] == [webcal] and quote(webcal, safe="") in google
        for a in page.links:
            if a.get("href", "").startswith("https://"):
                assert a.get("target") == "_blank" and "noopener" in a.get("rel", "")
        assert "Outlook" in html and "Google" in html and "Apple" in html
        assert all(script.get("src") for script in page.scripts)  # no inline script (the CSP forbids it)
        assert any(script["src"].endswith("js/copy.js") for script in page.scripts)

    def test_the_copy_script_is_served(self, client, db):
        from django.contrib.staticfiles import finders

        assert finders.find("js/copy.js")


@pytest.mark.django_db
@pytest.mark.parametrize("place", ["https://", "https://meet example/x", "https://meet.example/a\nb", "ftp://meet.example/x"])
def test_a_video_link_that_cannot_be_a_link_is_refused(active_pair, org, place):
    session = future(active_pair).first()
    with pytest.raises(services.SessionError, match="https"):
        services.session_set_place(user=org["junior_b"].user, session=session, place_kind="video", place=place)


@pytest.mark.django_db
def test_the_pair_space_says_which_side_cancelled_in_words(active_pair, org):
    session = future(active_pair).first()
    services.session_cancel(user=org["director_a"].user, session=session, reason="Comité")
    html = page_of(org["junior_b"].user, reverse("sessions:workspace", args=[active_pair.pk]))
    assert "(by the senior)" in html and "(mentee)" not in html


@pytest.mark.django_db
def test_a_session_cancelled_before_the_history_existed_still_says_which_side(active_pair, org):
    session = future(active_pair).first()
    MentoringSession.objects.filter(pk=session.pk).update(status="cancelled", cancelled_by="mentee", cancel_reason="Comité")
    html = page_of(org["junior_b"].user, reverse("sessions:detail", args=[session.pk]))
    assert "Cancelled by the senior" in html and "Comité" in html
