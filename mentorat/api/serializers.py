"""What the API reads and writes. Read serializers list their fields explicitly: never a
motivation, a note, a concern, a log, a rating or a survey answer; dates in ISO 8601."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from binomes.models import Pair
from mentorat.core.models import Employee
from programmes.models import SLOTS, Application, Programme, Role
from programmes.services import REVIEW_DECISIONS
from sessions.models import MentoringSession


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    field = serializers.CharField(required=False, allow_null=True, help_text="The field the error is about, if one.")
    errors = serializers.JSONField(required=False, help_text="Every error: by field, or `line N: …` / `index N: …`.")


# --- Directory --------------------------------------------------------------------------------

class EmployeeSerializer(serializers.ModelSerializer):
    manager_id = serializers.CharField(source="manager.employee_id", allow_null=True, read_only=True)
    department = serializers.CharField(source="department.name", allow_null=True, read_only=True)
    site = serializers.CharField(source="site.name", allow_null=True, read_only=True)

    class Meta:
        model = Employee
        fields = ["employee_id", "first_name", "last_name", "email", "manager_id", "department", "site", "job_title",
                  "job_level", "language", "hire_date", "leave_date", "updated_at"]
        read_only_fields = fields


class EmployeeRowSerializer(serializers.Serializer):
    """One row of a bulk upsert (JSON): the HRIS import's columns; only the first four are required.
    A column left out leaves the field as it is."""

    employee_id = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.EmailField()
    manager_id = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    department = serializers.CharField(required=False, allow_blank=True)
    site = serializers.CharField(required=False, allow_blank=True)
    job_title = serializers.CharField(required=False, allow_blank=True)
    job_level = serializers.IntegerField(required=False, min_value=0, max_value=99)
    language = serializers.CharField(required=False, help_text="fr, en, …")
    hire_date = serializers.DateField(required=False, allow_null=True)
    leave_date = serializers.DateField(required=False, allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField(help_text="False on a dry run.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    left = serializers.IntegerField()
    login_changes = serializers.IntegerField(help_text="Login e-mails changed or held for confirmation by the person.")
    warnings = serializers.ListField(child=serializers.CharField())


# --- Programmes -------------------------------------------------------------------------------

class ProgrammeSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    end_date = serializers.DateField(read_only=True)

    class Meta:
        model = Programme
        fields = ["slug", "name", "description", "description_en", "status", "start_date", "end_date", "duration_months", "cadence_weeks",
                  "session_minutes", "domains", "mentee_min_level", "mentor_max_level", "exclude_subtree", "exclude_peers",
                  "min_level_gap", "require_shared_language", "require_training", "created_at"]
        read_only_fields = fields


class ProgrammeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80)
    start_date = serializers.DateField()
    duration_months = serializers.IntegerField(help_text="6 to 12.")
    cadence_weeks = serializers.IntegerField(help_text="2, 3 or 4.")
    session_minutes = serializers.IntegerField(required=False, default=60, help_text="45 to 60.")
    description = serializers.CharField(required=False, allow_blank=True, default="", help_text="In French.")
    description_en = serializers.CharField(required=False, allow_blank=True, default="", help_text="In English.")
    domains = serializers.ListField(child=serializers.SlugField(), required=False,
                                    help_text="Learning domain codes; the default domains when left out.")


class CloseSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="true: close now. Closing cannot be undone; read GET …/close/ first.")


class ClosePreviewSerializer(serializers.Serializer):
    can_close = serializers.BooleanField()
    refusal = serializers.CharField(allow_null=True, help_text="Why it cannot be closed now (null when it can).")
    effects = serializers.ListField(child=serializers.CharField(), help_text="What closing will do, one sentence each.")


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[s for s in Programme.Status.values if s != Programme.Status.CLOSED],
                                 help_text="Closing has its own confirmation page in the interface.")


# --- Applications -----------------------------------------------------------------------------

class ApplicationSerializer(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="employee.employee_id", read_only=True)
    domains = serializers.SerializerMethodField(help_text="Domain code → level (mentor) or priority (mentee), 1–3.")

    class Meta:
        model = Application
        fields = ["id", "employee_id", "role", "status", "source", "domains", "availability", "format", "languages",
                  "capacity", "submitted_at", "reviewed_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_domains(self, application) -> dict:
        return {item.domain.slug: item.weight for item in application.domain_items.all()}


class ApplicationRowSerializer(serializers.Serializer):
    """One application collected elsewhere, imported as approved (all or nothing)."""

    employee_id = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.values)
    domains = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=3),
                                    help_text="Domain code → level or priority, 1–3.")
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    format = serializers.ChoiceField(choices=Application.Format.values, required=False)
    availability = serializers.ListField(child=serializers.ChoiceField(choices=SLOTS))
    capacity = serializers.IntegerField(required=False, min_value=1, max_value=2)
    motivation = serializers.CharField(required=False, allow_blank=True)


class CountResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    count = serializers.IntegerField()


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(REVIEW_DECISIONS))
    message = serializers.CharField(required=False, allow_blank=True, default="",
                                    help_text="Sent to the applicant with the decision.")


# --- Pairs and sessions -----------------------------------------------------------------------

class PairSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.slug", read_only=True)
    mentor_employee_id = serializers.CharField(source="mentor.employee.employee_id", read_only=True)
    mentee_employee_id = serializers.CharField(source="mentee.employee.employee_id", read_only=True)

    class Meta:
        model = Pair
        fields = ["id", "programme", "mentor_employee_id", "mentee_employee_id", "status", "source", "locked", "score",
                  "breakdown", "created_at", "published_at", "activated_at", "ended_at"]
        read_only_fields = fields


class PairRowSerializer(serializers.Serializer):
    mentor = serializers.CharField(help_text="The mentor's employee id (an approved mentor application).")
    mentee = serializers.CharField(help_text="The mentee's employee id (an approved mentee application).")


class SessionSerializer(serializers.ModelSerializer):
    """Metadata only: no theme, place, reason, log, rating or note."""

    programme = serializers.CharField(source="pair.programme.slug", read_only=True)

    class Meta:
        model = MentoringSession
        fields = ["id", "pair", "programme", "starts_at", "duration_minutes", "status", "cancelled_by"]
        read_only_fields = fields


# --- Dashboard figures ------------------------------------------------------------------------

class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    definition = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null when hidden by the anonymity rule, or none yet.")
    respondents = serializers.IntegerField(allow_null=True)
    shown = serializers.BooleanField()


class KpiGroupSerializer(serializers.Serializer):
    programme = serializers.CharField(allow_null=True, help_text="Slug; null for all selected programmes.")
    name = serializers.CharField()
    figures = FigureSerializer(many=True)


class KpiSerializer(serializers.Serializer):
    threshold = serializers.IntegerField(help_text="Smallest group of people whose figures are shown.")
    groups = KpiGroupSerializer(many=True)

