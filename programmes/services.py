"""Writes on programmes and applications. Each service checks the state it needs and says why not.

``ProgrammeError`` carries a message for the person acting (a coordinator or a volunteer) and,
where it applies, the form field it concerns.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from mentorat.core import outbox
from mentorat.core.errors import ServiceError
from mentorat.core.models import Employee, User
from mentorat.core.services import audit_log
from programmes.domains import DEFAULT_DOMAINS
from programmes.models import (
    SLOTS,
    Application,
    ApplicationDomain,
    Charter,
    LearningDomain,
    ManagerAcknowledgement,
    Milestone,
    Objective,
    Programme,
    ProgrammeSponsor,
    Role,
    TrainingCompletion,
    TrainingModule,
)
from programmes.scheduling import default_milestones
from programmes.selectors import coordinates


class ProgrammeError(ServiceError):
    pass


# First segments of the programmes' addresses that are not a programme (programmes/urls.py).
RESERVED_SLUGS = {"new", "domains", "acknowledge", "roles"}


# Later apps add panels to the programme page: ``provider(request, programme, roles) -> list[dict]``,
# each dict with a ``template`` (pairs, sessions, dashboards).
PROGRAMME_PANELS: list[Callable] = []
# Later apps register here to veto a change of dates (e.g. sessions that would fall outside).
# Each guard is ``guard(programme, new_start, new_end) -> str | None`` (the reason, or None).
DATE_GUARDS: list[Callable] = []
# Later apps register here to veto taking an approved application back (e.g. it is paired).
UNAPPROVE_GUARDS: list[Callable] = []


@dataclass(frozen=True)
class ClosingStep:
    """What a later app does when a programme closes (pairs end, sessions are cancelled, surveys
    close, certificates are issued). ``preview(programme, now) -> list[str]`` says what it would do,
    in sentences for the confirmation page, and writes nothing; ``run(programme, actor, now) ->
    dict[str, int]`` does it inside the closing transaction and returns counts for the audit entry.
    Steps run by ``order``: sessions (10) before pairs (20), surveys (30), certificates (40)."""

    order: int
    preview: Callable
    run: Callable


# Filled by binomes, sessions and evaluation in their AppConfig.ready (this app imports none of them).
CLOSE_HOOKS: list[ClosingStep] = []
# What later apps carry into a copy for a new cohort (the pairing settings, the edited surveys),
# filled in their AppConfig.ready. Each hook is ``hook(source, copy) -> dict[str, int]``: it runs
# inside the copy's transaction, copies design only (never answers, releases or pairs) and
# returns counts for the audit entry.
COPY_HOOKS: list[Callable] = []

TRANSITIONS = {
    Programme.Status.DRAFT: {Programme.Status.ENROLMENT},
    Programme.Status.ENROLMENT: {Programme.Status.PAIRING, Programme.Status.DRAFT},
    Programme.Status.PAIRING: {Programme.Status.RUNNING, Programme.Status.ENROLMENT},
    Programme.Status.RUNNING: {Programme.Status.CLOSED},
    Programme.Status.CLOSED: set(),
}


def default_charter_text(language: str | None = None) -> str:
    """The default charter, in ``language`` (the active one when not given)."""
    if language is None:
        return render_to_string("programmes/default_charter.txt").strip()
    with override(language):
        return render_to_string("programmes/default_charter.txt").strip()


def _in_both_languages(label) -> tuple[str, str]:
    """A translatable label as (French, English): generated content is written in both."""
    with override("fr"):
        french = str(label)
    with override("en"):
        return french, str(label)


def _full_clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise ProgrammeError(f"{messages[0]}", field=None if field_name == "__all__" else field_name) from None


@transaction.atomic
def programme_create(
    *, actor: User | None, name: str, slug: str, start_date: datetime.date, duration_months: int,
    cadence_weeks: int, session_minutes: int = 60, description: str = "", description_en: str = "",
    domain_slugs: Iterable[str] | None = None, entity=None,
) -> Programme:
    """A draft programme with the default domains (or those given), milestones and charter v1 —
    generated in French and in English.

    Refuses a taken slug (or one the site's addresses use), a duration outside 6–12 months, a
    cadence other than 2–4 weeks, a length outside 45–60 minutes, and unknown or retired domain
    codes, naming the field. The default domains are those of the catalogue not retired.
    """
    if slug in RESERVED_SLUGS:
        raise ProgrammeError(_("“%(slug)s” is used by the site's addresses: choose another short name.") % {"slug": slug}, "slug")
    if Programme.objects.filter(slug=slug).exists():
        raise ProgrammeError(_("A programme already uses the short name “%(slug)s”.") % {"slug": slug}, "slug")
    programme = Programme(
        name=name, slug=slug, start_date=start_date, duration_months=duration_months, cadence_weeks=cadence_weeks,
        session_minutes=session_minutes, description=description, description_en=description_en, created_by=actor,
        entity=entity,
    )
    _full_clean(programme)
    programme.save()
    if domain_slugs is None:
        ensure_default_domains()
        domains = list(LearningDomain.objects.offered().filter(slug__in=[code for code, *_names in DEFAULT_DOMAINS]))
    else:
        slugs = list(domain_slugs)
        domains = list(LearningDomain.objects.filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {d.slug for d in domains})
        if unknown:
            raise ProgrammeError(_("Unknown learning domain(s): %(codes)s.") % {"codes": ", ".join(unknown)}, "domains")
        retired = sorted(d.slug for d in domains if d.is_retired)
        if retired:
            raise ProgrammeError(_("Retired from the catalogue, so no longer offered: %(codes)s.") % {"codes": ", ".join(retired)},
                                 "domains")
    programme.domains.set(domains)
    for kind, date in default_milestones(start_date, programme.end_date):
        title, title_en = _in_both_languages(Milestone.Kind(kind).label)
        Milestone.objects.create(programme=programme, kind=kind, title=title, title_en=title_en, date=date)
    Charter.objects.create(programme=programme, version=1, text=default_charter_text("fr"),
                           text_en=default_charter_text("en"), created_by=actor)
    audit_log(actor=actor, action="programme.create", target=programme.slug)
    return programme


@transaction.atomic
def programme_update(*, actor: User, programme: Programme, data: dict, domains=None) -> Programme:
    """Change the design. Once running, the start date is fixed and the end may not move before
    what later apps hold (``DATE_GUARDS``); new dates must keep every milestone within them (the
    refusal names the milestones and the start or duration field); a closed programme is read-only."""
    original = Programme.objects.get(pk=programme.pk)
    # Work on a fresh copy: a refused change leaves the caller's object as it was.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == Programme.Status.CLOSED:
        raise ProgrammeError(_("A closed programme cannot be changed."))
    for name, value in data.items():
        setattr(programme, name, value)
    if programme.status == Programme.Status.RUNNING and programme.start_date != original.start_date:
        raise ProgrammeError(_("The programme is running: its start date can no longer change."), "start_date")
    if programme.status in (Programme.Status.RUNNING,) and programme.cadence_weeks != original.cadence_weeks:
        raise ProgrammeError(_("The programme is running: its cadence can no longer change."), "cadence_weeks")
    if (programme.start_date, programme.end_date) != (original.start_date, original.end_date):
        for guard in DATE_GUARDS:
            reason = guard(programme, programme.start_date, programme.end_date)
            if reason:
                raise ProgrammeError(reason, "duration_months")
    _full_clean(programme)
    if (programme.start_date, programme.end_date) != (original.start_date, original.end_date):
        _milestones_within(programme)
    programme.save()
    if domains is not None:
        current = set(programme.domains.values_list("pk", flat=True))
        retired = [d.name for d in domains if d.is_retired and d.pk not in current]
        if retired:
            raise ProgrammeError(_("Retired from the catalogue, so no longer offered: %(codes)s.") % {"codes": ", ".join(retired)},
                                 "domains")
        used = set(
            ApplicationDomain.objects.filter(application__programme=programme).values_list("domain_id", flat=True)
        )
        removed = used - {d.pk for d in domains}
        if removed:
            names = ", ".join(d.name for d in LearningDomain.objects.filter(pk__in=removed))
            raise ProgrammeError(_("Applications use these domains, which cannot be removed: %(names)s.") % {"names": names}, "domains")
        programme.domains.set(domains)
    audit_log(actor=actor, action="programme.update", target=programme.slug, details={"fields": sorted(data)})
    return programme


def _milestones_within(programme: Programme) -> None:
    """Refuse dates that would leave milestones outside the programme, naming them and the date
    field to change: the start when one falls before it, else the duration."""
    start, end = programme.start_date, programme.end_date
    outside = [m for m in programme.milestones.all() if not start <= m.date <= end]
    if not outside:
        return
    named = ", ".join(_("“%(title)s” (%(date)s)") % {"title": m.display_title, "date": formats.date_format(m.date, "DATE_FORMAT")}
                      for m in outside)
    raise ProgrammeError(
        ngettext("This milestone would fall outside the new dates, from %(start)s to %(end)s: %(milestones)s. "
                 "Move or delete it first.",
                 "These milestones would fall outside the new dates, from %(start)s to %(end)s: %(milestones)s. "
                 "Move or delete them first.", len(outside)) % {
            "milestones": named, "start": formats.date_format(start, "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT")},
        "start_date" if any(m.date < start for m in outside) else "duration_months")


@transaction.atomic
def programme_transition(*, actor: User, programme: Programme, to: str) -> Programme:
    """Move along draft → enrolment open → pairing → running → closed (and back one step where
    the design allows: enrolment ↔ draft, pairing → enrolment). Running never reopens enrolment."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if to == Programme.Status.CLOSED and programme.status == Programme.Status.RUNNING:
        raise ProgrammeError(_("Closing a programme has its own page, which says what it will do and asks for a confirmation."))
    if to not in TRANSITIONS[programme.status]:
        raise ProgrammeError(_("A programme cannot go from “%(from)s” to “%(to)s”.")
                             % {"from": programme.get_status_display(), "to": Programme.Status(to).label})
    if to == Programme.Status.ENROLMENT:
        if not programme.domains.exists():
            raise ProgrammeError(_("Choose at least one learning domain before opening enrolment."), "domains")
        charter = programme.current_charter()
        if charter is None or not (charter.text.strip() or charter.text_en.strip()):
            raise ProgrammeError(_("Write the participation charter before opening enrolment."))
    if to == Programme.Status.DRAFT and programme.applications.exists():
        raise ProgrammeError(_("Volunteers have applied: the programme cannot go back to draft."))
    previous = programme.status
    programme.status = to
    programme.save(update_fields=["status"])
    audit_log(actor=actor, action="programme.status", target=programme.slug, details={"from": previous, "to": to})
    return programme


def programme_close_refusal(*, programme: Programme, now: datetime.datetime | None = None) -> str | None:
    """Why this programme cannot be closed now (None when it can): only a running programme, and
    not before its start date."""
    now = now or timezone.now()
    if programme.status != Programme.Status.RUNNING:
        return _("Only a running programme can be closed (this one is “%(status)s”).") % {"status": programme.get_status_display()}
    if timezone.localdate(now) < programme.start_date:
        return _("The programme starts on %(date)s: it cannot be closed before it has started.") % {
            "date": formats.date_format(programme.start_date, "DATE_FORMAT")}
    return None


def _closing_steps() -> list[ClosingStep]:
    return sorted(CLOSE_HOOKS, key=lambda step: step.order)


def programme_close_preview(*, programme: Programme, now: datetime.datetime | None = None) -> list[str]:
    """What closing would do, one sentence per effect (pairs ended, sessions cancelled, surveys
    closed, certificates issued), from the steps later apps registered. Writes nothing."""
    now = now or timezone.now()
    return [line for step in _closing_steps() for line in step.preview(programme, now)]


@transaction.atomic
def programme_close(*, actor: User, programme: Programme, now: datetime.datetime | None = None) -> dict[str, int]:
    """Close a running programme, from its start date on, in one transaction: each registered step
    runs (active pairs end as completed, future sessions are cancelled with a cancelling invitation,
    surveys close, certificates are issued), then the status becomes closed, audited with the
    counts. Any failure leaves everything as it was; a second close is refused."""
    if not coordinates(actor, programme):
        raise ProgrammeError(_("Only the programme's coordinators close it."))
    now = now or timezone.now()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    refusal = programme_close_refusal(programme=programme, now=now)
    if refusal:
        raise ProgrammeError(refusal)
    done: dict[str, int] = {}
    for step in _closing_steps():
        for key, count in step.run(programme, actor, now).items():
            done[key] = done.get(key, 0) + count
    programme.status = Programme.Status.CLOSED
    programme.save(update_fields=["status"])
    audit_log(actor=actor, action="programme.close", target=programme.slug, details=done)
    return done


@transaction.atomic
def programme_copy(*, actor: User, programme: Programme, name: str, slug: str, start_date: datetime.date) -> Programme:
    """A new draft cohort with the same design — domains, rules, objectives, sponsors and their
    messages, the HR contacts for concerns, charter text, training, milestones moved to the new
    dates (kept within them), every text in both its languages, and what later apps carry (``COPY_HOOKS``: the pairing mode and
    weights, the surveys as edited) — and none of the people's applications, pairs or answers.
    Domains retired since are left out."""
    copy = programme_create(
        actor=actor, name=name, slug=slug, start_date=start_date, duration_months=programme.duration_months,
        cadence_weeks=programme.cadence_weeks, session_minutes=programme.session_minutes,
        description=programme.description, description_en=programme.description_en, entity=programme.entity,
        domain_slugs=programme.domains.offered().values_list("slug", flat=True),
    )
    for name_ in ["mentee_min_level", "mentor_max_level", "exclude_subtree", "exclude_peers", "min_level_gap",
                  "require_shared_language", "require_training"]:
        setattr(copy, name_, getattr(programme, name_))
    copy.copied_from = programme
    copy.save()
    Objective.objects.bulk_create(
        Objective(programme=copy, title=o.title, title_en=o.title_en, kpi=o.kpi, target=o.target, order=o.order)
        for o in programme.objectives.all()
    )
    ProgrammeSponsor.objects.bulk_create(
        ProgrammeSponsor(programme=copy, user_id=s.user_id, message=s.message, message_en=s.message_en)
        for s in programme.sponsors.all()
    )
    copy.concern_contacts.set(programme.concern_contacts.filter(is_active=True))
    TrainingModule.objects.bulk_create(
        TrainingModule(programme=copy, audience=m.audience, title=m.title, title_en=m.title_en, content=m.content,
                       content_en=m.content_en, link=m.link, duration_minutes=m.duration_minutes, order=m.order)
        for m in programme.training_modules.all()
    )
    charter = programme.current_charter()
    if charter:
        Charter.objects.filter(programme=copy).update(text=charter.text, text_en=charter.text_en)
    shift = start_date - programme.start_date
    copy.milestones.all().delete()
    Milestone.objects.bulk_create(
        Milestone(programme=copy, kind=m.kind, title=m.title, title_en=m.title_en, date=min(max(m.date + shift, copy.start_date), copy.end_date))
        for m in programme.milestones.all()
    )
    details: dict = {"from": programme.slug}
    for hook in COPY_HOOKS:
        details.update(hook(programme, copy) or {})
    audit_log(actor=actor, action="programme.copy", target=copy.slug, details=details)
    return copy


@transaction.atomic
def charter_publish(*, actor: User, programme: Programme, text: str, text_en: str | None = None) -> Charter:
    """A new charter version if either text changed (``text`` in French, ``text_en`` in English; one
    of them may be empty, not both). Volunteers who accepted an earlier version keep that record;
    new applications and edits accept the new one, in both languages. ``text_en`` not given: the
    current English text stays with an unchanged French text, and goes with a changed one (it would
    no longer say the same)."""
    current = programme.current_charter()
    if text_en is None:
        text_en = current.text_en if current and current.text.strip() == text.strip() else ""
    text, text_en = text.strip(), text_en.strip()
    if not text and not text_en:
        raise ProgrammeError(_("The charter cannot be empty: write it in French, in English or in both."), "text")
    if current and (current.text.strip(), current.text_en.strip()) == (text, text_en):
        return current
    charter = Charter.objects.create(
        programme=programme, version=(current.version + 1) if current else 1, text=text, text_en=text_en, created_by=actor
    )
    audit_log(actor=actor, action="programme.charter", target=programme.slug, details={"version": charter.version})
    return charter


@transaction.atomic
def programme_set_concern_contacts(*, actor: User, programme: Programme, users: Iterable[User]) -> list[User]:
    """Name the HR people a junior's concern goes to (the only ones to read it). Refuses someone
    who cannot log in and anyone who takes part in the programme (a senior must never be the one
    reading a concern about a senior). Audited with the users' ids; nothing changes when refused."""
    users = list(dict.fromkeys(users))
    for user in users:
        if not user.is_active:
            raise ProgrammeError(_("%(name)s cannot log in any more.") % {"name": user}, "concern_contacts")
    participants = set(Application.objects.filter(programme=programme, employee__user__in=users)
                       .values_list("employee__user", flat=True))
    for user in users:
        if user.pk in participants:
            raise ProgrammeError(_("%(name)s takes part in the programme and cannot receive concerns.") % {"name": user},
                                 "concern_contacts")
    before = set(programme.concern_contacts.values_list("pk", flat=True))
    after = {user.pk for user in users}
    if before != after:
        programme.concern_contacts.set(users)
        audit_log(actor=actor, action="programme.concern_contacts", target=programme.slug,
                  details={"added": sorted(after - before), "removed": sorted(before - after)})
    return users


@transaction.atomic
def sponsor_add(*, actor: User, programme: Programme, user: User, message: str = "", message_en: str = "") -> ProgrammeSponsor:
    """``message`` in French, ``message_en`` in English; either or both may be empty."""
    if not user.is_active:
        raise ProgrammeError(_("This person cannot log in any more and cannot sponsor a programme."), "user")
    sponsor, created = ProgrammeSponsor.objects.get_or_create(
        programme=programme, user=user, defaults={"message": message.strip(), "message_en": message_en.strip()})
    if not created:
        raise ProgrammeError(_("%(name)s already sponsors this programme.") % {"name": user}, "user")
    audit_log(actor=actor, action="programme.sponsor.add", target=programme.slug, details={"user": user.pk})
    return sponsor


@transaction.atomic
def sponsor_remove(*, actor: User, sponsor: ProgrammeSponsor) -> None:
    audit_log(actor=actor, action="programme.sponsor.remove", target=sponsor.programme.slug, details={"user": sponsor.user_id})
    sponsor.delete()


def sponsor_set_message(*, sponsor: ProgrammeSponsor, message: str, message_en: str | None = None) -> ProgrammeSponsor:
    """The sponsor's message in French and in English; either or both may be empty. ``message_en``
    not given: the English message stays with an unchanged French one, and goes with a changed one."""
    if message_en is None:
        message_en = sponsor.message_en if sponsor.message.strip() == message.strip() else ""
    sponsor.message, sponsor.message_en = message.strip(), message_en.strip()
    sponsor.save(update_fields=["message", "message_en"])
    return sponsor


# --- Applications ---------------------------------------------------------------------------

@dataclass
class ApplicationData:
    """What a volunteer declares. ``domains`` maps a domain slug to a level (mentor) or a priority (mentee)."""

    domains: dict[str, int]
    availability: list[str]
    format: str
    languages: list[str]
    capacity: int = 1
    motivation: str = ""
    desired_outcome: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)


