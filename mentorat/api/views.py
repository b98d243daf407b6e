"""The REST API (thin: parse → selector or service → serialize) and the coordinators' token page.

Every call is audited (``api.<METHOD> <resource>``, the path, the status and the token's prefix;
never a body) once a token or a login is presented; calls with no credentials are answered 401
with nothing to attribute."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mentorat.api import selectors as api_selectors
from mentorat.api import serializers as s
from mentorat.api.authentication import ApiTokenAuthentication
from mentorat.api.exceptions import BulkRefused, bulk_refusal
from mentorat.api.forms import TokenForm
from mentorat.api.models import ApiToken
from mentorat.api.parsers import CSVParser
from mentorat.api.permissions import IsCoordinator
from mentorat.api.services import (
    RowsError,
    TokenError,
    api_token_create,
    api_token_revoke,
    index_errors,
    json_rows_to_csv,
    split_token,
)
from mentorat.core.errors import add_to_form
from mentorat.core.permissions import coordinator_required, is_hr_lead
from mentorat.core.services import audit_log

BULK = "Body: a JSON list of objects (errors name `index N`, from 0) or a CSV file as `text/csv` (errors name `line N`, the header is line 1). All or nothing."
ERRORS = {400: s.ErrorSerializer, 401: s.ErrorSerializer, 403: s.ErrorSerializer, 404: s.ErrorSerializer,
          429: s.ErrorSerializer}


def _flag(request, name: str) -> bool:
    value = request.query_params.get(name, "").lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no"):
        raise exceptions.ValidationError({name: [_("Use true or false.")]})
    return value in ("1", "true", "yes")


def _choice(request, name: str, choices) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise exceptions.ValidationError({name: [_("Unknown value “%(value)s”; use one of: %(choices)s.")
                                                 % {"value": value, "choices": ", ".join(choices)}]})
    return value


def _when(request, name: str):
    """An ISO 8601 date or date-time query parameter (a date is its midnight), or None."""
    value = request.query_params.get(name, "")
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and parse_date(value) is not None:
            moment = datetime.datetime.combine(parse_date(value), datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise exceptions.ValidationError({name: [_("Not an ISO 8601 date or date-time: “%(value)s”.") % {"value": value}]})
    if moment.tzinfo is None:
        from django.utils import timezone

        moment = timezone.make_aware(moment)
    return moment


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Too large."


def _bulk_bytes(request, allowed: list[str], *, escape: bool) -> tuple[bytes, bool]:
    """The body as the CSV an importer reads, and whether it came as JSON (errors then say ``index N``)."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.MENTORAT_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(_("The body is larger than %(max)s bytes (MENTORAT_IMPORT_MAX_BYTES): nothing was written.")
                              % {"max": settings.MENTORAT_IMPORT_MAX_BYTES})
    data = request.data
    if isinstance(data, bytes):
        return data, False
    try:
        return json_rows_to_csv(data, allowed, escape=escape), True
    except RowsError as exc:
        raise BulkRefused(exc.errors) from None


def _bulk_errors(errors: list[str], from_json: bool) -> Response:
    return bulk_refusal(index_errors(errors) if from_json else errors)


class Audited:
    """Audits the call once its response is final (the status included)."""

    audit_name = ""
    write_scope: str | None = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        header = request.META.get("HTTP_AUTHORIZATION", "")
        user = request.user if request.user.is_authenticated else None
        if token is not None or header or user is not None:
            presented = split_token(header.split()[-1]) if header.split() else None
            prefix = token.prefix if token else (presented[0] if presented else "")
            audit_log(actor=user, action=f"api.{request.method} {self.audit_name}", target=request.path,
                      details={"status": response.status_code, "token": prefix})
        return response


# --- Directory --------------------------------------------------------------------------------

@extend_schema(tags=["employees"], responses={200: s.EmployeeSerializer(many=True), **ERRORS}, parameters=[
    OpenApiParameter("search", str, description="Words matched against names, e-mail, job title; an employee id exactly."),
    OpenApiParameter("department", str, description="Department name."),
    OpenApiParameter("site", str, description="Site name."),
    OpenApiParameter("status", str, enum=["present", "left"]),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="ISO 8601: changed at or after this moment."),
])
class EmployeeList(Audited, generics.ListAPIView):
    audit_name = "employees"
    serializer_class = s.EmployeeSerializer

    def get_queryset(self):
        from mentorat.core.selectors import directory_list

        params = self.request.query_params
        qs = directory_list(user=self.request.user, search=params.get("search", ""),
                            status=_choice(self.request, "status", ["present", "left"]))
        if params.get("department"):
            qs = qs.filter(department__name=params["department"])
        if params.get("site"):
            qs = qs.filter(site__name=params["site"])
        since = _when(self.request, "updated_since")
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        return qs.order_by("employee_id")


