"""Writes on pairs: run the assignment, adjust it, publish, confirm or decline, end.

Every path that makes a pair — the algorithm, a manual pair, the shortlist, the admin, the
import — goes through ``pair_refusal``, so the hard rules hold whoever asks.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from binomes import matching
from binomes.models import ChemistryMeeting, ForbiddenPair, Pair, PairingRunReport, PairingSettings, Shortlist
from mentorat.core import outbox
from mentorat.core.errors import ServiceError
from mentorat.core.models import Employee, User
from mentorat.core.selectors import employee_of
from mentorat.core.services import audit_log
from programmes.models import Application, Programme, Role, TrainingCompletion, TrainingModule
from programmes.selectors import coordinates

REASONS = {
    "self": gettext_lazy("the same person cannot be on both sides"),
    "direct_line": gettext_lazy("one is the other's direct manager"),
    "subtree": gettext_lazy("one is in the other's management line, which this programme excludes"),
    "peers": gettext_lazy("they report to the same manager, which this programme excludes"),
    "level_gap": gettext_lazy("their job-level gap is below this programme's minimum"),
    "language": gettext_lazy("they share no language"),
    "forbidden": gettext_lazy("the coordinator forbade this pair"),
    "capacity": gettext_lazy("every eligible mentor is already taken"),
    "mentor_full": gettext_lazy("the mentor has no place left"),
    "taken": gettext_lazy("the mentee already has a pair"),
    "not_approved": gettext_lazy("both applications must be approved, one as mentor and one as mentee"),
    "other_programme": gettext_lazy("both applications must belong to this programme"),
    "training": gettext_lazy("initial training is not completed, which this programme requires"),
    "no_mentor": gettext_lazy("there is no approved mentor"),
    "no_mentee": gettext_lazy("there is no approved mentee"),
    "no_mentee_left": gettext_lazy("every mentee this mentor fits already has a pair"),
    "eligible_free": gettext_lazy("someone eligible is still free: run the pairing again or make the pair by hand"),
}

# Later apps say which pairs earned a certificate (evaluation: completed and met): hook(pairs) -> pairs.
CERTIFICATE_FILTERS: list[Callable] = []
# Later apps react to a pair becoming active (sessions get scheduled): hook(pair).
ACTIVATION_HOOKS: list[Callable] = []
# … and to a pair ending (future sessions cancelled): hook(pair).
END_HOOKS: list[Callable] = []


class PairingError(ServiceError):
    pass


def reason_text(code: str) -> str:
    return str(REASONS.get(code, code))


def unpaired_text(item: dict) -> str:
    """Why this person is unpaired, in words. Someone the rules keep from everyone on the other side
    gets every rule that refuses them, with how many people it refuses (``matching.explain``)."""
    detail = item.get("detail") or {}
    # In the engine's order of rules (a JSON column does not keep the keys' order on PostgreSQL).
    rules = {rule: detail[rule] for rule in matching.RULES if rule in detail}
    if not rules:
        return reason_text(item["reason"])
    if item["role"] == Role.MENTOR:
        lead = _("no mentee fits this mentor under the programme's rules")
        counted = [ngettext("%(rule)s (%(n)s mentee)", "%(rule)s (%(n)s mentees)", n) % {"rule": reason_text(rule), "n": n}
                   for rule, n in rules.items()]
    else:
        lead = _("no mentor fits this mentee under the programme's rules")
        counted = [ngettext("%(rule)s (%(n)s mentor)", "%(rule)s (%(n)s mentors)", n) % {"rule": reason_text(rule), "n": n}
                   for rule, n in rules.items()]
    return _("%(lead)s: %(rules)s") % {"lead": lead, "rules": "; ".join(counted)}


def pairing_settings(programme: Programme) -> PairingSettings:
    return PairingSettings.objects.get_or_create(programme=programme)[0]


def rules_of(programme: Programme) -> matching.Rules:
    return matching.Rules(
        exclude_subtree=programme.exclude_subtree, exclude_peers=programme.exclude_peers,
        min_level_gap=programme.min_level_gap, require_shared_language=programme.require_shared_language,
    )


def person_of(application: Application) -> matching.Person:
    """The engine's view of an application (its employee must be loaded with department and site)."""
    employee = application.employee
    return matching.Person(
        id=application.pk, employee=employee.pk, manager=employee.manager_id,
        ancestors=frozenset(employee.ancestor_ids), level=employee.job_level,
        department=employee.department_id, site=employee.site_id,
        languages=frozenset(application.languages or [employee.language]), format=application.format,
        availability=frozenset(application.availability),
        domains={item.domain.slug: item.weight for item in application.domain_items.all()},
        capacity=application.capacity if application.role == Role.MENTOR else 1,
    )


