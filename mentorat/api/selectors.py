"""Reads of the API, scoped to the user the token acts as (its coordinator); out of scope is 404
or 403 as in the pages. Metadata only where the pages show metadata only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from binomes.models import Pair
from mentorat.core.models import User
from mentorat.core.permissions import is_coordinator
from programmes.models import Programme
from programmes.selectors import coordinated_filter
from sessions.models import MentoringSession


def pairs_for_api(*, user: User, programme: Programme, status: str = "") -> QuerySet[Pair]:
    """The programme's pairs as the pairing board lists them (discarded drafts left out)."""
    if not is_coordinator(user):
        raise PermissionDenied
    qs = (programme.pairs.exclude(status=Pair.Status.DISCARDED)
          .select_related("programme", "mentor__employee", "mentee__employee").order_by("pk"))
    return qs.filter(status=status) if status else qs


def sessions_for_api(*, user: User, programme: Programme | None = None, pair: int | None = None, status: str = "",
                     starts_after=None, starts_before=None) -> QuerySet[MentoringSession]:
    """Sessions of the programmes the user runs, as the coordinators' follow-up sees them: dates, length, status, the cancelling side.
    Only those columns are read (no theme, place, reasons; logs, ratings and notes are other tables)."""
    if not is_coordinator(user):
        raise PermissionDenied
    qs = (MentoringSession.objects.filter(coordinated_filter(user, "pair__programme")).select_related("pair__programme")
          .only("pk", "pair_id", "pair__programme__slug", "starts_at", "duration_minutes", "status", "cancelled_by")
          .order_by("starts_at", "pk"))
    if programme is not None:
        qs = qs.filter(pair__programme=programme)
    if pair is not None:
        qs = qs.filter(pair_id=pair)
    if status:
        qs = qs.filter(status=status)
    if starts_after is not None:
        qs = qs.filter(starts_at__gte=starts_after)
    if starts_before is not None:
        qs = qs.filter(starts_at__lt=starts_before)
    return qs