def eligibility_errors(*, programme: Programme, employee: Employee, role: str, today: datetime.date | None = None) -> list[str]:
    """Why this person may not apply in this role (empty list: they may)."""
    today = today or timezone.localdate()
    errors = []
    if employee.has_left(today):
        errors.append(_("%(name)s has left the company.") % {"name": employee.full_name})
    if role == Role.MENTEE and programme.mentee_min_level is not None and employee.job_level < programme.mentee_min_level:
        errors.append(_("Mentees of this programme are at job level %(min)s or above (yours: %(level)s).")
                      % {"min": programme.mentee_min_level, "level": employee.job_level})
    if role == Role.MENTOR and programme.mentor_max_level is not None and employee.job_level > programme.mentor_max_level:
        errors.append(_("Mentors of this programme are at job level %(max)s or below (yours: %(level)s).")
                      % {"max": programme.mentor_max_level, "level": employee.job_level})
    if employee.pk and programme.sponsors.filter(user__employee=employee).exists():
        errors.append(_("Sponsors of the programme do not take part as mentor or mentee."))
    return errors


def _check_data(programme: Programme, role: str, data: ApplicationData, kept: frozenset[int] = frozenset()
                ) -> dict[str, LearningDomain]:
    """``kept``: ids of the domains the application already has, which it keeps even once retired."""
    offered = {d.slug: d for d in programme.domains.all() if not d.is_retired or d.pk in kept}
    if not data.domains:
        raise ProgrammeError(_("Choose at least one learning domain."), "domains")
    for slug, weight in data.domains.items():
        if slug not in offered:
            raise ProgrammeError(_("The domain “%(slug)s” is not offered by this programme.") % {"slug": slug}, "domains")
        if weight not in (1, 2, 3):
            raise ProgrammeError(_("Levels and priorities go from 1 to 3."), "domains")
    if not data.availability:
        raise ProgrammeError(_("Choose at least one weekly slot."), "availability")
    bad = [slot for slot in data.availability if slot not in SLOTS]
    if bad:
        raise ProgrammeError(_("Unknown slot(s): %(slots)s.") % {"slots": ", ".join(bad)}, "availability")
    if data.format not in Application.Format.values:
        raise ProgrammeError(_("Choose on site, remote or either."), "format")
    if not data.languages:
        raise ProgrammeError(_("Choose at least one language."), "languages")
    if role == Role.MENTOR and data.capacity not in (1, 2):
        raise ProgrammeError(_("A mentor takes 1 or 2 mentees."), "capacity")
    return offered