def _approved(programme: Programme, role: str):
    return (
        Application.objects.filter(programme=programme, role=role, status=Application.Status.APPROVED)
        .select_related("employee").prefetch_related("domain_items__domain").order_by("pk")
    )


def training_done_ids(programme: Programme, applications) -> set[int]:
    """Applications whose employee completed every module meant for their role."""
    modules = list(TrainingModule.objects.filter(programme=programme))
    done = {}
    for module_id, employee_id in TrainingCompletion.objects.filter(module__programme=programme).values_list("module_id", "employee_id"):
        done.setdefault(employee_id, set()).add(module_id)
    result = set()
    for application in applications:
        needed = {m.pk for m in modules if m.is_for(application.role)}
        if needed <= done.get(application.employee_id, set()):
            result.add(application.pk)
    return result


def forbidden_of(programme: Programme) -> set[tuple[int, int]]:
    return set(ForbiddenPair.objects.filter(programme=programme).values_list("mentor_id", "mentee_id"))


def pair_refusal(*, programme: Programme, mentor: Application, mentee: Application, ignore: Pair | None = None) -> str | None:
    """The first rule a pair of these two applications would break, or None. The one gate for
    every way of making a pair."""
    if mentor.programme_id != programme.pk or mentee.programme_id != programme.pk:
        return "other_programme"
    if (mentor.role, mentee.role) != (Role.MENTOR, Role.MENTEE) or {mentor.status, mentee.status} != {Application.Status.APPROVED}:
        return "not_approved"
    if programme.require_training and len(training_done_ids(programme, [mentor, mentee])) < 2:
        return "training"
    code = matching.refusal(person_of(mentor), person_of(mentee), rules_of(programme), forbidden_of(programme))
    if code:
        return code
    live = Pair.objects.filter(status__in=Pair.LIVE).exclude(pk=ignore.pk if ignore else None)
    if live.filter(mentee=mentee).exists():
        return "taken"
    if live.filter(mentor=mentor).count() >= mentor.capacity:
        return "mentor_full"
    return None


def _refuse(code: str):
    raise PairingError(_("This pair is refused: %(reason)s.") % {"reason": reason_text(code)})


def _check_state(programme: Programme):
    if programme.status not in (Programme.Status.PAIRING, Programme.Status.RUNNING):
        raise PairingError(_("Pairs are formed once enrolment is closed (status “pairing”) or while the programme runs."))


