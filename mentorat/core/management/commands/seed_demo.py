from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from mentorat.core.demo import DEMO_ACCOUNTS, DOMAIN, PASSWORD, SEEDERS, SUPERUSER_EMAIL, company_csv
from mentorat.core.models import User
from mentorat.core.services import directory_import


class Command(BaseCommand):
    # Scripts parse this output: it stays in English whatever LANGUAGE_CODE says.
    help = "Load the demo company and its demo logins. Running it again changes nothing."

    @translation.override("en")
    def handle(self, *args, **options):
        report = directory_import(data=company_csv(), dry_run=False)
        if report.errors:
            raise CommandError("\n".join(report.errors))
        with transaction.atomic():
            for local, _first, _last, _label, flags in DEMO_ACCOUNTS:
                user = User.objects.get(email=f"{local}@{DOMAIN}")
                changed = [name for name, value in flags.items() if getattr(user, name) != value]
                for name in changed:
                    setattr(user, name, flags[name])
                if not user.has_usable_password():
                    user.set_password(PASSWORD)
                    changed.append("password")
                if changed:
                    user.save(update_fields=changed)
            admin = User.objects.filter(email=SUPERUSER_EMAIL).first()
            if admin is None:
                User.objects.create_superuser(SUPERUSER_EMAIL, PASSWORD, first_name="Admin", last_name="Mentorat")
        self.stdout.write(f"Demo directory: {report.summary_line()}")
        for seeder in SEEDERS:
            seeder(self.stdout)
        self.stdout.write("Demo logins (password: %s):" % PASSWORD)
        for local, first, last, label, _flags in DEMO_ACCOUNTS:
            self.stdout.write(f"  {label:<20} {local}@{DOMAIN}  ({first} {last})")
        self.stdout.write(f"  {'administrator':<20} {SUPERUSER_EMAIL}")