def _write_domains(application: Application, data: ApplicationData, offered: dict[str, LearningDomain]) -> None:
    application.domain_items.all().delete()
    ApplicationDomain.objects.bulk_create(
        ApplicationDomain(application=application, domain=offered[slug], weight=weight) for slug, weight in sorted(data.domains.items())
    )


@transaction.atomic
def application_submit(*, employee: Employee, programme: Programme, role: str, data: ApplicationData,
                       charter_accepted: bool, source: str = Application.Source.FORM,
                       status: str = Application.Status.SUBMITTED, actor: User | None = None) -> Application:
    """A volunteer applies (only themselves: callers pass the logged-in user's employee).

    Refused when enrolment is not open, when the person already has an application in this
    programme (a withdrawn one is reopened instead), when not eligible, or when the charter is not
    accepted. A junior mentor's line manager is asked by e-mail to acknowledge the time released.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)  # its state as it is now
    if programme.status != Programme.Status.ENROLMENT and source == Application.Source.FORM:
        raise ProgrammeError(_("Enrolment is not open for this programme."))
    if role not in Role.values:
        raise ProgrammeError(_("Apply as mentor or as mentee."), "role")
    errors = eligibility_errors(programme=programme, employee=employee, role=role)
    if errors:
        raise ProgrammeError(errors[0])
    if not charter_accepted:
        raise ProgrammeError(_("Accept the participation charter to apply."), "accept_charter")
    offered = _check_data(programme, role, data)
    existing = Application.objects.select_for_update().filter(programme=programme, employee=employee).first()
    if existing and existing.status != Application.Status.WITHDRAWN:
        raise ProgrammeError(_("You have already applied to this programme (as %(role)s).") % {"role": existing.get_role_display()})
    application = existing or Application(programme=programme, employee=employee)
    now = timezone.now()
    application.role = role
    application.status = status
    application.availability = sorted(set(data.availability), key=SLOTS.index)
    application.format = data.format
    application.languages = list(dict.fromkeys(data.languages))
    application.capacity = data.capacity if role == Role.MENTOR else 1
    application.motivation = data.motivation.strip()
    application.desired_outcome = data.desired_outcome.strip()
    application.charter = programme.current_charter()
    application.charter_accepted_at = now
    application.source = source
    application.submitted_at = now
    application.withdrawn_at = None
    application.reviewed_at = now if status != Application.Status.SUBMITTED else None
    application.reviewed_by = actor if status != Application.Status.SUBMITTED else None
    application.save()
    _write_domains(application, data, offered)
    if role == Role.MENTOR:
        manager_ack_request(application=application)
    if source == Application.Source.FORM:  # the person applied themselves (an import is not their act)
        from programmes.notifications import notify_application_received

        notify_application_received(application)
    return application


@transaction.atomic
def application_update(*, application: Application, data: ApplicationData, charter_accepted: bool) -> Application:
    """The volunteer edits their application until it is reviewed; the current charter is re-accepted."""
    application = Application.objects.select_for_update().select_related("programme").get(pk=application.pk)
    if not application.editable:
        raise ProgrammeError(_("This application has been reviewed and can no longer be changed."))
    if not charter_accepted:
        raise ProgrammeError(_("Accept the participation charter to apply."), "accept_charter")
    kept = frozenset(application.domain_items.values_list("domain_id", flat=True))
    offered = _check_data(application.programme, application.role, data, kept)
    application.availability = sorted(set(data.availability), key=SLOTS.index)
    application.format = data.format
    application.languages = list(dict.fromkeys(data.languages))
    application.capacity = data.capacity if application.role == Role.MENTOR else 1
    application.motivation = data.motivation.strip()
    application.desired_outcome = data.desired_outcome.strip()
    application.charter = application.programme.current_charter()
    application.charter_accepted_at = timezone.now()
    application.save()
    _write_domains(application, data, offered)
    return application


# Later apps register here to react to a withdrawal (the pairing ends the pair).
WITHDRAW_HOOKS: list[Callable] = []


@transaction.atomic
def application_withdraw(*, application: Application) -> Application:
    """The volunteer withdraws, at any time: participation is voluntary."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status == Application.Status.WITHDRAWN:
        raise ProgrammeError(_("This application is already withdrawn."))
    application.status = Application.Status.WITHDRAWN
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    for hook in WITHDRAW_HOOKS:
        hook(application)
    return application