@transaction.atomic
def pairing_run(*, actor: User | None, programme: Programme) -> matching.Result:
    """Run the optimal assignment for everyone not yet in a locked, published or active pair.

    Unlocked draft proposals are replaced; locked ones are kept; published and active pairs use
    their mentor's capacity. The unpaired and their reasons are stored for the pairing board.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_state(programme)
    config = pairing_settings(programme)
    Pair.objects.filter(programme=programme, status=Pair.Status.PROPOSED, locked=False).delete()
    kept = list(Pair.objects.filter(programme=programme, status__in=Pair.LIVE).values_list("mentor_id", "mentee_id", "status", "locked"))
    mentors = list(_approved(programme, Role.MENTOR))
    mentees = list(_approved(programme, Role.MENTEE))
    if programme.require_training:
        done = training_done_ids(programme, mentors + mentees)
        mentors = [a for a in mentors if a.pk in done]
        mentees = [a for a in mentees if a.pk in done]
    used = {}
    for mentor_id, _mentee_id, status, _locked in kept:
        used[mentor_id] = used.get(mentor_id, 0) + 1
    busy_mentees = {mentee_id for _m, mentee_id, _s, _l in kept}
    people_mentors = []
    for application in mentors:
        person = person_of(application)
        remaining = person.capacity - used.get(application.pk, 0)
        if remaining > 0:
            people_mentors.append(matching.Person(**{**person.__dict__, "capacity": remaining}))
    people_mentees = [person_of(a) for a in mentees if a.pk not in busy_mentees]
    result = matching.assign(people_mentors, people_mentees, rules_of(programme), config.weights(), forbidden_of(programme))
    Pair.objects.bulk_create(
        Pair(programme=programme, mentor_id=p.mentor, mentee_id=p.mentee, score=p.score, breakdown=p.breakdown,
             source=Pair.Source.ALGORITHM, created_by=actor)
        for p in result.pairs
    )
    unpaired = unpaired_refresh(programme=programme, actor=actor)
    # The board's explanation, from the pairs as saved: the kept pairs and the untrained included.
    result.unpaired = [matching.Unpaired(u["application"], u["role"], u["reason"], u["detail"]) for u in unpaired]
    audit_log(actor=actor, action="pairing.run", target=programme.slug,
              details={"pairs": len(result.pairs), "unpaired": len(unpaired)})
    return result


def unpaired_refresh(*, programme: Programme, actor: User | None) -> list[dict]:
    """Explain again who is unpaired and why, from the pairs as they stand now, and keep it for the
    board: after a run and after every manual change (a pair made, removed, imported or forbidden,
    a forbidden pair allowed again), so the board never shows an explanation that is no longer true.
    People in a live pair are not listed; a mentor with one pair and room for another is not either."""
    mentors = list(_approved(programme, Role.MENTOR))
    mentees = list(_approved(programme, Role.MENTEE))
    untrained = []
    if programme.require_training:
        done = training_done_ids(programme, mentors + mentees)
        untrained = [a for a in mentors + mentees if a.pk not in done]
        mentors = [a for a in mentors if a.pk in done]
        mentees = [a for a in mentees if a.pk in done]
    live = list(Pair.objects.filter(programme=programme, status__in=Pair.LIVE).values_list("mentor_id", "mentee_id"))
    used: dict[int, int] = {}
    for mentor_id, _mentee_id in live:
        used[mentor_id] = used.get(mentor_id, 0) + 1
    in_pair = {pk for pair in live for pk in pair}
    reasons = matching.explain(
        [person_of(a) for a in mentors], [person_of(a) for a in mentees], rules_of(programme), forbidden_of(programme),
        room={a.pk: a.capacity - used.get(a.pk, 0) for a in mentors}, taken={m for _r, m in live}, paired=set(used))
    unpaired = [{"application": u.id, "role": u.role, "reason": u.reason, "detail": u.detail} for u in reasons]
    unpaired += [{"application": a.pk, "role": a.role, "reason": "training", "detail": {}}
                 for a in untrained if a.pk not in in_pair]
    PairingRunReport.objects.update_or_create(programme=programme, defaults={"ran_by": actor, "unpaired": unpaired})
    return unpaired


def _get_proposed(pair: Pair) -> Pair:
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    if pair.status != Pair.Status.PROPOSED:
        raise PairingError(_("Only draft proposals can be changed; this pair is “%(status)s”.") % {"status": pair.get_status_display()})
    return pair


@transaction.atomic
def pair_lock(*, actor: User, pair: Pair, locked: bool = True) -> Pair:
    pair = _get_proposed(pair)
    pair.locked = locked
    pair.save(update_fields=["locked"])
    audit_log(actor=actor, action="pairing.lock" if locked else "pairing.unlock", target=str(pair.pk))
    return pair


@transaction.atomic
def pair_forbid(*, actor: User, pair: Pair) -> ForbiddenPair:
    """Forbid these two for this programme and drop the proposal; the next run will not pair them."""
    pair = _get_proposed(pair)
    forbidden, _created = ForbiddenPair.objects.get_or_create(
        programme=pair.programme, mentor_id=pair.mentor.employee_id, mentee_id=pair.mentee.employee_id,
        defaults={"created_by": actor},
    )
    audit_log(actor=actor, action="pairing.forbid", target=str(pair.pk),
              details={"mentor": pair.mentor.employee.employee_id, "mentee": pair.mentee.employee.employee_id})
    programme = pair.programme
    pair.delete()
    unpaired_refresh(programme=programme, actor=actor)
    return forbidden


@transaction.atomic
def pair_remove(*, actor: User, pair: Pair) -> None:
    """Remove a draft proposal (never one its members were shown): both return to the unpaired,
    with their explanation recomputed. The pair is not forbidden: a later run may propose it again."""
    pair = _get_proposed(pair)
    audit_log(actor=actor, action="pairing.remove", target=str(pair.pk),
              details={"mentor": pair.mentor.employee.employee_id, "mentee": pair.mentee.employee.employee_id,
                       "source": pair.source})
    programme = pair.programme
    pair.delete()
    unpaired_refresh(programme=programme, actor=actor)


@transaction.atomic
def forbidden_allow(*, actor: User, forbidden: ForbiddenPair) -> None:
    """Undo a forbidden pair: these two may be paired again (by the next run or by hand)."""
    forbidden = ForbiddenPair.objects.select_related("programme", "mentor", "mentee").get(pk=forbidden.pk)
    audit_log(actor=actor, action="pairing.allow", target=forbidden.programme.slug,
              details={"mentor": forbidden.mentor.employee_id, "mentee": forbidden.mentee.employee_id})
    forbidden.delete()
    unpaired_refresh(programme=forbidden.programme, actor=actor)


@transaction.atomic
def pair_manual(*, actor: User, programme: Programme, mentor: Application, mentee: Application,
                source: str = Pair.Source.MANUAL, refresh: bool = True) -> Pair:
    """A pair the coordinator makes by hand: checked against every rule, then kept as a locked
    proposal; the board's explanations of the unpaired are recomputed (``refresh=False``: the caller
    makes many and recomputes once, as the import does)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_state(programme)
    mentor = Application.objects.select_related("employee").get(pk=mentor.pk)
    mentee = Application.objects.select_related("employee").get(pk=mentee.pk)
    code = pair_refusal(programme=programme, mentor=mentor, mentee=mentee)
    if code:
        _refuse(code)
    total, breakdown = matching.score(person_of(mentor), person_of(mentee), pairing_settings(programme).weights())
    pair = Pair.objects.create(programme=programme, mentor=mentor, mentee=mentee, score=total, breakdown=breakdown,
                               source=source, locked=True, created_by=actor)
    audit_log(actor=actor, action="pairing.manual", target=str(pair.pk), details={"source": source})
    if refresh:
        unpaired_refresh(programme=programme, actor=actor)
    return pair


