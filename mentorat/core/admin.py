from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from mentorat.core.models import AuditEntry, Department, DirectoryImport, Employee, Site, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_coordinator", "is_executive", "is_active", "is_superuser"]
    list_filter = ["is_coordinator", "is_executive", "is_active", "is_superuser", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language", "timezone"]}),
        (_("Roles"), {"fields": ["is_coordinator", "is_executive", "is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = []


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["employee_id", "last_name", "first_name", "email", "department", "site", "job_level", "leave_date"]
    list_filter = ["department", "site", "job_level"]
    search_fields = ["employee_id", "last_name", "first_name", "email"]
    list_select_related = ["department", "site"]
    raw_id_fields = ["manager", "user"]
    readonly_fields = ["path", "depth"]

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
    readonly_fields = ["filename", "uploaded_by", "status", "summary", "mark_missing_as_left", "applied_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target"]
    list_filter = ["action"]
    readonly_fields = ["at", "actor", "action", "target", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
