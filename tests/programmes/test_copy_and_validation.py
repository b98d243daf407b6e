"""Issue 17: a copy for a new cohort carries the surveys as edited and the pairing choices (never
answers, releases or pairs); objective targets stay within their indicator's range; milestones
stay within the programme's dates (also when the dates change); certificates only for pairs that
met."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from binomes.models import Pair, PairingSettings
from evaluation import services as evaluation
from evaluation.models import Question, Response, ResultRelease
from mentorat.core.models import AuditEntry, Notification
from programmes.models import Milestone, Objective, Programme
from programmes.services import ProgrammeError, programme_close, programme_close_preview, programme_copy, programme_update
from sessions.models import MentoringSession
from tests.conftest import client_for
from tests.evaluation.conftest import answer, make_pairs

NEW_START = datetime.date(2028, 1, 10)


@pytest.fixture
def closed_programme(programme):
    """The cast's programme, as it is once closed (the usual source of a copy)."""
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
    programme.refresh_from_db()
    return programme


def copy_of(programme, coordinator, slug="cohorte-2"):
    return programme_copy(actor=coordinator, programme=programme, name="Cohorte 2", slug=slug, start_date=NEW_START)


def formset_data(formset, changes: dict[int, dict]) -> dict:
    """What the formset page posts: its forms as shown, with ``changes`` per form index (the extra
    form is the last one)."""
    data = {f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()}
    for index, form in enumerate(formset.forms):
        values = {name: form.initial.get(name, "") for name in form.fields if name != "DELETE"}
        values = {name: "" if value is None else value for name, value in values.items()}
        values.update(changes.get(index, {}))
        data.update({f"{form.prefix}-{name}": value for name, value in values.items()})
    return data


