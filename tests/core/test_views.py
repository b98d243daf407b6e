import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mentorat.core.models import DirectoryImport, Employee
from tests.conftest import PASSWORD, client_for, cold
from tests.core.test_import import BASIC, csv_bytes
from tests.factories import EmployeeFactory


@pytest.mark.django_db
class TestAuthentication:
    def test_every_page_needs_a_login_by_default(self, client):
        for name in ["core:home", "core:directory", "core:import_upload", "core:preferences", "core:organisation"]:
            response = client.get(reverse(name))
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name

    def test_log_in_by_email_ignoring_case_then_log_out(self, mentor):
        client = Client()
        response = client.post(reverse("login"), {"username": mentor.email.upper(), "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("core:home")
        assert client.get(reverse("core:home")).status_code == 200
        client.post(reverse("logout"))
        assert client.get(reverse("core:home")).status_code == 302

    def test_a_wrong_password_says_so(self, mentor):
        response = Client().post(reverse("login"), {"username": mentor.email, "password": "nope"})
        assert response.status_code == 200 and response.context["form"].errors

    def test_an_imported_employee_sets_a_first_password_by_email(self, db, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        from mentorat.core.services import directory_import

        directory_import(data=csv_bytes(*BASIC), dry_run=False)
        client = Client()
        client.post(reverse("password_reset"), {"email": "Lea.Moreau@x.example"})
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lea.moreau@x.example"]
        link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
        response = client.get(link, follow=True)
        form_url = response.redirect_chain[-1][0]
        new = "Un-mot-de-passe-solide-42"
        response = client.post(form_url, {"new_password1": new, "new_password2": new})
        assert response.status_code == 302
        assert Client().post(reverse("login"), {"username": "lea.moreau@x.example", "password": new}).status_code == 302

    def test_a_user_who_left_cannot_log_in(self, mentor):
        mentor.is_active = False
        mentor.save()
        assert Client().post(reverse("login"), {"username": mentor.email, "password": PASSWORD}).status_code == 200


@pytest.mark.django_db
class TestNavigationByRole:
    def nav(self, user):
        response = client_for(user).get(reverse("core:home"))
        assert response.status_code == 200
        return [item.url for item in response.context["nav_items"]]

    def test_coordinator(self, coordinator):
        assert self.nav(coordinator) == ["/", "/programmes/", "/learnings/", "/evaluation/", "/evaluation/operations/",
                                         "/directory/", "/api/tokens/"]

    def test_hr_lead(self, hr_lead):
        assert self.nav(hr_lead) == ["/", "/programmes/", "/learnings/", "/evaluation/", "/evaluation/operations/",
                                     "/learnings/commitments/", "/directory/", "/directory/import/", "/programmes/roles/",
                                     "/outbox/", "/audit/", "/api/tokens/"]

    def test_executive(self, executive):
        assert self.nav(executive) == ["/", "/programmes/", "/learnings/", "/evaluation/", "/learnings/commitments/",
                                       "/organisation/"]

    def test_employee(self, mentor):
        assert self.nav(mentor) == ["/", "/programmes/", "/learnings/"]

    def test_superuser_sees_the_admin(self, superuser):
        assert "/admin/" in self.nav(superuser)


@pytest.mark.django_db
class TestAccess:
    def test_coordinators_browse_the_directory_and_hr_leads_import_it(self, mentor, executive, coordinator, hr_lead):
        for name, allowed in (("core:directory", (coordinator, hr_lead)), ("core:import_upload", (hr_lead,))):
            for user in (mentor, executive, coordinator, hr_lead):
                assert client_for(user).get(reverse(name)).status_code == (200 if user in allowed else 403), (name, user)

    def test_an_employee_sees_only_their_own_record(self, org, mentor, coordinator):
        own = mentor.employee
        other = org["director_a"]
        assert client_for(mentor).get(reverse("core:employee", args=[own.pk])).status_code == 200
        assert client_for(mentor).get(reverse("core:employee", args=[other.pk])).status_code == 404
        assert client_for(coordinator).get(reverse("core:employee", args=[other.pk])).status_code == 200

    def test_organisation_is_for_executives_and_coordinators(self, mentor, executive, coordinator):
        assert client_for(mentor).get(reverse("core:organisation")).status_code == 403
        assert client_for(executive).get(reverse("core:organisation")).status_code == 200

    def test_import_previews_are_for_coordinators(self, coordinator, mentor):
        batch = DirectoryImport.objects.create(filename="x.csv", content=b"", uploaded_by=coordinator)
        assert client_for(mentor).get(reverse("core:import_preview", args=[batch.pk])).status_code == 403
        assert client_for(mentor).post(reverse("core:import_confirm", args=[batch.pk])).status_code == 403

    def test_admin_is_for_superusers_only(self, coordinator, superuser):
        coordinator.is_staff = True
        coordinator.save()
        assert client_for(coordinator).get("/admin/").status_code == 302
        assert client_for(superuser).get("/admin/").status_code == 200
        assert client_for(superuser).get("/admin/core/employee/").status_code == 200


@pytest.mark.django_db
class TestDirectoryPages:
    def test_list_query_count_does_not_grow(self, coordinator, django_assert_max_num_queries):
        client = client_for(coordinator)
        EmployeeFactory.create_batch(3)
        cold()
        with django_assert_max_num_queries(12) as small:
            assert client.get(reverse("core:directory")).status_code == 200
        EmployeeFactory.create_batch(30)
        cold()
        with django_assert_max_num_queries(12) as large:
            client.get(reverse("core:directory"))
        assert len(small.captured_queries) == len(large.captured_queries)

    def test_search_and_filter(self, org, coordinator):
        Employee.objects.filter(pk=org["junior_a"].pk).update(last_name="Zyxwvu")
        response = client_for(coordinator).get(reverse("core:directory"), {"q": "zyxw"})
        assert [e.employee_id for e in response.context["page"]] == ["JA"]
        department = org["junior_b"].department
        response = client_for(coordinator).get(reverse("core:directory"), {"department": department.pk})
        assert {e.employee_id for e in response.context["page"]} == {"DB", "JB"}

    def test_employee_page_shows_the_chain(self, org, coordinator):
        response = client_for(coordinator).get(reverse("core:employee", args=[org["junior_a"].pk]))
        assert [e.employee_id for e in response.context["chain"]] == ["MA", "DA", "CEO"]


@pytest.mark.django_db
class TestImportInTheInterface:
    def upload(self, client, data, name="people.csv"):
        return client.post(reverse("core:import_upload"), {"file": SimpleUploadedFile(name, data)})

    def test_upload_preview_then_confirm(self, hr_lead):
        client = client_for(hr_lead)
        response = self.upload(client, csv_bytes(*BASIC))
        batch = DirectoryImport.objects.get()
        assert response["Location"] == reverse("core:import_preview", args=[batch.pk])
        assert Employee.objects.filter(employee_id__startswith="E").count() == 0
        page = client.get(response["Location"])
        assert page.context["summary"]["created_count"] == 3
        client.post(reverse("core:import_confirm", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == "applied"
        assert Employee.objects.filter(employee_id__in=["E1", "E2", "E3"]).count() == 3
        assert client.post(reverse("core:import_confirm", args=[batch.pk])).status_code == 302
        assert Employee.objects.filter(employee_id__in=["E1", "E2", "E3"]).count() == 3

    def test_a_bad_file_shows_every_line_and_cannot_be_confirmed(self, hr_lead):
        client = client_for(hr_lead)
        self.upload(client, csv_bytes(BASIC[0], "E2,Marc,Petit,m@x.example,E9,,,,5,fr,31/02/2020,"))
        batch = DirectoryImport.objects.get()
        assert batch.status == "refused"
        page = client.get(reverse("core:import_preview", args=[batch.pk]))
        text = page.content.decode()
        assert "ligne 3 : le matricule manager E9 est inconnu" in text  # the HR lead reads French
        client.post(reverse("core:import_confirm", args=[batch.pk]))
        assert not Employee.objects.filter(employee_id="E1").exists()

    def test_wrong_file_type_names_the_field(self, hr_lead):
        response = self.upload(client_for(hr_lead), b"%PDF-1.4", name="people.pdf")
        assert response.status_code == 200 and "file" in response.context["form"].errors


@pytest.mark.django_db
class TestLanguage:
    def test_french_by_default_and_english_saved_on_the_account(self, mentor):
        client = client_for(mentor)
        assert 'lang="fr"' in client.get(reverse("core:home")).content.decode()
        client.post(reverse("switch_language"), {"language": "en", "next": "/"})
        mentor.refresh_from_db()
        assert mentor.language == "en"
        fresh = client_for(mentor)  # another browser: the account decides
        assert 'lang="en"' in fresh.get(reverse("core:home")).content.decode()

    def test_the_switch_refuses_foreign_redirects(self, mentor):
        response = client_for(mentor).post(reverse("switch_language"), {"language": "en", "next": "https://evil.example/"})
        assert response["Location"] == "/"

    def test_login_page_switches_for_anonymous_visitors(self, client):
        client.post(reverse("switch_language"), {"language": "en", "next": "/accounts/login/"})
        assert "Log in" in client.get(reverse("login")).content.decode()
        client.post(reverse("switch_language"), {"language": "fr", "next": "/accounts/login/"})
        assert "Se connecter" in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
class TestHealth:
    def test_ok_when_database_and_broker_answer(self, client):
        response = client.get("/health/")
        assert response.status_code == 200, response.content
        assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}

    def test_503_when_the_broker_is_down(self, client, settings):
        settings.REDIS_URL = "redis://127.0.0.1:1/0"
        response = client.get("/health/")
        assert response.status_code == 503
        assert response.json()["broker"].startswith("error") and response.json()["database"] == "ok"


@pytest.mark.django_db
def test_the_suite_runs_on_the_services_it_was_given(client):
    """Under .ci/run (MENTORAT_REQUIRE_SERVICES=1) this proves PostgreSQL and Redis were really used."""
    import os

    from django.conf import settings
    from django.db import connection

    if os.environ.get("MENTORAT_REQUIRE_SERVICES") == "1":
        assert os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")
    expected_vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected_vendor
    assert settings.CELERY_BROKER_URL == (os.environ.get("REDIS_URL") or "filesystem://")
    assert client.get("/health/").json()["broker"] == "ok"


def test_pages_carry_a_content_security_policy_without_inline_script(client, coordinator):
    from tests.conftest import client_for

    response = client_for(coordinator).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
class TestLoginThrottling:
    """django-axes: five wrong passwords lock the account; an HR lead or the cool-off unlocks it."""

    def attempt(self, email, password):
        return Client().post(reverse("login"), {"username": email, "password": password})

    def test_repeated_failures_lock_the_account_until_an_hr_lead_unlocks_it(self, mentor, hr_lead, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(mentor.email, "wrong")
        locked = self.attempt(mentor.email, PASSWORD)  # even the right password is refused now
        assert locked.status_code == 429
        page = client_for(hr_lead).get(reverse("core:locked_accounts"))
        assert mentor.email in page.content.decode()
        client_for(hr_lead).post(reverse("core:locked_accounts"), {"email": mentor.email})
        assert self.attempt(mentor.email, PASSWORD).status_code == 302
        from mentorat.core.models import AuditEntry

        assert AuditEntry.objects.filter(action="login.unlock", target=mentor.email, actor=hr_lead).exists()

    def test_the_lock_lifts_after_the_cool_off(self, mentor, settings):
        import datetime

        from axes.models import AccessAttempt
        from django.utils import timezone

        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(mentor.email, "wrong")
        assert self.attempt(mentor.email, PASSWORD).status_code == 429
        AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
        assert self.attempt(mentor.email, PASSWORD).status_code == 302

    def test_only_hr_leads_see_and_unlock(self, mentor, executive, coordinator):
        for user in (mentor, executive, coordinator):
            assert client_for(user).get(reverse("core:locked_accounts")).status_code == 403
            assert client_for(user).post(reverse("core:locked_accounts"), {"email": "x@y.z"}).status_code == 403
