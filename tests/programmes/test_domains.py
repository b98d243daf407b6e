"""The catalogue of learning domains: coordinators add, rename (both languages), retire and bring
back; a retired domain is offered to nothing new and stays where it is used."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from mentorat.core.models import AuditEntry
from programmes.models import ApplicationDomain, LearningDomain, Programme
from programmes.services import (
    ProgrammeError,
    application_submit,
    application_update,
    domain_create,
    domain_rename,
    domain_restore,
    domain_retire,
    programme_copy,
    programme_create,
    programme_update,
)
from tests.conftest import application_data, client_for

CATALOGUE = reverse("programmes:domains")


def edit_url(code):
    return reverse("programmes:domain_edit", args=[code])


def retire_url(code):
    return reverse("programmes:domain_retire", args=[code])


def restore_url(code):
    return reverse("programmes:domain_restore", args=[code])


def new_programme(coordinator, slug="next", **overrides):
    return programme_create(actor=coordinator, name="Next", slug=slug, start_date=datetime.date(2027, 9, 6),
                            duration_months=9, cadence_weeks=3, **overrides)


@pytest.mark.django_db
class TestCatalogue:
    def test_the_page_lists_every_domain_with_both_names_its_code_and_how_many_programmes_use_it(self, programme, coordinator):
        response = client_for(coordinator).get(CATALOGUE)
        assert response.status_code == 200
        page = response.content.decode()
        assert "IA générative" in page and "Generative AI" in page and "generative-ai" in page
        row = next(d for d in response.context["domains"] if d.slug == "generative-ai")
        assert row.programme_count == 1

    def test_the_programmes_list_links_coordinators_to_the_catalogue(self, coordinator, mentor):
        assert CATALOGUE in client_for(coordinator).get(reverse("programmes:list")).content.decode()
        assert CATALOGUE not in client_for(mentor).get(reverse("programmes:list")).content.decode()

    def test_a_coordinator_adds_a_domain_offered_at_once_to_new_programmes(self, programme, coordinator):
        response = client_for(coordinator).post(CATALOGUE, {"slug": "data-literacy", "name_fr": "Culture des données",
                                                            "name_en": "Data literacy"})
        assert response.status_code == 302
        domain = LearningDomain.objects.get(slug="data-literacy")
        assert (domain.name_fr, domain.name_en, domain.is_retired) == ("Culture des données", "Data literacy", False)
        form = client_for(coordinator).get(reverse("programmes:create")).context["form"]
        assert domain in form.fields["domains"].queryset
        assert new_programme(coordinator, domain_slugs=["data-literacy"]).domains.get() == domain

    def test_a_taken_code_is_refused_naming_the_code_field(self, programme, coordinator):
        response = client_for(coordinator).post(CATALOGUE, {"slug": "Generative-AI", "name_fr": "Autre", "name_en": "Other"})
        assert response.status_code == 200
        assert "generative-ai" in response.context["form"].errors["slug"][0]
        with pytest.raises(ProgrammeError) as refused:
            domain_create(actor=coordinator, slug="generative-ai", name_fr="Autre", name_en="Other")
        assert refused.value.field == "slug"
        assert LearningDomain.objects.filter(slug__iexact="generative-ai").count() == 1

    @pytest.mark.parametrize("field", ["name_fr", "name_en"])
    def test_an_empty_name_is_refused_naming_its_field(self, coordinator, field):
        names = {"name_fr": "Culture des données", "name_en": "Data literacy", field: "   "}
        with pytest.raises(ProgrammeError) as refused:
            domain_create(actor=coordinator, slug="data-literacy", **names)
        assert refused.value.field == field
        response = client_for(coordinator).post(CATALOGUE, {"slug": "data-literacy", **names})
        assert field in response.context["form"].errors
        assert not LearningDomain.objects.filter(slug="data-literacy").exists()

    def test_a_malformed_code_is_refused_naming_the_code_field(self, coordinator):
        with pytest.raises(ProgrammeError) as refused:
            domain_create(actor=coordinator, slug="données ouvertes", name_fr="Données", name_en="Data")
        assert refused.value.field == "slug"

    def test_a_rename_changes_both_languages_and_each_reader_sees_theirs(self, programme, coordinator, mentor):
        response = client_for(coordinator).post(edit_url("generative-ai"), {"name_fr": "IA et assistants",
                                                                            "name_en": "AI and assistants"})
        assert response.status_code == 302
        mentor.language = "en"
        mentor.save(update_fields=["language"])
        detail = reverse("programmes:detail", args=[programme.slug])
        french = client_for(coordinator).get(detail).content.decode()  # the coordinator reads French
        english = client_for(mentor).get(detail).content.decode()
        assert "IA et assistants" in french and "AI and assistants" not in french
        assert "AI and assistants" in english and "IA et assistants" not in english

    def test_a_rename_with_an_empty_name_changes_nothing(self, programme, coordinator):
        response = client_for(coordinator).post(edit_url("generative-ai"), {"name_fr": "", "name_en": "AI"})
        assert "name_fr" in response.context["form"].errors
        domain = LearningDomain.objects.get(slug="generative-ai")
        assert (domain.name_fr, domain.name_en) == ("IA générative", "Generative AI")

    def test_a_name_missing_in_the_readers_language_falls_back_to_the_other(self):
        domain = LearningDomain(slug="x", name_fr="Seulement en français", name_en="")
        assert domain.name_in("en") == "Seulement en français"
        assert LearningDomain(slug="x", name_fr="", name_en="English only").name_in("fr") == "English only"

    def test_an_unknown_code_is_a_404(self, coordinator):
        assert client_for(coordinator).get(edit_url("no-such-domain")).status_code == 404
        assert client_for(coordinator).post(retire_url("no-such-domain")).status_code == 404

    def test_the_page_queries_do_not_grow_with_the_catalogue(self, programme, coordinator, django_assert_max_num_queries):
        client = client_for(coordinator)
        client.get(CATALOGUE)
        with django_assert_max_num_queries(12) as few:
            client.get(CATALOGUE)
        for n in range(15):
            domain_create(actor=coordinator, slug=f"extra-{n}", name_fr=f"Extra {n}", name_en=f"Extra {n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(CATALOGUE)


@pytest.mark.django_db
class TestRetired:
    def retire(self, coordinator, code="csr"):
        response = client_for(coordinator).post(retire_url(code))
        assert response.status_code == 302
        return LearningDomain.objects.get(slug=code)

    def test_a_retired_domain_is_not_offered_by_the_new_programme_form_nor_by_default(self, programme, coordinator):
        csr = self.retire(coordinator)
        assert csr.is_retired
        form = client_for(coordinator).get(reverse("programmes:create")).context["form"]
        assert csr not in form.fields["domains"].queryset
        assert "generative-ai" in {d.slug for d in form.fields["domains"].queryset}
        assert csr not in new_programme(coordinator).domains.all()
        with pytest.raises(ProgrammeError) as refused:
            new_programme(coordinator, slug="other", domain_slugs=["csr"])
        assert refused.value.field == "domains"

    def test_an_existing_programme_keeps_it_but_no_other_may_add_it(self, programme, coordinator):
        csr = self.retire(coordinator)
        assert csr in programme.domains.all()
        edit = client_for(coordinator).get(reverse("programmes:edit", args=[programme.slug])).context["form"]
        assert csr in edit.fields["domains"].queryset  # it may be kept
        other = new_programme(coordinator)
        assert csr not in client_for(coordinator).get(reverse("programmes:edit", args=[other.slug])).context["form"] \
            .fields["domains"].queryset
        with pytest.raises(ProgrammeError) as refused:
            programme_update(actor=coordinator, programme=other, data={}, domains=[*other.domains.all(), csr])
        assert refused.value.field == "domains"
        programme_update(actor=coordinator, programme=programme, data={}, domains=list(programme.domains.all()))
        assert csr in programme.domains.all()

    def test_a_copy_for_a_new_cohort_leaves_it_out(self, programme, coordinator):
        csr = self.retire(coordinator)
        copy = programme_copy(actor=coordinator, programme=programme, name="2", slug="copy", start_date=datetime.date(2028, 1, 10))
        assert csr not in copy.domains.all() and copy.domains.filter(slug="generative-ai").exists()

    def test_a_new_application_is_not_offered_it_but_an_existing_one_keeps_it(self, programme, coordinator, org, mentor):
        kept = application_submit(employee=org["junior_a"], programme=programme, role="mentor",
                                  data=application_data("mentor", domains={"csr": 2, "generative-ai": 3}),
                                  charter_accepted=True)
        self.retire(coordinator)
        form = client_for(mentor).get(reverse("programmes:apply", args=[programme.slug, "mentor"])).context["form"]
        assert "domain_csr" not in form.fields and "domain_generative-ai" in form.fields
        with pytest.raises(ProgrammeError) as refused:
            application_submit(employee=org["junior_b"], programme=programme, role="mentor",
                               data=application_data("mentor", domains={"csr": 2}), charter_accepted=True)
        assert refused.value.field == "domains"
        own = client_for(org["junior_a"].user).get(reverse("programmes:apply", args=[programme.slug, "mentor"]))
        assert "domain_csr" in own.context["form"].fields
        application_update(application=kept, data=application_data("mentor", domains={"csr": 1, "generative-ai": 3}),
                           charter_accepted=True)
        assert ApplicationDomain.objects.get(application=kept, domain__slug="csr").weight == 1

    def test_it_stays_in_the_figures(self, programme, coordinator, org):
        application_submit(employee=org["junior_a"], programme=programme, role="mentor",
                           data=application_data("mentor", domains={"csr": 2}), charter_accepted=True)
        self.retire(coordinator)
        queue = client_for(coordinator).get(reverse("programmes:queue", args=[programme.slug]), {"format": "csv"})
        assert "csr:2" in queue.content.decode()
        assert client_for(coordinator).get(CATALOGUE).context["domains"].get(slug="csr").programme_count == 1

    def test_a_retired_domain_is_brought_back(self, programme, coordinator):
        self.retire(coordinator)
        assert client_for(coordinator).post(restore_url("csr")).status_code == 302
        assert not LearningDomain.objects.get(slug="csr").is_retired
        assert LearningDomain.objects.get(slug="csr") in new_programme(coordinator).domains.all()

    def test_retiring_twice_or_bringing_back_an_offered_domain_is_refused(self, coordinator, programme):
        csr = self.retire(coordinator)
        with pytest.raises(ProgrammeError):
            domain_retire(actor=coordinator, domain=csr)
        with pytest.raises(ProgrammeError):
            domain_restore(actor=coordinator, domain=LearningDomain.objects.get(slug="cybersecurity"))


@pytest.mark.django_db
class TestCommand:
    def run(self, *args):
        out = io.StringIO()
        call_command("create_programme", *args, stdout=out)
        return out.getvalue()

    def test_unknown_codes_are_added_named_after_the_code_and_it_says_so(self, programme):
        output = self.run("cohort-x", "--name", "X", "--start", "2027-09-06", "--months", "9", "--cadence-weeks", "3",
                          "--domains", "generative-ai,Quantum-Computing")
        domain = LearningDomain.objects.get(slug="quantum-computing")
        assert (domain.name_fr, domain.name_en, domain.is_retired) == ("quantum-computing", "quantum-computing", False)
        assert "quantum-computing added to the catalogue" in output and "until a coordinator renames it" in output
        assert "generative-ai added" not in output
        assert set(Programme.objects.get(slug="cohort-x").domains.values_list("slug", flat=True)) == {
            "generative-ai", "quantum-computing"}
        assert AuditEntry.objects.filter(action="domain.create", target="quantum-computing", actor=None).exists()

    def test_a_refused_programme_adds_no_domain(self, programme):
        with pytest.raises(CommandError, match="--duration-months"):
            self.run("cohort-y", "--name", "Y", "--start", "2027-09-06", "--months", "13", "--cadence-weeks", "3",
                     "--domains", "brand-new")
        assert not LearningDomain.objects.filter(slug="brand-new").exists()

    def test_a_retired_code_is_refused(self, programme, coordinator):
        domain_retire(actor=coordinator, domain=LearningDomain.objects.get(slug="csr"))
        with pytest.raises(CommandError, match="--domains.*csr"):
            self.run("cohort-z", "--name", "Z", "--start", "2027-09-06", "--months", "9", "--cadence-weeks", "3",
                     "--domains", "csr")
        assert not Programme.objects.filter(slug="cohort-z").exists()


@pytest.mark.django_db
class TestAccessAndAudit:
    def test_other_roles_are_refused_and_nothing_changes(self, programme, mentor, sponsor, executive, superuser):
        for user in (mentor, sponsor, executive, superuser):
            client = client_for(user)
            assert client.get(CATALOGUE).status_code == 403, user
            assert client.post(CATALOGUE, {"slug": "sneaky", "name_fr": "x", "name_en": "x"}).status_code == 403
            assert client.get(edit_url("csr")).status_code == 403
            assert client.post(edit_url("csr"), {"name_fr": "x", "name_en": "x"}).status_code == 403
            assert client.post(retire_url("csr")).status_code == 403
            assert client.post(restore_url("csr")).status_code == 403
        csr = LearningDomain.objects.get(slug="csr")
        assert (csr.name_en, csr.is_retired) == ("CSR", False)
        assert not LearningDomain.objects.filter(slug="sneaky").exists()
        assert not AuditEntry.objects.filter(action__startswith="domain.").exists()

    def test_each_change_writes_an_audit_entry_with_its_actor(self, programme, coordinator):
        domain = domain_create(actor=coordinator, slug="data-literacy", name_fr="Données", name_en="Data")
        domain_rename(actor=coordinator, domain=domain, name_fr="Culture des données", name_en="Data literacy")
        domain_rename(actor=coordinator, domain=domain, name_fr="Culture des données", name_en="Data literacy")  # no change
        domain_retire(actor=coordinator, domain=domain)
        domain_restore(actor=coordinator, domain=domain)
        entries = list(AuditEntry.objects.filter(target="data-literacy").order_by("pk"))
        assert [e.action for e in entries] == ["domain.create", "domain.rename", "domain.retire", "domain.restore"]
        assert all(e.actor == coordinator for e in entries)
        assert entries[1].details == {"from": {"name_fr": "Données", "name_en": "Data"},
                                      "to": {"name_fr": "Culture des données", "name_en": "Data literacy"}}

    def test_a_programme_may_not_take_the_catalogues_address_as_short_name(self, coordinator):
        with pytest.raises(ProgrammeError) as refused:
            new_programme(coordinator, slug="domains")
        assert refused.value.field == "slug"
