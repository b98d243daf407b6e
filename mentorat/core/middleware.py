"""Request-wide behaviour: deny by default, each user's saved language, session lifetimes and
leavers, and no-store on every response Django builds."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.utils import timezone, translation


class LoginRequiredByDefaultMiddleware(LoginRequiredMiddleware):
    """Django's deny-by-default middleware: every view needs a login unless marked
    ``@login_not_required`` (login, password reset, health, language switch)."""


class UserLanguageMiddleware:
    """A logged-in user sees the site in their saved language, and times in their time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.timezone:
                timezone.activate(user.timezone)  # validated when saved
            else:
                timezone.deactivate()
        return self.get_response(request)


class SessionGuardMiddleware:
    """Ends a login session that has gone idle (``MENTORAT_IDLE_MINUTES``), outlived its absolute
    lifetime (``MENTORAT_SESSION_HOURS``) or belongs to someone whose leave date has come.

    The two times live in the session itself; the last-seen time is rewritten at most once a
    minute, so a busy user does not cost a session write per request. The leave date comes with
    the user (``auth.DirectoryModelBackend`` joins the directory record): no query of its own.
    After ``MessageMiddleware``, so the login page can say why.
    """

    SEEN, LOGIN_AT = "mentorat_seen", "mentorat_login_at"
    SEEN_RESOLUTION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import SESSION_KEY

        user = getattr(request, "user", None)
        if user is None:
            return self.get_response(request)
        if user.is_authenticated:
            reason = self.reason_to_end(request)
        elif SESSION_KEY in request.session:
            # The backend refused the session's user (left, deactivated, deleted, or a backend that is
            # no longer configured): end the session for good.
            from django.utils.translation import gettext as _

            reason = _("Your session has ended. Please log in again.")
        else:
            reason = None
        if reason:
            from django.contrib import messages
            from django.contrib.auth import logout

            logout(request)
            messages.info(request, reason)
        return self.get_response(request)

    def reason_to_end(self, request):
        import time

        from django.conf import settings
        from django.utils.translation import gettext as _

        from mentorat.core.auth import has_left

        now = time.time()
        session = request.session
        if not request.user.is_active or has_left(request.user):  # whatever backend let them in
            return _("Your session has ended: your account is no longer open.")
        login_at, seen = session.get(self.LOGIN_AT), session.get(self.SEEN)
        if not isinstance(login_at, int | float) or not isinstance(seen, int | float):
            # First request after logging in (or a session from before these checks).
            session[self.LOGIN_AT] = login_at if isinstance(login_at, int | float) else now
            session[self.SEEN] = now
            return None
        if now - seen > settings.MENTORAT_IDLE_MINUTES * 60:
            return _("You were logged out after %(minutes)s minutes without activity.") % {
                "minutes": settings.MENTORAT_IDLE_MINUTES}
        if now - login_at > settings.MENTORAT_SESSION_HOURS * 3600:
            return _("You were logged out: a session lasts at most %(hours)s hours. Please log in again.") % {
                "hours": settings.MENTORAT_SESSION_HOURS}
        if now - seen >= self.SEEN_RESOLUTION_SECONDS:
            session[self.SEEN] = now
        return None


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response Django builds: pages of logged-in
    users, exports, invitations and the calendar feed (authenticated by a token in its URL, so
    anonymous to Django). Static files never get here (WhiteNoise answers them first). A
    response that already says ``no-store`` keeps its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store, private"
        return response
