"""Request-wide behaviour: deny by default, and each user's saved language."""

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