REVIEW_DECISIONS = {
    "approve": Application.Status.APPROVED,
    "waitlist": Application.Status.WAITLISTED,
    "decline": Application.Status.DECLINED,
}


@transaction.atomic
def application_review(*, actor: User, application: Application, decision: str, message: str = "") -> Application:
    """Approve, wait-list or decline. A withdrawn application cannot be reviewed; an approved one
    can be taken back only while nothing later (a pair) depends on it."""
    if decision not in REVIEW_DECISIONS:
        raise ProgrammeError(_("Unknown decision."), "decision")
    application = Application.objects.select_for_update().select_related("programme", "employee").get(pk=application.pk)
    if application.status == Application.Status.WITHDRAWN:
        raise ProgrammeError(_("%(name)s has withdrawn.") % {"name": application.employee.full_name})
    if application.programme.status in (Programme.Status.DRAFT, Programme.Status.CLOSED):
        raise ProgrammeError(_("Applications are reviewed while enrolment or pairing is open."))
    new_status = REVIEW_DECISIONS[decision]
    if application.status == Application.Status.APPROVED and new_status != Application.Status.APPROVED:
        for guard in UNAPPROVE_GUARDS:
            reason = guard(application)
            if reason:
                raise ProgrammeError(reason)
    previous = application.status
    application.status = new_status
    application.review_message = message.strip()
    application.reviewed_at = timezone.now()
    application.reviewed_by = actor
    application.save(update_fields=["status", "review_message", "reviewed_at", "reviewed_by", "updated_at"])
    if application.employee.user_id:
        # The decision's moment is part of its identity: approved again after a wait-list is news.
        outbox.notify(kind="application_status", object_key=f"application:{application.pk}:{new_status}",
                      recipient=application.employee.user, due_at=application.reviewed_at)
    audit_log(actor=actor, action=f"application.{decision}", target=f"{application.programme.slug}/{application.employee.employee_id}",
              details={"from": previous, "to": new_status})
    return application