@extend_schema(tags=["employees"], responses={200: s.EmployeeSerializer, **ERRORS})
class EmployeeDetail(Audited, generics.RetrieveAPIView):
    audit_name = "employee"
    serializer_class = s.EmployeeSerializer

    def get_object(self):
        from mentorat.core.selectors import directory_list

        return get_object_or_404(directory_list(user=self.request.user), employee_id=self.kwargs["employee_id"])


class EmployeeBulk(Audited, APIView):
    audit_name = "employees.bulk"
    write_scope = ApiToken.Scope.DIRECTORY
    parser_classes = [JSONParser, CSVParser]

    @extend_schema(
        tags=["employees"], request={"application/json": s.EmployeeRowSerializer(many=True), "text/csv": OpenApiTypes.BINARY},
        responses={200: s.ImportResultSerializer, 413: s.ErrorSerializer, **ERRORS},
        description="Upsert the directory with the HRIS import's rules (mentorat.core.services.directory_import). " + BULK,
        parameters=[
            OpenApiParameter("dry_run", bool, description="Check and report; write nothing."),
            OpenApiParameter("mark_missing_as_left", bool, description="The body is the whole directory: present employees absent from it leave today."),
            OpenApiParameter("confirm_departures", bool, description="Needed when many employees, the caller or pair members would be marked as left."),
        ])
    def post(self, request):
        from mentorat.core.directory_file import FIELDS
        from mentorat.core.services import directory_import

        dry_run, confirm = _flag(request, "dry_run"), _flag(request, "confirm_departures")
        mark_missing = _flag(request, "mark_missing_as_left")
        data, from_json = _bulk_bytes(request, FIELDS, escape=True)

        def departures_need_the_flag(report):
            if report.mass_leave or report.left_named:
                return _("line 1: %(count)s people would be marked as left, many at once or including the caller or "
                         "pair members; add confirm_departures=true to confirm.") % {"count": len(report.left)}
            return None

        report = directory_import(data=data, dry_run=dry_run, mark_missing_as_left=mark_missing, actor=request.user,
                                  confirm=None if confirm or dry_run else departures_need_the_flag)
        if report.errors:
            return _bulk_errors(report.errors, from_json)
        return Response({"applied": report.applied, "created": len(report.created), "updated": len(report.updated),
                         "unchanged": report.unchanged, "left": len(report.left),
                         "login_changes": len(report.email_changes), "warnings": index_errors(report.warnings) if from_json
                         else report.warnings})


# --- Programmes -------------------------------------------------------------------------------

def _programme(request, slug):
    from programmes.selectors import programme_get_for_user

    return programme_get_for_user(user=request.user, slug=slug)


@extend_schema_view(
    get=extend_schema(tags=["programmes"], responses={200: s.ProgrammeSerializer(many=True), **ERRORS},
                      parameters=[OpenApiParameter("status", str, enum=["draft", "enrolment", "pairing", "running", "closed"])]),
    post=extend_schema(tags=["programmes"], request=s.ProgrammeCreateSerializer,
                       responses={201: s.ProgrammeSerializer, **ERRORS},
                       description="A draft programme with milestones and charter v1 (programme scope)."),
)
class ProgrammeList(Audited, generics.ListCreateAPIView):
    audit_name = "programmes"
    write_scope = ApiToken.Scope.PROGRAMME

    def get_serializer_class(self):
        return s.ProgrammeCreateSerializer if self.request.method == "POST" else s.ProgrammeSerializer

    def get_queryset(self):
        from programmes.models import Programme
        from programmes.selectors import programme_list_for_user

        qs = programme_list_for_user(user=self.request.user).prefetch_related("domains").order_by("start_date", "slug")
        wanted = _choice(self.request, "status", Programme.Status.values)
        return qs.filter(status=wanted) if wanted else qs

    def create(self, request, *args, **kwargs):
        from programmes.services import programme_create

        serializer = s.ProgrammeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        programme = programme_create(actor=request.user, domain_slugs=data.pop("domains", None), **data)
        return Response(s.ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["programmes"], responses={200: s.ProgrammeSerializer, **ERRORS})
