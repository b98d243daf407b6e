"""Coordinators are scoped to the programmes they run: every URL of the pairing app answers 404 to
a coordinator of another programme (board, pairs, export, import, forbidden pairs, shortlists),
and works for the programme's own coordinator and for an HR lead. The table below must name every
URL of ``binomes.urls``: a new URL without its line here fails the first test."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from binomes import services
from binomes.models import ForbiddenPair, Shortlist
from binomes.urls import urlpatterns
from tests.conftest import client_for
from tests.factories import EmployeeFactory

# name → (the object its pk is, the methods it answers). "GET" pages answer 200, "POST" actions 302.
URLS = {
    "board": (None, ["GET"]), "run": (None, ["POST"]), "publish": (None, ["POST"]), "shortlists": (None, ["POST"]),
    "manual": (None, ["POST"]), "settings": (None, ["GET", "POST"]), "export": (None, ["GET"]),
    "import": (None, ["GET", "POST"]), "lock": ("draft", ["POST"]), "forbid": ("draft", ["POST"]),
    "remove": ("draft", ["GET", "POST"]), "allow": ("forbidden", ["POST"]),
    "pair": ("published", ["GET"]), "confirm": ("published", ["POST"]), "decline": ("published", ["POST"]),
    "end": ("published", ["POST"]), "chemistry": ("published", ["POST"]), "shortlist": ("shortlist", ["GET", "POST"]),
}
# The senior's own page: nobody else, the programme's coordinators included, sees a shortlist.
MEMBERS_ONLY = {"shortlist"}


@pytest.fixture
def world(programme, cohort, coordinator, org):
    """A published pair (JB–DA), a draft (JA–DB), a forbidden pair (JA–DA), an open shortlist for DB,
    and a coordinator who runs another programme only."""
    from programmes.services import programme_create

    published = services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"],
                                     mentee=cohort["director_a"])
    services.pairs_publish(actor=coordinator, programme=programme)
    draft = services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"],
                                 mentee=cohort["director_b"])
    forbidden = ForbiddenPair.objects.create(programme=programme, mentor=org["junior_a"], mentee=org["director_a"])
    shortlist = Shortlist.objects.create(programme=programme, mentee=cohort["director_b"],
                                         expires_at=timezone.now() + datetime.timedelta(days=7),
                                         options=[{"mentor": cohort["junior_a"].pk, "score": 50, "breakdown": {}}])
    other = EmployeeFactory(employee_id="OTHERCO", job_level=4, user__is_coordinator=True).user
    theirs = programme_create(actor=other, name="Autre cohorte", slug="autre-cohorte",
                              start_date=datetime.date(2027, 1, 11), duration_months=9, cadence_weeks=3)
    return {"published": published, "draft": draft, "forbidden": forbidden, "shortlist": shortlist, "other": other,
            "theirs": theirs}


def url_of(name, world, slug):
    obj, _methods = URLS[name]
    kwargs = {}
    pattern = next(p for p in urlpatterns if p.name == name)
    if "slug" in pattern.pattern.converters:
        kwargs["slug"] = slug
    if obj:
        kwargs["pk"] = world[obj].pk
    return reverse(f"binomes:{name}", kwargs=kwargs)


def call(client, method, url):
    return client.get(url) if method == "GET" else client.post(url)


def cases():
    return [(name, method) for name, (_obj, methods) in URLS.items() for method in methods]


def test_the_table_names_every_url_of_the_app():
    assert {p.name for p in urlpatterns} == set(URLS)


@pytest.mark.django_db
@pytest.mark.parametrize("name,method", cases())
def test_a_coordinator_of_another_programme_gets_404(world, programme, name, method):
    client = client_for(world["other"])
    response = call(client, method, url_of(name, world, programme.slug))
    assert response.status_code == 404, (name, method, response.status_code)
    # Nor through their own programme's slug with this programme's objects.
    if "slug" in next(p for p in urlpatterns if p.name == name).pattern.converters and URLS[name][0]:
        response = call(client, method, url_of(name, world, world["theirs"].slug))
        assert response.status_code == 404, (name, method, "own slug", response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "hr_lead"])
@pytest.mark.parametrize("name,method", cases())
def test_the_programme_s_coordinator_and_an_hr_lead_reach_it(world, programme, request, who, name, method):
    user = request.getfixturevalue(who)
    response = call(client_for(user), method, url_of(name, world, programme.slug))
    expected = {404} if name in MEMBERS_ONLY else ({200} if method == "GET" else {200, 302})
    assert response.status_code in expected, (name, method, who, response.status_code)


@pytest.mark.django_db
def test_the_senior_reaches_their_shortlist(world, org):
    url = reverse("binomes:shortlist", args=[world["shortlist"].pk])
    assert client_for(org["director_b"].user).get(url).status_code == 200


@pytest.mark.django_db
def test_a_coordinator_of_another_programme_cannot_end_a_pair_through_the_service(active_pair):
    """The service's own gate, not only the page's: ending an active pair as completed is for the
    coordinators of its programme."""
    other = EmployeeFactory(employee_id="OTHERCO", job_level=4, user__is_coordinator=True).user
    with pytest.raises(services.PairingError):
        services.pair_end(user=other, pair=active_pair, completed=True)
    active_pair.refresh_from_db()
    assert active_pair.status == "active"
