from django.contrib import admin

from programmes.models import (
    Application,
    ApplicationDomain,
    Charter,
    LearningDomain,
    ManagerAcknowledgement,
    Milestone,
    Objective,
    Programme,
    ProgrammeSponsor,
    TrainingModule,
)


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class SponsorInline(admin.TabularInline):
    model = ProgrammeSponsor
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "start_date", "duration_months", "cadence_weeks"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ObjectiveInline, MilestoneInline, SponsorInline]
    filter_horizontal = ["domains"]
    # Who reads the juniors' concerns is named by the programme's coordinators, on its page, not by an administrator.
    exclude = ["concern_contacts"]
    # The status moves through the product's pages: closing asks for a confirmation and ends the pairs,
    # cancels the sessions and closes the surveys; a status set here would do none of it.
    readonly_fields = ["status"]


class ApplicationDomainInline(admin.TabularInline):
    model = ApplicationDomain
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["employee", "programme", "role", "status", "submitted_at"]
    list_filter = ["programme", "role", "status"]
    list_select_related = ["employee", "programme"]
    raw_id_fields = ["employee", "charter", "reviewed_by"]
    search_fields = ["employee__last_name", "employee__employee_id"]
    inlines = [ApplicationDomainInline]


admin.site.register(LearningDomain, list_display=["slug", "name_fr", "name_en", "is_default"])
admin.site.register(Charter, list_display=["programme", "version", "created_at"])
admin.site.register(TrainingModule, list_display=["title", "programme", "audience"])
admin.site.register(ManagerAcknowledgement, list_display=["application", "manager", "requested_at", "acknowledged_at"],
                    raw_id_fields=["application", "manager"])