@pytest.mark.django_db
class TestCopyCarriesSurveysAndPairingChoices:
    def test_the_surveys_are_copied_as_the_coordinators_edited_them(self, programme, coordinator):
        surveys = {(s.moment, s.audience): s for s in evaluation.surveys_ensure(programme=programme)}
        final = surveys[("final", "mentee")]
        evaluation.survey_update(actor=coordinator, survey=final, title_fr="Bilan, édition maison", title_en="Our final review",
                                 intro_fr="Deux minutes.", intro_en="Two minutes.", days_open=30,
                                 opens_on=datetime.date(2027, 9, 20))
        first = final.questions.first()
        evaluation.question_save(actor=coordinator, survey=final, question=first, kind=first.kind, text_fr="Reformulée",
                                 text_en="Reworded", required=False, order=first.order, measures=first.measures)
        evaluation.question_save(actor=coordinator, survey=final, kind="single", text_fr="Format préféré ?",
                                 text_en="Preferred format?", choices="Visio | Video\nSur place | On site", order=99)
        evaluation.question_delete(actor=coordinator, question=final.questions.filter(kind="text").last())
        pulse = surveys[("pulse", "mentor")]
        evaluation.survey_update(actor=coordinator, survey=pulse, title_fr=pulse.title_fr, title_en=pulse.title_en,
                                 is_active=False)

        copy = copy_of(programme, coordinator)

        assert copy.surveys.count() == 8
        copied = copy.surveys.get(moment="final", audience="mentee")
        assert (copied.title_fr, copied.title_en, copied.intro_fr, copied.intro_en, copied.days_open) == (
            "Bilan, édition maison", "Our final review", "Deux minutes.", "Two minutes.", 30)
        shift = NEW_START - programme.start_date
        assert copied.opens_on == datetime.date(2027, 9, 20) + shift
        fields = ("order", "kind", "text_fr", "text_en", "choices", "required", "measures")
        assert [tuple(getattr(q, f) for f in fields) for q in copied.questions.all()] == [
            tuple(getattr(q, f) for f in fields) for q in final.questions.all()]
        assert copied.questions.filter(text_en="Reworded", required=False).exists()
        assert copied.questions.filter(kind="single", choices="Visio | Video\nSur place | On site").exists()
        assert not copy.surveys.get(moment="pulse", audience="mentor").is_active
        assert set(Question.objects.filter(survey__programme=programme).values_list("pk", flat=True)).isdisjoint(
            Question.objects.filter(survey__programme=copy).values_list("pk", flat=True))

    def test_answers_releases_and_pairs_stay_with_the_source(self, closed_programme, coordinator):
        [pair] = make_pairs(closed_programme, 1)
        final = evaluation.surveys_ensure(programme=closed_programme)[-1]
        answer(final, pair, final.audience, {"satisfaction": 4})
        evaluation.results_release_due()

        copy = copy_of(closed_programme, coordinator)

        assert copy.surveys.count() == 8 and Response.objects.filter(survey__programme=copy).count() == 0
        assert ResultRelease.objects.filter(survey__programme=copy).count() == 0
        assert not Pair.objects.filter(programme=copy).exists() and not copy.applications.exists()
        assert Response.objects.filter(survey__programme=closed_programme).count() == 1

    def test_surveys_the_closing_switched_off_are_sent_again_in_the_new_cohort(self, closed_programme, coordinator):
        evaluation.surveys_ensure(programme=closed_programme)
        closed_programme.surveys.update(is_active=False)  # what closing does
        copy = copy_of(closed_programme, coordinator)
        assert copy.surveys.count() == 8 and not copy.surveys.filter(is_active=False).exists()

    def test_the_pairing_mode_weights_and_delays_are_copied(self, programme, coordinator):
        PairingSettings.objects.create(programme=programme, mode=PairingSettings.Mode.SHORTLIST, proposal_days=10,
                                       shortlist_days=5, weight_goals=30, weight_availability=25, weight_format=5,
                                       weight_cross_silo=35, weight_level_gap=5)
        copy = copy_of(programme, coordinator)
        settings = PairingSettings.objects.get(programme=copy)
        assert settings.mode == "shortlist" and (settings.proposal_days, settings.shortlist_days) == (10, 5)
        assert settings.weights() == {"goals": 30.0, "availability": 25.0, "format": 5.0, "cross_silo": 35.0, "level_gap": 5.0}
        entry = AuditEntry.objects.get(action="programme.copy", target=copy.slug)
        assert entry.details["pairing_settings"] == 1 and entry.details["surveys"] == 0

    def test_the_copy_page_carries_them_too(self, programme, coordinator):
        PairingSettings.objects.create(programme=programme, mode=PairingSettings.Mode.SHORTLIST, weight_goals=70)
        survey = evaluation.surveys_ensure(programme=programme)[0]
        evaluation.survey_update(actor=coordinator, survey=survey, title_fr="Point de départ", title_en="Starting point")
        response = client_for(coordinator).post(reverse("programmes:copy", args=[programme.slug]),
                                                {"name": "Cohorte 2", "slug": "cohorte-2", "start_date": "2028-01-10"})
        assert response.status_code == 302
        copy = Programme.objects.get(slug="cohorte-2")
        assert PairingSettings.objects.get(programme=copy).weight_goals == 70
        assert copy.surveys.filter(moment=survey.moment, audience=survey.audience, title_en="Starting point").exists()

    def test_copied_milestones_stay_within_the_new_dates(self, programme, coordinator):
        # Written before the rule: a briefing a week before the start.
        Milestone.objects.create(programme=programme, kind="other", title="Briefing", date=programme.start_date - datetime.timedelta(days=7))
        copy = copy_of(programme, coordinator)
        assert copy.milestones.get(title="Briefing").date == NEW_START
        for milestone in copy.milestones.all():
            milestone.full_clean()


PERCENT = Objective.Kpi.SKILL_GAIN


