"""The Django admin (superusers only). It is one more route to a pair's private space, so it
never lets an administrator become someone else: no password is set for another user (a
reset link goes to the person's own address instead), a login e-mail moves only through the
pending-change flow, a directory record is never re-linked to another account, the audit trail
cannot be deleted, and no private note, concern or survey answer is registered here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentorat.core.models import AuditEntry, Department, DirectoryImport, Employee, PendingEmailChange, Site, User


def _refuse_unsafe_text(form, data, names) -> None:
    """The import's rules in the admin too: no invisible or direction characters, no non-ASCII
    or punycode login address."""
    from mentorat.core.directory_file import email_domain_problem, unsafe_character

    for name in names:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            continue
        char = unsafe_character(value)
        if char:
            form.add_error(name, _("This contains an invisible, direction or control character (%(char)s); remove it.")
                           % {"char": char})
        elif name == "email":
            problem = email_domain_problem(value.strip().lower())
            if problem:
                form.add_error(name, problem)


class AccountCreationForm(forms.ModelForm):
    """A new account has no password: its owner chooses one through the reset link."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name"]

    def clean(self):
        data = super().clean()
        _refuse_unsafe_text(self, data, ["email", "first_name", "last_name"])
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email = User.objects.normalize_email(user.email)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_coordinator", "is_hr_lead", "is_executive", "is_active",
                    "is_superuser"]
    list_filter = ["is_coordinator", "is_hr_lead", "is_executive", "is_active", "is_superuser", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password_state"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language", "timezone"]}),
        (_("Roles"), {"fields": ["is_coordinator", "is_hr_lead", "is_executive", "is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_form = AccountCreationForm
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "first_name", "last_name"]})]
    filter_horizontal = []
    actions = ["send_password_reset_link"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # The login moves only through a pending change (confirmed from the old address, or the
        # explicit "apply the pending e-mail change" action), never by editing it here.
        return ["email", "password_state", "last_login", "date_joined"]

    @admin.display(description=_("password"))
    def password_state(self, obj):
        if obj.has_usable_password():
            return _("Set by the person. Nobody else can set it: use “Send a password-reset link” from the list.")
        return _("Not set: the person chooses one through “Forgot your password?”.")

    def user_change_password(self, request, id, form_url=""):
        if str(request.user.pk) != str(id):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Send a password-reset link to the user's own address"))
    def send_password_reset_link(self, request, queryset):
        from mentorat.core.services import password_reset_link_send

        users = list(queryset.filter(is_active=True))
        for user in users:
            password_reset_link_send(actor=request.user, user=user)
        self.message_user(request, ngettext("%(count)s link queued.", "%(count)s links queued.", len(users))
                          % {"count": len(users)}, messages.SUCCESS)


@admin.register(PendingEmailChange)
class PendingEmailChangeAdmin(admin.ModelAdmin):
    """Login changes asked by an import, waiting for the person's confirmation. A superuser may
    apply one explicitly (audited, the old address is told) or cancel it; nothing else is editable."""

    list_display = ["user", "old_email", "new_email", "source", "requested_by", "created_at", "confirmed_at", "cancelled_at"]
    list_filter = ["source"]
    list_select_related = ["user", "requested_by"]
    search_fields = ["old_email", "new_email"]
    fields = ["user", "old_email", "new_email", "source", "requested_by", "created_at", "confirmed_at", "cancelled_at"]
    readonly_fields = fields
    actions = ["apply_pending_change", "cancel_pending_change"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Apply the pending e-mail change"))
    def apply_pending_change(self, request, queryset):
        from mentorat.core.services import EmailChangeError, login_email_change_apply

        for change in queryset:
            try:
                login_email_change_apply(change=change, actor=request.user, how="applied by an administrator")
            except EmailChangeError as exc:
                self.message_user(request, f"{change}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("%(change)s: applied.") % {"change": change}, messages.SUCCESS)

    @admin.action(description=_("Cancel the pending e-mail change"))
    def cancel_pending_change(self, request, queryset):
        from mentorat.core.services import login_email_change_cancel

        for change in queryset:
            login_email_change_cancel(change=change, actor=request.user)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["employee_id", "last_name", "first_name", "email", "department", "site", "job_level", "leave_date"]
    list_filter = ["department", "site", "job_level"]
    search_fields = ["employee_id", "last_name", "first_name", "email"]
    list_select_related = ["department", "site"]
    raw_id_fields = ["manager"]
    # Accounts are linked by the import only: re-linking a member's record to another login
    # would hand that login the member's pairs and notes.
    readonly_fields = ["user", "path", "depth"]

    def save_model(self, request, obj, form, change):
        from mentorat.core.services import audit_log, orgchart_rebuild_paths

        super().save_model(request, obj, form, change)
        orgchart_rebuild_paths()
        audit_log(actor=request.user, action="admin.employee.save", target=obj.employee_id)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(form_self):
            data = original_clean(form_self)
            _refuse_unsafe_text(form_self, data, ["employee_id", "first_name", "last_name", "email", "job_title", "language"])
            manager = data.get("manager")
            if obj is not None and manager is not None and (manager.pk == obj.pk or manager.path.startswith(obj.path)):
                from django.core.exceptions import ValidationError

                raise ValidationError({"manager": _("This manager reports to the employee: that would make a cycle.")})
            return data

        form.clean = clean
        return form


admin.site.register(Department)
admin.site.register(Site, list_display=["name", "country", "timezone"])


@admin.register(DirectoryImport)
class DirectoryImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "status", "uploaded_by", "created_at", "applied_at"]
    readonly_fields = ["filename", "uploaded_by", "status", "summary", "mark_missing_as_left", "applied_at", "purged_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target"]
    list_filter = ["action"]
    readonly_fields = ["at", "actor", "action", "target", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
