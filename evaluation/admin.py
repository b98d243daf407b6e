"""Survey set-up and testimonials in the admin. Responses and answers are not registered:
nobody reads an individual answer, the superuser included."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from evaluation.models import Question, Survey, Testimonial


def _answered(survey) -> bool:
    return survey is not None and survey.pk is not None and survey.responses.exists()


class QuestionInline(admin.TabularInline):
    """Once a survey has answers, as on the coordinators' pages: no question is deleted (its answers
    would go, and a released figure would move) and none changes type (its answers would be read
    as another)."""

    model = Question
    extra = 0
    fields = ["order", "kind", "text_fr", "text_en", "choices", "required"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _answered(obj)

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "choices"] if _answered(obj) else []


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["programme", "moment", "audience", "is_active", "opens_on", "days_open"]
    list_filter = ["moment", "audience", "is_active"]
    list_select_related = ["programme"]
    inlines = [QuestionInline]

    def has_delete_permission(self, request, obj=None):
        # Its answers would go with it: the released figures would move by what they held.
        return super().has_delete_permission(request, obj) and not _answered(obj)


@admin.register(Testimonial)
class TestimonialAdmin(admin.ModelAdmin):
    """Stories are read here only when their author agreed to publication, and never rewritten or
    published from here (a story goes out under the author's name, from the coordinators' page,
    audited). Without consent, only that a story exists is shown."""

    list_display = ["shown_title", "programme", "role", "status", "consent", "created_at"]
    list_display_links = ["shown_title"]
    list_filter = ["status", "consent"]
    list_select_related = ["programme"]

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        return ["programme", "role", "shown_title", "shown_body", "consent", "status", "created_at", "published_at",
                "published_by"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("title"))
    def shown_title(self, obj):
        return obj.title if obj.consent else _("(not shown: the author did not agree to publication)")

    @admin.display(description=_("your story"))
    def shown_body(self, obj):
        return obj.body if obj.consent else _("(not shown: the author did not agree to publication)")
