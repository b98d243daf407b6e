"""Site-wide roles, checked in one place. Per-programme roles (sponsor, mentor, mentee) are
decided by the programmes app's selectors.

A superuser is the technical administrator (the Django admin), not an HR role: being a superuser
does not make anyone a coordinator. An HR lead (``is_hr_lead``) coordinates every programme,
manages the directory and assigns roles; a coordinator (``is_coordinator``) runs only the
programmes they created or are assigned to, by programme or by entity
(``programmes.selectors.coordinated_programme_ids``). Neither ever reads a pair's notes or concerns
(those go to the members, and to the HR contacts a programme names for concerns)."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def is_coordinator(user) -> bool:
    """Coordinates at least something: an HR lead, or a coordinator (of their programmes only)."""
    return user.is_authenticated and user.is_active and (user.is_coordinator or user.is_hr_lead)


def is_hr_lead(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_hr_lead


def is_executive(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_executive or user.is_superuser)


def _require(check):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


coordinator_required = _require(is_coordinator)
hr_lead_required = _require(is_hr_lead)
executive_required = _require(lambda user: is_executive(user) or is_coordinator(user))
