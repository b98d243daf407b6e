"""API tokens: what an integration presents, stored as a hash with a short visible prefix."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A coordinator's token for one integration. The secret is shown once, at creation; only its
    SHA-256 is kept (``digest``), with the random ``prefix`` that finds the row and names the token
    on screen and in the audit trail. A call acts as ``created_by``, narrowed by ``scope``."""

    class Scope(models.TextChoices):
        READ = "read", _("read only")
        DIRECTORY = "directory", _("read, and write the directory")
        PROGRAMME = "programme", _("read, and write programmes, applications and pairs")

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
