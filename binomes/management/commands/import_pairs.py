import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from binomes import services
from binomes.models import Pair
from programmes.models import Application, Programme


class Command(BaseCommand):
    help = "Import pairs decided elsewhere (CSV: mentor, mentee as employee ids) as locked drafts. All or nothing; every rule applies."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")

    @translation.override("en")
    def handle(self, *args, slug, path, dry_run, **options):
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            raise CommandError(f"no programme {slug!r}.")
        try:
            text = Path(path).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))
        apps = {(a.employee.employee_id, a.role): a for a in Application.objects.filter(programme=programme).select_related("employee")}
        errors, created = [], 0
        try:
            with transaction.atomic():
                for number, row in enumerate(rows, start=2):
                    mentor = apps.get(((row.get("mentor") or "").strip(), "mentor"))
                    mentee = apps.get(((row.get("mentee") or "").strip(), "mentee"))
                    if mentor is None or mentee is None:
                        errors.append(f"line {number}: no application as mentor for {row.get('mentor')!r} "
                                      f"or as mentee for {row.get('mentee')!r} in {slug}.")
                        continue
                    try:
                        services.pair_manual(actor=None, programme=programme, mentor=mentor, mentee=mentee, source=Pair.Source.IMPORT)
                        created += 1
                    except services.PairingError as exc:
                        errors.append(f"line {number}: {exc.message}")
                if errors or dry_run:
                    transaction.set_rollback(True)
        except services.PairingError as exc:
            errors.append(f"line 1: {exc.message}")
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} error(s): nothing was written.", returncode=1)
        self.stdout.write(("dry run: " if dry_run else "") + f"{created} pair(s) imported as locked drafts.")
