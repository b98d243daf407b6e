from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentorat.core.csv import csv_response
from mentorat.core.errors import add_to_form
from mentorat.core.permissions import coordinator_required, is_coordinator
from mentorat.core.services import audit_log
from programmes import selectors, services
from programmes.forms import (
    ApplicationForm,
    CharterForm,
    CloseForm,
    CopyForm,
    DomainCreateForm,
    DomainRenameForm,
    MilestoneFormSet,
    ObjectiveFormSet,
    ProgrammeCreateForm,
    ProgrammeForm,
    QueueFilterForm,
    ReviewForm,
    SponsorAddForm,
    SponsorMessageForm,
    TrainingFormSet,
)
from programmes.models import Application, ManagerAcknowledgement, Programme, ProgrammeSponsor, Role, TrainingModule


def programme_list(request):
    programmes = selectors.programme_list_for_user(user=request.user).prefetch_related("sponsors__user")
    own = {}
    employee = selectors.employee_of(request.user)
    if employee is not None:
        own = {a.programme_id: a for a in Application.objects.filter(employee=employee)}
    rows = [(p, own.get(p.pk)) for p in programmes]
    return render(request, "programmes/list.html", {"rows": rows, "can_manage": is_coordinator(request.user)})


@coordinator_required
@require_http_methods(["GET", "POST"])
def programme_create(request):
    form = ProgrammeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        domain_slugs = [domain.slug for domain in data.pop("domains")] or None
        try:
            programme = services.programme_create(actor=request.user, domain_slugs=domain_slugs, **data)
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Programme created as a draft, with default domains, milestones and charter."))
            return redirect("programmes:detail", slug=programme.slug)
    return render(request, "programmes/form.html", {"form": form, "title": _("New programme")})


@require_http_methods(["GET", "POST"])
def domain_list(request):
    """The catalogue of learning domains, and the form that adds one (coordinators)."""
    domains = selectors.domain_catalogue(user=request.user)
    form = DomainCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain = services.domain_create(actor=request.user, **form.cleaned_data)
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("“%(name)s” is added to the catalogue.") % {"name": domain.name})
            return redirect("programmes:domains")
    return render(request, "programmes/domains.html", {"domains": domains, "form": form})


@require_http_methods(["GET", "POST"])
def domain_edit(request, code):
    """Rename a domain in both languages."""
    domain = selectors.domain_get_for_coordinator(user=request.user, slug=code)
    form = DomainRenameForm(request.POST or None, initial={"name_fr": domain.name_fr, "name_en": domain.name_en})
    if request.method == "POST" and form.is_valid():
        try:
            services.domain_rename(actor=request.user, domain=domain, **form.cleaned_data)
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("The domain is renamed."))
            return redirect("programmes:domains")
    return render(request, "programmes/domain_edit.html", {"domain": domain, "form": form})


@require_POST
def domain_retire(request, code):
    domain = selectors.domain_get_for_coordinator(user=request.user, slug=code)
    try:
        domain = services.domain_retire(actor=request.user, domain=domain)
    except services.ProgrammeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” is retired: new programmes and applications no longer offer it; "
                                    "it stays where it is used.") % {"name": domain.name})
    return redirect("programmes:domains")


@require_POST
def domain_restore(request, code):
    domain = selectors.domain_get_for_coordinator(user=request.user, slug=code)
    try:
        domain = services.domain_restore(actor=request.user, domain=domain)
    except services.ProgrammeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” is offered again.") % {"name": domain.name})
    return redirect("programmes:domains")


def programme_detail(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    roles = selectors.programme_roles(user=request.user, programme=programme)
    context = {
        "programme": programme,
        "roles": roles,
        "objectives": programme.objectives.all(),
        "sponsors": programme.sponsors.select_related("user"),
        "milestones": programme.milestones.all(),
        "charter": programme.current_charter(),
        "domains": programme.domains.all(),
        "application": selectors.application_own(user=request.user, programme=programme),
        "employee": selectors.employee_of(request.user),
    }
    if roles & {"coordinator", "sponsor", "executive"}:
        context["counts"] = selectors.application_counts(programme=programme)
    if "coordinator" in roles:
        context["next_states"] = sorted(services.TRANSITIONS[programme.status], key=list(Programme.Status.values).index)
        context["training_modules"] = programme.training_modules.all()
    context["panels"] = [panel for provider in services.PROGRAMME_PANELS for panel in provider(request, programme, roles)]
    own_sponsorship = ProgrammeSponsor.objects.filter(programme=programme, user=request.user).first()
    if own_sponsorship:
        context["own_sponsorship"] = own_sponsorship
    return render(request, "programmes/detail.html", context)


@require_http_methods(["GET", "POST"])
def programme_edit(request, slug):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("domains", "slug", "concern_contacts")}
        try:
            with transaction.atomic():
                services.programme_update(actor=request.user, programme=Programme.objects.get(pk=programme.pk), data=data,
                                          domains=list(form.cleaned_data["domains"]))
                services.programme_set_concern_contacts(actor=request.user, programme=programme,
                                                        users=form.cleaned_data["concern_contacts"])
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("programmes:detail", slug=programme.slug)
    return render(request, "programmes/form.html", {"form": form, "programme": programme, "title": _("Programme design")})


