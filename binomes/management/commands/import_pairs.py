from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from binomes.imports import pairs_import, read_pairs_csv
from programmes.models import Programme


class Command(BaseCommand):
    help = ("Import pairs decided elsewhere (CSV: mentor, mentee as employee ids; the board's export reads back too) "
            "as locked drafts. All or nothing; every rule applies.")

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
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        rows, errors = read_pairs_csv(data)
        created = 0
        if not errors:
            created, errors = pairs_import(actor=None, programme=programme, dry_run=dry_run, rows=rows)
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} error(s): nothing was written.", returncode=1)
        self.stdout.write(("dry run: " if dry_run else "") + f"{created} pair(s) imported as locked drafts.")
