"""Who may log in and stay logged in: one spelling of an address for throttling, the leave date
on every path (login, password reset, every request, the nightly deactivation), and the
password-reset limits.

The leave date costs no query of its own: the backend fetches the user joined to its directory
record (``select_related("employee")``), the query Django runs on every request anyway.
"""

from __future__ import annotations

import datetime
import hashlib
import pickle

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorat.core import scopes
from mentorat.core.models import Employee, User
from mentorat.core.personal import prefetch_for

RESET_WINDOW_SECONDS = 60 * 60
AUTH_USER_TIMEOUT = 3600  # invalidated by the user's and the directory's scopes; the timeout only bounds a console edit


def normalise_login(value) -> str:
    """The one spelling of a login name: what ``UserManager.get_by_natural_key`` matches
    (``email__iexact`` of the stripped value), so that throttling counts every spelling as one."""
    return (value or "").strip().lower() if isinstance(value, str) else ""


def axes_username(request, credentials=None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised address, from the credentials or the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_login(credentials.get(field) or credentials.get("email"))
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_login(data.get(field))


def has_left(user, on: datetime.date | None = None) -> bool:
    """Whether the user's directory record has a leave date on or before ``on`` (today). A login
    without a directory record (a superuser) has not left. Reads ``user.employee`` as fetched."""
    try:
        employee = user.employee
    except Employee.DoesNotExist:
        return False
    return employee is not None and employee.has_left(on)


def present_users(on: datetime.date | None = None):
    """Active logins whose directory record (if any) has not left on ``on``."""
    on = on or timezone.localdate()
    return User.objects.filter(Q(employee__isnull=True) | Q(employee__leave_date__isnull=True)
                               | Q(employee__leave_date__gt=on), is_active=True)


def stamp_login(sender, request, user, **kwargs):
    """``user_logged_in``: the session starts its two clocks (``SessionGuardMiddleware``), saved
    with the login itself rather than by a write on the next request."""
    import time

    from mentorat.core.middleware import SessionGuardMiddleware

    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SessionGuardMiddleware.LOGIN_AT] = now
        session[SessionGuardMiddleware.SEEN] = now


class DirectoryModelBackend(ModelBackend):
    """Django's password backend, refusing anyone who has left, at login and on every request."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not has_left(user)

    def get_user(self, user_id):
        """The session's user with their directory record, on every request: cached under the user's
        scope and the directory's (``mentorat.core.scopes``; a password, flag or leave date changed
        touches them, so the next request reads the row again), as a pickle, so that each request
        gets its own copy. Whether they may still come in is decided afresh each time."""
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None

        def load() -> bytes:
            return pickle.dumps(User._default_manager.select_related("employee").filter(pk=pk).first())

        prefetch_for(pk)  # one round trip for the tokens of this request's values, the user's among them

        user = pickle.loads(scopes.cached("auth-user", (pk,), load, scopes=[("user", pk), ("directory",)],
                                          timeout=AUTH_USER_TIMEOUT))
        return user if user is not None and self.user_can_authenticate(user) else None


def accounts_deactivate_leavers(*, today: datetime.date | None = None) -> list[str]:
    """Deactivate the accounts whose employee's leave date is on or before ``today``; superusers
    are kept (the login and every request already refuse them once they have left, but turning
    off an administrator is left to a person). One audit entry per account, written by whoever
    flips it: a second run, or two workers at once, change and record nothing more."""
    from mentorat.core.services import audit_log

    today = today or timezone.localdate()
    candidates = (User.objects.filter(is_active=True, is_superuser=False, employee__leave_date__lte=today)
                  .values_list("pk", "email", "employee__leave_date"))
    done = []
    for pk, email, leave_date in candidates:
        with transaction.atomic():
            if User.objects.filter(pk=pk, is_active=True).update(is_active=False):
                audit_log(actor=None, action="account.deactivate_leaver", target=email,
                          details={"leave_date": leave_date.isoformat()})
                done.append(email)
    return done


def _count(key: str) -> int:
    """One more in a fixed window of ``RESET_WINDOW_SECONDS``; the new count."""
    if cache.add(key, 1, RESET_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, RESET_WINDOW_SECONDS)
        return 1


def password_reset_allowed(*, email: str, client_ip: str | None) -> bool:
    """Count one request for a reset link, per address (any spelling, existing or not: the answer
    never tells whether an account exists) and per client address. False when either is over
    its limit for the hour."""
    address = hashlib.sha256(normalise_login(email).encode()).hexdigest()
    by_address = _count(f"mentorat:reset:address:{address}")
    by_client = _count(f"mentorat:reset:client:{client_ip or 'unknown'}")
    return by_address <= settings.MENTORAT_RESET_PER_ADDRESS and by_client <= settings.MENTORAT_RESET_PER_CLIENT


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, limited per address and per client; the same 429 page either way."""

    def form_valid(self, form):
        from axes.helpers import get_client_ip_address

        if not password_reset_allowed(email=form.cleaned_data["email"], client_ip=get_client_ip_address(self.request)):
            form.add_error(None, _("Too many requests for a password link. Try again in an hour."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class UnlockingPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the e-mailed link also lifts a login lock on the account:
    whoever holds the mailbox could reset the password anyway."""

    def form_valid(self, form):
        from mentorat.core.services import login_unlock

        response = super().form_valid(form)
        login_unlock(actor=None, email=form.user.email)
        return response
