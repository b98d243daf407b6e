import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from binomes import services
from programmes.models import Application, Programme


class Command(BaseCommand):
    help = "Run the optimal pairing of a programme and print the proposals (saved as drafts with --save)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--save", action="store_true", help="Keep the proposals as drafts on the pairing board.")

    @translation.override("en")
    def handle(self, *args, slug, json: bool, save: bool, **options):
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            raise CommandError(f"no programme {slug!r}.")
        try:
            with transaction.atomic():
                result = services.pairing_run(actor=None, programme=programme)
                employee_of = dict(Application.objects.filter(programme=programme).values_list("pk", "employee__employee_id"))
                if not save:
                    transaction.set_rollback(True)
        except services.PairingError as exc:
            raise CommandError(exc.message) from None
        payload = {
            "pairs": [{"mentor": employee_of[p.mentor], "mentee": employee_of[p.mentee], "score": p.score,
                       "breakdown": p.breakdown} for p in result.pairs],
            "unpaired": [{"employee": employee_of[u.id], "role": u.role, "reason": services.unpaired_text({"role": u.role, "reason": u.reason, "detail": u.detail})}
                         for u in result.unpaired],
        }
        if json:
            self.stdout.write(_dumps(payload))
            return
        for pair in payload["pairs"]:
            self.stdout.write(f"{pair['mentor']} → {pair['mentee']}  score {pair['score']}")
        for item in payload["unpaired"]:
            self.stdout.write(f"unpaired {item['role']} {item['employee']}: {item['reason']}")
        self.stdout.write(f"{len(payload['pairs'])} pair(s){' saved as drafts' if save else ''}.")


def _dumps(payload):
    return json.dumps(payload, ensure_ascii=False)
