"""The outbox: every e-mail the product sends, sent once, never lost.

1. A service calls ``notify(kind=…, object_key=…, recipient=…, due_at=…)``: one row, unique per
   (kind, object, recipient, due moment), written in the caller's transaction. The web request
   never talks to the broker. The key and the due moment say what the message is about (a
   session, its start, "2 hours before"), never when a planner happened to run: planners run
   again and again and change nothing the second time. A message due at once (no ``due_at``) is
   one per (kind, object, recipient): a double click a second later sends nothing more. A
   message about the latest state of an object (a session moved) ``supersedes`` the one still
   waiting for the same object, so two moves before a sweep send one up-to-date message.
2. Celery beat runs ``claim_due`` every minute: due rows are claimed with a fresh token
   (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two sweeps never take the same row)
   and handed to ``send_batch`` tasks by id and token.
3. ``send_one`` takes ownership (claimed → sending, only with the right token), renders the
   message in the recipient's language and time zone, sends it, then marks it sent. A worker killed between
   the send and that mark is the documented window in which one message may go twice; rows
   left claimed or sending by a dead worker return to the queue after ``STALE_AFTER``.
4. SMTP errors retry with backoff through the outbox itself (no long countdowns on the broker);
   after ``MAX_ATTEMPTS`` the row is failed, with its error, for coordinators to see.

Kinds are registered by each app (``register``); each renders from the object at send time,
so no message body is stored, and no kind may quote private notes. Dates and times in a message
go through ``when`` / ``day``: in the recipient's time zone (named when it is not the site's) and
written as people of the recipient's language write them. Every link is absolute, built from
``SITE_URL``. Non-essential messages carry RFC 8058 one-click unsubscribe headers.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from mentorat.core.models import Notification, NotificationPreference, User

MAX_ATTEMPTS = 5
STALE_AFTER = datetime.timedelta(seconds=settings.MENTORAT_OUTBOX_STALE_SECONDS)
BATCH = 50


@dataclass
class Message:
    subject: str
    text: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # The HTML part's body when it is more than the text with its links (a button): already safe
    # HTML (built with format_html); every link in it absolute and also in the text.
    html: str = ""


@dataclass
class Kind:
    name: str
    label: object  # lazy translated label for the preferences page
    essential: bool
    render: Callable[[Notification], Message | None]  # None: no longer needed (skipped)
    # True when the text depends on the recipient (not only on the object and the language).
    per_recipient: bool = False
    # The address to write to, when it is not the recipient's login (e.g. the old address after a
    # login change); None from it: not needed any more.
    address: Callable[[Notification], str | None] | None = None
    # True when a message's status tells something about the recipient (a survey reminder not
    # needed any more: they answered). The outbox page then shows only whether it is due yet.
    discreet: bool = False
    # A message sent later than this after its due moment is skipped (a reminder that comes hours
    # late, after the sweep was down, is noise); None: sent however late.
    late_after: datetime.timedelta | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def notify(*, kind: str, object_key: str, recipient: User, due_at: datetime.datetime | None = None,
           supersedes: str | None = None) -> Notification | None:
    """Queue one message; a second call for the same (kind, object, recipient, due) is a no-op.

    Without ``due_at`` the message is due at once and (kind, object, recipient) is its whole
    identity: a second call returns the row of the first, whatever became of it (waiting, sent,
    skipped), however many seconds later it comes. A message that goes again for a new event of
    the same object says so in its key (``session:42:v3``) or names the event's moment as
    ``due_at`` (``application.submitted_at``).

    ``supersedes``: a prefix of object keys (``"session:42:"``). A message of this kind to this
    recipient still waiting under that prefix becomes this one (one pending row per object, kind
    and recipient, rendered at send time from the current state); others waiting are skipped. A
    message already claimed by a sweep is left alone (this one is queued after it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if due_at is None:
        same = Notification.objects.filter(kind=kind, object_key=object_key, recipient=recipient).order_by("pk").first()
        if same is not None:
            return same
        due_at = timezone.now()
    due_at = due_at.replace(microsecond=0)
    if supersedes:
        with transaction.atomic():
            waiting = list(Notification.objects.select_for_update().filter(
                kind=kind, recipient=recipient, status=Notification.Status.PENDING, object_key__startswith=supersedes)
                .exclude(object_key=object_key, due_at=due_at).order_by("pk").values_list("pk", flat=True))
            exists = Notification.objects.filter(kind=kind, object_key=object_key, recipient=recipient, due_at=due_at).exists()
            if waiting and not exists:
                # The conditional UPDATE only takes a row no sweep claimed in between.
                if Notification.objects.filter(pk=waiting[0], status=Notification.Status.PENDING).update(
                        object_key=object_key, due_at=due_at, attempts=0, next_attempt_at=None, last_error=""):
                    waiting = waiting[1:]
            Notification.objects.filter(pk__in=waiting, status=Notification.Status.PENDING).update(
                status=Notification.Status.SKIPPED)
    try:
        with transaction.atomic():
            notification, _created = Notification.objects.get_or_create(
                kind=kind, object_key=object_key, recipient=recipient, due_at=due_at)
    except IntegrityError:  # a concurrent writer created it first
        return Notification.objects.filter(kind=kind, object_key=object_key, recipient=recipient, due_at=due_at).first()
    return notification


def claim_due(*, now: datetime.datetime | None = None, limit: int = 1000, stale_after: datetime.timedelta = STALE_AFTER
              ) -> list[tuple[int, str]]:
    """Claim up to ``limit`` due rows for sending; returns (id, token) pairs. Rows a dead worker
    left claimed or sending for longer than ``stale_after`` go back to the queue first."""
    now = now or timezone.now()
    Notification.objects.filter(status__in=[Notification.Status.CLAIMED, Notification.Status.SENDING],
                                claimed_at__lt=now - stale_after).update(status=Notification.Status.PENDING, claim_token=None)
    token = uuid.uuid4()
    with transaction.atomic():
        due = (Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=now)
               .exclude(next_attempt_at__gt=now).order_by("due_at", "pk"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Notification.objects.filter(pk__in=ids, status=Notification.Status.PENDING).update(
                status=Notification.Status.CLAIMED, claim_token=token, claimed_at=now)
    return [(pk, str(token)) for pk in ids]


def zone_of(user: User | None) -> zoneinfo.ZoneInfo:
    """The user's time zone, else the site's (an unknown name falls back to the site's)."""
    name = getattr(user, "timezone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _zone_name(zone) -> str:
    """"America/New_York" → "New York" (the city part of the zone's name)."""
    return str(zone).rsplit("/", 1)[-1].replace("_", " ")


# How people of each language write a date and a moment in a message (Django date syntax), and
# name a time zone. Locale data, like Django's conf/locale/<lang>/formats.py, kept here so that a
# message never depends on a catalogue being compiled; languages missing here are written in English.
WRITTEN = {
    "fr": {"day": "l j F Y", "when": r"l j F Y \à H \h i", "zone": "heure de {city}", "zone_vowel": "heure d’{city}",
           "lower_weekday": True},
    "en": {"day": "l j F Y", "when": "l j F Y, g:i A", "zone": "{city} time", "zone_vowel": "{city} time"},
}


def _written() -> dict[str, str]:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return WRITTEN.get(language, WRITTEN["en"])


def day(value: datetime.date | datetime.datetime, zone=None) -> str:
    """A date as people of the active language write it: "mercredi 16 décembre 2026",
    "Wednesday 16 December 2026". A datetime is first put in ``zone`` (the active time zone by
    default: the recipient's while a message renders)."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, zone or timezone.get_current_timezone()).date()
    return _weekday_case(formats.date_format(value, _written()["day"]))


def _weekday_case(text: str) -> str:
    # French writes "mercredi 16 décembre" in a sentence, whatever the catalogue's capital.
    return text[:1].lower() + text[1:] if _written().get("lower_weekday") else text


def when(value: datetime.datetime, zone=None) -> str:
    """A moment in the recipient's time zone (the active one while a message renders, or
    ``zone``), named when it is not the site's: "mercredi 16 décembre 2026 à 14 h 00 (heure de
    New York)", "Wednesday 16 December 2026, 2:00 PM (New York time)". Never an ISO date, never
    "p.m.": the text may end a sentence."""
    zone = zone or timezone.get_current_timezone()
    text = _weekday_case(formats.date_format(timezone.localtime(value, zone), _written()["when"]))
    label = zone_label(zone)
    return f"{text} ({label})" if label else text


def zone_label(zone=None) -> str:
    """The time zone's name as the active language says it ("New York time", "heure de New York"),
    or "" for the site's own zone, whose times need no name. ``zone`` is the active one by default."""
    zone = zone or timezone.get_current_timezone()
    if str(zone) == settings.TIME_ZONE:
        return ""
    city = _zone_name(zone)
    return _written()["zone_vowel" if city[:1].upper() in "AEIOUYH" else "zone"].format(city=city)


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt="mentorat.unsubscribe")


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse("core:unsubscribe", args=[unsubscribe_token(user, kind)])


