"""The Django admin is one more route to a pair's private space: a superuser may not set another
user's password, change a login e-mail silently, re-link an account, or read private content."""

import datetime

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentorat.core.models import AuditEntry, Employee, Notification, PendingEmailChange, User
from tests.conftest import PASSWORD, client_for, drain_outbox


def change_form_data(user, **overrides):
    data = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name, "language": user.language,
        "timezone": user.timezone, "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestUserAdmin:
    def test_a_superuser_cannot_set_another_users_password(self, superuser, mentee):
        client = client_for(superuser)
        url = reverse("admin:auth_user_password_change", args=[mentee.pk])
        assert client.get(url).status_code == 403
        response = client.post(url, {"password1": "Hijacked-pass-987", "password2": "Hijacked-pass-987", "usable_password": "true"})
        assert response.status_code == 403
        mentee.refresh_from_db()
        assert mentee.check_password(PASSWORD) and not mentee.check_password("Hijacked-pass-987")

    def test_a_superuser_may_still_change_their_own_password(self, superuser):
        url = reverse("admin:auth_user_password_change", args=[superuser.pk])
        assert client_for(superuser).get(url).status_code == 200

    def test_the_change_form_offers_no_password_form_and_a_read_only_email(self, superuser, mentee):
        client = client_for(superuser)
        url = reverse("admin:core_user_change", args=[mentee.pk])
        page = client.get(url).content.decode()
        assert "../password/" not in page
        assert 'name="email"' not in page
        old = mentee.email
        client.post(url, change_form_data(mentee, email="root.controlled@x.example"))
        mentee.refresh_from_db()
        assert mentee.email == old

    def test_a_new_user_is_still_created_with_an_email(self, superuser):
        client = client_for(superuser)
        client.post(reverse("admin:core_user_add"), {"email": "new.admin@x.example", "password1": "Strong-pass-4567",
                                                     "password2": "Strong-pass-4567", "usable_password": "true"})
        assert User.objects.filter(email="new.admin@x.example").exists()

    def test_the_reset_link_action_mails_the_users_own_address(self, superuser, mentee):
        client = client_for(superuser)
        client.post(reverse("admin:core_user_changelist"),
                    {"action": "send_password_reset_link", admin.helpers.ACTION_CHECKBOX_NAME: [mentee.pk]})
        assert Notification.objects.filter(kind="password_reset_link", recipient=mentee).count() == 1
        assert AuditEntry.objects.filter(action="admin.password_reset_link", target=f"user:{mentee.pk}").exists()
        mail.outbox.clear()
        drain_outbox()
        assert [m.to for m in mail.outbox] == [[mentee.email]]
        # Days later the person lost it again: a new request is a new message.
        Notification.objects.filter(kind="password_reset_link").update(due_at=timezone.now() - datetime.timedelta(days=2))
        client.post(reverse("admin:core_user_changelist"),
                    {"action": "send_password_reset_link", admin.helpers.ACTION_CHECKBOX_NAME: [mentee.pk]})
        drain_outbox()
        assert [m.to for m in mail.outbox] == [[mentee.email], [mentee.email]]
        assert "/accounts/reset/" in mail.outbox[0].body

    def test_a_pending_change_is_applied_only_by_the_explicit_action(self, superuser, mentee):
        old = mentee.email
        change = PendingEmailChange.objects.create(user=mentee, old_email=old, new_email="moved@x.example", token="t" * 40,
                                                   source="import")
        client = client_for(superuser)
        client.post(reverse("admin:core_pendingemailchange_changelist"),
                    {"action": "apply_pending_change", admin.helpers.ACTION_CHECKBOX_NAME: [change.pk]})
        mentee.refresh_from_db()
        change.refresh_from_db()
        assert mentee.email == "moved@x.example" and change.confirmed_at is not None
        entry = AuditEntry.objects.get(action="account.email_changed")
        assert entry.actor == superuser
        assert entry.details == {"old": old, "new": "moved@x.example", "how": "applied by an administrator"}
        mail.outbox.clear()
        drain_outbox()
        assert [old] in [m.to for m in mail.outbox]


@pytest.mark.django_db
class TestEmployeeAdmin:
    def test_an_employee_record_cannot_be_relinked_to_another_account(self, superuser, org):
        member = org["director_a"]
        own = Employee.objects.create(employee_id="ROOT", first_name="R", last_name="R", email="r@x.example")
        client = client_for(superuser)
        page = client.get(reverse("admin:core_employee_change", args=[member.pk])).content.decode()
        assert 'name="user"' not in page
        assert 'name="user"' not in client.get(reverse("admin:core_employee_change", args=[own.pk])).content.decode()


@pytest.mark.django_db
class TestNoPrivateContentInTheAdmin:
    def test_no_admin_page_shows_notes_concerns_or_answers(self, superuser, active_pair, org):
        from sessions.models import Concern, PrivateNote

        PrivateNote.objects.create(pair=active_pair, author=org["junior_b"].user, body="SECRET-NOTE-BODY")
        Concern.objects.create(pair=active_pair, raised_by=org["junior_b"].user, body="SECRET-CONCERN-BODY")
        client = client_for(superuser)
        for model, model_admin in admin.site._registry.items():
            meta = model._meta
            pages = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
            first = model.objects.first()
            if first is not None:
                pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
            for url in pages:
                text = client.get(url).content.decode()
                assert "SECRET-NOTE-BODY" not in text and "SECRET-CONCERN-BODY" not in text, url
        from evaluation.models import Answer, Response

        for private in (PrivateNote, Concern, Response, Answer):
            assert private not in admin.site._registry, private

    def test_the_audit_trail_cannot_be_deleted_from_the_admin(self, superuser):
        entry = AuditEntry.objects.create(action="x")
        client_for(superuser).post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"})
        assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
class TestAdminRefusesInvisibleCharacters:
    def test_an_employee_name_with_a_direction_control_is_refused(self, superuser, org):
        employee = org["junior_a"]
        client = client_for(superuser)
        data = {"employee_id": employee.employee_id, "first_name": "Anne\u202e", "last_name": employee.last_name,
                "email": employee.email, "job_level": 1, "language": "fr", "job_title": ""}
        response = client.post(reverse("admin:core_employee_change", args=[employee.pk]), data)
        assert response.status_code == 200 and "U+202E" in response.content.decode()
        employee.refresh_from_db()
        assert "\u202e" not in employee.first_name

    def test_a_new_account_with_a_punycode_address_is_refused(self, superuser):
        client_for(superuser).post(reverse("admin:core_user_add"), {"email": "root@xn--acm-bma.example"})
        assert not User.objects.filter(email="root@xn--acm-bma.example").exists()
