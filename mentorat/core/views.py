import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorat.core import home as home_sections
from mentorat.core import outbox, selectors, services
from mentorat.core.forms import DirectoryFilterForm, DirectoryImportForm, PreferencesForm
from mentorat.core.models import Notification, NotificationPreference, User
from mentorat.core.permissions import (
    coordinator_required,
    executive_required,
    hr_lead_required,
    is_coordinator,
    is_executive,
    is_hr_lead,
)
from mentorat.core.selectors import employee_of


def home(request):
    user = request.user
    context = {
        "employee": lambda: employee_of(user),  # read only when no section shows
        "sections": home_sections.sections_html(request),
    }
    if is_hr_lead(user):
        context["overview"] = selectors.directory_overview()
        context["imports"] = selectors.directory_import_recent(user=user, limit=5)
    elif is_executive(user) or is_coordinator(user):
        context["overview"] = selectors.directory_overview()
    return render(request, "core/home.html", context)


def _filtered_directory(request):
    """The directory filter form and the employees it selects (the page and its CSV export)."""
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.directory_list(
        user=request.user,
        search=filters.get("q", ""),
        department=filters["department"].pk if filters.get("department") else "",
        site=filters["site"].pk if filters.get("site") else "",
        status=filters.get("status", ""),
    )
    return form, qs


