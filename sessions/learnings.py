"""The community of practice: learnings, resources and tips shared beyond the pairs, and the
seniors' commitments rolled up into themes for the executive committee.

Writes (``learning_*``) and reads (the selectors below them) live together here, apart from the
pair's own services and selectors. Rules:

- a member of a pair (mentor or mentee; active, completed or ended) shares; a coordinator of the
  pair's programme (an HR lead: any) publishes or refuses, with a message the author reads on
  "My learnings"; the author withdraws at any time (the row is deleted);
- a published learning is read by every employee; an anonymous one never carries its author's
  name out of this module (the cards are built here, without the author, for every page —
  the coordinator's review included);
- the commitments' themes show a theme's texts only when at least the anonymity threshold of
  distinct seniors made them; never a name, pair, date, department, nor a programme with fewer
  seniors than the threshold.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from binomes.models import Pair
from mentorat.core.errors import ServiceError
from mentorat.core.models import User
from mentorat.core.permissions import is_coordinator, is_executive, is_hr_lead
from mentorat.core.privacy import ERASED_NAME
from mentorat.core.selectors import employee_of
from mentorat.core.services import audit_log
from programmes.models import Application, ApplicationDomain, LearningDomain, Programme
from programmes.selectors import coordinated_filter, coordinates
from sessions.models import Commitment, SharedLearning

SHARING_PAIR_STATES = [Pair.Status.ACTIVE, Pair.Status.COMPLETED, Pair.Status.ENDED]
PER_PAGE = 20
HTTP_LINK = URLValidator(schemes=["http", "https"])


class LearningError(ServiceError):
    pass


# -- writes -----------------------------------------------------------------------------------------

@transaction.atomic
def learning_share(*, user: User, pair: Pair, kind: str, title: str, body: str, domain: LearningDomain,
                   anonymous: bool, consent: bool, link: str = "") -> SharedLearning:
    """A member of ``pair`` submits a learning for review. Refused without consent, by anyone but
    the two members, for a pair that never started (proposed, declined…), with a retired domain or
    a link that is not http(s)."""
    employee = employee_of(user)
    if employee is None or pair.role_of(employee) is None or pair.status not in SHARING_PAIR_STATES:
        raise LearningError(_("Only the members of a pair that met can share a learning from it."), field="pair")
    if not consent:
        raise LearningError(_("Tick the box to agree that it is shown to all employees."), field="consent")
    if domain is None or domain.is_retired:
        raise LearningError(_("Choose a learning domain still offered."), field="domain")
    link = (link or "").strip()
    if link:
        try:
            HTTP_LINK(link)
        except ValidationError:
            raise LearningError(_("Enter a web address starting with https:// or http://."), field="link") from None
    learning = SharedLearning(programme_id=pair.programme_id, pair=pair, author=employee, kind=kind,
                              title=(title or "").strip(), body=(body or "").strip(), link=link, domain=domain,
                              anonymous=bool(anonymous), consent=True)
    try:
        learning.full_clean()
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise LearningError(messages[0], field=name if name != "__all__" else None) from None
    learning.save()
    return learning


@transaction.atomic
def learning_review(*, actor: User, learning: SharedLearning, publish: bool, message: str = "") -> SharedLearning:
    """A coordinator of the learning's programme publishes it (from "to review" only) or refuses
    it (from "to review", or takes a published one down), with a message the author reads;
    refusing needs the message. Conditional update: two coordinators clicking at once review it
    once. Audited, without the text."""
    if not coordinates(actor, learning.programme_id):
        raise LearningError(_("Only the programme's coordinators review its learnings."))
    message = (message or "").strip()
    if not publish and not message:
        raise LearningError(_("Tell the author why it is not published."), field="message")
    if len(message) > 1000:
        raise LearningError(_("The message is at most 1000 characters long."), field="message")
    now = timezone.now()
    allowed = [SharedLearning.Status.SUBMITTED] if publish else [SharedLearning.Status.SUBMITTED, SharedLearning.Status.PUBLISHED]
    status = SharedLearning.Status.PUBLISHED if publish else SharedLearning.Status.REJECTED
    changed = SharedLearning.objects.filter(pk=learning.pk, status__in=allowed).update(
        status=status, review_message=message, reviewed_by=actor, reviewed_at=now, published_at=now if publish else None)
    if not changed:
        raise LearningError(_("This learning was already reviewed or withdrawn."))
    audit_log(actor=actor, action="learning.publish" if publish else "learning.reject", target=f"learning:{learning.pk}",
              details={"programme": learning.programme.slug, "from": learning.status})
    learning.refresh_from_db()
    return learning


@transaction.atomic
def learning_withdraw(*, user: User, learning: SharedLearning) -> None:
    """The author takes it back, whatever its state: the row is deleted (it disappears everywhere)."""
    employee = employee_of(user)
    if employee is None or learning.author_id != employee.pk:
        raise Http404
    learning.delete()


# -- reads ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LearningCard:
    """What a page may show of a learning. ``author`` is None for an anonymous one: the template
    never holds the author's record, so no page can print it."""

    pk: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    domain: str
    programme: str
    programme_id: int
    author: str | None
    status: str
    status_label: str
    review_message: str
    published_at: datetime.datetime | None
    created_at: datetime.datetime


