from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from binomes import selectors, services
from binomes.forms import ChemistryForm, DeclineForm, EndForm, ManualPairForm, PairingSettingsForm
from binomes.imports import export_rows
from binomes.models import Pair
from mentorat.core import outbox
from mentorat.core.csv import csv_response
from mentorat.core.permissions import is_coordinator
from mentorat.core.selectors import employee_of
from programmes.selectors import programme_get_for_coordinator


def board(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    data = selectors.pairing_board(user=request.user, programme=programme)
    mentor_qs = programme.applications.filter(role="mentor", status="approved").select_related("employee__department")
    mentee_qs = programme.applications.filter(role="mentee", status="approved").select_related("employee__department")
    return render(request, "binomes/board.html", {
        "programme": programme, **data, "settings": services.pairing_settings(programme),
        "manual_form": ManualPairForm(mentors=mentor_qs, mentees=mentee_qs),
        "counts": selectors.pair_counts(programme=programme),
    })


def _board_action(request, slug, action):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    try:
        message = action(programme)
    except services.PairingError as exc:
        messages.error(request, exc.message)
    else:
        if message:
            messages.success(request, message)
    return redirect("binomes:board", slug=slug)


@require_POST
def run(request, slug):
    def action(programme):
        result = services.pairing_run(actor=request.user, programme=programme)
        return _("%(pairs)s pairs proposed; %(unpaired)s people left unpaired (see why below).") % {
            "pairs": len(result.pairs), "unpaired": len(result.unpaired)}
    return _board_action(request, slug, action)


@require_POST
def publish(request, slug):
    def action(programme):
        count = services.pairs_publish(actor=request.user, programme=programme)
        return _("%(n)s proposals published: each member can now see theirs and confirm after meeting.") % {"n": count}
    return _board_action(request, slug, action)


@require_POST
def shortlists(request, slug):
    def action(programme):
        made = services.shortlists_create(actor=request.user, programme=programme)
        if not made:
            return _("No shortlist sent: every approved senior already has a pair or an open shortlist, "
                     "or no eligible mentor with room fits them.")
        return ngettext(
            "%(n)s shortlist sent by e-mail, to %(names)s, to choose from until %(date)s (a reminder goes before).",
            "%(n)s shortlists sent by e-mail, to %(names)s, to choose from until %(date)s (a reminder goes before).",
            len(made)) % {"n": len(made), "names": ", ".join(s.mentee.employee.full_name for s in made),
                          "date": outbox.when(made[0].expires_at)}
    return _board_action(request, slug, action)


def _proposed(programme, pk):
    pair = programme.pairs.filter(pk=pk).first()
    if pair is None:
        raise Http404
    return pair


@require_POST
def lock(request, slug, pk):
    def action(programme):
        services.pair_lock(actor=request.user, pair=_proposed(programme, pk), locked=request.POST.get("locked") == "1")
        return _("Saved.")
    return _board_action(request, slug, action)


@require_POST
def forbid(request, slug, pk):
    def action(programme):
        services.pair_forbid(actor=request.user, pair=_proposed(programme, pk))
        return _("These two will not be paired in this programme. Run the pairing again to fill the gap.")
    return _board_action(request, slug, action)


@require_POST
def manual(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    form = ManualPairForm(request.POST, mentors=programme.applications.filter(role="mentor"),
                          mentees=programme.applications.filter(role="mentee"))
    if not form.is_valid():
        messages.error(request, _("Choose a mentor and a mentee."))
        return redirect("binomes:board", slug=slug)

    def action(programme):
        services.pair_manual(actor=request.user, programme=programme, **form.cleaned_data)
        return _("Pair added and locked.")
    return _board_action(request, slug, action)


@require_http_methods(["GET", "POST"])
def pairing_settings(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    form = PairingSettingsForm(request.POST or None, instance=services.pairing_settings(programme))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("binomes:board", slug=slug)
    return render(request, "programmes/form.html", {"form": form, "programme": programme, "title": _("Pairing settings")})


def export(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    data = selectors.pairing_board(user=request.user, programme=programme)
    response, writer = csv_response(f"{programme.slug}-pairs.csv")
    for row in export_rows(data["pairs"]):
        writer.writerow(row)
    return response


def pair_detail(request, pk):
    pair = selectors.pair_get_for_user(user=request.user, pk=pk)
    employee = employee_of(request.user)
    role = pair.role_of(employee) if employee else None
    other = None
    if role == "mentor":
        other = pair.mentee
    elif role == "mentee":
        other = pair.mentor
    chemistry = selectors.chemistry_help(pair=pair) if pair.status == Pair.Status.PUBLISHED else None
    initial = chemistry and chemistry["initial"]
    return render(request, "binomes/pair.html", {
        "pair": pair, "role": role, "other": other, "coordinator": is_coordinator(request.user),
        "decline_form": DeclineForm(), "end_form": EndForm(), "chemistry": chemistry,
        "chemistry_form": ChemistryForm(initial={"starts_at": timezone.localtime(initial)} if initial else None),
        "my_confirmation": getattr(pair, f"{role}_confirmed_at") if role else None,
    })


@require_POST
def chemistry(request, pk):
    pair = selectors.pair_get_for_user(user=request.user, pk=pk)
    form = ChemistryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chemistry meeting: %(error)s") % {"error": " ".join(form.errors.get("starts_at", []))})
        return redirect("binomes:pair", pk=pk)
    try:
        meeting = services.chemistry_propose(user=request.user, pair=pair, starts_at=form.cleaned_data["starts_at"])
    except services.PairingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation sent to both of you for %(when)s.") % {
            "when": outbox.when(meeting.starts_at)})
    return redirect("binomes:pair", pk=pk)


@require_POST
def confirm(request, pk):
    pair = selectors.pair_get_for_user(user=request.user, pk=pk)
    try:
        pair = services.pair_confirm(user=request.user, pair=pair)
    except services.PairingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your pair is active: sessions can start.") if pair.status == Pair.Status.ACTIVE
                         else _("Thank you. The pair becomes active when the other member confirms too."))
    return redirect("binomes:pair", pk=pk)


@require_POST
def decline(request, pk):
    pair = selectors.pair_get_for_user(user=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say in a few words why: only the programme team reads it."))
        return redirect("binomes:pair", pk=pk)
    try:
        services.pair_decline(user=request.user, pair=pair, reason=form.cleaned_data["reason"])
    except services.PairingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Declined, without blame. The programme team will suggest another pair."))
    return redirect("binomes:pair", pk=pk)


@require_POST
def end(request, pk):
    pair = selectors.pair_get_for_user(user=request.user, pk=pk)
    form = EndForm(request.POST)
    form.is_valid()
    try:
        services.pair_end(user=request.user, pair=pair, completed=form.cleaned_data.get("completed", False),
                          reason=form.cleaned_data.get("reason", ""))
    except services.PairingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The pair has ended. Thank you both."))
    return redirect("binomes:pair", pk=pk)


@require_http_methods(["GET", "POST"])
def shortlist(request, pk):
    item = selectors.shortlist_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            pair = services.shortlist_choose(user=request.user, shortlist=item, mentor_id=int(request.POST.get("mentor", 0)))
        except (services.PairingError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Choose one of the mentors offered.")))
        else:
            messages.success(request, _("Your choice is sent: meet your mentor, then confirm."))
            return redirect("binomes:pair", pk=pair.pk)
    return render(request, "binomes/shortlist.html", {"shortlist": item, "options": selectors.shortlist_options(shortlist=item)})
