"""Issue 17, "French first, English as good": programme content — charter, milestones, objectives,
sponsor messages, training, the programme's description — is written in French and in English,
each reader sees their language, and the other one when theirs is empty."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from programmes.forms import CharterForm, MilestoneFormSet, ObjectiveFormSet, TrainingFormSet
from programmes.models import Charter, Milestone, Objective, ProgrammeSponsor, TrainingModule, in_language
from programmes.notifications import plan_milestones
from programmes.services import (
    ProgrammeError,
    application_submit,
    charter_publish,
    programme_copy,
    programme_create,
    sponsor_set_message,
)
from tests.conftest import application_data, client_for, drain_outbox
from tests.programmes.test_copy_and_validation import formset_data

pytestmark = pytest.mark.django_db


def read_in(language, obj, attribute):
    with translation.override(language):
        return getattr(obj, attribute)


class TestFallback:
    @pytest.mark.parametrize("french,english,reader,shown", [
        ("Confidentialité", "Confidentiality", "fr", "Confidentialité"),
        ("Confidentialité", "Confidentiality", "en", "Confidentiality"),
        ("Confidentialité", "", "en", "Confidentialité"),  # only French: the English reader reads French
        ("", "Confidentiality", "fr", "Confidentiality"),  # only English: the French reader reads English
        ("Confidentialité", "   ", "en", "Confidentialité"),  # blank counts as empty
        ("Confidentialité", "Confidentiality", "de", "Confidentiality"),  # another language reads English first
    ])
    def test_the_readers_language_or_else_the_other(self, french, english, reader, shown):
        module = TrainingModule(title=french, title_en=english)
        assert in_language(module, "title", reader) == shown
        assert read_in(reader, module, "display_title") == shown

    def test_each_kind_of_content_has_its_reader_version(self, programme, sponsor):
        programme.description, programme.description_en = "Des juniors", "Juniors"
        objective = Objective(programme=programme, title="Objectif", title_en="Objective", kpi="nps", target=10)
        message = ProgrammeSponsor.objects.get(programme=programme)
        message.message_en = "Let us learn from our juniors."
        charter = Charter(programme=programme, version=9, text="Charte", text_en="Charter")
        module = TrainingModule(programme=programme, title="Module", title_en="Module EN", content="Contenu", content_en="Content")
        for language, expected in [("fr", ["Des juniors", "Objectif", "Apprenons de nos juniors.", "Charte", "Contenu"]),
                                   ("en", ["Juniors", "Objective", "Let us learn from our juniors.", "Charter", "Content"])]:
            with translation.override(language):
                assert [programme.display_description, objective.display_title, message.display_message,
                        charter.display_text, module.display_content] == expected

    def test_a_generated_milestone_reads_as_its_kind_in_each_language(self, programme):
        kickoff = programme.milestones.get(kind="kickoff")
        assert read_in("en", kickoff, "display_title") == "Kick-off"
        # A title still equal to a kind's label, whichever language it was written in, follows the reader.
        kickoff.title_en = ""
        kickoff.title = "kick-off"
        assert read_in("en", kickoff, "display_title") == "Kick-off"

    def test_a_typed_milestone_title_shows_the_readers_version(self, programme):
        milestone = Milestone(programme=programme, kind="midpoint", title="Revue à Lyon", title_en="Review in Lyon",
                              date=programme.start_date)
        assert read_in("fr", milestone, "display_title") == "Revue à Lyon"
        assert read_in("en", milestone, "display_title") == "Review in Lyon"
        milestone.title_en = ""
        assert read_in("en", milestone, "display_title") == "Revue à Lyon"


class TestAtLeastOneLanguage:
    @pytest.mark.parametrize("model,values", [
        (Objective, {"kpi": "nps", "target": 10}),
        (Milestone, {"kind": "other", "date": datetime.date(2027, 2, 1)}),
        (TrainingModule, {}),
    ])
    def test_a_title_in_neither_language_is_refused_by_the_model_and_the_database(self, programme, model, values):
        item = model(programme=programme, title="", title_en="", **values)
        with pytest.raises(ValidationError) as excinfo:
            item.full_clean()
        assert "title" in excinfo.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(programme=programme, title="", title_en="", **values)

    @pytest.mark.parametrize("model,values", [
        (Objective, {"kpi": "nps", "target": 10}),
        (Milestone, {"kind": "other", "date": datetime.date(2027, 2, 1)}),
        (TrainingModule, {}),
    ])
    @pytest.mark.parametrize("french,english", [("Titre", ""), ("", "Title")])
    def test_one_language_is_enough(self, programme, model, values, french, english):
        model(programme=programme, title=french, title_en=english, **values).full_clean()

    def test_the_charter_form_wants_one_of_its_two_texts(self):
        form = CharterForm({"text": " ", "text_en": ""})
        assert not form.is_valid() and list(form.errors) == ["text"]
        assert CharterForm({"text": "", "text_en": "Be kind."}).is_valid()
        assert CharterForm({"text": "Soyez bienveillants.", "text_en": ""}).is_valid()

    def test_the_charter_service_refuses_two_empty_texts(self, programme, coordinator):
        with pytest.raises(ProgrammeError) as excinfo:
            charter_publish(actor=coordinator, programme=programme, text=" ", text_en="")
        assert excinfo.value.field == "text"
        assert programme.current_charter().version == 1

    @pytest.mark.parametrize("formset_class,page,values", [
        (ObjectiveFormSet, "programmes:objectives", {"kpi": "nps", "target": "20"}),
        (MilestoneFormSet, "programmes:milestones", {"kind": "other", "date": "2027-03-01"}),
        (TrainingFormSet, "programmes:training", {"audience": "both", "duration_minutes": "30", "content": "Contenu"}),
    ])
    def test_each_formset_page_names_the_missing_title_and_saves_nothing(self, programme, coordinator, formset_class,
                                                                       page, values):
        url = reverse(page, args=[programme.slug])
        client = client_for(coordinator)
        formset = client.get(url).context["formset"]
        extra = len(formset.forms) - 1
        kept = {index: {"id": form.instance.pk} for index, form in enumerate(formset.forms[:extra])}
        before = formset_class.model.objects.filter(programme=programme).count()
        response = client.post(url, formset_data(formset, {**kept, extra: {"title": "", "title_en": "", **values}}))
        assert response.status_code == 200
        assert list(response.context["formset"].forms[extra].errors) == ["title"]
        assert formset_class.model.objects.filter(programme=programme).count() == before
        response = client.post(url, formset_data(formset, {**kept, extra: {"title": "", "title_en": "In English only", **values}}))
        assert response.status_code == 302, [f.errors for f in response.context["formset"].forms]
        assert formset_class.model.objects.filter(programme=programme, title="", title_en="In English only").exists()

    def test_the_form_pages_show_both_fields_side_by_side(self, programme, coordinator):
        client = client_for(coordinator)
        for page in ["objectives", "milestones", "training", "charter", "sponsors", "edit"]:
            html = client.get(reverse(f"programmes:{page}", args=[programme.slug])).content.decode()
            assert 'class="row' in html and 'col-md-6' in html, page
            assert '_en"' in html, page


class TestCharterVersions:
    def test_a_new_programme_has_its_charter_and_milestones_in_both_languages(self, programme):
        charter = programme.current_charter()
        assert charter.text and charter.text_en
        assert all(m.title and m.title_en for m in programme.milestones.all())
        assert programme.milestones.get(kind="kickoff").title_en == "kick-off"

    def test_changing_only_the_english_text_makes_a_new_version(self, programme, coordinator):
        current = programme.current_charter()
        same = charter_publish(actor=coordinator, programme=programme, text=current.text, text_en=current.text_en)
        assert same.version == 1
        new = charter_publish(actor=coordinator, programme=programme, text=current.text, text_en="New English charter")
        assert new.version == 2 and (new.text, new.text_en) == (current.text, "New English charter")

    def test_a_changed_french_text_does_not_keep_a_stale_english_one(self, programme, coordinator):
        new = charter_publish(actor=coordinator, programme=programme, text="Nouvelle charte")
        assert (new.version, new.text_en) == (2, "")

    def test_accepting_in_english_accepts_the_version_with_both_texts(self, programme, coordinator, org):
        charter_publish(actor=coordinator, programme=programme, text="Charte v2", text_en="Charter v2")
        reader = org["junior_a"].user
        reader.language = "en"
        reader.save()
        page = client_for(reader).get(reverse("programmes:apply", args=[programme.slug, "mentor"])).content.decode()
        assert "Charter v2" in page and "Charte v2" not in page
        application = application_submit(employee=org["junior_a"], programme=programme, role="mentor",
                                         data=application_data("mentor"), charter_accepted=True)
        assert application.charter.version == 2
        assert (application.charter.text, application.charter.text_en) == ("Charte v2", "Charter v2")


class TestSponsorMessage:
    def test_the_sponsor_writes_both_and_each_reader_sees_theirs(self, programme, sponsor, org):
        client = client_for(sponsor)
        url = reverse("programmes:sponsor_message", args=[programme.slug])
        response = client.post(url, {"message": "Osez demander.", "message_en": "Dare to ask."})
        assert response.status_code == 302
        row = ProgrammeSponsor.objects.get(programme=programme, user=sponsor)
        assert (row.message, row.message_en) == ("Osez demander.", "Dare to ask.")
        reader = org["junior_a"].user
        detail = reverse("programmes:detail", args=[programme.slug])
        assert "Osez demander." in client_for(reader).get(detail).content.decode()
        reader.language = "en"
        reader.save()
        page = client_for(reader).get(detail).content.decode()
        assert "Dare to ask." in page and "Osez demander." not in page

    def test_a_changed_french_message_without_its_english_drops_the_stale_english(self, programme, sponsor):
        row = ProgrammeSponsor.objects.get(programme=programme, user=sponsor)
        sponsor_set_message(sponsor=row, message="Apprenons de nos juniors.", message_en="Let us learn.")
        sponsor_set_message(sponsor=row, message="Apprenons de nos juniors.")
        assert row.message_en == "Let us learn."
        sponsor_set_message(sponsor=row, message="Tout autre chose.")
        assert row.message_en == ""

    def test_the_coordinator_adds_a_sponsor_with_both_messages(self, programme, coordinator, org):
        url = reverse("programmes:sponsors", args=[programme.slug])
        response = client_for(coordinator).post(url, {"email": org["ceo"].user.email, "message": "Bonjour",
                                                      "message_en": "Hello"})
        assert response.status_code == 302
        row = ProgrammeSponsor.objects.get(programme=programme, user=org["ceo"].user)
        assert (row.message, row.message_en) == ("Bonjour", "Hello")


class TestCopy:
    def test_a_copy_for_a_new_cohort_carries_both_languages(self, programme, coordinator, sponsor):
        programme.description, programme.description_en = "Description FR", "Description EN"
        programme.save()
        Objective.objects.create(programme=programme, title="Objectif", title_en="Objective", kpi="nps", target=20)
        TrainingModule.objects.create(programme=programme, title="Module FR", title_en="Module EN",
                                      content="Contenu", content_en="Content")
        ProgrammeSponsor.objects.filter(programme=programme).update(message_en="Let us learn from our juniors.")
        Milestone.objects.create(programme=programme, kind="other", title="Fête", title_en="Party",
                                 date=datetime.date(2027, 6, 1))
        charter_publish(actor=coordinator, programme=programme, text="Charte FR", text_en="Charter EN")
        copy = programme_copy(actor=coordinator, programme=programme, name="Cohorte 2", slug="cohorte-2",
                              start_date=datetime.date(2028, 1, 10))
        assert (copy.description, copy.description_en) == ("Description FR", "Description EN")
        assert list(copy.objectives.values_list("title", "title_en")) == [("Objectif", "Objective")]
        assert list(copy.training_modules.values_list("title", "title_en", "content", "content_en")) == [
            ("Module FR", "Module EN", "Contenu", "Content")]
        assert list(copy.sponsors.values_list("message", "message_en")) == [
            ("Apprenons de nos juniors.", "Let us learn from our juniors.")]
        assert copy.milestones.filter(title="Fête", title_en="Party").exists()
        charter = copy.current_charter()
        assert (charter.version, charter.text, charter.text_en) == (1, "Charte FR", "Charter EN")

    def test_a_programme_is_created_with_both_descriptions(self, coordinator):
        programme = programme_create(actor=coordinator, name="P", slug="p-bilingue", start_date=datetime.date(2027, 1, 11),
                                     duration_months=9, cadence_weeks=3, description="FR", description_en="EN")
        assert (programme.description, programme.description_en) == ("FR", "EN")


class TestEmails:
    def test_a_milestone_email_is_in_each_recipients_language(self, programme, cohort, org):
        day = datetime.date(2027, 4, 12)
        Milestone.objects.create(programme=programme, kind="midpoint", title="Revue à mi-parcours à Lyon",
                                 title_en="Mid-point review in Lyon", date=day)
        english = org["junior_b"].user
        english.language = "en"
        english.save()
        now = timezone.make_aware(datetime.datetime(2027, 4, 12, 9, 0))
        mail.outbox.clear()
        assert plan_milestones(now=now) == 4
        drain_outbox(now=now)
        by_recipient = {m.to[0]: m for m in mail.outbox if "milestone" in m.body or "étape" in m.body}
        assert "Mid-point review in Lyon" in by_recipient[english.email].body
        assert "Mid-point review in Lyon" in by_recipient[english.email].subject
        assert "Revue à mi-parcours à Lyon" not in by_recipient[english.email].body
        french = org["director_a"].user
        assert "Revue à mi-parcours à Lyon" in by_recipient[french.email].body
        assert "Mid-point review in Lyon" not in by_recipient[french.email].body

    def test_a_milestone_written_only_in_french_reaches_the_english_reader_in_french(self, programme, cohort, org):
        Milestone.objects.create(programme=programme, kind="final", title="Bilan final à Lyon", title_en="",
                                 date=datetime.date(2027, 4, 13))
        english = org["junior_b"].user
        english.language = "en"
        english.save()
        now = timezone.make_aware(datetime.datetime(2027, 4, 13, 9, 0))
        mail.outbox.clear()
        plan_milestones(now=now)
        drain_outbox(now=now)
        sent = [m for m in mail.outbox if m.to == [english.email] and "milestone" in m.body]
        assert len(sent) == 1 and "Bilan final à Lyon" in sent[0].body


class TestPages:
    def test_every_programme_page_shows_the_readers_version(self, programme, coordinator, org, sponsor):
        programme.description, programme.description_en = "Le programme", "The programme"
        programme.save()
        Objective.objects.create(programme=programme, title="Objectif FR", title_en="Objective EN", kpi="nps", target=20)
        Objective.objects.create(programme=programme, title="Seulement en français", kpi="nps", target=30)
        TrainingModule.objects.create(programme=programme, title="Module FR", title_en="Module EN",
                                      content="Contenu FR", content_en="Content EN")
        charter_publish(actor=coordinator, programme=programme, text="Charte FR", text_en="Charter EN")
        reader = org["junior_a"].user
        application_submit(employee=org["junior_a"], programme=programme, role="mentor", data=application_data("mentor"),
                           charter_accepted=True)
        pages = [reverse("programmes:detail", args=[programme.slug]), reverse("programmes:my_training", args=[programme.slug])]
        french = "".join(client_for(reader).get(url).content.decode() for url in pages)
        for text in ["Le programme", "Objectif FR", "Seulement en français", "Charte FR", "Module FR", "Contenu FR"]:
            assert text in french
        reader.language = "en"
        reader.save()
        english = "".join(client_for(reader).get(url).content.decode() for url in pages)
        for text in ["The programme", "Objective EN", "Seulement en français", "Charter EN", "Module EN", "Content EN"]:
            assert text in english
        for text in ["Le programme", "Objectif FR", "Charte FR", "Module FR", "Contenu FR"]:
            assert text not in english