def applications_review_bulk(*, actor: User, applications: Iterable[Application], decision: str, message: str = ""):
    """Review several at once; each is decided on its own. Returns (done, [(application, reason)])."""
    done, refused = [], []
    for application in applications:
        try:
            done.append(application_review(actor=actor, application=application, decision=decision, message=message))
        except ProgrammeError as exc:
            refused.append((application, exc.message))
    return done, refused


def manager_ack_request(*, application: Application) -> ManagerAcknowledgement | None:
    """Ask the junior mentor's line manager to acknowledge the time released (once per application),
    by e-mail through the outbox."""
    manager = application.employee.manager
    if application.role != Role.MENTOR or manager is None:
        return None
    ack, created = ManagerAcknowledgement.objects.get_or_create(application=application, defaults={"manager": manager})
    if created and manager.user_id:
        outbox.notify(kind="manager_ack_request", object_key=f"ack:{ack.pk}", recipient=manager.user)
    return ack


def manager_acknowledge(*, token: str) -> ManagerAcknowledgement:
    ack = ManagerAcknowledgement.objects.select_related("application__employee").filter(token=token).first()
    if ack is None:
        raise ProgrammeError(_("This link is not valid."))
    if ack.acknowledged_at is None:
        ack.acknowledged_at = timezone.now()
        ack.save(update_fields=["acknowledged_at"])
    return ack