def _notify_members(pair_ids: list[int], kind: str = "pair_proposal") -> None:
    """Both members of each pair get the message, through the outbox, in their language."""
    from binomes.notifications import notify_members

    notify_members(pair_ids, kind)


@transaction.atomic
def pairs_publish(*, actor: User, programme: Programme, now: datetime.datetime | None = None) -> int:
    """Draft proposals become visible to their members, who have ``proposal_days`` to confirm."""
    now = now or timezone.now()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_state(programme)
    days = pairing_settings(programme).proposal_days
    ids = list(Pair.objects.filter(programme=programme, status=Pair.Status.PROPOSED).values_list("pk", flat=True))
    Pair.objects.filter(pk__in=ids).update(status=Pair.Status.PUBLISHED, published_at=now,
                                           expires_at=now + datetime.timedelta(days=days))
    audit_log(actor=actor, action="pairing.publish", target=programme.slug, details={"pairs": len(ids)})
    _notify_members(ids)
    return len(ids)


def _member_role(pair: Pair, user: User) -> str:
    employee = employee_of(user)
    role = pair.role_of(employee) if employee else None
    if role is None:
        raise PairingError(_("Only the two members of the pair can do this."))
    return role


@transaction.atomic
def pair_confirm(*, user: User, pair: Pair, now: datetime.datetime | None = None) -> Pair:
    """A member confirms after the chemistry meeting; when both have, the pair is active."""
    now = now or timezone.now()
    pair = Pair.objects.select_for_update().select_related("mentor__employee", "mentee__employee").get(pk=pair.pk)
    role = _member_role(pair, user)
    if pair.status != Pair.Status.PUBLISHED:
        raise PairingError(_("This proposal can no longer be confirmed (it is “%(status)s”).") % {"status": pair.get_status_display()})
    if pair.expires_at and pair.expires_at < now:
        raise PairingError(_("This proposal has expired."))
    already = getattr(pair, f"{role}_confirmed_at") is not None
    setattr(pair, f"{role}_confirmed_at", getattr(pair, f"{role}_confirmed_at") or now)
    if pair.mentor_confirmed_at and pair.mentee_confirmed_at:
        pair.status = Pair.Status.ACTIVE
        pair.activated_at = now
    pair.save()
    from binomes.notifications import notify_answer

    if not already:
        notify_answer(pair, role=role, answer="confirmed")
    if pair.status == Pair.Status.ACTIVE:
        for hook in ACTIVATION_HOOKS:
            hook(pair)
    return pair


