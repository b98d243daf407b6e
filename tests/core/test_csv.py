"""Every CSV export goes through one writer: `;`, a UTF-8 BOM, and no cell a spreadsheet would
run as a formula (OWASP: a quote before `=`, `+`, `-`, `@`, tab, carriage return)."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from mentorat.core.csv import escape_cell, unescape_cell
from mentorat.core.models import Employee
from mentorat.core.services import audit_log, directory_import
from tests.conftest import client_for

PAYLOADS = ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cells_of(content: bytes) -> list[list[str]]:
    """The rows of an export, checking our dialect on the way: a BOM, then `;`."""
    assert content.startswith("\ufeff".encode()), content[:20]
    text = content.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert ";" in header and "," not in header, header
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def assert_no_formula(rows):
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                try:
                    float(cell)  # a number written as a number (a negative score) is harmless
                except ValueError:
                    pytest.fail(f"cell {cell!r} would run as a formula (row {row})")


def assert_payloads_kept_as_text(rows, payloads=PAYLOADS):
    text = [cell for row in rows for cell in row]
    for payload in payloads:
        assert any(cell.startswith("'" + payload) or ("'" + payload) in cell for cell in text), payload


class TestEscaping:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_a_text_that_could_start_a_formula_gets_a_quote(self, payload):
        assert escape_cell(payload) == "'" + payload

    def test_plain_text_and_numbers_are_untouched(self):
        assert escape_cell("Dupont") == "Dupont"
        assert escape_cell(-2) == -2 and escape_cell(3.5) == 3.5 and escape_cell(None) == ""
        assert escape_cell("a=1") == "a=1"

    @given(st.text())
    @example("'=")  # a quote already before a formula character: reading back removed it (found by this test)
    @example("''+1")
    def test_reading_back_gives_the_value_written(self, text):
        assert unescape_cell(str(escape_cell(text))) == text

    @given(st.text())
    def test_no_escaped_text_starts_a_formula(self, text):
        assert not str(escape_cell(text)).startswith(FORMULA_STARTS)


@pytest.fixture
def hostile_names(org):
    """The cast renamed by a hostile HRIS export (the import accepts any text as a name)."""
    for key, payload in zip(["junior_a", "junior_b", "director_a", "director_b", "manager_a", "ceo"], PAYLOADS, strict=True):
        Employee.objects.filter(pk=org[key].pk).update(last_name=payload, first_name=payload, job_title=payload)
    return org


@pytest.mark.django_db
class TestEveryExport:
    def test_applications_export(self, programme, cohort, hostile_names, coordinator):
        response = client_for(coordinator).get(reverse("programmes:queue", args=[programme.slug]), {"format": "csv"})
        rows = cells_of(response.content)
        assert rows[0][:3] == ["employee_id", "last_name", "first_name"] and len(rows) == 5
        assert_no_formula(rows)
        assert_payloads_kept_as_text(rows, PAYLOADS[:4])

    def test_pairing_export(self, programme, cohort, hostile_names, coordinator):
        from binomes import services

        services.pairing_run(actor=coordinator, programme=programme)
        response = client_for(coordinator).get(reverse("binomes:export", args=[programme.slug]))
        rows = cells_of(response.content)
        assert rows[0][0] == "mentor_employee_id" and len(rows) == 3
        assert_no_formula(rows)
        assert_payloads_kept_as_text(rows, PAYLOADS[:4])

    def test_dashboard_export(self, programme, coordinator):
        programme.name = '=HYPERLINK("http://x")'
        programme.save(update_fields=["name"])
        response = client_for(coordinator).get(reverse("evaluation:export"), {"programme": programme.pk})
        rows = cells_of(response.content)
        assert_no_formula(rows)
        assert_payloads_kept_as_text(rows, PAYLOADS[:1])

    def test_audit_export(self, hr_lead):
        for payload in PAYLOADS:
            audit_log(actor=hr_lead, action="test.csv", target=payload, details={"value": payload})
        response = client_for(hr_lead).get(reverse("core:audit"), {"format": "csv"})
        rows = cells_of(response.content)
        assert rows[0] == ["at", "actor", "action", "target", "details"]
        assert_no_formula(rows)
        assert_payloads_kept_as_text(rows)

    def test_directory_export_escapes_and_still_round_trips_through_the_import(self, hostile_names, tmp_path):
        path = tmp_path / "people.csv"
        call_command("export_people", "--output", str(path))
        rows = cells_of(path.read_bytes())
        assert_no_formula(rows)
        assert_payloads_kept_as_text(rows)
        # The import refuses control characters (tab, CR) in names: the round trip is for the rest, and
        # for legitimate values starting with + or -.
        Employee.objects.filter(pk=hostile_names["manager_a"].pk).update(first_name="=1+2", last_name="@x", job_title="=1")
        Employee.objects.filter(pk=hostile_names["ceo"].pk).update(first_name="-1", last_name="+1", job_title="@A1")
        Employee.objects.filter(pk=hostile_names["junior_b"].pk).update(job_title="+33 standard", last_name="-Ré")
        call_command("export_people", "--output", str(path))
        assert_payloads_kept_as_text(cells_of(path.read_bytes()), ["+33 standard", "-Ré", "=1+2", "@x", "-1", "+1"])
        before = {e.employee_id: (e.first_name, e.last_name, e.job_title) for e in Employee.objects.all()}
        report = directory_import(data=path.read_bytes(), dry_run=False)
        assert report.ok and not report.updated and not report.created, (report.errors, report.updated)
        after = {e.employee_id: (e.first_name, e.last_name, e.job_title) for e in Employee.objects.all()}
        assert after == before
        assert after[hostile_names["junior_b"].employee_id][1:] == ("-Ré", "+33 standard")
