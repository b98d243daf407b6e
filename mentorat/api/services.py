"""Writes of the API app: tokens (created and revoked by coordinators, audited), their use, and
the conversion of JSON lists into the importers' CSV so that one code path checks both."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorat.api.models import ApiToken
from mentorat.core.errors import ServiceError
from mentorat.core.models import User
from mentorat.core.permissions import is_coordinator, is_hr_lead
from mentorat.core.services import audit_log

TOKEN_PREFIX = "mnt"
# ``last_used_at`` is rewritten at most this often: a busy integration costs no write per call.
LAST_USED_RESOLUTION_SECONDS = 60


class TokenError(ServiceError):
    pass


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """``(prefix, raw)`` of a well-formed ``mnt_<prefix>_<secret>``, or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not re.fullmatch(r"[0-9a-f]{8}", parts[1]) or len(parts[2]) < 20:
        return None
    return parts[1], raw


@transaction.atomic
def api_token_create(*, actor: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token for an integration, and its secret (shown once, never stored: only its hash).

    Coordinators only; refuses an empty name and an unknown scope, naming the field."""
    if not is_coordinator(actor):
        raise TokenError(_("Only coordinators create API tokens."))
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name (the integration that will use it)."), "name")
    if scope not in ApiToken.Scope.values:
        raise TokenError(_("Choose a scope."), "scope")
    if scope == ApiToken.Scope.DIRECTORY and not is_hr_lead(actor):
        raise TokenError(_("Only HR leads create tokens that write the directory."), "scope")
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(name=name[:100], prefix=prefix, digest=token_digest(raw), scope=scope, created_by=actor)
    audit_log(actor=actor, action="api_token.create", target=f"token:{prefix}", details={"scope": scope, "name": token.name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke at once: the next call with it answers 401. Revoking twice changes nothing."""
    if not is_coordinator(actor):
        raise TokenError(_("Only coordinators revoke API tokens."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(actor=actor, action="api_token.revoke", target=f"token:{token.prefix}")
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token this secret belongs to (its creator loaded), or None; stamps ``last_used_at``."""
    parsed = split_token(raw)
    if parsed is None:
        return None
    prefix, raw = parsed
    token = ApiToken.objects.select_related("created_by__employee").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, token_digest(raw)) or token.revoked_at is not None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- JSON lists through the CSV importers ----------------------------------------------------

class RowsError(ValueError):
    """A JSON list that cannot become rows; ``errors`` are ``index N: …``."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def json_rows_to_csv(items, allowed: list[str], *, escape: bool) -> bytes:
    """A JSON list of objects as the CSV an importer reads: header on line 1, item ``i`` on line
    ``i + 2`` (``index_errors`` maps back). Lists become ``a|b``, ``{"slug": 3}`` becomes ``slug:3``.

    The columns are the fields the items give, and every item must give the same ones: a field
    left out of one item would otherwise be emptied (a column applies to every line of a file).
    Refuses (``RowsError``) what CSV could not carry line for line: non-objects, nested values, line breaks
    (and every control or invisible character, as the importers do).
    ``escape``: quote formula-like texts as the directory export does (the directory import strips it)."""
    from mentorat.core.csv import escape_cell
    from mentorat.core.directory_file import unsafe_character

    errors = []
    if not isinstance(items, list):
        raise RowsError([_("index 0: the body must be a JSON list of objects.")])
    if not items:
        raise RowsError([_("index 0: the list is empty.")])
    given = set().union(*(item for item in items if isinstance(item, dict)))
    columns = [name for name in allowed if name in given]
    for index, item in enumerate(items):
        if isinstance(item, dict) and set(columns) - set(item):
            errors.append(_("index %(index)s: missing field(s) that other items give: %(fields)s (give every item the same fields).")
                          % {"index": index, "fields": ", ".join(name for name in columns if name not in item)})
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(_("index %(index)s: expected an object.") % {"index": index})
            continue
        unknown = sorted(set(item) - set(allowed))
        if unknown:
            errors.append(_("index %(index)s: unknown field(s): %(fields)s.") % {"index": index, "fields": ", ".join(unknown)})
        cells = []
        for column in columns:
            value = item.get(column)
            if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
                value = "|".join(str(v) for v in value)
            elif isinstance(value, dict) and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
                value = "|".join(f"{k}:{v}" for k, v in value.items())
            elif value is None:
                value = ""
            elif isinstance(value, bool) or not isinstance(value, str | int | float):
                errors.append(_("index %(index)s: %(field)s has an unexpected type.") % {"index": index, "field": column})
                value = ""
            value = str(value)
            char = unsafe_character(value)
            if char:  # line breaks would shift the lines; the importer refuses the rest anyway
                errors.append(_("index %(index)s: %(message)s") % {"index": index, "message": _(
                    "%(field)s contains an invisible, direction or control character (%(char)s); remove it.")
                    % {"field": column, "char": char}})
                value = ""
            cells.append(escape_cell(value) if escape else value)
        writer.writerow(cells)
    if errors:
        raise RowsError(errors)
    return stream.getvalue().encode()


def index_errors(errors: list[str]) -> list[str]:
    """``line N: …`` of a CSV made by ``json_rows_to_csv`` as ``index N-2: …``, in the active
    language (line 1, the header we wrote, stays a ``line 1`` error: about the list as a whole)."""
    template = _("line %(line)s: %(message)s")
    before, after = template.split("%(line)s", 1)
    pattern = re.compile(re.escape(before) + r"(\d+)" + re.escape(after.split("%(message)s", 1)[0]))
    out = []
    for message in errors:
        match = pattern.match(message)
        if match and int(match.group(1)) >= 2:
            out.append(_("index %(index)s: %(message)s") % {"index": int(match.group(1)) - 2, "message": message[match.end():]})
        else:
            out.append(message)
    return out
