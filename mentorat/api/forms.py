from django import forms
from django.utils.translation import gettext_lazy as _

from mentorat.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("The integration that will use it, e.g. “HRIS nightly sync”."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