def _formset_view(request, slug, formset_class, title, action):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    formset = formset_class(request.POST or None, instance=programme)
    if request.method == "POST":
        if programme.status == Programme.Status.CLOSED:
            messages.error(request, _("A closed programme cannot be changed."))
        elif formset.is_valid():
            with transaction.atomic():
                formset.save()
                audit_log(actor=request.user, action=action, target=programme.slug)
            messages.success(request, _("Saved."))
            return redirect("programmes:detail", slug=programme.slug)
    return render(request, "programmes/formset.html", {"formset": formset, "programme": programme, "title": title})


@require_http_methods(["GET", "POST"])
def programme_objectives(request, slug):
    return _formset_view(request, slug, ObjectiveFormSet, _("Objectives"), "programme.objectives")


@require_http_methods(["GET", "POST"])
def programme_milestones(request, slug):
    return _formset_view(request, slug, MilestoneFormSet, _("Milestones"), "programme.milestones")


@require_http_methods(["GET", "POST"])
def programme_training(request, slug):
    return _formset_view(request, slug, TrainingFormSet, _("Initial training"), "programme.training")


@require_http_methods(["GET", "POST"])
def programme_charter(request, slug):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    current = programme.current_charter()
    form = CharterForm(request.POST or None, initial={"text": current.text if current else "",
                                                      "text_en": current.text_en if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.charter_publish(actor=request.user, programme=programme, **form.cleaned_data)
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("Charter version %(v)s is current.") % {"v": charter.version})
            return redirect("programmes:detail", slug=programme.slug)
    return render(request, "programmes/form.html", {"form": form, "programme": programme, "title": _("Participation charter"),
                                                    "lead": _("Saving a changed text creates a new version; volunteers accept the current one.")})


@require_http_methods(["GET", "POST"])
def programme_sponsors(request, slug):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    form = SponsorAddForm(request.POST or None)
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove:
            sponsor = programme.sponsors.filter(pk=remove).first()
            if sponsor is None:
                raise Http404
            services.sponsor_remove(actor=request.user, sponsor=sponsor)
            messages.success(request, _("Sponsor removed."))
            return redirect("programmes:sponsors", slug=slug)
        if form.is_valid():
            try:
                services.sponsor_add(actor=request.user, programme=programme, user=form.cleaned_data["user"],
                                     message=form.cleaned_data["message"], message_en=form.cleaned_data["message_en"])
            except services.ProgrammeError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(request, _("Sponsor added."))
                return redirect("programmes:sponsors", slug=slug)
    return render(request, "programmes/sponsors.html", {"form": form, "programme": programme,
                                                        "sponsors": programme.sponsors.select_related("user")})


@require_http_methods(["GET", "POST"])
def sponsor_message(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    sponsor = ProgrammeSponsor.objects.filter(programme=programme, user=request.user).first()
    if sponsor is None:
        raise Http404
    form = SponsorMessageForm(request.POST or None, initial={"message": sponsor.message, "message_en": sponsor.message_en})
    if request.method == "POST" and form.is_valid():
        services.sponsor_set_message(sponsor=sponsor, **form.cleaned_data)
        messages.success(request, _("Your message is published on the programme page."))
        return redirect("programmes:detail", slug=slug)
    return render(request, "programmes/form.html", {"form": form, "programme": programme, "title": _("Sponsor message")})


@require_http_methods(["GET", "POST"])
def programme_close(request, slug):
    """The confirmation page (what closing will do, or why it cannot), then the close itself."""
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    refusal = services.programme_close_refusal(programme=programme)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.programme_close(actor=request.user, programme=programme)
        except services.ProgrammeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The programme is closed."))
            return redirect("programmes:detail", slug=slug)
    return render(request, "programmes/close.html", {
        "programme": programme, "form": form, "refusal": refusal,
        "effects": [] if refusal else services.programme_close_preview(programme=programme)})


@require_POST
def programme_status(request, slug):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    try:
        programme = services.programme_transition(actor=request.user, programme=programme, to=request.POST.get("to", ""))
    except services.ProgrammeError as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Unknown status."))
    else:
        messages.success(request, _("The programme is now “%(status)s”.") % {"status": programme.get_status_display()})
    return redirect("programmes:detail", slug=slug)


@require_http_methods(["GET", "POST"])
def programme_copy(request, slug):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    form = CopyForm(request.POST or None, initial={"name": f"{programme.name} (2)", "slug": f"{programme.slug}-2"})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.programme_copy(actor=request.user, programme=programme, **form.cleaned_data)
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, _("New cohort created as a draft: same design, no participants."))
            return redirect("programmes:detail", slug=copy.slug)
    return render(request, "programmes/form.html", {"form": form, "programme": programme, "title": _("Copy for a new cohort")})


@require_http_methods(["GET", "POST"])
def apply(request, slug, role):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    if role not in Role.values:
        raise Http404
    employee = selectors.employee_of(request.user)
    if employee is None:
        messages.error(request, _("Only employees listed in the directory can apply."))
        return redirect("programmes:detail", slug=slug)
    application = selectors.application_own(user=request.user, programme=programme)
    editing = application is not None and application.status != Application.Status.WITHDRAWN
    if editing and application.role != role:
        return redirect("programmes:apply", slug=slug, role=application.role)
    if editing and not application.editable:
        messages.info(request, _("Your application has been reviewed; it can no longer be changed."))
        return redirect("programmes:detail", slug=slug)
    eligibility = services.eligibility_errors(programme=programme, employee=employee, role=role)
    form = ApplicationForm(request.POST or None, programme=programme, role=role, application=application if editing else None)
    if request.method == "POST" and not eligibility and form.is_valid():
        try:
            if editing:
                services.application_update(application=application, data=form.to_data(),
                                            charter_accepted=form.cleaned_data["accept_charter"])
                messages.success(request, _("Your application is updated."))
            else:
                services.application_submit(employee=employee, programme=programme, role=role, data=form.to_data(),
                                            charter_accepted=form.cleaned_data["accept_charter"])
                messages.success(request, _("Thank you! Your application is sent to the programme team."))
        except services.ProgrammeError as exc:
            add_to_form(form, exc)
        else:
            return redirect("programmes:detail", slug=slug)
    return render(request, "programmes/apply.html", {
        "programme": programme, "role": role, "form": form, "eligibility": eligibility, "editing": editing,
        "charter": programme.current_charter(), "is_open": programme.is_open,
    })


@require_POST
def withdraw(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    application = selectors.application_own(user=request.user, programme=programme)
    if application is None:
        raise Http404
    try:
        services.application_withdraw(application=application)
    except services.ProgrammeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You have withdrawn from the programme."))
    return redirect("programmes:detail", slug=slug)


@require_http_methods(["GET", "POST"])
def my_training(request, slug):
    programme = selectors.programme_get_for_user(user=request.user, slug=slug)
    modules, done = selectors.training_for_user(user=request.user, programme=programme)
    if request.method == "POST":
        module = next((m for m in modules if str(m.pk) == request.POST.get("module")), None)
        if module is None:
            raise Http404
        employee = selectors.employee_of(request.user)
        if request.POST.get("undo"):
            services.training_undo(module=module, employee=employee)
        else:
            services.training_complete(module=module, employee=employee, recorded_by=request.user)
        return redirect("programmes:my_training", slug=slug)
    return render(request, "programmes/my_training.html", {"programme": programme, "modules": modules, "done": done})


def queue(request, slug):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    applications = selectors.application_queue(
        user=request.user, programme=programme, role=filters.get("role", ""), status=filters.get("status", ""),
        department=filters["department"].pk if filters.get("department") else None, training=filters.get("training", ""),
    )
    if request.GET.get("format") == "csv":
        return _queue_csv(programme, applications)
    review_form = ReviewForm(request.POST or None)
    if request.method == "POST":
        ids = request.POST.getlist("ids")
        if not ids:
            messages.error(request, _("Select at least one application."))
        elif review_form.is_valid():
            chosen = programme.applications.filter(pk__in=[i for i in ids if i.isdigit()])
            done, refused = services.applications_review_bulk(
                actor=request.user, applications=chosen, decision=review_form.cleaned_data["decision"],
                message=review_form.cleaned_data["message"],
            )
            if done:
                messages.success(request, _("%(n)s application(s) updated.") % {"n": len(done)})
            for application, reason in refused:
                messages.error(request, f"{application.employee.full_name}: {reason}")
        return redirect(request.get_full_path())
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "programmes/queue.html", {
        "programme": programme, "applications": applications, "form": form, "review_form": review_form,
        "counts": selectors.application_counts(programme=programme), "query": query.urlencode(),
    })


def _queue_csv(programme, applications):
    response, writer = csv_response(f"{programme.slug}-applications.csv")
    writer.writerow(["employee_id", "last_name", "first_name", "email", "department", "site", "job_level", "role",
                     "status", "domains", "availability", "format", "languages", "capacity", "training_done",
                     "manager_acknowledged", "charter_version", "submitted_at", "reviewed_at"])
    for a in applications:
        writer.writerow([
            a.employee.employee_id, a.employee.last_name, a.employee.first_name, a.employee.email,
            a.employee.department or "", a.employee.site or "", a.employee.job_level, a.role, a.status,
            "|".join(f"{item.domain.slug}:{item.weight}" for item in a.domain_items.all()),
            "|".join(a.availability), a.format, "|".join(a.languages), a.capacity if a.role == Role.MENTOR else "",
            "yes" if a.training_done else "no",
            ("yes" if a.ack_at else "pending") if a.ack_requested else "",
            a.charter.version if a.charter else "", timezone.localtime(a.submitted_at).isoformat(timespec="minutes"),
            timezone.localtime(a.reviewed_at).isoformat(timespec="minutes") if a.reviewed_at else "",
        ])
    return response


@require_http_methods(["GET", "POST"])
def application_detail(request, slug, pk):
    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    application = selectors.application_get_for_coordinator(user=request.user, programme=programme, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        module_id = request.POST.get("training_module")
        if module_id:
            module = TrainingModule.objects.filter(programme=programme, pk=module_id).first()
            if module is None:
                raise Http404
            services.training_complete(module=module, employee=application.employee, recorded_by=request.user)
            messages.success(request, _("Training recorded."))
            return redirect("programmes:application", slug=slug, pk=pk)
        if form.is_valid():
            try:
                services.application_review(actor=request.user, application=application, **form.cleaned_data)
            except services.ProgrammeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("programmes:queue", slug=slug)
    modules = [m for m in programme.training_modules.all() if m.is_for(application.role)]
    done = set(application.employee.training_completions.filter(module__programme=programme).values_list("module_id", flat=True))
    ack = ManagerAcknowledgement.objects.filter(application=application).select_related("manager").first()
    return render(request, "programmes/application_detail.html", {
        "programme": programme, "application": application, "form": form, "modules": modules, "done": done, "ack": ack,
    })


@login_not_required
@require_http_methods(["GET", "POST"])
def acknowledge(request, token):
    ack = ManagerAcknowledgement.objects.select_related("application__employee", "application__programme", "manager").filter(token=token).first()
    if ack is None:
        raise Http404
    if request.method == "POST":
        services.manager_acknowledge(token=token)
        ack.refresh_from_db()
        messages.success(request, _("Thank you: the time released is acknowledged."))
        return redirect("programmes:acknowledge", token=token)
    return render(request, "programmes/acknowledge.html", {"ack": ack})


# --- Applications collected elsewhere, imported in the browser -------------------------------------

def _previewed(plan) -> dict:
    """What the upload → preview → confirm page (core/import_base.html) shows of a checked file."""
    return {"plan": plan, "previewed": True, "errors": plan.errors, "lines": plan.lines}


@require_http_methods(["GET", "POST"])
def applications_import(request, slug):
    """Upload a CSV file of applications, see what each line would do (``line N`` and the column of
    each error), then confirm: all or nothing, checked again at confirmation (programmes.imports)."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from programmes import imports

    programme = selectors.programme_get_for_coordinator(user=request.user, slug=slug)
    purpose = "programmes.applications-import"
    form = imports.ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"programme": programme, "form": form, "columns": imports.COLUMNS,
               "required": imports.REQUIRED, "back": reverse("programmes:queue", args=[slug])}
    if request.method == "POST" and "token" in request.POST:
        data = imports.upload_from_token(request.POST["token"], purpose=purpose, user=request.user, programme=programme)
        if data is None:
            messages.error(request, _("This preview has expired or is not yours: upload the file again."))
            return redirect("programmes:applications_import", slug=slug)
        count, errors = imports.applications_import(programme=programme, data=data, dry_run=False, actor=request.user)
        if not errors:
            messages.success(request, ngettext("%(n)s application imported as approved.",
                                               "%(n)s applications imported as approved.", count) % {"n": count})
            return redirect("programmes:queue", slug=slug)
        messages.error(request, _("Nothing was imported: the file no longer passes the checks (see below)."))
        context.update(_previewed(imports.applications_plan(programme=programme, data=data)))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        context.update(_previewed(imports.applications_plan(programme=programme, data=data)))
        if not context["errors"]:
            context["token"] = imports.upload_token(data, purpose=purpose, user=request.user, programme=programme)
    return render(request, "programmes/applications_import.html", context)
