"""Survey set-up and testimonials in the admin. Responses and answers are not registered:
nobody reads an individual answer, the superuser included."""

from django.contrib import admin

from evaluation.models import Question, Survey, Testimonial


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "kind", "text_fr", "text_en", "choices", "required"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["programme", "moment", "audience", "is_active", "opens_on", "days_open"]
    list_filter = ["moment", "audience", "is_active"]
    list_select_related = ["programme"]
    inlines = [QuestionInline]


@admin.register(Testimonial)
class TestimonialAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "role", "status", "consent", "created_at"]
    list_filter = ["status", "consent"]
    list_select_related = ["programme"]
    readonly_fields = ["author", "consent", "created_at", "published_at", "published_by"]
