from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from mentorat.core.models import Department, Site, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The old password is checked at most ``AXES_FAILURE_LIMIT`` times an hour per account: a
    session left open on a shared computer must not let anyone guess the password behind it."""

    WINDOW_SECONDS = 60 * 60

    def clean_old_password(self):
        from django.core.cache import cache

        key = f"mentorat:password-change-failures:{self.user.pk}"
        if (cache.get(key) or 0) >= settings.AXES_FAILURE_LIMIT:
            raise forms.ValidationError(_("Too many wrong passwords: try again in an hour."), code="throttled")
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            if not cache.add(key, 1, self.WINDOW_SECONDS):
                try:
                    cache.incr(key)
                except ValueError:  # expired in between
                    cache.add(key, 1, self.WINDOW_SECONDS)
            raise


class AnyAccountPasswordResetForm(PasswordResetForm):
    """Also lets an imported employee who never had a password set one: the first log-in. Nobody
    whose leave date has come gets a link (the page says the same as for an unknown address)."""

    def get_users(self, email):
        from mentorat.core.auth import present_users

        return present_users().filter(email__iexact=email.strip())

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        """In the person's saved language (not the browser's that asked), with text and HTML parts,
        the outbox's headers, and a link built from ``SITE_URL`` (never the request's Host header)."""
        from django.template.loader import render_to_string
        from django.urls import reverse
        from django.utils import translation

        from mentorat.core import outbox

        user = context["user"]
        context = {**context, "reset_url": settings.SITE_URL + reverse(
            "password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})}
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            message = outbox.Message(subject, render_to_string(email_template_name, context).strip())
            email = outbox.build_email(message, user=user, to=to_email)
        email.send()


class DirectoryImportForm(forms.Form):
    file = forms.FileField(label=_("HRIS export (CSV or XLSX)"))
    mark_missing_as_left = forms.BooleanField(
        label=_("This file is the whole directory: mark employees missing from it as left"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MENTORAT_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB.") % {"max": settings.MENTORAT_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Everyone")), ("present", _("Present")), ("left", _("Left"))],
    )


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "timezone"]

    def clean_timezone(self):
        import zoneinfo

        value = self.cleaned_data["timezone"].strip()
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise forms.ValidationError(_("“%(value)s” is not a known time zone (e.g. Europe/Paris).") % {"value": value}) from None
        return value
