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
    """Applications for support: an existing one keeps its person, programme, role and decision (a
    pair's member is whoever its application names, so re-pointing it would hand another person
    the pair's notes; a decision goes through the review page, which tells the applicant and asks
    the manager). The applicant's own words (motivation, what they want to learn, the message
    they received) are not needed to administer it and are not shown."""

    list_display = ["employee", "programme", "role", "status", "submitted_at"]
    list_filter = ["programme", "role", "status"]
    list_select_related = ["employee", "programme"]
    raw_id_fields = ["employee", "charter", "reviewed_by"]
    search_fields = ["employee__last_name", "employee__employee_id"]
    exclude = ["motivation", "desired_outcome", "review_message"]
    inlines = [ApplicationDomainInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["programme", "employee", "role", "status", "charter", "charter_accepted_at", "source", "submitted_at",
                "reviewed_at", "reviewed_by", "withdrawn_at"]

    def has_delete_permission(self, request, obj=None):
        # A paired application takes its pairs with it (their notes, concerns, sessions and the
        # answers about them): an application is withdrawn or declined in the product instead.
        if obj is None:
            return super().has_delete_permission(request, obj)
        return super().has_delete_permission(request, obj) and not (obj.pairs_as_mentor.exists() or obj.pairs_as_mentee.exists())


@admin.register(Charter)
class CharterAdmin(admin.ModelAdmin):
    list_display = ["programme", "version", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # People accepted this text: a new version goes through the programme's page.
        return ["programme", "version", "text"] if obj is not None else []


@admin.register(ManagerAcknowledgement)
class ManagerAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["application", "manager", "requested_at", "acknowledged_at"]
    list_select_related = ["application__employee", "application__programme", "manager"]
    raw_id_fields = ["application", "manager"]

    def get_readonly_fields(self, request, obj=None):
        # Only the manager acknowledges, from the link they were sent: the admin neither redirects
        # the request to someone else nor records an acknowledgement in their place.
        return ["application", "manager", "requested_at", "acknowledged_at"] if obj is not None else []


admin.site.register(LearningDomain, list_display=["slug", "name_fr", "name_en", "is_default", "retired_at"])
admin.site.register(TrainingModule, list_display=["title", "programme", "audience"])
