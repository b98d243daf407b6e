"""Trust under attack: login throttling, password-reset limits, people who have left, session
lifetimes and the no-store header on personal responses."""

import datetime
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mentorat.core.models import AuditEntry, Employee, User
from tests.conftest import PASSWORD, client_for
from tests.factories import EmployeeFactory


def attempt(email, password, client=None):
    return (client or Client()).post(reverse("login"), {"username": email, "password": password})


@pytest.fixture
def nadia(db):
    return EmployeeFactory(employee_id="NS", email="nadia.simon@test.example", user__email="nadia.simon@test.example").user


@pytest.mark.django_db
class TestLoginThrottlingBySpelling:
    def test_a_lock_holds_whatever_the_spelling_of_the_address(self, nadia, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt("nadia.simon@test.example", "wrong")
        assert attempt("Nadia.Simon@test.example", PASSWORD).status_code == 429
        assert attempt("  NADIA.SIMON@TEST.EXAMPLE ", PASSWORD).status_code == 429

    def test_failures_in_different_spellings_add_up(self, nadia, settings):
        spellings = ["nadia.simon@test.example", "Nadia.Simon@test.example", "NADIA.simon@test.example "]
        for number in range(settings.AXES_FAILURE_LIMIT):
            attempt(spellings[number % len(spellings)], "wrong")
        assert attempt("nadia.simon@test.example", PASSWORD).status_code == 429

    def test_the_locked_accounts_page_shows_and_unlocks_the_normalised_address(self, nadia, hr_lead, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt("Nadia.Simon@test.example", "wrong")
        page = client_for(hr_lead).get(reverse("core:locked_accounts")).content.decode()
        assert "nadia.simon@test.example" in page and "Nadia.Simon" not in page
        client_for(hr_lead).post(reverse("core:locked_accounts"), {"email": " NADIA.Simon@test.example"})
        assert attempt("Nadia.Simon@test.example", PASSWORD).status_code == 302
        assert AuditEntry.objects.filter(action="login.unlock", target="nadia.simon@test.example").exists()

    def test_the_unlock_command_lets_a_hammered_superuser_in(self, superuser, settings, capsys):
        for _ in range(settings.AXES_FAILURE_LIMIT + 3):
            attempt(superuser.email.upper(), "wrong")
        assert attempt(superuser.email, PASSWORD).status_code == 429
        call_command("axes_reset_username", "Root@Test.Example")
        assert attempt(superuser.email, PASSWORD).status_code == 302
        assert AuditEntry.objects.filter(action="login.unlock", target="root@test.example", actor=None).exists()

    def test_setting_a_new_password_through_the_e_mailed_link_lifts_the_lock(self, nadia, settings):
        import re

        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt("Nadia.Simon@test.example", "wrong")
        client = Client()
        client.post(reverse("password_reset"), {"email": "nadia.simon@test.example"})
        link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
        form_url = client.get(link)["Location"]
        new = "a-brand-new-passphrase"
        assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
        assert attempt("nadia.simon@test.example", new).status_code == 302


    def test_the_old_password_cannot_be_guessed_on_the_password_change_page(self, mentor, settings):
        """A session left open on a shared computer must not become a password oracle."""
        User.objects.filter(pk=mentor.pk).update(language="en")
        client = client_for(mentor)
        new = "a-brand-new-passphrase"
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = client.post(reverse("password_change"),
                                   {"old_password": "guess", "new_password1": new, "new_password2": new})
            assert response.status_code == 200
        response = client.post(reverse("password_change"),
                               {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
        assert response.status_code == 200 and "Too many wrong passwords" in response.content.decode()
        assert User.objects.get(pk=mentor.pk).check_password(PASSWORD)


@pytest.mark.django_db
class TestPasswordResetLimits:
    def reset(self, email, ip="10.0.0.1"):
        return Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en").post(reverse("password_reset"), {"email": email}, follow=True)

    def test_it_is_limited_per_address_with_the_same_answer_whether_the_address_exists(self, nadia, settings):
        limit = settings.MENTORAT_RESET_PER_ADDRESS
        known = [self.reset(" Nadia.Simon@test.example", ip=f"10.0.0.{n}") for n in range(limit + 2)]
        unknown = [self.reset("nobody@test.example", ip=f"10.0.1.{n}") for n in range(limit + 2)]
        assert len(mail.outbox) == limit
        for mine, theirs in zip(known, unknown, strict=True):
            assert mine.status_code == theirs.status_code
            assert mine.redirect_chain == theirs.redirect_chain
        assert [r.status_code for r in known] == [200] * limit + [429, 429]
        for response in (known[-1], unknown[-1]):
            assert "Too many requests for a password link" in response.content.decode()

    def test_it_is_limited_per_client(self, db, settings):
        responses = [self.reset(f"someone{n}@test.example") for n in range(settings.MENTORAT_RESET_PER_CLIENT + 1)]
        assert all(r.status_code == 200 for r in responses[:-1])
        assert responses[-1].status_code == 429

    def test_no_reset_email_for_someone_who_has_left(self, nadia):
        Employee.objects.filter(user=nadia).update(leave_date=timezone.localdate())
        response = self.reset(nadia.email)
        assert response.status_code == 200 and mail.outbox == []


@pytest.mark.django_db
class TestPeopleWhoHaveLeft:
    def test_someone_whose_leave_date_has_come_cannot_log_in(self, mentor):
        Employee.objects.filter(user=mentor).update(leave_date=timezone.localdate())
        assert attempt(mentor.email, PASSWORD).status_code == 200
        Employee.objects.filter(user=mentor).update(leave_date=timezone.localdate() + datetime.timedelta(days=1))
        assert attempt(mentor.email, PASSWORD).status_code == 302

    def test_a_logged_in_person_who_has_left_is_logged_out_on_the_next_request(self, mentor):
        client = client_for(mentor)
        assert client.get(reverse("core:preferences")).status_code == 200
        Employee.objects.filter(user=mentor).update(leave_date=timezone.localdate())
        response = client.get(reverse("core:preferences"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session

    def test_the_leave_check_adds_no_query(self, mentor):
        client = client_for(mentor)
        client.get(reverse("core:privacy"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("core:privacy"))
        sqls = [q["sql"] for q in queries]
        # SELECT user LEFT OUTER JOIN employee: the leave date comes with the user, no read of its own.
        user_reads = [sql for sql in sqls if sql.startswith('SELECT "core_user"."id"')]
        assert len(user_reads) == 1 and 'LEFT OUTER JOIN "core_employee"' in user_reads[0]
        assert not [sql for sql in sqls if sql.startswith('SELECT "core_employee"."id"') and '"core_employee"."user_id" =' in sql]

    def test_a_delegate_who_has_left_loses_delegate_access(self, active_pair, org):
        from sessions import services
        from sessions.models import Delegate
        from sessions.selectors import may_see_sessions, pairs_with_sessions

        assistant = EmployeeFactory(employee_id="ASSIST", job_level=1).user
        Delegate.objects.create(senior=org["director_a"], user=assistant)
        assert may_see_sessions(user=assistant, pair=active_pair)
        Employee.objects.filter(user=assistant).update(leave_date=timezone.localdate())
        assistant = User.objects.get(pk=assistant.pk)
        assert not may_see_sessions(user=assistant, pair=active_pair)
        assert not pairs_with_sessions(user=assistant).exists()
        first = active_pair.sessions.filter(status="planned").order_by("starts_at").first()
        with pytest.raises(services.SessionError):
            services.session_reschedule(user=assistant, session=first, starts_at=first.starts_at + datetime.timedelta(days=1),
                                        reason="Agenda", now=first.starts_at - datetime.timedelta(days=5))

    def test_a_senior_cannot_name_someone_who_has_left_as_delegate(self, active_pair, mentee):
        from sessions import services

        assistant = EmployeeFactory(employee_id="ASSIST", job_level=1, leave_date=timezone.localdate()).user
        with pytest.raises(services.SessionError) as refused:
            services.delegate_set(user=mentee, email=assistant.email)
        assert refused.value.message == gettext("Nobody who can log in has this e-mail address.")

    def test_the_calendar_feed_of_someone_who_has_left_is_gone(self, active_pair, org, client):
        from sessions import services

        user = org["junior_b"].user
        token = services.feed_get(user=user).token
        assert client.get(reverse("sessions:feed", args=[token])).status_code == 200
        Employee.objects.filter(user=user).update(leave_date=timezone.localdate())
        assert client.get(reverse("sessions:feed", args=[token])).status_code == 404

    def test_the_nightly_task_deactivates_leavers_except_superusers_and_audits(self, mentor, mentee, outsider, settings):
        from mentorat.core.tasks import deactivate_leavers

        today = timezone.localdate()
        Employee.objects.filter(user=mentor).update(leave_date=today)
        Employee.objects.filter(user=mentee).update(leave_date=today + datetime.timedelta(days=1))
        root = EmployeeFactory(employee_id="ROOT", user__is_superuser=True, user__is_staff=True).user
        Employee.objects.filter(user=root).update(leave_date=today - datetime.timedelta(days=3))
        assert deactivate_leavers() == 1
        assert not User.objects.get(pk=mentor.pk).is_active
        assert User.objects.get(pk=mentee.pk).is_active and User.objects.get(pk=root.pk).is_active
        assert User.objects.get(pk=outsider.pk).is_active
        assert AuditEntry.objects.filter(action="account.deactivate_leaver", target=mentor.email, actor=None).exists()
        assert deactivate_leavers() == 0  # nothing changes the second time
        schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert "accounts.deactivate_leavers" in schedule


@pytest.mark.django_db
class TestSessionLifetimes:
    def test_a_session_idle_longer_than_the_timeout_ends(self, mentor, settings):
        client = client_for(mentor)
        assert client.get(reverse("core:preferences")).status_code == 200
        session = client.session
        session["mentorat_seen"] = time.time() - settings.MENTORAT_IDLE_MINUTES * 60 + 60
        session.save()
        assert client.get(reverse("core:preferences")).status_code == 200  # a minute left: still in
        session = client.session
        session["mentorat_seen"] = time.time() - settings.MENTORAT_IDLE_MINUTES * 60 - 1
        session.save()
        response = client.get(reverse("core:preferences"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session
        told = [str(m) for m in client.get(response["Location"]).context["messages"]]
        assert len(told) == 1 and str(settings.MENTORAT_IDLE_MINUTES) in told[0]

    def test_a_session_ends_after_its_absolute_lifetime_even_when_in_use(self, mentor, settings):
        client = client_for(mentor)
        session = client.session
        session["mentorat_login_at"] = time.time() - settings.MENTORAT_SESSION_HOURS * 3600 - 1
        session["mentorat_seen"] = time.time()
        session.save()
        response = client.get(reverse("core:preferences"))
        assert response.status_code == 302 and "_auth_user_id" not in client.session

    def test_the_cookie_does_not_outlive_the_absolute_lifetime(self, settings):
        assert settings.SESSION_COOKIE_AGE == settings.MENTORAT_SESSION_HOURS * 3600
        assert settings.MENTORAT_IDLE_MINUTES == 30

    def test_the_idle_timeout_is_read_from_the_environment_and_validated(self):
        code = "import mentorat.settings as s; print(s.MENTORAT_IDLE_MINUTES, s.MENTORAT_SESSION_HOURS)"
        base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "mentorat.settings"}
        root = Path(__file__).resolve().parents[2]

        def run(env):
            return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, cwd=root)

        assert run({"MENTORAT_IDLE_MINUTES": "15"}).stdout.split() == ["15", "10"]
        result = run({"MENTORAT_IDLE_MINUTES": "0"})
        assert result.returncode != 0 and "MENTORAT_IDLE_MINUTES" in result.stderr
        result = run({"MENTORAT_IDLE_MINUTES": "half an hour"})
        assert result.returncode != 0 and "MENTORAT_IDLE_MINUTES" in result.stderr
        result = run({"MENTORAT_IDLE_MINUTES": "900", "MENTORAT_SESSION_HOURS": "8"})
        assert result.returncode != 0 and "MENTORAT_SESSION_HOURS" in result.stderr


def assert_not_stored(response):
    assert response.status_code == 200
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, response.get("Cache-Control")


@pytest.mark.django_db
class TestNoStore:
    def test_pair_space_my_data_csv_invitation_and_feed_are_not_stored(self, active_pair, org, hr_lead, client):
        from sessions import services

        senior = client_for(org["director_a"].user)
        assert_not_stored(senior.get(reverse("sessions:workspace", args=[active_pair.pk])))
        assert_not_stored(senior.get(reverse("core:my_data")))
        assert_not_stored(senior.get(reverse("core:my_data") + "?format=json"))
        session = active_pair.sessions.order_by("starts_at").first()
        assert_not_stored(senior.get(reverse("sessions:invitation", args=[session.pk])))
        assert_not_stored(client_for(hr_lead).get(reverse("core:audit") + "?format=csv"))
        token = services.feed_get(user=org["junior_b"].user).token
        assert_not_stored(client.get(reverse("sessions:feed", args=[token])))  # anonymous, token in the URL

    def test_a_page_kept_by_the_page_cache_is_not_stored_either(self, mentor):
        client = client_for(mentor)
        client.get(reverse("core:home"))
        assert_not_stored(client.get(reverse("core:home")))


@pytest.mark.django_db
class TestEveryBackend:
    """The leave date and the active flag hold whatever backend logged the user in."""

    def test_a_deactivated_user_is_logged_out_even_by_a_backend_that_would_keep_them(self, mentor, settings):
        backend = "django.contrib.auth.backends.AllowAllUsersModelBackend"
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, backend]
        client = Client()
        client.force_login(mentor, backend=backend)
        assert client.get(reverse("core:preferences")).status_code == 200
        User.objects.filter(pk=mentor.pk).update(is_active=False)
        response = client.get(reverse("core:preferences"))
        assert response.status_code == 302 and "_auth_user_id" not in client.session

    def test_single_sign_on_sessions_end_for_leavers_and_fetch_the_leave_date_with_the_user(self, mentor, settings,
                                                                                              django_assert_num_queries):
        from tests.core.test_settings import OIDC_ENV

        for key, value in OIDC_ENV.items():
            setattr(settings, key, value)
        from mentorat.core.oidc import DirectoryOIDCBackend

        backend = DirectoryOIDCBackend()
        with django_assert_num_queries(1):  # SELECT user LEFT OUTER JOIN employee
            user = backend.get_user(mentor.pk)
            assert user == mentor and user.employee.leave_date is None
        Employee.objects.filter(user=mentor).update(leave_date=timezone.localdate())
        assert backend.get_user(mentor.pk) is None
        Employee.objects.filter(user=mentor).update(leave_date=None)
        User.objects.filter(pk=mentor.pk).update(is_active=False)
        assert backend.get_user(mentor.pk) is None


def test_static_files_keep_their_own_caching(settings, db):
    """WhiteNoise answers static files before the no-store middleware sees them."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/vendor/bootstrap/bootstrap.bundle.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    names = settings.MIDDLEWARE
    assert names.index("whitenoise.middleware.WhiteNoiseMiddleware") < names.index("mentorat.core.middleware.NoStoreMiddleware")
