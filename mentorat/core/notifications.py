"""Messages of the core app about the account itself, sent through the outbox and rendered at
send time: a login change to confirm from the old address, a login that moved (told to the old
address), a password-reset link an administrator sent."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorat.core import outbox
from mentorat.core.models import PendingEmailChange


def _change(notification) -> PendingEmailChange | None:
    _name, _sep, pk = notification.object_key.partition(":")
    return PendingEmailChange.objects.select_related("user").filter(pk=pk, user_id=notification.recipient_id).first()


def render_change_requested(notification):
    from mentorat.core.services import email_change_confirm_path

    change = _change(notification)
    if change is None or not change.is_open:
        return None
    url = settings.SITE_URL + email_change_confirm_path(change)
    text = _(
        "Hello,\n\nThe company directory now gives %(new)s as your e-mail address. Your Mentorat login stays "
        "%(old)s until you confirm the change yourself, from this address:\n%(url)s\n\n"
        "If you did not expect this change, do not open the link: nothing changes, and please tell your HR "
        "contact. The link is valid for %(days)s days."
    ) % {"old": change.old_email, "new": change.new_email, "url": url, "days": settings.MENTORAT_EMAIL_CHANGE_DAYS}
    return outbox.Message(_("Mentorat: confirm the change of your login address"), text)


def render_changed(notification):
    change = _change(notification)
    if change is None or change.confirmed_at is None:
        return None
    text = _(
        "Hello,\n\nYour Mentorat login moved from %(old)s to %(new)s. From now on, log in and reset your password "
        "with the new address.\n\nIf you did not expect this, tell your HR contact at once."
    ) % {"old": change.old_email, "new": change.new_email}
    return outbox.Message(_("Mentorat: your login address changed"), text)


def old_address(notification) -> str | None:
    change = _change(notification)
    return change.old_email if change is not None else None


def render_reset_link(notification):
    user = notification.recipient
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    text = _(
        "Hello,\n\nAn administrator sent you this link to choose a new password for your Mentorat account "
        "%(email)s:\n%(url)s\n\nIf you did not ask for it, ignore this message: nothing changes."
    ) % {"email": user.email, "url": url}
    return outbox.Message(_("Mentorat: choose your password"), text)


KINDS = [
    outbox.Kind("login_email_change_requested", gettext_lazy("Confirm a change of my login address"), True,
                render_change_requested),
    outbox.Kind("login_email_changed", gettext_lazy("My login address changed (sent to the old address)"), True,
                render_changed, address=old_address),
    outbox.Kind("password_reset_link", gettext_lazy("A password link an administrator sent me"), True, render_reset_link,
                per_recipient=True),
]
