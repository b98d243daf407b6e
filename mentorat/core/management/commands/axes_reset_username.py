"""django-axes' ``axes_reset_username``, for our normalised lock names: any spelling of an address
unlocks it, and the unlock is audited. The way back in for a superuser whose address is hammered."""

from django.core.management.base import BaseCommand

from mentorat.core.services import login_unlock


class Command(BaseCommand):
    help = "Lift the login lock of the given e-mail addresses (any spelling), audited."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="+", type=str, help="E-mail address, in any case.")

    def handle(self, *args, **options):
        for address in options["username"]:
            if login_unlock(actor=None, email=address):
                self.stdout.write(f"{address.strip().lower()}: unlocked.")
            else:
                self.stdout.write(f"{address.strip().lower()}: no lock found.")
