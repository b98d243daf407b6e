from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The integrations' door: every call acts as the coordinator who created its token, narrowed
    by the token's scope, audited and rate limited. It sits above every other app and imports them."""

    name = "mentorat.api"
    label = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mentorat.api import authentication  # noqa: F401  (registers the OpenAPI security scheme)
        from mentorat.core.privacy import FIELDS, NotPersonal

        FIELDS.update({
            "api.ApiToken.name": NotPersonal("a label the coordinator gives an integration"),
            "api.ApiToken.prefix": NotPersonal("the random visible start of a token"),
            "api.ApiToken.digest": NotPersonal("a SHA-256 hash of a random secret"),
            "api.ApiToken.scope": NotPersonal("a scope code"),
        })
