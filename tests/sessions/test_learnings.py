"""The community of practice: learnings shared beyond the pairs (share, review, browse, withdraw)
and the seniors' commitments in themes, never attributable.

The cast (tests/conftest.py): ``mentor`` (JB) and ``mentee`` (DA) are the ``active_pair``;
``other_pair`` is JA & DB; ``coordinator`` created the programme (runs it); ``other_coordinator``
runs another programme only; ``hr_lead`` runs them all; ``executive`` runs none; ``outsider`` is
in no pair."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from binomes.models import Pair
from mentorat.core.models import AuditEntry
from programmes.models import Application, ApplicationDomain, LearningDomain, Programme
from sessions import learnings
from sessions.models import Commitment, SharedLearning
from tests.conftest import client_for, cold
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

AUTHOR_FIRST, AUTHOR_LAST = "Ysolde", "Trévidic-Marchal"


@pytest.fixture
def author(active_pair, mentor):
    """The junior of the active pair, with a name no page prints by chance."""
    mentor.first_name, mentor.last_name = AUTHOR_FIRST, AUTHOR_LAST
    mentor.save()
    employee = mentor.employee
    employee.first_name, employee.last_name = AUTHOR_FIRST, AUTHOR_LAST
    employee.save()
    return mentor


@pytest.fixture
def domain(db):
    return LearningDomain.objects.get(slug="generative-ai")


@pytest.fixture
def other_coordinator(db):
    user = EmployeeFactory(employee_id="COORD2", job_level=4, user__is_coordinator=True).user
    from programmes.services import programme_create

    programme_create(actor=user, name="Autre entité", slug="autre-entite", start_date=datetime.date(2027, 2, 1),
                     duration_months=9, cadence_weeks=3)
    return user


def share(user, pair, domain, **overrides):
    values = {"kind": "tip", "title": "Un prompt pour préparer un comité", "body": "Demander trois objections d'abord.",
              "domain": domain, "anonymous": False, "consent": True, "link": ""}
    values.update(overrides)
    return learnings.learning_share(user=user, pair=pair, **values)


def post_data(pair, domain, **overrides):
    data = {"pair": pair.pk, "kind": "learning", "title": "Écrire un post court", "body": "Une idée par post.",
            "link": "", "domain": domain.pk, "anonymous": "0", "consent": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class TestSharing:
    def test_a_member_shares_from_the_pair_page_and_it_waits_for_review(self, author, active_pair, domain, outsider):
        page = client_for(author).get(reverse("sessions:workspace", args=[active_pair.pk]))
        assert f'{reverse("sessions:learning_share")}?pair={active_pair.pk}' in page.content.decode()
        response = client_for(author).post(reverse("sessions:learning_share"), post_data(active_pair, domain))
        assert response.status_code == 302
        learning = SharedLearning.objects.get()
        assert (learning.status, learning.programme_id, learning.author_id) == ("submitted", active_pair.programme_id,
                                                                                author.employee.pk)
        assert "Écrire un post court" not in client_for(outsider).get(reverse("sessions:learnings")).content.decode()
        assert "Écrire un post court" in client_for(author).get(reverse("sessions:learnings_mine")).content.decode()

    def test_without_consent_nothing_is_written_and_the_box_is_named(self, author, active_pair, domain):
        response = client_for(author).post(reverse("sessions:learning_share"), post_data(active_pair, domain, consent=None))
        assert response.status_code == 200
        assert "consent" in response.context["form"].errors
        assert not SharedLearning.objects.exists()
        with pytest.raises(learnings.LearningError) as refused:
            share(author, active_pair, domain, consent=False)
        assert refused.value.field == "consent"

    def test_a_link_that_is_not_a_web_address_is_refused(self, author, active_pair, domain):
        response = client_for(author).post(reverse("sessions:learning_share"),
                                           post_data(active_pair, domain, link="javascript:alert(1)"))
        assert "link" in response.context["form"].errors
        assert not SharedLearning.objects.exists()

    def test_someone_outside_the_pair_cannot_share_from_it(self, active_pair, other_pair, org, outsider, domain):
        assert client_for(outsider).get(reverse("sessions:learning_share")).status_code == 403
        with pytest.raises(learnings.LearningError):
            share(org["junior_a"].user, active_pair, domain)
        # The form offers only one's own pairs: another pair's id is a form error, nothing written.
        response = client_for(org["junior_a"].user).post(reverse("sessions:learning_share"), post_data(active_pair, domain))
        assert "pair" in response.context["form"].errors
        assert not SharedLearning.objects.exists()

    def test_a_pair_that_never_started_cannot_share(self, author, active_pair, domain):
        Pair.objects.filter(pk=active_pair.pk).update(status=Pair.Status.DECLINED)
        active_pair.refresh_from_db()
        with pytest.raises(learnings.LearningError):
            share(author, active_pair, domain)

    def test_an_ended_pair_still_shares(self, author, active_pair, domain):
        Pair.objects.filter(pk=active_pair.pk).update(status=Pair.Status.ENDED)
        active_pair.refresh_from_db()
        assert share(author, active_pair, domain).status == "submitted"

    def test_the_author_withdraws_at_any_time_and_nobody_else_can(self, author, mentee, active_pair, domain, coordinator):
        learning = share(author, active_pair, domain)
        learnings.learning_review(actor=coordinator, learning=learning, publish=True)
        url = reverse("sessions:learning_withdraw", args=[learning.pk])
        for user in (mentee, coordinator):
            assert client_for(user).post(url).status_code == 404
        assert client_for(author).get(url).status_code == 405
        assert client_for(author).post(url).status_code == 302
        assert not SharedLearning.objects.exists()
        assert "Un prompt" not in client_for(mentee).get(reverse("sessions:learnings")).content.decode()


class TestReview:
    @pytest.fixture
    def learning(self, author, active_pair, domain):
        return share(author, active_pair, domain)

    def test_the_programme_s_coordinator_publishes_audited_without_the_text(self, learning, coordinator, outsider):
        url = reverse("sessions:learning_review", args=[learning.pk])
        assert client_for(coordinator).get(url).status_code == 200
        assert client_for(coordinator).post(url, {"decision": "publish", "message": ""}).status_code == 302
        learning.refresh_from_db()
        assert learning.status == "published" and learning.reviewed_by == coordinator
        entry = AuditEntry.objects.get(action="learning.publish")
        assert entry.target == f"learning:{learning.pk}" and "Un prompt" not in str(entry.details)
        assert "Un prompt pour préparer un comité" in client_for(outsider).get(reverse("sessions:learnings")).content.decode()

    def test_refusing_needs_a_message_that_the_author_reads(self, learning, coordinator, author):
        url = reverse("sessions:learning_review", args=[learning.pk])
        response = client_for(coordinator).post(url, {"decision": "reject", "message": ""})
        assert "message" in response.context["form"].errors
        learning.refresh_from_db()
        assert learning.status == "submitted"
        client_for(coordinator).post(url, {"decision": "reject", "message": "Ajoutez un exemple concret."})
        learning.refresh_from_db()
        assert learning.status == "rejected"
        assert AuditEntry.objects.filter(action="learning.reject").exists()
        mine = client_for(author).get(reverse("sessions:learnings_mine")).content.decode()
        assert "Ajoutez un exemple concret." in mine

    def test_a_learning_is_reviewed_once(self, learning, coordinator, hr_lead):
        learnings.learning_review(actor=coordinator, learning=learning, publish=False, message="Non.")
        stale = SharedLearning.objects.get(pk=learning.pk)
        stale.status = "submitted"  # read before the other coordinator's decision
        with pytest.raises(learnings.LearningError):
            learnings.learning_review(actor=hr_lead, learning=stale, publish=True)
        assert SharedLearning.objects.get(pk=learning.pk).status == "rejected"

    def test_a_published_learning_can_be_taken_down(self, learning, coordinator, outsider):
        learnings.learning_review(actor=coordinator, learning=learning, publish=True)
        learnings.learning_review(actor=coordinator, learning=learning, publish=False, message="Lien cassé.")
        assert "Un prompt" not in client_for(outsider).get(reverse("sessions:learnings")).content.decode()

    @pytest.mark.parametrize("who, status", [("coordinator", 200), ("hr_lead", 200), ("other_coordinator", 404),
                                             ("executive", 403), ("outsider", 403), ("author", 403), ("mentee", 403)])
    def test_who_reviews(self, request, learning, who, status):
        user = request.getfixturevalue(who)
        url = reverse("sessions:learning_review", args=[learning.pk])
        assert client_for(user).get(url).status_code == status
        assert client_for(user).post(url, {"decision": "publish"}).status_code == (302 if status == 200 else status)
        learning.refresh_from_db()
        assert learning.status == ("published" if status == 200 else "submitted")

    def test_the_queue_lists_the_programmes_one_runs_only(self, learning, coordinator, other_coordinator, hr_lead):
        queue = reverse("sessions:learnings_review")
        assert "Un prompt" in client_for(coordinator).get(queue).content.decode()
        assert "Un prompt" in client_for(hr_lead).get(queue).content.decode()
        assert "Un prompt" not in client_for(other_coordinator).get(queue).content.decode()
        with pytest.raises(learnings.LearningError):
            learnings.learning_review(actor=other_coordinator, learning=learning, publish=True)


class TestAnonymity:
    def test_an_anonymous_learning_never_shows_its_author(self, author, active_pair, domain, coordinator, outsider, mentee):
        learning = share(author, active_pair, domain, anonymous=True, title="Anonyme mais utile")
        pages = [(coordinator, reverse("sessions:learnings_review")),
                 (coordinator, reverse("sessions:learning_review", args=[learning.pk]))]
        for user, url in pages:
            html = client_for(user).get(url).content.decode()
            assert "Anonyme mais utile" in html and AUTHOR_LAST not in html and AUTHOR_FIRST not in html
        learnings.learning_review(actor=coordinator, learning=learning, publish=True)
        for user in (outsider, mentee, coordinator):
            html = client_for(user).get(reverse("sessions:learnings")).content.decode()
            assert "Anonyme mais utile" in html and AUTHOR_LAST not in html and AUTHOR_FIRST not in html

    def test_a_signed_learning_names_its_author(self, author, active_pair, domain, coordinator, outsider):
        learning = share(author, active_pair, domain)
        assert AUTHOR_LAST in client_for(coordinator).get(reverse("sessions:learning_review", args=[learning.pk])).content.decode()
        learnings.learning_review(actor=coordinator, learning=learning, publish=True)
        assert AUTHOR_LAST in client_for(outsider).get(reverse("sessions:learnings")).content.decode()


class TestBrowse:
    def test_filters_by_domain_kind_and_programme_with_its_cohorts(self, author, active_pair, coordinator, outsider, programme):
        ai, social = LearningDomain.objects.get(slug="generative-ai"), LearningDomain.objects.get(slug="social-media")
        first = share(author, active_pair, ai, title="Titre IA", kind="tip")
        second = share(author, active_pair, social, title="Titre réseaux", kind="resource", link="https://example.org/guide")
        copy = Programme.objects.create(name="Cohorte suivante", slug="cohorte-suivante", start_date=datetime.date(2028, 1, 10),
                                        copied_from=programme, created_by=coordinator)
        elsewhere = Programme.objects.create(name="Ailleurs", slug="ailleurs", start_date=datetime.date(2028, 1, 10),
                                             created_by=coordinator)
        third = SharedLearning.objects.create(programme=copy, domain=ai, title="Titre cohorte 2", body="b", consent=True)
        fourth = SharedLearning.objects.create(programme=elsewhere, domain=ai, title="Titre ailleurs", body="b", consent=True)
        for item in (first, second, third, fourth):
            learnings.learning_review(actor=coordinator, learning=item, publish=True)
        client = client_for(outsider)

        def titles(**query):
            html = client.get(reverse("sessions:learnings"), query).content.decode()
            return {t for t in ("Titre IA", "Titre réseaux", "Titre cohorte 2", "Titre ailleurs") if t in html}

        assert titles() == {"Titre IA", "Titre réseaux", "Titre cohorte 2", "Titre ailleurs"}
        assert titles(domain="social-media") == {"Titre réseaux"}
        assert titles(kind="resource") == {"Titre réseaux"}
        assert titles(programme="cohorte-test") == {"Titre IA", "Titre réseaux", "Titre cohorte 2"}
        assert titles(programme="ailleurs") == {"Titre ailleurs"}
        assert titles(domain="generative-ai", programme="cohorte-test") == {"Titre IA", "Titre cohorte 2"}
        assert titles(domain="no-such-domain") == {"Titre IA", "Titre réseaux", "Titre cohorte 2", "Titre ailleurs"}
        html = client.get(reverse("sessions:learnings")).content.decode()
        assert 'href="https://example.org/guide"' in html and "(toutes ses cohortes)" in html

    def test_paged_with_a_query_count_that_does_not_grow(self, author, active_pair, domain, coordinator, outsider,
                                                          django_assert_max_num_queries):
        client = client_for(outsider)
        url = reverse("sessions:learnings")

        def add(n):
            for i in range(n):
                item = SharedLearning.objects.create(programme=active_pair.programme, pair=active_pair, author=author.employee,
                                                     domain=domain, title=f"L{i}", body="b", consent=True,
                                                     anonymous=bool(i % 2))
                learnings.learning_review(actor=coordinator, learning=item, publish=True)

        add(2)
        client.get(url)  # warm the session and caches
        # Session, user, nav conditions, families (2), count, page, sharing check; the session may be saved once.
        with django_assert_max_num_queries(12):
            client.get(url)
        add(40)
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert len(response.context["cards"]) == learnings.PER_PAGE
        assert response.context["page"].paginator.num_pages == 3

    def test_query_bound_of_the_pages(self, author, active_pair, domain, coordinator, django_assert_max_num_queries):
        for i in range(30):
            item = SharedLearning.objects.create(programme=active_pair.programme, pair=active_pair, author=author.employee,
                                                 domain=domain, title=f"L{i}", body="b", consent=True)
            if i % 2:
                learnings.learning_review(actor=coordinator, learning=item, publish=True)
        client = client_for(coordinator)
        client.get(reverse("sessions:learnings"))
        # Session, user, nav conditions, families (2), domains, count, page, to-review count, sharing check.
        with django_assert_max_num_queries(14):
            client.get(reverse("sessions:learnings"))
        with django_assert_max_num_queries(10):
            client.get(reverse("sessions:learnings_review"))
        mine = client_for(author)
        mine.get(reverse("sessions:learnings_mine"))
        with django_assert_max_num_queries(10):
            mine.get(reverse("sessions:learnings_mine"))


class TestNavigation:
    def test_learnings_for_everyone_and_the_themes_for_executives_and_hr_leads(self, outsider, executive, hr_lead):
        def labels(user):
            return client_for(user).get(reverse("sessions:learnings")).context["nav_items"]

        # French labels: the cast's users read French.
        assert "Apprentissages" in [i.label for i in labels(outsider)]
        assert "Engagements par thème" not in [i.label for i in labels(outsider)]
        assert "Engagements par thème" in [i.label for i in labels(executive)]
        assert "Engagements par thème" in [i.label for i in labels(hr_lead)]


# -- the commitments' themes -------------------------------------------------------------------------

def senior(programme, n, domain_slug, texts, kept=0):
    """A senior of ``programme`` with an active pair, who came for ``domain_slug`` and committed to ``texts``."""
    junior = EmployeeFactory(employee_id=f"J{programme.pk}-{n}", job_level=1)
    boss = EmployeeFactory(employee_id=f"S{programme.pk}-{n}", job_level=5, first_name="Senior", last_name=f"Nommé{n}")
    mentor = Application.objects.create(programme=programme, employee=junior, role="mentor", status="approved")
    mentee = Application.objects.create(programme=programme, employee=boss, role="mentee", status="approved")
    ApplicationDomain.objects.create(application=mentee, domain=LearningDomain.objects.get(slug=domain_slug), weight=3)
    ApplicationDomain.objects.create(application=mentee, domain=LearningDomain.objects.get(slug="csr"), weight=1)
    pair = Pair.objects.create(programme=programme, mentor=mentor, mentee=mentee, status=Pair.Status.ACTIVE)
    for i, text in enumerate(texts):
        Commitment.objects.create(pair=pair, text=text, due_date=datetime.date(2027, 6, 1),
                                  status="kept" if i < kept else "open")
    return boss


@pytest.fixture
def themes_world(programme, settings):
    """Generative AI: five seniors (shown); social media: four (hidden)."""
    settings.MENTORAT_ANONYMITY_THRESHOLD = 5
    for n in range(5):
        senior(programme, n, "generative-ai", [f"Texte IA {n}"], kept=1 if n < 2 else 0)
    for n in range(5, 9):
        senior(programme, n, "social-media", [f"Texte réseaux {n}", f"Second réseaux {n}"])
    return programme


class TestCommitmentThemes:
    def test_a_theme_under_the_threshold_shows_no_text(self, themes_world, executive):
        html = client_for(executive).get(reverse("sessions:commitment_themes")).content.decode()
        for n in range(5):
            assert f"Texte IA {n}" in html
        assert "Texte réseaux" not in html and "Second réseaux" not in html
        assert "Moins de 5 seniors" in html
        assert "Nommé" not in html and "2027" not in html
        with translation.override("en"):
            data = learnings.commitment_themes(user=executive)
        shown = {t.name: (t.seniors, t.commitments, t.kept, t.shown) for t in data["themes"]}
        assert shown["Generative AI"] == (5, 5, 2, True)
        assert shown["Social media"] == (0, 0, 0, False)
        assert data["programmes"] == ["Cohorte test"]

    def test_the_fifth_senior_releases_the_theme(self, themes_world, hr_lead):
        senior(themes_world, 9, "social-media", ["Texte réseaux 9"])
        html = client_for(hr_lead).get(reverse("sessions:commitment_themes")).content.decode()
        assert "Texte réseaux 9" in html and "Second réseaux 5" in html

    def test_a_programme_with_fewer_seniors_than_the_threshold_is_not_named(self, themes_world, coordinator, executive):
        small = Programme.objects.create(name="Petite entité", slug="petite", start_date=datetime.date(2027, 1, 11),
                                         created_by=coordinator)
        senior(small, 20, "generative-ai", ["Texte petit"])
        data = learnings.commitment_themes(user=executive)
        assert data["programmes"] == ["Cohorte test"] and data["smaller_programmes"]
        assert "Petite entité" not in client_for(executive).get(reverse("sessions:commitment_themes")).content.decode()

    @pytest.mark.parametrize("who, status", [("executive", 200), ("hr_lead", 200), ("coordinator", 200),
                                             ("other_coordinator", 200), ("outsider", 403), ("mentor", 403)])
    def test_who_reads_the_themes(self, request, themes_world, who, status):
        response = client_for(request.getfixturevalue(who)).get(reverse("sessions:commitment_themes"))
        assert response.status_code == status
        if who == "other_coordinator":  # runs another programme: none of these commitments
            assert "Texte IA" not in response.content.decode() and response.context["themes"] == []

    def test_the_query_count_does_not_grow_with_the_commitments(self, themes_world, executive, django_assert_max_num_queries):
        client = client_for(executive)
        url = reverse("sessions:commitment_themes")
        cold()
        # Session, user, reach (2), nav conditions; commitments, their seniors' domains, the domains, the programmes named.
        with django_assert_max_num_queries(12) as small:
            client.get(url)
        for n in range(30, 45):
            senior(themes_world, n, "cybersecurity", ["a", "b"])
        cold()
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(url)


class TestPersonalData:
    def test_erasure_deletes_the_person_s_learnings_and_the_download_has_them(self, author, active_pair, domain):
        from sessions import learning_privacy

        share(author, active_pair, domain, anonymous=True)
        assert learning_privacy.export(author.employee, author)["my_shared_learnings"][0]["anonymous"] is True
        learning_privacy.erase(author.employee, author)
        assert not SharedLearning.objects.exists()

    def test_retention_deletes_the_unpublished_and_unsigns_the_published(self, author, active_pair, domain, coordinator,
                                                                          programme):
        from sessions import learning_privacy

        kept = share(author, active_pair, domain, title="Publié")
        learnings.learning_review(actor=coordinator, learning=kept, publish=True, message="Merci")
        share(author, active_pair, domain, title="En attente")
        Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
        assert learning_privacy.purge(datetime.date(2027, 1, 1)) == 0  # not ended before the cutoff
        assert learning_privacy.purge(datetime.date(2031, 1, 1)) == 2
        remaining = SharedLearning.objects.get()
        assert (remaining.title, remaining.author_id, remaining.pair_id, remaining.anonymous, remaining.review_message) == (
            "Publié", None, None, True, "")
        assert learning_privacy.purge(datetime.date(2031, 1, 1)) == 0  # a second run changes nothing
