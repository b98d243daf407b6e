from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from binomes import selectors, services
from binomes.forms import ChemistryForm, DeclineForm, EndForm, ManualPairForm, PairingSettingsForm
from binomes.imports import export_rows, pairs_import, pairs_plan, read_pairs_csv
from binomes.models import Pair
from mentorat.core import outbox
from mentorat.core.csv import csv_response
from mentorat.core.selectors import employee_of
from programmes.imports import ImportUploadForm, upload_from_token, upload_token
from programmes.selectors import coordinates, programme_get_for_coordinator


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


def _shortlists_sent(sent: services.ShortlistSend) -> str:
    """What the send did, in words: how many seniors got how many mentors to choose from (named, the
    first ten), until when, and how many got nothing and why."""
    sizes = "; ".join(ngettext("%(people)s with %(n)s mentor", "%(people)s with %(n)s mentors", size)
                      % {"people": people, "n": size} for size, people in sent.by_size().items())
    names = ", ".join(s.mentee.employee.full_name for s in sent.made[:10])
    if len(sent.made) > 10:
        names += " " + ngettext("and %(n)s other", "and %(n)s others", len(sent.made) - 10) % {"n": len(sent.made) - 10}
    text = ngettext(
        "%(n)s shortlist sent by e-mail, to %(names)s (%(sizes)s), to choose from until %(date)s; a reminder goes before.",
        "%(n)s shortlists sent by e-mail, to %(names)s (%(sizes)s), to choose from until %(date)s; a reminder goes before.",
        len(sent.made)) % {"n": len(sent.made), "names": names, "sizes": sizes, "date": outbox.when(sent.made[0].expires_at)}
    if sent.unfit:
        text += " " + ngettext("%(n)s senior got none: no eligible mentor with room fits them.",
                               "%(n)s seniors got none: no eligible mentor with room fits them.", sent.unfit) % {"n": sent.unfit}
    return text


def _nothing_sent(sent: services.ShortlistSend) -> str:
    """Why a send made no shortlist, the first reason that holds."""
    if not sent.approved:
        return _("No shortlist sent: no senior is approved in this programme yet.")
    if sent.busy == sent.approved:
        return _("No shortlist sent: every approved senior already has a pair or an open shortlist.")
    if not sent.mentors_with_room:
        return _("No shortlist sent: no approved mentor has room left.")
    return ngettext("No shortlist sent: no eligible mentor with room fits the %(n)s senior without a pair "
                    "(see why below).",
                    "No shortlist sent: no eligible mentor with room fits the %(n)s seniors without a pair "
                    "(see why below).", sent.unfit) % {"n": sent.unfit}


@require_POST
def shortlists(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    try:
        sent = services.shortlists_send(actor=request.user, programme=programme)
    except services.PairingError as exc:
        messages.error(request, exc.message)
    else:
        if sent.made:
            messages.success(request, _shortlists_sent(sent))
        else:
            messages.warning(request, _nothing_sent(sent))
    return redirect("binomes:board", slug=slug)


def _proposed(programme, pk):
    return selectors.pair_get_for_board(programme=programme, pk=pk)


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


@require_http_methods(["GET", "POST"])
def remove(request, slug, pk):
    """A draft pair removed from the board, after a confirmation page (GET): its two members go back
    to the unpaired, with their explanation recomputed."""
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    pair = selectors.pair_get_for_board(programme=programme, pk=pk)
    if request.method == "GET":
        return render(request, "binomes/remove.html", {"programme": programme, "pair": pair})

    def action(programme):
        services.pair_remove(actor=request.user, pair=pair)
        return _("Draft pair removed: %(mentor)s and %(mentee)s are unpaired again.") % {
            "mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name}
    return _board_action(request, slug, action)


@require_POST
def allow(request, slug, pk):
    """Undo a forbidden pair: the two may be paired again."""
    def action(programme):
        forbidden = selectors.forbidden_get_for_board(programme=programme, pk=pk)
        services.forbidden_allow(actor=request.user, forbidden=forbidden)
        return _("%(mentor)s and %(mentee)s may be paired again: run the pairing or make the pair by hand.") % {
            "mentor": forbidden.mentor.full_name, "mentee": forbidden.mentee.full_name}
    return _board_action(request, slug, action)


@require_http_methods(["GET", "POST"])
def import_pairs(request, slug):
    """Upload a CSV file of pairs decided elsewhere, see what each line would do (the pair and its
    score, or ``line N`` and the column or the pairing rule that refuses it), then confirm: locked
    drafts, all or nothing, checked again at confirmation (binomes.imports)."""
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    purpose = "binomes.pairs-import"
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"programme": programme, "form": form, "back": reverse("binomes:board", args=[slug])}
    if request.method == "POST" and "token" in request.POST:
        data = upload_from_token(request.POST["token"], purpose=purpose, user=request.user, programme=programme)
        if data is None:
            messages.error(request, _("This preview has expired or is not yours: upload the file again."))
            return redirect("binomes:import", slug=slug)
        rows, errors = read_pairs_csv(data)
        count, errors = (0, errors) if errors else pairs_import(actor=request.user, programme=programme, rows=rows,
                                                                dry_run=False)
        if not errors:
            messages.success(request, ngettext("%(n)s pair imported as a locked draft.",
                                               "%(n)s pairs imported as locked drafts.", count) % {"n": count})
            return redirect("binomes:board", slug=slug)
        messages.error(request, _("Nothing was imported: the file no longer passes the checks (see below)."))
        context.update(_pairs_preview(request, programme, data))
        context.pop("token", None)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        context.update(_pairs_preview(request, programme, data))
        if not context["errors"]:
            context["token"] = upload_token(data, purpose=purpose, user=request.user, programme=programme)
    return render(request, "binomes/import.html", context)


def _pairs_preview(request, programme, data: bytes) -> dict:
    rows, errors = read_pairs_csv(data)
    lines = [] if errors else pairs_plan(actor=request.user, programme=programme, rows=rows)
    errors = errors or [line.message() for line in lines if not line.ok]
    return {"previewed": True, "lines": [line for line in lines if line.line > 1 or line.mentor_id], "errors": errors,
            "ready": sum(1 for line in lines if line.ok)}


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
        "pair": pair, "role": role, "other": other, "coordinator": coordinates(request.user, pair.programme_id),
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