# --- Training -------------------------------------------------------------------------------

def training_complete(*, module: TrainingModule, employee: Employee, recorded_by: User) -> TrainingCompletion:
    completion, _created = TrainingCompletion.objects.get_or_create(
        module=module, employee=employee, defaults={"recorded_by": recorded_by}
    )
    return completion


def training_undo(*, module: TrainingModule, employee: Employee) -> None:
    TrainingCompletion.objects.filter(module=module, employee=employee).delete()


def ensure_default_domains() -> None:
    """The default catalogue exists (a migration creates it; a flushed database may have lost it)."""
    if LearningDomain.objects.filter(is_default=True).count() < len(DEFAULT_DOMAINS):
        for slug, name_fr, name_en in DEFAULT_DOMAINS:
            LearningDomain.objects.get_or_create(slug=slug, defaults={"name_fr": name_fr, "name_en": name_en, "is_default": True})


# --- Learning domains (the catalogue) ------------------------------------------------------------

def _domain_names(name_fr: str, name_en: str) -> tuple[str, str]:
    name_fr, name_en = name_fr.strip(), name_en.strip()
    if not name_fr:
        raise ProgrammeError(_("Give the domain a French name."), "name_fr")
    if not name_en:
        raise ProgrammeError(_("Give the domain an English name."), "name_en")
    return name_fr, name_en


