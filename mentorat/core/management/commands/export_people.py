import sys

from django.core.management.base import BaseCommand

from mentorat.core.csv import Writer
from mentorat.core.directory_file import FIELDS, export_row
from mentorat.core.models import Employee


class Command(BaseCommand):
    help = ("Write the directory as CSV with the import's English headers (round trip with import_people): "
            "';' between cells, a UTF-8 BOM, formula-like texts quoted.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        stream = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            writer = Writer(stream)
            writer.writerow(FIELDS)
            rows = Employee.objects.select_related("manager", "department", "site").order_by("employee_id")
            for e in rows.iterator(chunk_size=2000):
                writer.writerow(export_row(e))
        finally:
            if output:
                stream.close()