def card(learning: SharedLearning, *, with_review: bool = False) -> LearningCard:
    author = None
    if not learning.anonymous and learning.author is not None:
        author = learning.author.full_name
    return LearningCard(
        pk=learning.pk, kind=learning.kind, kind_label=learning.get_kind_display(), title=learning.title,
        body=learning.body, link=learning.link, domain=learning.domain.name, programme=learning.programme.name,
        programme_id=learning.programme_id, author=author, status=learning.status, status_label=learning.get_status_display(),
        review_message=learning.review_message if with_review else "", published_at=learning.published_at,
        created_at=learning.created_at)


def _with_relations(qs: QuerySet[SharedLearning]) -> QuerySet[SharedLearning]:
    return qs.select_related("domain", "programme", "author")


def sharing_pairs(*, user: User) -> QuerySet[Pair]:
    """The pairs the user may share a learning from: theirs, as a member, that met (active,
    completed or ended early). Never a delegate's. Through the applications (indexed lookups)."""
    employee = employee_of(user)
    if employee is None:
        return Pair.objects.none()
    own = Application.objects.filter(employee=employee).values("pk")
    return (Pair.objects.filter(Q(mentor__in=own) | Q(mentee__in=own), status__in=SHARING_PAIR_STATES)
            .select_related("programme", "mentor__employee", "mentee__employee").order_by("-activated_at", "-pk"))


def programme_families() -> list[dict]:
    """The programmes that have published learnings, one entry per family of cohorts (a programme
    and the copies made of it, and of them): ``{"slug", "name", "ids", "cohorts"}``, named after
    the latest cohort. Two queries, whatever the number of programmes."""
    with_learnings = set(SharedLearning.objects.filter(status=SharedLearning.Status.PUBLISHED)
                         .values_list("programme_id", flat=True).distinct())
    if not with_learnings:
        return []
    rows = list(Programme.objects.values("pk", "copied_from_id", "name", "slug", "start_date"))
    parent = {row["pk"]: row["copied_from_id"] for row in rows}

    def root(pk):
        seen = set()
        while parent.get(pk) and pk not in seen:  # a cycle cannot be made in the UI; never loop on one
            seen.add(pk)
            pk = parent[pk]
        return pk

    families: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        families[root(row["pk"])].append(row)
    result = []
    for members in families.values():
        ids = {row["pk"] for row in members}
        if not ids & with_learnings:
            continue
        first = min(members, key=lambda row: (row["start_date"], row["pk"]))
        latest = max(members, key=lambda row: (row["start_date"], row["pk"]))
        result.append({"slug": first["slug"], "name": latest["name"], "ids": ids, "cohorts": len(members)})
    return sorted(result, key=lambda family: family["name"].lower())


def published_learnings(*, domain: LearningDomain | None = None, programme_ids: set[int] | None = None,
                        kind: str | None = None) -> QuerySet[SharedLearning]:
    """Published learnings, newest first, filtered by domain, programme family and kind."""
    qs = _with_relations(SharedLearning.objects.filter(status=SharedLearning.Status.PUBLISHED))
    if domain is not None:
        qs = qs.filter(domain=domain)
    if programme_ids is not None:
        qs = qs.filter(programme_id__in=programme_ids)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-pk")


def my_learnings(*, user: User) -> list[LearningCard]:
    """The user's own learnings, in any state, with the coordinators' message."""
    employee = employee_of(user)
    if employee is None:
        return []
    return [card(item, with_review=True)
            for item in _with_relations(SharedLearning.objects.filter(author=employee)).order_by("-created_at", "-pk")]


def learning_get_for_author(*, user: User, pk: int) -> SharedLearning:
    employee = employee_of(user)
    learning = SharedLearning.objects.filter(pk=pk).first()
    if learning is None or employee is None or learning.author_id != employee.pk:
        raise Http404
    return learning


def learnings_to_review(*, user: User) -> QuerySet[SharedLearning]:
    """The learnings waiting for this coordinator: those of the programmes they run."""
    return (_with_relations(SharedLearning.objects.filter(coordinated_filter(user), status=SharedLearning.Status.SUBMITTED))
            .order_by("created_at", "pk"))