def is_muted(user: User, kind: Kind) -> bool:
    return not kind.essential and NotificationPreference.objects.filter(user=user, kind=kind.name).exists()


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def build_email(message: Message, *, user: User, to: str, unsubscribe: str | None = None,
                preferences: str | None = None) -> EmailMultiAlternatives:
    """The e-mail of a message, in the active language (render it under ``translation.override``):
    text and HTML parts (the HTML with ``lang``), from ``DEFAULT_FROM_EMAIL``, with ``Date``, a
    ``Message-ID`` on the site's domain and ``Content-Language``; with ``unsubscribe`` (a
    non-essential kind), RFC 8058 one-click ``List-Unsubscribe`` headers."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    context = {"message": message, "user": user, "language": language, "unsubscribe": unsubscribe,
               "preferences": preferences if preferences is not None else settings.SITE_URL + reverse("core:notifications")}
    email = EmailMultiAlternatives(message.subject, render_to_string("email/layout.txt", context),
                                   settings.DEFAULT_FROM_EMAIL, [to])
    email.attach_alternative(render_to_string("email/layout.html", context), "text/html")
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    email.extra_headers["Date"] = formatdate(localtime=False)
    email.extra_headers["Message-ID"] = make_msgid(domain=site_domain())
    email.extra_headers["Content-Language"] = language
    if unsubscribe:
        email.extra_headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        email.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return email


def send_one(pk: int, token: str, *, now: datetime.datetime | None = None) -> str:
    """Send one claimed row (see ``send_many``); raises the transport's error."""
    results = send_many([(pk, token)], now=now, raise_errors=True)
    return results.get(pk, "not-mine")


