import sys

from django.core.management.base import BaseCommand

from mentorat.core.csv import Writer
from mentorat.core.directory_file import FIELDS
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
                writer.writerow([
                    e.employee_id, e.first_name, e.last_name, e.email,
                    e.manager.employee_id if e.manager else "",
                    e.department.name if e.department else "", e.site.name if e.site else "",
                    e.job_title, e.job_level, e.language,
                    e.hire_date.isoformat() if e.hire_date else "",
                    e.leave_date.isoformat() if e.leave_date else "",
                ])
        finally:
            if output:
                stream.close()