class ProgrammeDetail(Audited, generics.RetrieveAPIView):
    audit_name = "programme"
    serializer_class = s.ProgrammeSerializer

    def get_object(self):
        return _programme(self.request, self.kwargs["slug"])


class ProgrammeTransition(Audited, APIView):
    audit_name = "programme.transition"
    write_scope = ApiToken.Scope.PROGRAMME

    @extend_schema(tags=["programmes"], request=s.TransitionSerializer, responses={200: s.ProgrammeSerializer, **ERRORS},
                   description="draft → enrolment → pairing → running (and back one step where the design allows).")
    def post(self, request, slug):
        from programmes.selectors import programme_get_for_coordinator
        from programmes.services import programme_transition

        programme = programme_get_for_coordinator(user=request.user, slug=slug)
        serializer = s.TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = programme_transition(actor=request.user, programme=programme, to=serializer.validated_data["to"])
        return Response(s.ProgrammeSerializer(programme).data)


class ProgrammeClose(Audited, APIView):
    """Closing as the page does it: GET says what it will do (or why not yet), POST with
    ``confirm: true`` does it all in one transaction (pairs completed, future sessions cancelled,
    surveys closed, certificates issued)."""

    audit_name = "programme.close"
    write_scope = ApiToken.Scope.PROGRAMME

    def _programme(self, request, slug):
        from programmes.selectors import programme_get_for_coordinator

        return programme_get_for_coordinator(user=request.user, slug=slug)

    @extend_schema(tags=["programmes"], responses={200: s.ClosePreviewSerializer, **ERRORS},
                   description="What closing would do now, or why it cannot yet. Writes nothing.")
    def get(self, request, slug):
        from programmes.services import programme_close_preview, programme_close_refusal

        programme = self._programme(request, slug)
        refusal = programme_close_refusal(programme=programme)
        return Response({"can_close": refusal is None, "refusal": refusal,
                         "effects": [] if refusal else [str(line) for line in programme_close_preview(programme=programme)]})

    @extend_schema(tags=["programmes"], request=s.CloseSerializer, responses={200: s.ProgrammeSerializer, **ERRORS},
                   description="Close a running programme (programme scope). Needs confirm=true; cannot be undone.")
    def post(self, request, slug):
        from programmes.services import programme_close

        programme = self._programme(request, slug)
        serializer = s.CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data["confirm"]:
            raise exceptions.ValidationError({"confirm": [_("Closing cannot be undone: read GET …/close/ and send "
                                                            "confirm=true.")]})
        programme_close(actor=request.user, programme=programme)
        programme.refresh_from_db()
        return Response(s.ProgrammeSerializer(programme).data)


# --- Applications -----------------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=["applications"], responses={200: s.ApplicationSerializer(many=True), **ERRORS}, parameters=[
        OpenApiParameter("role", str, enum=["mentor", "mentee"]),
        OpenApiParameter("status", str, enum=["submitted", "approved", "waitlisted", "declined", "withdrawn"])]),
)
class ApplicationList(Audited, generics.ListAPIView):
    audit_name = "applications"
    write_scope = ApiToken.Scope.PROGRAMME
    serializer_class = s.ApplicationSerializer
    parser_classes = [JSONParser, CSVParser]

    def get_queryset(self):
        from programmes.models import Application, Role
        from programmes.selectors import application_queue, programme_get_for_coordinator

        programme = programme_get_for_coordinator(user=self.request.user, slug=self.kwargs["slug"])
        return application_queue(user=self.request.user, programme=programme,
                                 role=_choice(self.request, "role", Role.values),
                                 status=_choice(self.request, "status", Application.Status.values)).order_by("pk")

    @extend_schema(
        tags=["applications"], request={"application/json": s.ApplicationRowSerializer(many=True), "text/csv": OpenApiTypes.BINARY},
        responses={200: s.CountResultSerializer, 413: s.ErrorSerializer, **ERRORS},
        parameters=[OpenApiParameter("dry_run", bool)],
        description="Applications collected elsewhere, imported as approved (programmes.imports). " + BULK)
    def post(self, request, slug):
        from programmes.imports import COLUMNS, applications_import
        from programmes.selectors import programme_get_for_coordinator

        programme = programme_get_for_coordinator(user=request.user, slug=slug)
        dry_run = _flag(request, "dry_run")
        data, from_json = _bulk_bytes(request, COLUMNS, escape=False)
        count, errors = applications_import(programme=programme, data=data, dry_run=dry_run, actor=request.user)
        if errors:
            return _bulk_errors(errors, from_json)
        return Response({"applied": not dry_run, "count": count})