def send_many(items: list[tuple[int, str]], *, now: datetime.datetime | None = None, raise_errors: bool = False,
              on_error: Callable[[int, str, Exception], str] | None = None) -> dict[int, str]:
    """Send claimed rows; returns {id: sent | skipped | not-mine | retry | failed}.

    Ownership is taken first (claimed → sending, only with the claim's token), in one statement
    per claim. Each message is rendered in its recipient's language and time zone (a kind's text
    is rendered once per object, language and zone), sent, then marked sent on its own, so a crash loses at most
    the mark of the message in flight. Transport errors go to ``on_error`` (or are raised). A
    kind's ``late_after`` skips a message that comes too long after its due moment.
    """
    now = now or timezone.now()
    results: dict[int, str] = {}
    by_token: dict[str, list[int]] = {}
    for pk, token in items:
        by_token.setdefault(str(token), []).append(pk)
    owned: list[tuple[int, str]] = []
    for token, ids in by_token.items():
        Notification.objects.filter(pk__in=ids, claim_token=token, status=Notification.Status.CLAIMED).update(
            status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        mine = set(Notification.objects.filter(pk__in=ids, claim_token=token, status=Notification.Status.SENDING)
                   .values_list("pk", flat=True))
        owned += [(pk, token) for pk in ids if pk in mine]
        results.update({pk: "not-mine" for pk in ids if pk not in mine})
    rows = Notification.objects.select_related("recipient").in_bulk([pk for pk, _token in owned])
    muted = set(NotificationPreference.objects.filter(user_id__in={r.recipient_id for r in rows.values()})
                .values_list("user_id", "kind"))
    rendered: dict[tuple, Message | None] = {}
    preferences = settings.SITE_URL + reverse("core:notifications")
    for pk, token in owned:
        row = rows[pk]
        kind, user = KINDS.get(row.kind), row.recipient
        to = (kind.address(row) if kind.address else user.email) if kind is not None else None
        if kind is None or not user.is_active or not to or (not kind.essential and (user.pk, kind.name) in muted):
            Notification.objects.filter(pk=pk, claim_token=token).update(status=Notification.Status.SKIPPED)
            results[pk] = "skipped"
            continue
        if kind.late_after is not None and now > row.due_at + kind.late_after:
            Notification.objects.filter(pk=pk, claim_token=token).update(status=Notification.Status.SKIPPED)
            results[pk] = "skipped"
            continue
        language = user.language or settings.LANGUAGE_CODE
        zone = zone_of(user)
        try:
            with translation.override(language), timezone.override(zone):
                key = (row.kind, row.object_key, language, str(zone), row.due_at,
                       getattr(user, "pk", None) if kind.per_recipient else None)
                if key not in rendered:
                    rendered[key] = kind.render(row)
                message = rendered[key]
                if message is None:
                    Notification.objects.filter(pk=pk, claim_token=token).update(status=Notification.Status.SKIPPED)
                    results[pk] = "skipped"
                    continue
                email = build_email(message, user=user, to=to, unsubscribe=None if kind.essential else unsubscribe_url(user, kind.name),
                                    preferences=preferences)
            email.extra_headers["X-Mentorat-Notification"] = str(pk)
            email.extra_headers["X-Mentorat-Kind"] = kind.name
            email.send(fail_silently=False)
        except Exception as exc:
            if raise_errors or on_error is None:
                raise
            results[pk] = on_error(pk, token, exc)
            continue
        Notification.objects.filter(pk=pk, claim_token=token).update(status=Notification.Status.SENT, sent_at=timezone.now(),
                                                                     last_error="")
        results[pk] = "sent"
    return results


def record_failure(pk: int, token: str, error: Exception, *, now: datetime.datetime | None = None) -> str:
    """After a transport error: back to the queue with backoff, or failed for good."""
    now = now or timezone.now()
    row = Notification.objects.filter(pk=pk, claim_token=token).first()
    if row is None:
        return "not-mine"
    message = f"{error.__class__.__name__}: {error}"[:1000]
    if row.attempts >= MAX_ATTEMPTS:
        Notification.objects.filter(pk=pk, claim_token=token).update(status=Notification.Status.FAILED, last_error=message)
        return "failed"
    Notification.objects.filter(pk=pk, claim_token=token).update(
        status=Notification.Status.PENDING, claim_token=None, last_error=message,
        next_attempt_at=now + datetime.timedelta(minutes=2 ** row.attempts))
    return "retry"
