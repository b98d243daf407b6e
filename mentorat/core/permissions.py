"""Site-wide roles, checked in one place. Per-programme roles (sponsor, mentor, mentee) are
decided by the programmes app's selectors.

A superuser is the technical administrator (the Django admin), not an HR role: being a superuser
does not make anyone a coordinator. Coordinators are those with the ``is_coordinator`` flag, and
even they never read a pair's notes or concerns (those go to the members, and to the HR contacts
a programme names for concerns)."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def is_coordinator(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_coordinator


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
executive_required = _require(lambda user: is_executive(user) or is_coordinator(user))
