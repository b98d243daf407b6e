"""Pairs decided elsewhere (a spreadsheet, an HR tool), imported as locked drafts, all or nothing.
Each pair goes through ``pair_manual``, so every pairing rule applies as for a pair made by hand.
And the pairs written out (``export_rows``: the board's CSV export and the API's)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from binomes import matching, services
from binomes.models import Pair
from programmes.models import Application, Programme


def pairs_import(*, actor, programme: Programme, rows: list[tuple[int, str, str]], dry_run: bool) -> tuple[int, list[str]]:
    """``rows`` are ``(line, mentor employee id, mentee employee id)``; returns (count, errors),
    each error ``line N: …``. With any error, or on a dry run, nothing is written."""
    apps = {(a.employee.employee_id, a.role): a for a in Application.objects.filter(programme=programme).select_related("employee")}
    errors, created = [], 0
    try:
        with transaction.atomic():
            for line, mentor_id, mentee_id in rows:
                mentor = apps.get(((mentor_id or "").strip(), "mentor"))
                mentee = apps.get(((mentee_id or "").strip(), "mentee"))
                if mentor is None or mentee is None:
                    errors.append(_("line %(line)s: no application as mentor for %(mentor)r or as mentee for %(mentee)r in %(slug)s.")
                                  % {"line": line, "mentor": mentor_id, "mentee": mentee_id, "slug": programme.slug})
                    continue
                try:
                    services.pair_manual(actor=actor, programme=programme, mentor=mentor, mentee=mentee, source=Pair.Source.IMPORT)
                    created += 1
                except services.PairingError as exc:
                    errors.append(_("line %(line)s: %(message)s") % {"line": line, "message": exc.message})
            if errors or dry_run:
                transaction.set_rollback(True)
    except services.PairingError as exc:
        errors.append(_("line 1: %(message)s") % {"message": exc.message})
    return (0 if errors else created), errors


def export_rows(pairs) -> list[list]:
    """The pairs as the CSV export writes them, header first: both members' employee ids and names,
    status, source, score and the score of each criterion."""
    header = ["mentor_employee_id", "mentor_name", "mentee_employee_id", "mentee_name", "status", "source", "score",
              *matching.CRITERIA]
    return [header] + [[pair.mentor.employee.employee_id, pair.mentor.employee.full_name, pair.mentee.employee.employee_id,
                        pair.mentee.employee.full_name, pair.status, pair.source, pair.score,
                        *[pair.breakdown.get(c, "") for c in matching.CRITERIA]] for pair in pairs]
