import copy

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentorat.core import scopes
from mentorat.core.errors import add_to_form
from mentorat.core.permissions import coordinator_required
from mentorat.core.selectors import employee_of
from programmes.selectors import programme_get_for_coordinator
from sessions import ics, selectors, services
from sessions.forms import (
    CancelForm,
    CommitmentForm,
    ConcernForm,
    DelegateForm,
    DelegatePlaceForm,
    GoalForm,
    GoalMoveForm,
    LogForm,
    NoteDeleteForm,
    NoteForm,
    PlaceForm,
    RatingForm,
    ReofferForm,
    RescheduleForm,
)
from sessions.models import CalendarFeed


def _error(request, form, exc):
    if exc.field:
        add_to_form(form, exc)
    messages.error(request, exc.message)


def _pk(value) -> int | None:
    """A posted id, or None for anything that is not one (a junk value is "not found", not an error)."""
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19 else None


@require_http_methods(["GET", "POST"])
def workspace(request, pk):
    """The pair's space: sessions, goals, commitments, private notes, the junior's concern channel."""
    pair = selectors.pair_for_member(user=request.user, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    # Each form's ids of its own: the note's and the concern's boxes go to different people, a
    # label must never focus the other one.
    forms = {"note": NoteForm(auto_id="note-%s"), "goal": GoalForm(pair=pair),
             "commitment": CommitmentForm(auto_id="commitment-%s"), "concern": ConcernForm(auto_id="concern-%s")}
    if action:
        try:
            if action == "note":
                forms["note"] = NoteForm(request.POST, auto_id="note-%s")
                if forms["note"].is_valid():
                    services.note_add(user=request.user, pair=pair, body=forms["note"].cleaned_data["body"])
                    messages.success(request, _("Note saved: only the two of you can read it."))
            elif action == "goal":
                goal = pair.goals.filter(pk=_pk(request.POST.get("goal"))).first() if request.POST.get("goal") else None
                forms["goal"] = GoalForm(request.POST, pair=pair, instance=goal)
                if forms["goal"].is_valid():
                    data = forms["goal"].cleaned_data
                    services.goal_save(user=request.user, pair=pair, goal=goal, **data)
                    messages.success(request, _("Goal saved."))
            elif action == "goal_move":
                goal = pair.goals.filter(pk=_pk(request.POST.get("goal"))).first()
                if goal is None:
                    raise Http404
                forms["goal_move"] = GoalMoveForm(request.POST, goal=goal)
                if forms["goal_move"].is_valid():
                    services.goal_move(user=request.user, goal=goal, **forms["goal_move"].cleaned_data)
                    messages.success(request, _("Goal moved: your pair sees it in the history."))
            elif action == "commitment":
                forms["commitment"] = CommitmentForm(request.POST, auto_id="commitment-%s")
                if forms["commitment"].is_valid():
                    services.commitment_add(user=request.user, pair=pair, **forms["commitment"].cleaned_data)
                    messages.success(request, _("Commitment recorded."))
            elif action == "commitment_status":
                commitment = pair.commitments.filter(pk=_pk(request.POST.get("commitment"))).first()
                if commitment is None:
                    raise Http404
                services.commitment_set_status(user=request.user, commitment=commitment, status=request.POST.get("status", ""))
            elif action == "concern":
                forms["concern"] = ConcernForm(request.POST, auto_id="concern-%s")
                if forms["concern"].is_valid():
                    services.concern_raise(user=request.user, pair=pair, body=forms["concern"].cleaned_data["body"])
                    messages.success(request, _("Sent to the HR team only."))
            else:
                raise Http404
        except services.SessionError as exc:
            _error(request, forms.get(action), exc)
        if not any(f.errors for f in forms.values()):
            return redirect("sessions:workspace", pk=pk)
    data = selectors.workspace(user=request.user, pair=pair)
    moved = forms.get("goal_move")
    data["goal_forms"] = [(goal, moved if moved is not None and moved.goal_pk == goal.pk else GoalMoveForm(goal=goal))
                          for goal in data["goals"]]
    return render(request, "sessions/workspace.html", {"pair": pair, **data, "forms": forms, "now": timezone.now()})


def _session_page(request, pk) -> dict:
    """What the page shows of a session and its history, for this user. A member's is cached with
    their values (``mentorat.core.personal``): every write to the session, its log, ratings or history
    touches its pair, one of the member's scopes. Anyone else's (a senior's delegate) is read afresh."""
    from mentorat.core import personal

    def compute() -> dict:
        # The pair's members (access) and the log only: no join the page does not show.
        session = selectors.session_get_for_user(user=request.user, pk=pk, related=("log",))
        role = services.member_role(request.user, session.pair)
        return {"session": session, "role": role,
                "log": getattr(session, "log", None),
                "my_rating": session.ratings.filter(role=role).first() if role else None,
                "changes": _history(session, request.user, delegate=role is None)}

    if request.method != "GET":
        return compute()
    page = personal.cached_for(request, "session-page", compute, timeout=3600, parts=(pk,))
    if not personal.in_reach(request, ("pair", page["session"].pair_id)):
        return compute()  # not one of the user's pairs: nothing would tell this value it is stale
    return {**page, "session": copy.copy(page["session"])}


@require_http_methods(["GET", "POST"])
def session_detail(request, pk):
    page = _session_page(request, pk)
    session, role, log = page["session"], page["role"], page["log"]
    action = request.POST.get("action") if request.method == "POST" else None
    initial_log = {"held": "1" if (log is None or log.held) else "0", "actual_minutes": log.actual_minutes if log else session.duration_minutes,
                   "topics": log.topics if log else "", "learned": log.learned if log else "",
                   "exercise": log.exercise if log else "", "next_step": log.next_step if log else ""}
    # Each form with ids of its own ("cancel-reason", not the move form's "id_reason"), so every
    # label focuses a field of its own form.
    when = {"starts_at": timezone.localtime(session.starts_at)}
    forms = {"log": LogForm(initial=initial_log, auto_id="log-%s"), "rate": RatingForm(auto_id="rate-%s"),
             "reschedule": RescheduleForm(initial=when, auto_id="reschedule-%s"), "cancel": CancelForm(auto_id="cancel-%s"),
             "reoffer": ReofferForm(initial=when, auto_id="reoffer-%s"),
             "place": PlaceForm(initial={"place_kind": session.place_kind, "place": session.place, "theme": session.theme},
                                auto_id="place-%s")}
    if role is None:  # the senior's delegate: what booking needs, not the session's theme nor its log
        forms = {"reschedule": forms["reschedule"], "cancel": forms["cancel"], "reoffer": forms["reoffer"],
                 "place": DelegatePlaceForm(initial={"place_kind": session.place_kind, "place": session.place},
                                            auto_id="place-%s")}
    if action in forms:
        form = forms[action] = type(forms[action])(request.POST, auto_id=f"{action}-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "log":
                    services.session_log(user=request.user, session=session, data=services.LogData(**data))
                    messages.success(request, _("Session logged. Thank you!"))
                elif action == "rate":
                    services.session_rate(user=request.user, session=session, **data)
                    messages.success(request, _("Rating saved."))
                elif action == "reschedule":
                    services.session_reschedule(user=request.user, session=session, **data)
                    messages.success(request, _("Session moved; download the updated invitation."))
                elif action == "place":
                    services.session_set_place(user=request.user, session=session, **data)
                    messages.success(request, _("Saved; both of you get the updated invitation."))
                elif action == "cancel":
                    services.session_cancel(user=request.user, session=session, **data)
                    messages.success(request, _("Session cancelled."))
                elif action == "reoffer":
                    services.session_reoffer(user=request.user, session=session, **data)
                    messages.success(request, _("Session offered again: the others get the invitation."))
            except services.SessionError as exc:
                _error(request, form, exc)
            else:
                return redirect("sessions:detail", pk=pk)
    now = timezone.now()
    offers = services.session_offers(session=session, role=role, now=now)
    shown = [name for name, offer in (("reschedule", "can_move"), ("place", "can_move"), ("cancel", "can_move"),
                                      ("reoffer", "can_reoffer"), ("log", "can_log"), ("rate", "can_rate")) if offers[offer]]
    response = render(request, "sessions/session.html", {
        "session": session, "role": role, "log": log, "my_rating": page["my_rating"], "delegate": role is None, **offers,
        "changes": page["changes"],
        "forms": _rendered_forms(session, {name: forms[name] for name in shown if name in forms}, bound=action in shown,
                                 delegate=role is None)})
    return response


def _history(session, viewer, *, delegate: bool) -> list[dict]:
    """What happened to the session, in words: who (by name, "you", the delegate for the senior),
    what, when, and why (not why for the delegate, who books: the reasons are the members')."""
    from mentorat.core.outbox import when
    from sessions.notifications import ENDED_REASONS, who_did

    lines = []
    for change in session.changes.select_related("actor"):
        values = {"who": who_did(change, session),
                  "old": when(change.previous_starts_at) if change.previous_starts_at else "",
                  "new": when(change.starts_at) if change.starts_at else ""}
        if change.actor_id and change.actor_id == viewer.pk:
            texts = {"moved": _("You moved the session from %(old)s to %(new)s"),
                     "cancelled": _("You cancelled the session"),
                     "reoffered": _("You offered the session again, on %(new)s"),
                     "place": _("You changed the place")}
        else:
            texts = {"moved": _("%(who)s moved the session from %(old)s to %(new)s"),
                     "cancelled": _("%(who)s cancelled the session"),
                     "reoffered": _("%(who)s offered the session again, on %(new)s"),
                     "place": _("%(who)s changed the place")}
        text = texts.get(change.kind, "%(who)s") % values
        reason = change.reason
        if change.actor_id is None and reason in ENDED_REASONS:
            reason = ENDED_REASONS[reason]
        elif delegate:
            reason = ""
        lines.append({"at": change.created_at, "text": text, "reason": reason})
    return lines


def _rendered_forms(session, forms: dict, *, bound: bool, delegate: bool = False) -> dict:
    """The forms the page shows, as HTML. Unbound, they depend only on the session (and its log) and
    the language: cached under the pair's scope (every write to a session or its log touches it),
    as crispy's templates cost more than the rest of the page. A form sent back with errors is
    always rendered anew."""
    def render_all() -> dict:
        return {name: as_crispy_form(form) for name, form in forms.items()}

    if bound:
        return render_all()
    parts = (session.pk, tuple(forms), delegate, get_language(), timezone.get_current_timezone_name())
    html = scopes.cached("session-forms", parts, render_all, scopes=[("pair", session.pair_id)], timeout=600)
    return {name: mark_safe(value) for name, value in html.items()}


def invitation(request, pk):
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    member = services.member_role(request.user, session.pair) is not None
    response = HttpResponse(ics.session_invitation(session, with_theme=member), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mentorat-{session.starts_at:%Y%m%d}.ics"'
    return response


@login_not_required
def feed(request, token):
    """The personal subscription feed: the secret token is the only key (calendar apps send no login)."""
    owner = (CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True)
             .exclude(user__employee__leave_date__lte=timezone.localdate()).first())  # not once they have left
    if owner is None:
        raise Http404
    body = ics.feed(selectors.feed_sessions(user=owner.user), name=_("Reverse mentoring"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    form = DelegateForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(user=request.user)
            messages.success(request, _("New address created: the old one no longer works."))
            return redirect("sessions:calendar")
        if form.is_valid():
            try:
                services.delegate_set(user=request.user, email=form.cleaned_data["email"])
            except services.SessionError as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("sessions:calendar")
    feed_obj = services.feed_get(user=request.user)
    employee = employee_of(request.user)
    delegate = getattr(employee, "session_delegate", None) if employee and hasattr(employee, "session_delegate") else None
    # Only a senior names a delegate; one already named can still be removed once the pair is over.
    may_delegate = delegate is not None or bool(form.errors) or selectors.is_senior(user=request.user)
    return render(request, "sessions/calendar.html", {"form": form, "delegate": delegate, "may_delegate": may_delegate,
                                                      **subscription_links(feed_obj.token, name=_("Reverse mentoring"))})


def subscription_links(token: str, *, name: str) -> dict[str, str]:
    """The private feed's address (from ``SITE_URL``, as in the e-mails) and what calendar apps
    subscribe with: ``webcal://`` (Apple, Outlook desktop), Outlook on the web's "add from web"
    and Google Calendar's ``cid``, each with the address encoded as one query value."""
    from urllib.parse import urlencode

    from django.conf import settings

    feed_url = settings.SITE_URL + reverse("sessions:feed", args=[token])
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    return {
        "feed_url": feed_url, "webcal_url": webcal,
        "outlook_url": "https://outlook.office.com/calendar/0/addfromweb?" + urlencode({"url": feed_url, "name": name}),
        "google_url": "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
    }


@coordinator_required
def followup(request, slug):
    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    return render(request, "sessions/followup.html", {
        "programme": programme, "rows": selectors.programme_followup(user=request.user, programme=programme),
        "concern_contacts": selectors.concern_contacts_of(programme=programme),
    })


def concerns(request):
    """The concerns sent to this user as a named HR contact, in clear; 404 for everyone else."""
    items = list(selectors.concerns_for_contact(user=request.user).order_by("-created_at"))
    if not items and not request.user.concern_programmes.exists():
        raise Http404
    return render(request, "sessions/concerns.html", {"concerns": items})


@require_POST
def concern_handle(request, pk):
    concern = selectors.concern_get_for_contact(user=request.user, pk=pk)
    services.concern_handle(actor=request.user, concern=concern)
    messages.success(request, _("Marked as handled."))
    return redirect("sessions:concerns")


@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    """The author changes their own note; 404 for the other member and for anyone else."""
    note = selectors.note_get_for_author(user=request.user, pk=pk)
    form = NoteForm(request.POST or None, initial={"body": note.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(user=request.user, note=note, body=form.cleaned_data["body"])
        except services.SessionError as exc:
            _error(request, form, exc)
        else:
            messages.success(request, _("Note saved: only the two of you can read it."))
            return redirect("sessions:workspace", pk=note.pair_id)
    return render(request, "sessions/note_form.html", {"note": note, "form": form})


@require_http_methods(["GET", "POST"])
def note_delete(request, pk):
    """A confirmation page, then the deletion: only the author, only with the box ticked."""
    note = selectors.note_get_for_author(user=request.user, pk=pk)
    form = NoteDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.note_delete(user=request.user, note=note)
        messages.success(request, _("Note deleted."))
        return redirect("sessions:workspace", pk=note.pair_id)
    return render(request, "sessions/note_delete.html", {"note": note, "form": form})


def delegated(request):
    """For a senior's delegate: the senior's sessions, with what booking needs (date, time, place,
    status) and nothing of the pair's content. 404 for anyone who is nobody's delegate."""
    rows = selectors.delegated_sessions(user=request.user)
    if rows is None:
        raise Http404
    return render(request, "sessions/delegated.html", {"sessions": rows, "now": timezone.now()})




@coordinator_required
@require_http_methods(["GET", "POST"])
def reminder_timing(request, slug):
    from sessions.forms import ReminderTimingForm
    from sessions.models import ReminderTiming

    programme = programme_get_for_coordinator(user=request.user, slug=slug)
    timing = ReminderTiming.objects.filter(programme=programme).first() or ReminderTiming(programme=programme)
    form = ReminderTimingForm(request.POST or None, instance=timing)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Reminder timing saved."))
        return redirect("sessions:followup", slug=slug)
    return render(request, "programmes/form.html", {"form": form, "programme": programme, "title": _("When reminders go out")})