@pytest.mark.django_db
class TestObjectiveTargets:
    @pytest.mark.parametrize("kpi,target,valid", [
        (PERCENT, "0", True), (PERCENT, "100", True), (PERCENT, "100.1", False), (PERCENT, "-1", False),
        (Objective.Kpi.CROSS_DEPARTMENT, "120", False), (Objective.Kpi.RETENTION, "85", True),
        (Objective.Kpi.NPS, "-100", True), (Objective.Kpi.NPS, "100", True), (Objective.Kpi.NPS, "-101", False),
        (Objective.Kpi.NPS, "101", False),
        (Objective.Kpi.SATISFACTION, "1", True), (Objective.Kpi.SATISFACTION, "4.5", True),
        (Objective.Kpi.SATISFACTION, "0.9", False), (Objective.Kpi.SATISFACTION, "5.1", False),
        (Objective.Kpi.APPLICATIONS, "0", True), (Objective.Kpi.APPLICATIONS, "5000", True),
        (Objective.Kpi.APPLICATIONS, "-1", False),
    ])
    def test_a_target_must_be_a_value_its_indicator_can_take(self, programme, kpi, target, valid):
        objective = Objective(programme=programme, title="Objective", kpi=kpi, target=Decimal(target))
        if valid:
            objective.full_clean()
        else:
            with pytest.raises(ValidationError) as excinfo:
                objective.full_clean()
            assert list(excinfo.value.message_dict) == ["target"]

    def test_the_objectives_page_names_the_target_and_saves_nothing(self, programme, coordinator):
        url = reverse("programmes:objectives", args=[programme.slug])
        formset = client_for(coordinator).get(url).context["formset"]
        data = formset_data(formset, {0: {"title": "Satisfaits", "kpi": "satisfaction", "target": "8"}})
        response = client_for(coordinator).post(url, data)
        assert response.status_code == 200 and not programme.objectives.exists()
        errors = response.context["formset"].forms[0].errors
        # The coordinator reads French (their saved language): the catalogue carries the range.
        assert list(errors) == ["target"] and "entre 1 et 5" in errors["target"][0]
        data = formset_data(formset, {0: {"title": "Satisfaits", "kpi": "satisfaction", "target": "4.2"}})
        assert client_for(coordinator).post(url, data).status_code == 302
        assert programme.objectives.get().target == Decimal("4.2")


@pytest.mark.django_db
class TestMilestoneDates:
    @pytest.mark.parametrize("day,valid", [
        (datetime.date(2027, 1, 11), True), (datetime.date(2027, 10, 11), True),
        (datetime.date(2027, 1, 10), False), (datetime.date(2027, 10, 12), False),
    ])
    def test_a_milestone_falls_within_the_programme(self, programme, day, valid):
        milestone = Milestone(programme=programme, kind="other", title="Comité", date=day)
        if valid:
            milestone.full_clean()
        else:
            with pytest.raises(ValidationError) as excinfo:
                milestone.full_clean()
            assert list(excinfo.value.message_dict) == ["date"]

    def test_the_milestones_page_names_the_date_and_saves_nothing(self, programme, coordinator):
        url = reverse("programmes:milestones", args=[programme.slug])
        formset = client_for(coordinator).get(url).context["formset"]
        extra = len(formset.forms) - 1
        data = formset_data(formset, {extra: {"kind": "other", "title": "Comité", "date": "2028-03-01"}})
        response = client_for(coordinator).post(url, data)
        assert response.status_code == 200 and not programme.milestones.filter(title="Comité").exists()
        assert list(response.context["formset"].forms[extra].errors) == ["date"]

    def test_shortening_the_programme_past_a_milestone_is_refused_naming_the_duration(self, programme, coordinator):
        with pytest.raises(ProgrammeError) as excinfo:
            programme_update(actor=coordinator, programme=programme, data={"duration_months": 6})
        assert excinfo.value.field == "duration_months"
        assert "11 July 2027" in excinfo.value.message and "11 October 2027" in excinfo.value.message  # new end, milestone
        programme.refresh_from_db()
        assert programme.duration_months == 9

    def test_moving_the_start_past_a_milestone_is_refused_naming_the_start(self, programme, coordinator):
        with pytest.raises(ProgrammeError) as excinfo:
            programme_update(actor=coordinator, programme=programme, data={"start_date": datetime.date(2027, 2, 1)})
        assert excinfo.value.field == "start_date" and "1 February 2027" in excinfo.value.message
        programme.refresh_from_db()
        assert programme.start_date == datetime.date(2027, 1, 11)

    def test_the_dates_change_once_the_milestones_fit(self, programme, coordinator):
        programme.milestones.filter(date__gt=datetime.date(2027, 7, 11)).update(date=datetime.date(2027, 7, 1))
        programme_update(actor=coordinator, programme=programme, data={"duration_months": 6})
        programme.refresh_from_db()
        assert programme.duration_months == 6

    def test_the_programme_form_shows_the_refusal_on_the_duration(self, programme, coordinator):
        coordinator.language = "en"
        coordinator.save(update_fields=["language"])
        url = reverse("programmes:edit", args=[programme.slug])
        form = client_for(coordinator).get(url).context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None and name != "domains"}
        data.update(domains=[d.pk for d in programme.domains.all()], start_date=programme.start_date.isoformat(),
                    duration_months=6, concern_contacts="")
        response = client_for(coordinator).post(url, data)
        assert response.status_code == 200
        assert "outside the new dates" in " ".join(response.context["form"].errors["duration_months"])


