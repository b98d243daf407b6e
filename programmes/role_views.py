"""The roles page: an HR lead gives and takes back site-wide roles and coordinators' scopes."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentorat.core.errors import add_to_form
from mentorat.core.models import User
from mentorat.core.permissions import hr_lead_required
from programmes import roles
from programmes.models import CoordinatorAssignment


@hr_lead_required
@require_http_methods(["GET", "POST"])
def role_list(request):
    """Everyone with a role, and the two forms: a site-wide role, a coordinator's programme or entity."""
    grant = roles.RoleGrantForm(request.POST if request.POST.get("form") == "grant" else None, prefix="grant")
    assign = roles.AssignmentForm(request.POST if request.POST.get("form") == "assign" else None, prefix="assign")
    if request.method == "POST":
        form = grant if request.POST.get("form") == "grant" else assign
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is grant:
                    changed = roles.role_grant(actor=request.user, user=data["email"], role=data["role"])
                    label = roles.SITE_ROLE_LABELS[data["role"]]
                    messages.success(request, (_("%(name)s is now %(role)s.") if changed else
                                               _("%(name)s was already %(role)s: nothing changed."))
                                     % {"name": data["email"], "role": label})
                else:
                    roles.coordinator_assign(actor=request.user, user=data["email"], programme=data["programme"],
                                             department=data["department"])
                    messages.success(request, _("%(name)s now coordinates %(what)s.")
                                     % {"name": data["email"], "what": data["programme"] or data["department"]})
            except roles.RoleError as exc:
                add_to_form(form, exc)
            else:
                return redirect("programmes:roles")
    return render(request, "programmes/roles.html", {
        "holders": roles.role_holders(), "grant": grant, "assign": assign, "labels": roles.SITE_ROLE_LABELS})


@hr_lead_required
@require_POST
def role_revoke(request, pk):
    user = get_object_or_404(User, pk=pk)
    role = request.POST.get("role", "")
    try:
        roles.role_revoke(actor=request.user, user=user, role=role)
    except roles.RoleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is no longer %(role)s.") % {"name": user, "role": roles.SITE_ROLE_LABELS[role]})
    return redirect("programmes:roles")


@hr_lead_required
@require_POST
def assignment_remove(request, pk):
    assignment = get_object_or_404(CoordinatorAssignment.objects.select_related("user", "programme", "department"), pk=pk)
    roles.coordinator_unassign(actor=request.user, assignment=assignment)
    messages.success(request, _("%(name)s no longer coordinates %(what)s.")
                     % {"name": assignment.user, "what": assignment.programme or assignment.department})
    return redirect("programmes:roles")
