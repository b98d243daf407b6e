from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """Our mentoring sessions. The label avoids a clash with ``django.contrib.sessions``."""

    name = "sessions"
    label = "mentoring_sessions"
    verbose_name = _("Sessions")