@transaction.atomic
def pair_decline(*, user: User, pair: Pair, reason: str) -> Pair:
    """A member declines, with a reason only the coordinators read. Both are free to be re-paired."""
    pair = Pair.objects.select_for_update().select_related("mentor__employee", "mentee__employee").get(pk=pair.pk)
    role = _member_role(pair, user)
    if pair.status != Pair.Status.PUBLISHED:
        raise PairingError(_("This proposal can no longer be declined (it is “%(status)s”).") % {"status": pair.get_status_display()})
    pair.status = Pair.Status.DECLINED
    pair.declined_by = role
    pair.decline_reason = reason.strip()
    pair.ended_at = timezone.now()
    pair.ended_by = user
    pair.save()
    from binomes.notifications import notify_answer

    notify_answer(pair, role=role, answer="declined")
    _chemistry_withdraw(pair)
    return pair


@transaction.atomic
def pair_end(*, user: User, pair: Pair, completed: bool, reason: str = "") -> Pair:
    """End an active pair, as completed (coordinator) or early (coordinator or a member), without blame."""
    pair = Pair.objects.select_for_update().select_related("mentor__employee", "mentee__employee").get(pk=pair.pk)
    if not coordinates(user, pair.programme_id):
        _member_role(pair, user)
        if completed:
            raise PairingError(_("The coordinator marks a pair as completed."))
    if pair.status != Pair.Status.ACTIVE:
        raise PairingError(_("Only an active pair can end."))
    if not completed and not reason.strip():
        raise PairingError(_("Say in a few words why the pair ends early."), "reason")
    pair.status = Pair.Status.COMPLETED if completed else Pair.Status.ENDED
    pair.ended_at = timezone.now()
    pair.ended_by = user
    pair.end_reason = reason.strip()
    pair.save()
    audit_log(actor=user, action="pairing.end", target=str(pair.pk), details={"completed": completed})
    for hook in END_HOOKS:
        hook(pair)
    from binomes.notifications import notify_ended

    notify_ended(pair)
    return pair


# --- The chemistry meeting -------------------------------------------------------------------

def chemistry_holidays(pair: Pair, start: datetime.date, end: datetime.date) -> set[datetime.date]:
    """Public holidays of both members' sites (France when none is known)."""
    import holidays as holidays_lib

    countries = {e.site.country for e in (pair.mentor.employee, pair.mentee.employee) if e.site_id and e.site.country}
    result: set[datetime.date] = set()
    for country in countries or {"FR"}:
        try:
            result |= set(holidays_lib.country_holidays(country, years=range(start.year, end.year + 1)))
        except NotImplementedError:
            continue
    return result


@transaction.atomic
def chemistry_propose(*, user: User, pair: Pair, starts_at: datetime.datetime, now: datetime.datetime | None = None
                      ) -> ChemistryMeeting:
    """A member (or a coordinator) sends the chemistry meeting's invitation, or proposes another
    time: both members get the invitation (the same event, a higher SEQUENCE), and the other
    member is told who proposed it. Only while the proposal awaits its answers, in the future,
    before the proposal expires."""
    from binomes.notifications import notify_chemistry

    now = now or timezone.now()
    pair = Pair.objects.select_for_update().select_related("programme", "mentor__employee", "mentee__employee").get(pk=pair.pk)
    if not coordinates(user, pair.programme_id):
        _member_role(pair, user)
    if pair.status != Pair.Status.PUBLISHED:
        raise PairingError(_("The chemistry meeting is for a proposal awaiting its answers; this pair is “%(status)s”.")
                           % {"status": pair.get_status_display()})
    if starts_at <= now:
        raise PairingError(_("Choose a time in the future."), "starts_at")
    if pair.expires_at and starts_at > pair.expires_at:
        raise PairingError(_("Choose a time before the proposal expires (%(date)s).") % {
            "date": outbox.when(pair.expires_at)}, "starts_at")
    meeting = ChemistryMeeting.objects.select_for_update().filter(pair=pair).first()
    if meeting is not None and meeting.starts_at == starts_at and not meeting.cancelled:
        return meeting  # the same time again (a double click): nothing to send
    if meeting is None:
        meeting = ChemistryMeeting(pair=pair, starts_at=starts_at, sequence=1)
    else:
        meeting.starts_at, meeting.sequence, meeting.cancelled = starts_at, meeting.sequence + 1, False
    meeting.proposed_by, meeting.updated_at = user, now.replace(microsecond=0)
    meeting.full_clean()
    meeting.save()
    audit_log(actor=user, action="pairing.chemistry", target=str(pair.pk), details={"sequence": meeting.sequence})
    notify_chemistry(meeting)
    return meeting


