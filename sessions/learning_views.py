"""Pages of the community of practice: browse, share, my learnings, review, commitments' themes."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentorat.core.errors import add_to_form
from mentorat.core.permissions import coordinator_required, is_coordinator
from programmes.models import LearningDomain
from programmes.selectors import coordinates
from sessions import learnings
from sessions.learning_forms import FilterForm, ReviewForm, ShareForm


def browse(request):
    """Every employee: the published learnings, filtered by domain, programme (with its cohorts)
    and kind, 20 a page."""
    families = learnings.programme_families()
    form = FilterForm(request.GET or None, domains=LearningDomain.objects.all(), families=families)
    chosen = form.cleaned_data if form.is_valid() else {}
    family = next((f for f in families if f["slug"] == chosen.get("programme")), None)
    qs = learnings.published_learnings(domain=chosen.get("domain"), programme_ids=family["ids"] if family else None,
                                       kind=chosen.get("kind") or None)
    page = Paginator(qs, learnings.PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "sessions/learnings/browse.html", {
        "form": form, "page": page,
        "cards": [(learnings.card(item), coordinates(request.user, item.programme_id)) for item in page.object_list],
        "query": query.urlencode(), "can_share": learnings.sharing_pairs(user=request.user).exists(),
        "to_review": learnings.learnings_to_review(user=request.user).count() if is_coordinator(request.user) else 0,
        "is_coordinator": is_coordinator(request.user),
    })


@require_http_methods(["GET", "POST"])
def share(request):
    """A member of a pair that met shares a learning; a coordinator of the programme reviews it."""
    pairs = learnings.sharing_pairs(user=request.user)
    if not pairs.exists():
        raise PermissionDenied
    initial = {}
    chosen = request.GET.get("pair", "")
    if chosen.isascii() and chosen.isdigit() and len(chosen) < 19:
        initial["pair"] = pairs.filter(pk=int(chosen)).first()
    form = ShareForm(request.POST or None, pairs=pairs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            learnings.learning_share(user=request.user, **form.cleaned_data)
        except learnings.LearningError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Thank you. A coordinator of your programme reads it before it is shown."))
            return redirect("sessions:learnings_mine")
    return render(request, "sessions/learnings/share.html", {"form": form})


def mine(request):
    return render(request, "sessions/learnings/mine.html", {"cards": learnings.my_learnings(user=request.user)})


@require_POST
def withdraw(request, pk):
    learning = learnings.learning_get_for_author(user=request.user, pk=pk)
    learnings.learning_withdraw(user=request.user, learning=learning)
    messages.success(request, _("Withdrawn: it is no longer shown anywhere."))
    return redirect("sessions:learnings_mine")


@coordinator_required
def review_queue(request):
    """The learnings waiting for this coordinator (the programmes they run), oldest first."""
    waiting = [learnings.card(item) for item in learnings.learnings_to_review(user=request.user)[:200]]
    return render(request, "sessions/learnings/review_queue.html", {"cards": waiting})


@coordinator_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """Publish or refuse one learning (a programme run by others: 404). The author is named here
    only if they signed it."""
    learning = learnings.learning_get_for_coordinator(user=request.user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("decision") == "publish"
        try:
            learnings.learning_review(actor=request.user, learning=learning, publish=publish,
                                      message=form.cleaned_data["message"])
        except learnings.LearningError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Published: every employee can read it.") if publish
                             else _("Not published: the author reads your message."))
            return redirect("sessions:learnings_review")
    return render(request, "sessions/learnings/review.html", {"card": learnings.card(learning), "form": form})


def commitment_themes(request):
    """Executives and HR leads (every programme), coordinators (theirs): the seniors' commitments
    in themes, never attributable."""
    return render(request, "sessions/learnings/commitment_themes.html", learnings.commitment_themes(user=request.user))