class ApplicationReview(Audited, APIView):
    audit_name = "application.review"
    write_scope = ApiToken.Scope.PROGRAMME

    @extend_schema(tags=["applications"], request=s.ReviewSerializer, responses={200: s.ApplicationSerializer, **ERRORS})
    def post(self, request, slug, pk):
        from programmes.selectors import application_get_for_coordinator, programme_get_for_coordinator
        from programmes.services import application_review

        programme = programme_get_for_coordinator(user=request.user, slug=slug)
        application = application_get_for_coordinator(user=request.user, programme=programme, pk=pk)
        serializer = s.ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application_review(actor=request.user, application=application, **serializer.validated_data)
        return Response(s.ApplicationSerializer(
            application_get_for_coordinator(user=request.user, programme=programme, pk=pk)).data)


# --- Pairs ------------------------------------------------------------------------------------

def _coordinated(request, slug):
    from programmes.selectors import programme_get_for_coordinator

    return programme_get_for_coordinator(user=request.user, slug=slug)


@extend_schema(tags=["pairs"], responses={200: s.PairSerializer(many=True), **ERRORS},
               parameters=[OpenApiParameter("status", str, enum=["proposed", "published", "active", "declined", "expired",
                                                                  "completed", "ended"])])
class PairList(Audited, generics.ListAPIView):
    audit_name = "pairs"
    serializer_class = s.PairSerializer

    def get_queryset(self):
        from binomes.models import Pair

        programme = _coordinated(self.request, self.kwargs["slug"])
        return api_selectors.pairs_for_api(user=self.request.user, programme=programme,
                                           status=_choice(self.request, "status", Pair.Status.values))


class PairExport(Audited, APIView):
    audit_name = "pairs.export"

    @extend_schema(tags=["pairs"], responses={(200, "text/csv"): OpenApiTypes.STR, **ERRORS},
                   description="The pairing board's CSV export: `;`-separated, UTF-8 with BOM, formula-like texts quoted.")
    def get(self, request, slug):
        from binomes.imports import export_rows
        from mentorat.core.csv import csv_response

        programme = _coordinated(request, slug)
        response, writer = csv_response(f"{programme.slug}-pairs.csv")
        for row in export_rows(api_selectors.pairs_for_api(user=request.user, programme=programme)):
            writer.writerow(row)
        return response