def _chemistry_withdraw(pair: Pair, now: datetime.datetime | None = None) -> None:
    """A proposal that no longer awaits answers (declined, expired) withdraws its chemistry
    meeting still ahead: both members get the cancelling invitation."""
    from binomes.notifications import notify_chemistry

    now = now or timezone.now()
    meeting = ChemistryMeeting.objects.select_for_update().filter(pair_id=pair.pk, cancelled=False, starts_at__gt=now).first()
    if meeting is None:
        return
    meeting.cancelled, meeting.sequence, meeting.updated_at = True, meeting.sequence + 1, now.replace(microsecond=0)
    meeting.save(update_fields=["cancelled", "sequence", "updated_at"])
    notify_chemistry(meeting)


def closing_preview(programme: Programme, now: datetime.datetime) -> list[str]:
    from django.utils.translation import ngettext

    active = programme.pairs.filter(status=Pair.Status.ACTIVE).count()
    lines = [ngettext("%(n)s active pair ends as completed.", "%(n)s active pairs end as completed.", active) % {"n": active}]
    pending = programme.pairs.filter(status__in=[Pair.Status.PROPOSED, Pair.Status.PUBLISHED]).count()
    if pending:
        lines.append(ngettext("%(n)s proposal not confirmed is withdrawn.", "%(n)s proposals not confirmed are withdrawn.",
                              pending) % {"n": pending})
    return lines


def on_programme_closed(programme: Programme, actor: User, now: datetime.datetime) -> dict[str, int]:
    """Closing a programme ends its active pairs as completed (each audited, the end hooks run, both
    members told) and lets the proposals nobody confirmed expire (their members told, a chemistry
    meeting still ahead withdrawn)."""
    completed = 0
    for pair in programme.pairs.filter(status=Pair.Status.ACTIVE):
        pair_end(user=actor, pair=pair, completed=True)
        completed += 1
    for pair in programme.pairs.filter(status=Pair.Status.PUBLISHED, chemistry__isnull=False):
        _chemistry_withdraw(pair, now)
    published = list(programme.pairs.filter(status=Pair.Status.PUBLISHED).values_list("pk", flat=True))
    expired = programme.pairs.filter(status__in=[Pair.Status.PROPOSED, Pair.Status.PUBLISHED]).update(
        status=Pair.Status.EXPIRED, ended_at=now)
    _notify_members(published, "pair_expired")  # drafts were never shown to their members
    return {"pairs_completed": completed, "proposals_withdrawn": expired}


# The pairing choices a copy for a new cohort carries: the mode, the delays and the weights.
COPIED_SETTINGS = ["mode", "proposal_days", "shortlist_days", "weight_goals", "weight_availability", "weight_format",
                   "weight_cross_silo", "weight_level_gap"]


def on_programme_copied(source: Programme, copy: Programme) -> dict[str, int]:
    """A copy for a new cohort gets the source's pairing settings (mode, delays, weights); never
    its pairs, shortlists or forbidden pairs. A source that never saved settings leaves the
    defaults. Runs inside ``programme_copy``'s transaction (``COPY_HOOKS``)."""
    chosen = PairingSettings.objects.filter(programme=source).first()
    if chosen is None:
        return {"pairing_settings": 0}
    PairingSettings.objects.update_or_create(
        programme=copy, defaults={name: getattr(chosen, name) for name in COPIED_SETTINGS})
    return {"pairing_settings": 1}


