from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from programmes.imports import applications_import
from programmes.models import Programme


class Command(BaseCommand):
    help = "Import applications collected elsewhere as approved applications. All or nothing."

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
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        count, errors = applications_import(programme=programme, data=data, dry_run=dry_run)
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} error(s): nothing was written.", returncode=1)
        self.stdout.write(("dry run: " if dry_run else "") + f"{count} application(s) imported as approved.")