def _domain_refuse_taken(slug: str) -> None:
    taken = LearningDomain.objects.filter(slug__iexact=slug).first()
    if taken is not None:
        raise ProgrammeError(_("The code “%(slug)s” is already in the catalogue (%(name)s).") % {"slug": slug, "name": taken.name},
                             "slug")


@transaction.atomic
def domain_create(*, actor: User | None, slug: str, name_fr: str, name_en: str) -> LearningDomain:
    """A new domain in the catalogue, offered at once to new programmes. The code is kept in lower
    case and never changes (imports, the API and ``create_programme`` name domains by it).

    Refuses a code already in the catalogue (in any case, retired ones included), a code that is
    not letters, digits and hyphens, and an empty name, naming the field.
    """
    slug = slug.strip().lower()
    if not slug:
        raise ProgrammeError(_("Give the domain a code."), "slug")
    _domain_refuse_taken(slug)
    name_fr, name_en = _domain_names(name_fr, name_en)
    domain = LearningDomain(slug=slug, name_fr=name_fr, name_en=name_en)
    _full_clean(domain)
    domain.save()
    audit_log(actor=actor, action="domain.create", target=domain.slug, details={"name_fr": name_fr, "name_en": name_en})
    return domain


@transaction.atomic
def domain_rename(*, actor: User, domain: LearningDomain, name_fr: str, name_en: str) -> LearningDomain:
    """Both names at once; the code stays. Every page shows the new names at once, on existing
    programmes too. Refuses an empty name, naming the field; the same names again change nothing
    and write no audit entry."""
    domain = LearningDomain.objects.select_for_update().get(pk=domain.pk)
    name_fr, name_en = _domain_names(name_fr, name_en)
    before = {"name_fr": domain.name_fr, "name_en": domain.name_en}
    after = {"name_fr": name_fr, "name_en": name_en}
    if before == after:
        return domain
    domain.name_fr, domain.name_en = name_fr, name_en
    _full_clean(domain)
    domain.save(update_fields=["name_fr", "name_en"])
    audit_log(actor=actor, action="domain.rename", target=domain.slug, details={"from": before, "to": after})
    return domain


