"""What people read is words in their language, never the stored codes: availability slots and
languages on an application, the typed confirmation word of an erasure."""

from django.urls import reverse

from mentorat.core.models import Employee
from programmes.models import Application
from tests.conftest import client_for


def test_an_application_reads_days_and_languages_not_their_codes(cohort, coordinator):
    application = Application.objects.filter(programme__slug="cohorte-test").first()
    application.availability, application.languages = ["mon-am", "tue-pm"], ["fr", "en"]
    application.save()
    url = reverse("programmes:application", args=["cohorte-test", application.pk])
    french = client_for(coordinator).get(url).content.decode()
    assert "lundi matin" in french.lower() and "mardi après-midi" in french.lower() and "anglais" in french.lower()
    assert "mon-am" not in french and "tue-pm" not in french
    coordinator.language = "en"
    coordinator.save()
    english = client_for(coordinator).get(url).content.decode()
    assert "Monday morning" in english and "English" in english and "mon-am" not in english


def test_the_erasure_word_is_the_readers_language(org, hr_lead):
    person = org["junior_a"]
    page = client_for(hr_lead).get(reverse("core:employee", args=[person.pk])).content.decode()
    assert "Tapez EFFACER pour confirmer" in page
    # The English word does not erase for a French reader; the French one does.
    client_for(hr_lead).post(reverse("core:employee_erase", args=[person.pk]), {"confirm": "ERASE"})
    assert Employee.objects.get(pk=person.pk).first_name != "—"
    client_for(hr_lead).post(reverse("core:employee_erase", args=[person.pk]), {"confirm": "effacer"})
    assert Employee.objects.get(pk=person.pk).first_name == "—"
    hr_lead.language = "en"
    hr_lead.save()
    assert "Type ERASE to confirm" in client_for(hr_lead).get(reverse("core:employee", args=[org["junior_b"].pk])).content.decode()


def test_only_an_hr_lead_is_offered_the_erasure(org, coordinator):
    page = client_for(coordinator).get(reverse("core:employee", args=[org["junior_a"].pk])).content.decode()
    assert 'data-testid="erase"' not in page
