import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from programmes.services import ProgrammeError, domains_ensure, programme_create


class Command(BaseCommand):
    help = ("Create a draft programme with default milestones and charter. Domain codes not yet in the catalogue "
            "are added to it, named after the code until a coordinator renames them.")

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--months", type=int, required=True, help="6 to 12")
        parser.add_argument("--cadence-weeks", type=int, required=True, help="2, 3 or 4")
        parser.add_argument("--minutes", type=int, default=60, help="45 to 60 (default 60)")
        parser.add_argument("--domains", help="comma-separated domain codes (default: the standard list); unknown codes are added to the catalogue")

    @translation.override("en")
    def handle(self, *args, slug, name, start, months, cadence_weeks, minutes, domains, **options):
        try:
            start_date = datetime.date.fromisoformat(start)
        except ValueError:
            raise CommandError(f"--start {start!r} is not a date (YYYY-MM-DD).") from None
        domain_slugs = list(dict.fromkeys(d.strip().lower() for d in domains.split(",") if d.strip())) if domains else None
        try:
            # One transaction: a refused programme leaves no new domain behind.
            with transaction.atomic():
                created = domains_ensure(actor=None, slugs=domain_slugs) if domain_slugs else []
                programme = programme_create(
                    actor=None, name=name, slug=slug, start_date=start_date, duration_months=months,
                    cadence_weeks=cadence_weeks, session_minutes=minutes, domain_slugs=domain_slugs,
                )
        except ProgrammeError as exc:
            where = f"--{exc.field.replace('_', '-')}: " if exc.field else ""
            raise CommandError(f"{where}{exc.message}") from None
        for domain in created:
            self.stdout.write(f"Learning domain {domain.slug} added to the catalogue, named “{domain.slug}” in French and "
                              f"English until a coordinator renames it.")
        self.stdout.write(f"Programme {programme.slug} created (draft), {programme.start_date} → {programme.end_date}.")
