"""Survey anonymity on a real database, through the pages themselves: every satisfaction figure an
executive can obtain (the CSV export of the dashboard, which carries what the page shows, for every
combination of its filters, with its per-programme columns, and each final survey's results page)
is collected, and no hidden group, no respondent and no few respondents alike may be in the span of
the shown groups (the property test of ``test_anonymity`` does the same on the pure ``Groups``)."""

import csv
import datetime
import io
from itertools import product

import pytest
from django.urls import reverse

from evaluation.models import Question, Response
from evaluation.services import results_release_due, surveys_ensure
from mentorat.core.models import Department
from programmes.models import Programme
from programmes.services import programme_create
from tests.evaluation.conftest import answer, client_en, make_pairs
from tests.evaluation.test_anonymity import assert_nothing_small_is_computable

pytestmark = pytest.mark.django_db
THRESHOLD = 5


@pytest.fixture
def company(closed_programme, coordinator):
    """Two closed cohorts: Finance 3 pairs and Ventes 2 in the first; Finance 3, Ventes 2 and
    Direction 1 in the second. Both members of each pair answer the final review; each respondent's
    satisfaction is known, and who they are (programme, department, role): the released ones."""
    second = programme_create(actor=coordinator, name="Promotion 2026", slug="promotion-2026",
                              start_date=datetime.date(2026, 1, 12), duration_months=9, cadence_weeks=3)
    Programme.objects.filter(pk=second.pk).update(status=Programme.Status.CLOSED)
    people = []  # (programme pk, department name, satisfaction)
    plan = {closed_programme: [("Finance", 3), ("Ventes", 2)], second: [("Finance", 3), ("Ventes", 2), ("Direction", 1)]}
    value = 0
    for programme, departments in plan.items():
        surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
        for department, count in departments:
            for pair in make_pairs(programme, count, departments=(department,), prefix=f"{programme.pk}{department[:2]}"):
                for role in ("mentee", "mentor"):
                    value = value % 5 + 1
                    response = answer(surveys[("final", role)], pair, role, {"satisfaction": value, "recommend": 9})
                    people.append((programme.pk, department, value, response.pk, role))
    results_release_due()  # a survey answered by fewer than the threshold is not released: in no figure
    released = set(Response.objects.filter(released_in__isnull=False).values_list("pk", flat=True))
    assert released
    return {"programmes": [closed_programme, second], "people": [p for p in people if p[3] in released]}


def member(person, years, *, programme, cohort, department, column) -> bool:
    """Whether a respondent is in the group of a figure: the filters chosen, and the column's programme."""
    pk, dept = person[:2]
    return ((programme is None or pk == programme.pk) and (cohort is None or years[pk] == cohort)
            and (department is None or dept == department) and (column is None or pk == column))


def rows_of(response):
    return [row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
            if row and row[0] != "programme"]


def test_no_satisfaction_figure_of_the_pages_singles_out_fewer_than_the_threshold(company, executive, coordinator, settings):
    settings.MENTORAT_ANONYMITY_THRESHOLD = THRESHOLD
    programmes, people = company["programmes"], company["people"]
    departments = {d.name: d.pk for d in Department.objects.filter(name__in={p[1] for p in people})}
    names = {p.pk: p.name for p in programmes}
    values = [p[2] for p in people]
    keys = [(p[0], p[1]) for p in people]
    client = client_en(executive)
    figures = []
    years = {p.pk: p.start_date.year for p in programmes}
    cohorts = sorted(set(years.values()))
    for programme, cohort, department in product([None, *programmes], [None, *cohorts], [None, *departments]):
        params = {k: v for k, v in {"programme": programme.pk if programme else None, "cohort": cohort,
                                    "department": departments[department] if department else None}.items() if v is not None}
        response = client.get(reverse("evaluation:export"), params)
        assert response.status_code == 200

        for row in rows_of(response):
            if row[1] != "Satisfaction":
                continue
            column = None if row[0] == "all selected programmes" else next(pk for pk, name in names.items() if name == row[0])
            members = [i for i, person in enumerate(people)
                       if member(person, years, programme=programme, cohort=cohort, department=department, column=column)]
            shown = row[2] != ""
            respondents = int(row[3]) if row[3] else None
            total = round(float(row[2]) * respondents) if shown else None
            figures.append(((params, row[0]), members,
                            {"shown": shown, "respondents": respondents, "sums": (total,) if shown else None}))
    # Each final survey's results page: its satisfaction question, over that survey's respondents.
    staff = client_en(coordinator)
    for programme in programmes:
        for question in Question.objects.filter(survey__programme=programme, survey__moment="final", measures="satisfaction"):
            page = staff.get(reverse("evaluation:results", args=[question.survey_id]))
            assert page.status_code == 200
            [row] = next(r for r in page.context["results"] if r["question"].pk == question.pk)["rows"]
            role = question.survey.audience
            members = [i for i, p in enumerate(people) if p[0] == programme.pk and p[4] == role]
            shown = row["shown"]
            figures.append(((programme.slug, role), members, {
                "shown": shown, "respondents": row["respondents"],
                "sums": (round(row["mean"] * row["respondents"]),) if shown else None}))
    assert any(f[2]["shown"] for f in figures), "the test must see some figures"
    assert any(not f[2]["shown"] and f[1] for f in figures), "and some hidden ones"
    assert_nothing_small_is_computable(values, keys, figures, THRESHOLD)
