"""Who holds which role, and the HR lead's changes to it (the roles page).

Site-wide roles are flags on the user (coordinator, HR lead, executive); a coordinator's reach is
their ``CoordinatorAssignment`` rows (a programme, or an entity's programmes) plus the programmes
they created. Per-programme roles (sponsor, HR contact for concerns) are set on each programme's
pages, which an HR lead may open for every programme; this page lists them all. Every change is
made by an HR lead and audited; the last HR lead cannot be removed (nobody could assign roles)."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from mentorat.core.errors import ServiceError
from mentorat.core.models import Department, User
from mentorat.core.permissions import is_hr_lead
from mentorat.core.services import audit_log
from programmes.models import CoordinatorAssignment, Programme, ProgrammeSponsor

# The site-wide roles an HR lead grants: the user's flag for each.
SITE_ROLES = {"coordinator": "is_coordinator", "hr_lead": "is_hr_lead", "executive": "is_executive"}
SITE_ROLE_LABELS = {"coordinator": _("coordinator"), "hr_lead": _("HR lead"), "executive": _("executive")}


class RoleError(ServiceError):
    pass


def _require_hr_lead(actor: User) -> None:
    if not is_hr_lead(actor):
        raise RoleError(_("Only HR leads assign roles."))


# --- Reads ------------------------------------------------------------------------------------------

def role_holders() -> list[User]:
    """Everyone holding a site-wide role or a per-programme one, with their assignments,
    sponsorships and concern programmes: four queries, whatever their number."""
    with_role = (Q(is_coordinator=True) | Q(is_hr_lead=True) | Q(is_executive=True) | Q(sponsorships__isnull=False)
                 | Q(concern_programmes__isnull=False) | Q(coordinator_assignments__isnull=False))
    ids = User.objects.filter(with_role).values("pk")
    return list(
        User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "email")
        .prefetch_related(
            Prefetch("coordinator_assignments",
                     queryset=CoordinatorAssignment.objects.select_related("programme", "department").order_by("pk")),
            Prefetch("sponsorships", queryset=ProgrammeSponsor.objects.select_related("programme").order_by("programme__name")),
            Prefetch("concern_programmes", queryset=Programme.objects.order_by("name").only("pk", "name", "slug")),
        )
    )


# --- Writes -----------------------------------------------------------------------------------------

@transaction.atomic
def role_grant(*, actor: User, user: User, role: str) -> bool:
    """Give a site-wide role; False when the person already had it (nothing changes)."""
    _require_hr_lead(actor)
    if role not in SITE_ROLES:
        raise RoleError(_("Choose a role."), "role")
    if not user.is_active:
        raise RoleError(_("This person cannot log in any more."), "email")
    user = User.objects.select_for_update().get(pk=user.pk)
    if getattr(user, SITE_ROLES[role]):
        return False
    setattr(user, SITE_ROLES[role], True)
    user.save(update_fields=[SITE_ROLES[role]])
    audit_log(actor=actor, action="role.grant", target=f"user:{user.pk}", details={"role": role})
    return True


@transaction.atomic
def role_revoke(*, actor: User, user: User, role: str) -> bool:
    """Take a site-wide role back; False when the person did not have it. The last active HR lead
    stays (without one, nobody could assign roles any more)."""
    _require_hr_lead(actor)
    if role not in SITE_ROLES:
        raise RoleError(_("Choose a role."), "role")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not getattr(user, SITE_ROLES[role]):
        return False
    if role == "hr_lead":
        others = User.objects.select_for_update().filter(is_hr_lead=True, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            raise RoleError(_("%(name)s is the last HR lead: name another one first.") % {"name": user}, "role")
    setattr(user, SITE_ROLES[role], False)
    user.save(update_fields=[SITE_ROLES[role]])
    audit_log(actor=actor, action="role.revoke", target=f"user:{user.pk}", details={"role": role})
    return True


@transaction.atomic
def coordinator_assign(*, actor: User, user: User, programme: Programme | None = None,
                       department: Department | None = None) -> CoordinatorAssignment:
    """Make someone a coordinator of one programme, or of every programme of an entity (a
    department, today's and tomorrow's programmes). Gives them the coordinator role if needed."""
    _require_hr_lead(actor)
    if (programme is None) == (department is None):
        raise RoleError(_("Choose a programme or an entity, not both."), "programme")
    if not user.is_active:
        raise RoleError(_("This person cannot log in any more."), "email")
    target = {"programme": programme} if programme is not None else {"department": department}
    if CoordinatorAssignment.objects.filter(user=user, **target).exists():
        raise RoleError(_("%(name)s already coordinates %(what)s.") % {"name": user, "what": programme or department},
                        "programme" if programme is not None else "department")
    assignment = CoordinatorAssignment.objects.create(user=user, granted_by=actor, **target)
    if not user.is_coordinator:
        role_grant(actor=actor, user=user, role="coordinator")
    audit_log(actor=actor, action="role.assign", target=f"user:{user.pk}",
              details={"programme": programme.slug} if programme is not None else {"entity": department.name})
    return assignment


@transaction.atomic
def coordinator_unassign(*, actor: User, assignment: CoordinatorAssignment) -> None:
    _require_hr_lead(actor)
    details = ({"programme": assignment.programme.slug} if assignment.programme_id
               else {"entity": assignment.department.name})
    audit_log(actor=actor, action="role.unassign", target=f"user:{assignment.user_id}", details=details)
    assignment.delete()


# --- Forms ------------------------------------------------------------------------------------------

class PersonField(forms.EmailField):
    """An account by its e-mail address, with a message naming the problem."""

    def clean(self, value):
        email = super().clean(value)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Nobody has an account with the e-mail address %(email)s.") % {"email": email})
        if not user.is_active:
            raise forms.ValidationError(_("%(email)s cannot log in any more.") % {"email": email})
        return user


class RoleGrantForm(forms.Form):
    email = PersonField(label=_("Person's e-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=list(SITE_ROLE_LABELS.items()))


class AssignmentForm(forms.Form):
    email = PersonField(label=_("Coordinator's e-mail address"))
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.order_by("-start_date", "name"),
                                       required=False)
    department = forms.ModelChoiceField(label=_("or every programme of the entity"), queryset=Department.objects.all(),
                                        required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and (data.get("programme") is None) == (data.get("department") is None):
            self.add_error("programme", _("Choose a programme or an entity, not both."))
        return data
