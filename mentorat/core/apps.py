from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """People directory, org chart, accounts and site-wide roles: what every other app uses."""

    name = "mentorat.core"
    label = "core"
    verbose_name = _("Directory")

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from mentorat.core import navigation, outbox, scopes
        from mentorat.core import notifications as core_notifications

        navigation.register(navigation.core_items)
        scopes.connect_models()
        for kind in core_notifications.KINDS:
            outbox.register(kind)
        from django.contrib.auth.signals import user_logged_in

        from mentorat.core.auth import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="mentorat-stamp-login")
        post_save.connect(audit_admin_action, sender=LogEntry, dispatch_uid="mentorat-audit-admin")


def audit_admin_action(sender, instance, created, **kwargs):
    """Admin changes join the audit trail: who, what kind of object, which one, which fields
    (Django's change message names fields only, never their values)."""
    if not created:
        return
    from mentorat.core.services import audit_log

    verb = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "other")
    model = instance.content_type.model if instance.content_type_id else "object"
    audit_log(actor=instance.user, action=f"admin.{verb}", target=f"{model}:{instance.object_id}",
              details={"object": instance.object_repr[:120], "change": instance.get_change_message()[:300]})


class MentoratAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "mentorat.core.admin_site.MentoratAdminSite"