def hold_first_session(pair):
    session = pair.sessions.order_by("starts_at").first()
    MentoringSession.objects.filter(pk=session.pk).update(status=MentoringSession.Status.HELD)


@pytest.mark.django_db
class TestCertificatesForPairsThatMet:
    AFTER_START = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)

    @pytest.fixture
    def running(self, active_pair, other_pair, coordinator):
        from programmes.services import programme_transition

        hold_first_session(active_pair)  # other_pair never meets
        return programme_transition(actor=coordinator, programme=active_pair.programme, to=Programme.Status.RUNNING)

    def test_closing_certifies_only_the_pair_that_held_a_session(self, running, coordinator, org, active_pair, other_pair):
        lines = programme_close_preview(programme=running, now=self.AFTER_START)
        assert any(line.startswith("2 certificates") for line in lines)
        assert "1 pair never held a session: its members get no certificate." in lines
        done = programme_close(actor=coordinator, programme=running, now=self.AFTER_START)
        assert done["certificates"] == 2
        certified = set(Notification.objects.filter(kind="certificate_issued").values_list("recipient", flat=True))
        assert certified == {org["junior_b"].user.pk, org["director_a"].user.pk}
        assert Pair.objects.get(pk=other_pair.pk).status == Pair.Status.COMPLETED

    def test_the_certificate_page_is_404_for_a_completed_pair_that_never_met(self, running, coordinator, org, active_pair,
                                                                             other_pair):
        programme_close(actor=coordinator, programme=running, now=self.AFTER_START)
        never_met = reverse("evaluation:certificate", args=[other_pair.pk])
        assert client_for(org["junior_a"].user).get(never_met).status_code == 404
        assert client_for(coordinator).get(never_met).status_code == 404
        met = reverse("evaluation:certificate", args=[active_pair.pk])
        assert client_for(org["junior_b"].user).get(met).status_code == 200

    def test_the_progress_page_offers_no_certificate_for_a_pair_that_never_met(self, running, coordinator, org, active_pair,
                                                                               other_pair):
        programme_close(actor=coordinator, programme=running, now=self.AFTER_START)
        progress = reverse("evaluation:progress")
        never_met = client_for(org["junior_a"].user).get(progress).content.decode()
        assert reverse("evaluation:certificate", args=[other_pair.pk]) not in never_met
        assert reverse("evaluation:certificate", args=[active_pair.pk]) in client_for(org["junior_b"].user).get(progress).content.decode()

    def test_an_announcement_queued_for_a_pair_that_never_met_is_not_sent(self, running, coordinator, org, other_pair):
        from mentorat.core import outbox
        from tests.conftest import drain_outbox

        programme_close(actor=coordinator, programme=running, now=self.AFTER_START)
        outbox.notify(kind="certificate_issued", object_key=f"certificate:{other_pair.pk}", recipient=org["junior_a"].user)
        from django.core import mail

        mail.outbox.clear()
        drain_outbox()
        assert not any(reverse("evaluation:certificate", args=[other_pair.pk]) in m.body for m in mail.outbox)
