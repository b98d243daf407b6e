from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from mentorat.core.services import directory_import


def _departures_need_the_flag(report) -> str | None:
    if report.mass_leave:
        return (f"line 1: {report.mass_leave['count']} of the {report.mass_leave['present']} present employees would be "
                "marked as left; add --confirm-departures if the file really is the whole directory.")
    if report.left_named:
        names = ", ".join(f"{eid} ({', '.join(reasons)})" for eid, reasons in report.left_named[:20])
        return f"line 1: these people would be marked as left: {names}; add --confirm-departures to confirm."
    return None


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
        parser.add_argument(
            "--confirm-departures", action="store_true",
            help="Needed when many employees (MENTORAT_IMPORT_MASS_LEAVE_PERCENT) or pair members would be marked as left.",
        )

    @translation.override("en")
    def handle(self, *args, path, dry_run, mark_missing_as_left, confirm_departures=False, **options):
        try:
            size = Path(path).stat().st_size
            if size > settings.MENTORAT_IMPORT_MAX_BYTES:
                raise CommandError(f"{path} is larger than {settings.MENTORAT_IMPORT_MAX_BYTES} bytes "
                                   "(MENTORAT_IMPORT_MAX_BYTES): nothing was written.")
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        report = directory_import(data=data, dry_run=dry_run, mark_missing_as_left=mark_missing_as_left,
                                  confirm=None if confirm_departures or dry_run else _departures_need_the_flag)
        summary = report.as_dict()
        for warning in summary["warnings"]:
            self.stderr.write(f"warning: {warning}")
        for eid, _name, old, new, held in report.as_dict(limit=len(report.email_changes))["email_changes"]:
            how = "waits for confirmation from the old address" if held else "changes now"
            self.stderr.write(f"login change: {eid} {old} → {new} ({how})")
        if report.errors:
            for error in summary["errors"]:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} error(s): nothing was written.", returncode=1)
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(prefix + report.summary_line())
