from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BinomesConfig(AppConfig):
    name = "binomes"
    verbose_name = _("Binomes")