def learning_get_for_coordinator(*, user: User, pk: int) -> SharedLearning:
    """403 for someone who coordinates nothing; 404 for a learning of a programme run by others."""
    if not is_coordinator(user):
        raise PermissionDenied
    learning = _with_relations(SharedLearning.objects.filter(pk=pk)).first()
    if learning is None or not coordinates(user, learning.programme_id):
        raise Http404
    return learning


# -- the seniors' commitments, in themes --------------------------------------------------------------

def anonymity_threshold() -> int:
    """The product's threshold (settings; never below 3, as ``evaluation.kpis.threshold_of`` says:
    read here from the settings, the sessions app does not import the evaluation app)."""
    return max(3, settings.MENTORAT_ANONYMITY_THRESHOLD or 5)


def may_see_commitment_themes(user: User) -> bool:
    return is_executive(user) or is_hr_lead(user) or is_coordinator(user)


@dataclass
class Theme:
    name: str
    seniors: int = 0
    commitments: int = 0
    kept: int = 0
    texts: list[str] = field(default_factory=list)
    shown: bool = False


def commitment_themes(*, user: User) -> dict:
    """The seniors' commitments grouped by theme: the learning domain the senior came for (their
    application's strongest domain; "Other" when they named none). Executives and HR leads read
    every programme, a coordinator the programmes they run; nobody else (403).

    A theme with at least ``threshold`` distinct seniors shows its number of seniors, of
    commitments, of those kept, and the texts in alphabetical order (no name, pair, date,
    department, programme); below it, only that it has fewer than the threshold. No total is
    shown (a total minus the shown themes would give the hidden ones), and there is no filter
    (one scope per user: no two figures of one reader differ by a small group). The programmes
    named are those with at least ``threshold`` seniors who made commitments. Four queries."""
    if not may_see_commitment_themes(user):
        raise PermissionDenied
    threshold = anonymity_threshold()
    scope = Q() if (is_executive(user) or is_hr_lead(user)) else coordinated_filter(user, "pair__programme")
    rows = list(Commitment.objects.filter(scope).values_list("pair__mentee_id", "pair__mentee__employee_id",
                                                                  "pair__programme_id", "text", "status"))
    applications = {row[0] for row in rows}
    strongest: dict[int, tuple[int, int, str]] = {}  # application → (domain, weight, code)
    for app_id, domain_id, weight, slug in (ApplicationDomain.objects.filter(application_id__in=applications)
                                            .values_list("application_id", "domain_id", "weight", "domain__slug")):
        best = strongest.get(app_id)
        if best is None or (-weight, slug) < (-best[1], best[2]):  # the heaviest; a tie: the first code
            strongest[app_id] = (domain_id, weight, slug)
    domains = LearningDomain.objects.in_bulk({value[0] for value in strongest.values()})
    other = pgettext("a theme of commitments", "Other")
    themes: dict[object, Theme] = {}
    seniors: dict[object, set] = defaultdict(set)
    per_programme: dict[int, set] = defaultdict(set)
    for app_id, senior, programme_id, text, status in rows:
        domain_id = strongest.get(app_id, (None,))[0]
        key = domain_id if domain_id in domains else None
        theme = themes.setdefault(key, Theme(name=domains[key].name if key is not None else other))
        seniors[key].add(senior)
        per_programme[programme_id].add(senior)
        theme.commitments += 1
        theme.kept += status == Commitment.Status.KEPT
        if text and text.strip() and text != ERASED_NAME:
            theme.texts.append(text.strip())
    for key, theme in themes.items():
        theme.seniors = len(seniors[key])
        theme.shown = theme.seniors >= threshold
        if theme.shown:
            theme.texts.sort(key=str.casefold)
        else:
            theme.seniors = theme.commitments = theme.kept = 0
            theme.texts = []
    ordered = sorted(themes.values(), key=lambda t: (not t.shown, -t.seniors, t.name.casefold()))
    named = [pk for pk, people in per_programme.items() if len(people) >= threshold]
    programmes = list(Programme.objects.filter(pk__in=named).order_by("name").values_list("name", flat=True))
    return {"themes": ordered, "threshold": threshold, "programmes": programmes,
            "smaller_programmes": len(per_programme) > len(named)}


def nav_items(request):
    """The learnings for every employee logged in; the commitments' themes for executives and HR
    leads (coordinators reach theirs from the review page)."""
    from django.urls import reverse

    from mentorat.core import navigation
    from mentorat.core.navigation import NavItem

    user = request.user
    return [NavItem(_("Learnings"), reverse("sessions:learnings"), 26),
            NavItem(_("Commitment themes"), reverse("sessions:commitment_themes"), 33,
                    when=is_executive(user) or is_hr_lead(user), menu=navigation.results_menu())]
