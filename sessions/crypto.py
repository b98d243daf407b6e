"""Encryption at rest for private notes (Fernet: AES-128-CBC + HMAC), key from the settings.

A database dump shows only tokens; the key lives in the environment (``MENTORAT_NOTES_KEY``).
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    if not key:
        # Development only: derived from SECRET_KEY (settings refuse this when DEBUG is off).
        key = base64.urlsafe_b64encode(hashlib.sha256(("notes:" + settings.SECRET_KEY).encode()).digest()).decode()
    return Fernet(key.encode())


def fernet() -> Fernet:
    return _fernet(settings.MENTORAT_NOTES_KEY)


class EncryptedTextField(models.TextField):
    """Text stored encrypted; read back as plain text. Not searchable nor orderable, on purpose."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return fernet().encrypt(value.encode("utf-8")).decode("ascii")

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return fernet().decrypt(value.encode("ascii")).decode("utf-8")