@transaction.atomic
def domain_retire(*, actor: User, domain: LearningDomain, now: datetime.datetime | None = None) -> LearningDomain:
    """No longer offered to new programmes (their form, the default set, a copy) nor to new
    applications; programmes and applications that have it keep it, and figures still count it.
    Refuses a domain already retired."""
    domain = LearningDomain.objects.select_for_update().get(pk=domain.pk)
    if domain.is_retired:
        raise ProgrammeError(_("“%(name)s” is already retired.") % {"name": domain.name})
    domain.retired_at = now or timezone.now()
    domain.save(update_fields=["retired_at"])
    audit_log(actor=actor, action="domain.retire", target=domain.slug)
    return domain


@transaction.atomic
def domain_restore(*, actor: User, domain: LearningDomain) -> LearningDomain:
    """A retired domain is offered again. Refuses a domain that is not retired."""
    domain = LearningDomain.objects.select_for_update().get(pk=domain.pk)
    if not domain.is_retired:
        raise ProgrammeError(_("“%(name)s” is not retired.") % {"name": domain.name})
    domain.retired_at = None
    domain.save(update_fields=["retired_at"])
    audit_log(actor=actor, action="domain.restore", target=domain.slug)
    return domain


@transaction.atomic
def domains_ensure(*, actor: User | None, slugs: Iterable[str]) -> list[LearningDomain]:
    """Each code not yet in the catalogue is created, named after its code in both languages until a
    coordinator renames it; codes already there are left as they are (retired ones stay retired).
    Returns the domains created, in the order given. A malformed code is refused, naming ``domains``."""
    created = []
    for slug in dict.fromkeys(s.strip().lower() for s in slugs if s.strip()):
        if LearningDomain.objects.filter(slug=slug).exists():
            continue
        try:
            created.append(domain_create(actor=actor, slug=slug, name_fr=slug, name_en=slug))
        except ProgrammeError as exc:
            raise ProgrammeError(f"{slug}: {exc.message}", "domains") from None
    return created