class PairImport(Audited, APIView):
    audit_name = "pairs.import"
    write_scope = ApiToken.Scope.PROGRAMME
    parser_classes = [JSONParser, CSVParser]

    @extend_schema(
        tags=["pairs"], request={"application/json": s.PairRowSerializer(many=True), "text/csv": OpenApiTypes.BINARY},
        responses={200: s.CountResultSerializer, 413: s.ErrorSerializer, **ERRORS}, parameters=[OpenApiParameter("dry_run", bool)],
        description="Pairs decided elsewhere, kept as locked drafts; every pairing rule applies (binomes.imports). " + BULK)
    def post(self, request, slug):
        import csv
        import io

        from binomes.imports import pairs_import

        programme = _coordinated(request, slug)
        dry_run = _flag(request, "dry_run")
        data, from_json = _bulk_bytes(request, ["mentor", "mentee"], escape=False)
        text = data.decode("utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";" if text.split("\n", 1)[0].count(";") else ",")
        try:
            rows = list(reader)
        except csv.Error as exc:  # a NUL byte, an unterminated quote: the line that broke the reading
            return _bulk_errors([_("line %(line)s: %(error)s") % {"line": reader.line_num, "error": exc}], from_json)
        count, errors = pairs_import(actor=request.user, programme=programme, dry_run=dry_run,
                                     rows=[(n, row.get("mentor"), row.get("mentee")) for n, row in enumerate(rows, start=2)])
        if errors:
            return _bulk_errors(errors, from_json)
        return Response({"applied": not dry_run, "count": count})


# --- Sessions ---------------------------------------------------------------------------------

@extend_schema(tags=["sessions"], responses={200: s.SessionSerializer(many=True), **ERRORS}, parameters=[
    OpenApiParameter("programme", str, description="Programme slug."),
    OpenApiParameter("pair", int),
    OpenApiParameter("status", str, enum=["planned", "held", "missed", "cancelled"]),
    OpenApiParameter("starts_after", OpenApiTypes.DATETIME, description="ISO 8601, inclusive."),
    OpenApiParameter("starts_before", OpenApiTypes.DATETIME, description="ISO 8601, exclusive."),
], description="Metadata only: dates, length, status and the side that cancelled. No theme, place, log, rating or note.")
class SessionList(Audited, generics.ListAPIView):
    audit_name = "sessions"
    serializer_class = s.SessionSerializer

    def get_queryset(self):
        from sessions.models import MentoringSession

        params = self.request.query_params
        programme = _coordinated(self.request, params["programme"]) if params.get("programme") else None
        pair = params.get("pair")
        if pair is not None and not pair.isdigit():
            raise exceptions.ValidationError({"pair": [_("A pair id is a whole number.")]})
        return api_selectors.sessions_for_api(
            user=self.request.user, programme=programme, pair=int(pair) if pair else None,
            status=_choice(self.request, "status", MentoringSession.Status.values),
            starts_after=_when(self.request, "starts_after"), starts_before=_when(self.request, "starts_before"))


# --- KPIs -------------------------------------------------------------------------------------

# The figures of the dashboard's CSV export (evaluation.views.dashboard_export), in its order.
class KpiView(Audited, APIView):
    audit_name = "kpis"

    @extend_schema(tags=["kpis"], responses={200: s.KpiSerializer, **ERRORS}, parameters=[
        OpenApiParameter("programme", str, description="Programme slug."),
        OpenApiParameter("cohort", int, description="Start year."),
        OpenApiParameter("department", str, description="Department name."),
        OpenApiParameter("site", str, description="Site name."),
    ], description="The dashboard's figures under the anonymity rule (evaluation.selectors.dashboard).")
    def get(self, request):
        from evaluation import definitions
        from evaluation import selectors as evaluation_selectors

        options = evaluation_selectors.dashboard_options(user=request.user)
        params = request.query_params
        chosen = {}
        for name, items, key in (("programme", options["programmes"], lambda p: p.slug),
                                 ("department", options["departments"], lambda d: d.name),
                                 ("site", options["sites"], lambda d: d.name)):
            if params.get(name):
                match = next((item for item in items if key(item) == params[name]), None)
                if match is None:
                    raise exceptions.ValidationError({name: [_("Unknown value “%(value)s”.") % {"value": params[name]}]})
                chosen[name] = match.pk
        if params.get("cohort"):
            if not params["cohort"].isdigit() or int(params["cohort"]) not in options["cohorts"]:
                raise exceptions.ValidationError({"cohort": [_("Unknown value “%(value)s”.") % {"value": params["cohort"]}]})
            chosen["cohort"] = int(params["cohort"])
        data = evaluation_selectors.dashboard(user=request.user, filters=evaluation_selectors.Filters(**chosen))
        groups = [{"programme": None, "name": _("all selected programmes"), "figures": definitions.rows(data["total"])}]
        groups += [{"programme": c["programme"].slug, "name": c["programme"].name, "figures": definitions.rows(c["figures"])}
                   for c in data["columns"]]
        return Response({"threshold": data["threshold"], "groups": groups})


# --- Schema and docs --------------------------------------------------------------------------

class SchemaView(Audited, SpectacularAPIView):
    """The OpenAPI 3 schema: coordinators in the browser, or any live token."""

    audit_name = "schema"
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    # JSON first, like the rest of the API; ``?format=yaml`` for YAML.
    renderer_classes = [OpenApiJsonRenderer, OpenApiJsonRenderer2, OpenApiYamlRenderer, OpenApiYamlRenderer2]
    permission_classes = [IsCoordinator]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its start-up script is a separate file (``?script``),
    so the page runs under the Content-Security-Policy (no inline script)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsCoordinator]
    url_name = "api:schema"


# --- The coordinators' token page -------------------------------------------------------------

def visible_tokens(user):
    """An HR lead sees and revokes every token; a coordinator, the tokens they created."""
    return ApiToken.objects.all() if is_hr_lead(user) else ApiToken.objects.filter(created_by=user)


@coordinator_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """Create a token (its secret shown once, on the page that answers the form) and list the others."""
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(actor=request.user, **form.cleaned_data)
        except TokenError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Token “%(name)s” created. Copy its secret now: it will not be shown again.")
                             % {"name": token.name})
            form = TokenForm()
    rows = visible_tokens(request.user).select_related("created_by", "revoked_by").order_by("revoked_at", "-created_at")
    return render(request, "api/tokens.html", {"form": form, "tokens": rows, "secret": secret,
                                               "rate": settings.MENTORAT_API_RATE})


@coordinator_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(visible_tokens(request.user), pk=pk)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:tokens")