@coordinator_required
def directory(request):
    form, qs = _filtered_directory(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/directory.html", {"form": form, "page": page, "query": query.urlencode()})


def employee_detail(request, pk):
    employee = selectors.employee_get_for_user(user=request.user, pk=pk)
    context = {
        "employee": employee,
        "chain": selectors.employee_chain(employee),
        "reports": employee.reports.select_related("department", "site").order_by("last_name", "first_name"),
        "peer_count": selectors.employee_peers(employee).count(),
        "subtree_count": selectors.employee_subtree(employee).count(),
        "can_browse": is_coordinator(request.user),
        "can_erase": is_hr_lead(request.user),
        "erase_word": services.erase_word(),
    }
    return render(request, "core/employee_detail.html", context)


@executive_required
def organisation(request):
    return render(request, "core/organisation.html", {"overview": selectors.directory_overview()})


@hr_lead_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = DirectoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = services.directory_import_preview(
            filename=upload.name, data=upload.read(), uploaded_by=request.user,
            mark_missing_as_left=form.cleaned_data["mark_missing_as_left"],
        )
        return redirect("core:import_preview", pk=batch.pk)
    recent = selectors.directory_import_recent(user=request.user)
    return render(request, "core/import_upload.html", {"form": form, "recent": recent})


@hr_lead_required
def import_preview(request, pk):
    batch = selectors.directory_import_get_for_user(user=request.user, pk=pk)
    return render(request, "core/import_preview.html", {"batch": batch, "summary": batch.summary,
                                                        "mass_leave_word": services.mass_leave_word()})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token):
    """The link mailed to the old address: GET shows the change, POST makes it (a mail scanner
    that follows links changes nothing). Possession of the link is the proof; no login needed."""
    change = services.email_change_from_link(token)
    if change is None:
        return render(request, "core/email_change_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        try:
            services.login_email_change_apply(change=change, actor=change.user, how="confirmed by the person")
        except services.EmailChangeError as exc:
            return render(request, "core/email_change_confirm.html", {"invalid": True, "reason": str(exc)}, status=400)
        return render(request, "core/email_change_confirm.html", {"done": True, "change": change})
    return render(request, "core/email_change_confirm.html", {"change": change})


@hr_lead_required
@require_POST
def import_confirm(request, pk):
    batch = selectors.directory_import_get_for_user(user=request.user, pk=pk)
    if batch.status != batch.Status.PREVIEWED:
        messages.error(request, _("This import was already applied or refused; upload the file again."))
        return redirect("core:import_preview", pk=batch.pk)
    try:
        report = services.directory_import_confirm(
            batch=batch, actor=request.user, typed_word=request.POST.get("typed_word", ""),
            confirm_named=request.POST.get("confirm_named") == "on",
        )
    except services.ImportConfirmationNeeded as exc:
        messages.error(request, str(exc))
        return redirect("core:import_preview", pk=batch.pk)
    if report.applied:
        messages.success(request, _("Directory updated: %(summary)s") % {"summary": report.summary_line()})
    else:
        messages.error(request, _("The import was refused; nothing was written."))
    return redirect("core:import_preview", pk=batch.pk)


@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(request.user.language)
        messages.success(request, _("Your preferences are saved."))
        response = redirect("core:preferences")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    employee = employee_of(request.user)
    return render(request, "core/preferences.html", {"form": form, "employee": employee})


@login_not_required
@require_POST
def switch_language(request):
    """Switch the interface language; saved on the account when logged in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def broker_ping() -> None:
    """Raise unless the Celery broker answers: Redis must PONG, the filesystem queue be writable."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
    os.makedirs(folder, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise OSError(f"{folder} is not writable")


@login_not_required
@require_GET
@never_cache
def health(request):
    """Database and broker status as JSON: 200 when both answer, 503 otherwise."""
    status = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        broker_ping()
    except Exception as exc:
        status["broker"] = f"error: {exc.__class__.__name__}"
    healthy = status["database"] == "ok" and status["broker"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503)


@require_http_methods(["GET", "POST"])
def notifications(request):
    """Which non-essential e-mails the user receives."""

    optional = [kind for kind in outbox.KINDS.values() if not kind.essential]
    if request.method == "POST":
        services.notifications_choose(user=request.user, wanted=set(request.POST.getlist("kinds")))
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("core:notifications")
    muted = set(NotificationPreference.objects.filter(user=request.user).values_list("kind", flat=True))
    essential = [kind for kind in outbox.KINDS.values() if kind.essential]
    return render(request, "core/notifications.html", {"optional": optional, "essential": essential, "muted": muted})


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Stop one kind of non-essential message, without logging in. A GET (a person, or a link
    scanner) only shows the page and its button; a POST unsubscribes: the page's button, or a
    mail client's RFC 8058 one-click POST (body ``List-Unsubscribe=One-Click``), which carries no
    cookie and no CSRF token. The signed token (user and kind) is the only credential, so CSRF
    protection would add nothing and would break the one-click POST."""

    try:
        data = signing.loads(token, salt="mentorat.unsubscribe", max_age=60 * 60 * 24 * 365)
    except signing.BadSignature:
        return render(request, "core/unsubscribe.html", {"invalid": True}, status=400)
    kind = outbox.KINDS.get(data.get("k"))
    user = User.objects.filter(pk=data.get("u")).first()
    if kind is None or user is None or kind.essential:
        return render(request, "core/unsubscribe.html", {"invalid": True}, status=400)
    with translation.override(user.language or settings.LANGUAGE_CODE):  # the language of the e-mail it came from
        if request.method == "POST":
            services.notifications_choose(user=user, muted={kind.name})
            return render(request, "core/unsubscribe.html", {"done": True, "kind": kind})
        return render(request, "core/unsubscribe.html", {"kind": kind})


@hr_lead_required
def outbox_view(request):
    """What was sent, what waits, what failed: kind, recipient, due, status. Never a message body.

    Discreet kinds (a survey invitation is skipped because the person answered) show no status,
    sent date or error: only whether they are due yet; no status tab lists or counts them."""

    qs = Notification.objects.select_related("recipient").order_by("-due_at")
    discreet = [name for name, kind in outbox.KINDS.items() if kind.discreet]
    status = request.GET.get("status", "")
    if status in Notification.Status.values:
        qs = qs.filter(status=status).exclude(kind__in=discreet)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    counts = dict(Notification.objects.exclude(kind__in=discreet).values_list("status").annotate(n=Count("pk")))
    query = request.GET.copy()
    query.pop("page", None)

    now = timezone.now()
    for row in page:
        row.kind_label = outbox.KINDS[row.kind].label if row.kind in outbox.KINDS else row.kind
        if row.kind in discreet:
            row.discreet_label = pgettext("outbox", "planned") if row.due_at > now else pgettext("outbox", "due date passed")
    statuses = [(value, label, counts.get(value, 0)) for value, label in Notification.Status.choices]
    return render(request, "core/outbox.html", {"page": page, "status": status, "statuses": statuses,
                                                "query": query.urlencode()})


@hr_lead_required
def locked_accounts(request):
    """Accounts locked by repeated failed logins; a coordinator unlocks one (audited)."""
    if request.method == "POST":
        email = request.POST.get("email", "")
        if services.login_unlock(actor=request.user, email=email):
            messages.success(request, _("%(email)s can log in again.") % {"email": email})
        return redirect("core:locked_accounts")
    return render(request, "core/locked_accounts.html", {"attempts": selectors.locked_accounts()})


@login_not_required
def privacy(request):
    return render(request, "core/privacy.html", {"retention_months": settings.MENTORAT_RETENTION_MONTHS})


def my_data(request):
    """Everything held on the user: readable here, or as JSON (``?format=json``)."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from mentorat.core.privacy import personal_data

    data = personal_data(user=request.user)
    if request.GET.get("format") == "json":
        response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="mentorat-my-data.json"'
        return response
    sections = [(key, json.dumps(value, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)) for key, value in data.items()]
    return render(request, "core/my_data.html", {"sections": sections})


@hr_lead_required
def audit(request):
    """The audit trail: who did what to whom, when; filterable, exportable as CSV."""
    from mentorat.core.csv import csv_response

    entries = selectors.audit_entries(action=request.GET.get("action", ""), actor=request.GET.get("actor", ""))
    if request.GET.get("format") == "csv":
        response, writer = csv_response("mentorat-audit.csv")
        writer.writerow(["at", "actor", "action", "target", "details"])
        for entry in entries.iterator(chunk_size=2000):
            writer.writerow([entry.at.isoformat(), entry.actor.email if entry.actor else "", entry.action, entry.target,
                             entry.details])
        return response
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "core/audit.html", {"page": Paginator(entries, 100).get_page(request.GET.get("page")),
                                               "action": request.GET.get("action", ""), "actor": request.GET.get("actor", ""),
                                               "query": query.urlencode()})


@hr_lead_required
@require_POST
def employee_erase(request, pk):
    """Erase a person on request (GDPR): the HR lead confirms by typing the word of their language
    (ERASE, EFFACER)."""
    from mentorat.core.privacy import ErasureRefused, person_erase

    employee = selectors.employee_get_for_user(user=request.user, pk=pk)
    word = services.erase_word()
    if request.POST.get("confirm", "").strip().upper() != word.upper():
        messages.error(request, _("Type %(word)s to confirm: nothing was erased.") % {"word": word})
        return redirect("core:employee", pk=pk)
    try:
        person_erase(actor=request.user, employee=employee)
    except ErasureRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("core:employee", pk=pk)
    messages.success(request, _("The person was erased: names and texts are gone, the figures remain."))
    return redirect("core:directory")


@hr_lead_required
@require_GET
def directory_export(request):
    """The directory as CSV, with the import's columns (a round trip with the import), filtered as
    the page is; for HR leads, who manage it. Audited: who exported how many people."""
    from mentorat.core.csv import csv_response
    from mentorat.core.directory_file import FIELDS, export_row

    _form, qs = _filtered_directory(request)
    qs = qs.order_by("employee_id")
    response, writer = csv_response("mentorat-directory.csv")
    writer.writerow(FIELDS)
    count = 0
    for employee in qs.iterator(chunk_size=2000):
        writer.writerow(export_row(employee))
        count += 1
    services.audit_log(actor=request.user, action="directory.export", target="directory",
                       details={"employees": count, "filters": {k: str(v) for k, v in request.GET.items() if v}})
    return response