def pairs_expire(*, now: datetime.datetime | None = None) -> int:
    """Published proposals not confirmed in time expire; both members become free again."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(Pair.objects.select_for_update().filter(status=Pair.Status.PUBLISHED, expires_at__lt=now).values_list("pk", flat=True))
        Pair.objects.filter(pk__in=ids).update(status=Pair.Status.EXPIRED, ended_at=now)
        _notify_members(ids, "pair_expired")
        for pair in Pair.objects.filter(pk__in=ids).select_related("mentor__employee__user", "mentee__employee__user"):
            _chemistry_withdraw(pair, now)
    return len(ids)


def on_withdraw(application: Application) -> None:
    """A participant who withdraws ends their pair (draft proposals are simply dropped)."""
    from binomes.notifications import notify_answer, notify_ended

    now = timezone.now()
    user = application.employee.user
    live = Pair.objects.filter(Q(mentor=application) | Q(mentee=application), status__in=Pair.LIVE)
    live.filter(status=Pair.Status.PROPOSED).delete()
    published = list(live.filter(status=Pair.Status.PUBLISHED).select_related("mentor__employee__user", "mentee__employee__user"))
    Pair.objects.filter(pk__in=[p.pk for p in published]).update(
        status=Pair.Status.DECLINED, declined_by=application.role, decline_reason="withdrawn", ended_at=now, ended_by=user)
    for pair in published:
        pair.status, pair.declined_by, pair.ended_at = Pair.Status.DECLINED, application.role, now
        notify_answer(pair, role=application.role, answer="declined")
        _chemistry_withdraw(pair)
    for pair in live.filter(status=Pair.Status.ACTIVE).select_related("mentor__employee__user", "mentee__employee__user"):
        pair.status, pair.ended_at, pair.end_reason, pair.ended_by = Pair.Status.ENDED, now, "withdrawn", user
        pair.save(update_fields=["status", "ended_at", "end_reason", "ended_by"])
        for hook in END_HOOKS:
            hook(pair)
        notify_ended(pair)


def unapprove_guard(application: Application) -> str | None:
    if Pair.objects.filter(Q(mentor=application) | Q(mentee=application), status__in=Pair.LIVE).exists():
        return _("This person is in a pair: end or remove the pair first.")
    return None


# --- Shortlist mode -------------------------------------------------------------------------

@dataclass
class ShortlistSend:
    """What a shortlist send did: the shortlists made, and why the other approved seniors got none."""

    made: list[Shortlist]
    approved: int = 0  # approved seniors
    busy: int = 0  # already in a pair or with an open shortlist
    unfit: int = 0  # no eligible mentor with room
    mentors_with_room: int = 0

    def by_size(self) -> dict[int, int]:
        """How many seniors got a shortlist of each size (3 mentors, 2, 1), largest first."""
        sizes: dict[int, int] = {}
        for shortlist in self.made:
            sizes[len(shortlist.options)] = sizes.get(len(shortlist.options), 0) + 1
        return dict(sorted(sizes.items(), reverse=True))


@transaction.atomic
def shortlists_send(*, actor: User, programme: Programme, now: datetime.datetime | None = None) -> ShortlistSend:
    """Offer each approved senior without a pair the 3 best eligible mentors who still have room;
    each senior gets an e-mail now and a reminder before it closes. None for a senior who already
    has a pair or an open shortlist, or whom no mentor fits; the result counts each case, so the
    board can say what was sent and why nothing was."""
    from binomes.notifications import notify_shortlist

    now = now or timezone.now()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_state(programme)
    config = pairing_settings(programme)
    used = dict(Pair.objects.filter(programme=programme, status__in=Pair.LIVE).values("mentor_id")
                .annotate(n=Count("pk")).values_list("mentor_id", "n"))
    mentors = [person_of(a) for a in _approved(programme, Role.MENTOR) if used.get(a.pk, 0) < a.capacity]
    busy = set(Pair.objects.filter(programme=programme, status__in=Pair.LIVE).values_list("mentee_id", flat=True))
    busy |= set(Shortlist.objects.filter(programme=programme, closed_at__isnull=True).values_list("mentee_id", flat=True))
    rules, weights, forbidden = rules_of(programme), config.weights(), forbidden_of(programme)
    result = ShortlistSend(made=[], mentors_with_room=len(mentors))
    for application in _approved(programme, Role.MENTEE):
        result.approved += 1
        if application.pk in busy:
            result.busy += 1
            continue
        options = matching.alternatives(person_of(application), mentors, rules, weights, forbidden)
        if not options:
            result.unfit += 1
            continue
        shortlist = Shortlist.objects.create(
            programme=programme, mentee=application, expires_at=now + datetime.timedelta(days=config.shortlist_days),
            options=[{"mentor": o.mentor, "score": o.score, "breakdown": o.breakdown} for o in options],
        )
        notify_shortlist(shortlist, created_at=now)
        result.made.append(shortlist)
    audit_log(actor=actor, action="pairing.shortlists", target=programme.slug,
              details={"shortlists": len(result.made), "options": sum(len(s.options) for s in result.made),
                       "busy": result.busy, "unfit": result.unfit})
    return result


def shortlists_create(*, actor: User, programme: Programme, now: datetime.datetime | None = None) -> list[Shortlist]:
    """The shortlists ``shortlists_send`` made (for callers that need only those)."""
    return shortlists_send(actor=actor, programme=programme, now=now).made


@transaction.atomic
def shortlist_choose(*, user: User, shortlist: Shortlist, mentor_id: int, now: datetime.datetime | None = None) -> Pair:
    """The senior picks a mentor of their shortlist: a published pair, to confirm after the chemistry meeting."""
    now = now or timezone.now()
    shortlist = Shortlist.objects.select_for_update().select_related("programme", "mentee__employee").get(pk=shortlist.pk)
    employee = employee_of(user)
    if employee is None or shortlist.mentee.employee_id != employee.pk:
        raise PairingError(_("Only the senior this shortlist was made for can choose."))
    if shortlist.closed_at is not None or shortlist.expires_at < now:
        raise PairingError(_("This shortlist is closed."))
    if mentor_id not in [o["mentor"] for o in shortlist.options]:
        raise PairingError(_("Choose one of the mentors offered."))
    mentor = Application.objects.select_related("employee").get(pk=mentor_id)
    code = pair_refusal(programme=shortlist.programme, mentor=mentor, mentee=shortlist.mentee)
    if code:
        _refuse(code)
    total, breakdown = matching.score(person_of(mentor), person_of(shortlist.mentee), pairing_settings(shortlist.programme).weights())
    days = pairing_settings(shortlist.programme).proposal_days
    pair = Pair.objects.create(
        programme=shortlist.programme, mentor=mentor, mentee=shortlist.mentee, score=total, breakdown=breakdown,
        source=Pair.Source.SHORTLIST, status=Pair.Status.PUBLISHED, published_at=now,
        expires_at=now + datetime.timedelta(days=days), mentee_confirmed_at=now,
    )
    shortlist.chosen, shortlist.closed_at = mentor, now
    shortlist.save(update_fields=["chosen", "closed_at"])
    _notify_members([pair.pk])
    return pair


def shortlists_fallback(*, now: datetime.datetime | None = None) -> int:
    """Shortlists not answered in time close; their seniors get the optimal assignment, published."""
    now = now or timezone.now()
    expired = Shortlist.objects.filter(closed_at__isnull=True, expires_at__lt=now)
    programmes = set(expired.values_list("programme_id", flat=True))
    mentee_ids = set(expired.values_list("mentee_id", flat=True))
    expired.update(closed_at=now)
    published = 0
    for programme in Programme.objects.filter(pk__in=programmes):
        with transaction.atomic():
            pairing_run(actor=None, programme=programme)
            ids = list(Pair.objects.filter(programme=programme, status=Pair.Status.PROPOSED, mentee_id__in=mentee_ids)
                       .values_list("pk", flat=True))
            days = pairing_settings(programme).proposal_days
            Pair.objects.filter(pk__in=ids).update(status=Pair.Status.PUBLISHED, published_at=now,
                                                   expires_at=now + datetime.timedelta(days=days))
            published += len(ids)
            _notify_members(ids)
    return published


def employee_profile(employee: Employee) -> dict:
    """What a member sees of the other: work profile, never the application's motivation."""
    return {"name": employee.full_name, "job_title": employee.job_title, "department": employee.department,
            "site": employee.site, "email": employee.email}
