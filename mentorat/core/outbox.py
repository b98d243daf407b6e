"""The outbox: every e-mail the product sends, sent once, never lost.

1. A service calls ``notify(kind=…, object_key=…, recipient=…, due_at=…)``: one row, unique per
   (kind, object, recipient, due moment), written in the caller's transaction. The web request
   never talks to the broker.
2. Celery beat runs ``claim_due`` every minute: due rows are claimed with a fresh token
   (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two sweeps never take the same row)
   and handed to ``send_batch`` tasks by id and token.
3. ``send_one`` takes ownership (claimed → sending, only with the right token), renders the
   message in the recipient's language, sends it, then marks it sent. A worker killed between
   the send and that mark is the documented window in which one message may go twice; rows
   left claimed or sending by a dead worker return to the queue after ``STALE_AFTER``.
4. SMTP errors retry with backoff through the outbox itself (no long countdowns on the broker);
   after ``MAX_ATTEMPTS`` the row is failed, with its error, for coordinators to see.

Kinds are registered by each app (``register``); each renders from the object at send time,
so no message body is stored, and no kind may quote private notes.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mentorat.core.models import Notification, NotificationPreference, User

MAX_ATTEMPTS = 5
STALE_AFTER = datetime.timedelta(seconds=settings.MENTORAT_OUTBOX_STALE_SECONDS)
BATCH = 50


@dataclass
class Message:
    subject: str
    text: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


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


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def notify(*, kind: str, object_key: str, recipient: User, due_at: datetime.datetime | None = None) -> Notification | None:
    """Queue one message; a second call for the same (kind, object, recipient, due) is a no-op."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    due_at = (due_at or timezone.now()).replace(microsecond=0)
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


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt="mentorat.unsubscribe")


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse("core:unsubscribe", args=[unsubscribe_token(user, kind)])


def is_muted(user: User, kind: Kind) -> bool:
    return not kind.essential and NotificationPreference.objects.filter(user=user, kind=kind.name).exists()


def send_one(pk: int, token: str, *, now: datetime.datetime | None = None) -> str:
    """Send one claimed row (see ``send_many``); raises the transport's error."""
    results = send_many([(pk, token)], now=now, raise_errors=True)
    return results.get(pk, "not-mine")


def send_many(items: list[tuple[int, str]], *, now: datetime.datetime | None = None, raise_errors: bool = False,
              on_error: Callable[[int, str, Exception], str] | None = None) -> dict[int, str]:
    """Send claimed rows; returns {id: sent | skipped | not-mine | retry | failed}.

    Ownership is taken first (claimed → sending, only with the claim's token), in one statement
    per claim. Each message is rendered in its recipient's language (a kind's text is rendered
    once per object and language), sent, then marked sent on its own, so a crash loses at most
    the mark of the message in flight. Transport errors go to ``on_error`` (or are raised).
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
        language = user.language or settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                key = (row.kind, row.object_key, language, row.due_at, getattr(user, "pk", None) if kind.per_recipient else None)
                if key not in rendered:
                    rendered[key] = kind.render(row)
                message = rendered[key]
                if message is None:
                    Notification.objects.filter(pk=pk, claim_token=token).update(status=Notification.Status.SKIPPED)
                    results[pk] = "skipped"
                    continue
                context = {"message": message, "user": user, "essential": kind.essential, "preferences": preferences,
                           "unsubscribe": None if kind.essential else unsubscribe_url(user, kind.name)}
                email = EmailMultiAlternatives(message.subject, render_to_string("email/layout.txt", context), None, [to])
                email.attach_alternative(render_to_string("email/layout.html", context), "text/html")
            for filename, content, mimetype in message.attachments:
                email.attach(filename, content, mimetype)
            email.extra_headers["X-Mentorat-Notification"] = str(pk)
            if not kind.essential:
                email.extra_headers["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
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
