from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from mentorat.core.services import directory_import


class Command(BaseCommand):
    # Scripts parse this output: it stays in English whatever LANGUAGE_CODE says.
    help = "Import the employee directory from an HRIS export (CSV or XLSX). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--mark-missing-as-left", action="store_true",
            help="The file is the whole directory: employees absent from it leave today.",
        )

    @translation.override("en")
    def handle(self, *args, path, dry_run, mark_missing_as_left, **options):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = directory_import(data=data, dry_run=dry_run, mark_missing_as_left=mark_missing_as_left)
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} error(s): nothing was written.", returncode=1)
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(prefix + report.summary_line())
