import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from mentorat.core.models import Employee, User
from mentorat.core.services import directory_import

HEADER = "employee_id,first_name,last_name,email,manager_id,department,site,job_title,job_level,language,hire_date,leave_date"


def csv_bytes(*lines, header=HEADER, encoding="utf-8", delimiter=","):
    text = "\n".join([header, *lines]).replace(",", delimiter) + "\n"
    return text.encode(encoding)


BASIC = [
    "E1,Anne,Roy,anne.roy@x.example,,Direction,Paris,CEO,6,fr,2001-03-01,",
    "E2,Marc,Petit,marc.petit@x.example,E1,Ventes,Lyon,Directeur,5,fr,01/02/2010,",
    "E3,Léa,Moreau,lea.moreau@x.example,E2,Ventes,Lyon,Commerciale,1,en,2024-09-02,",
]


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English here; one test checks the French ones."""
    with translation.override("en"):
        yield


def run(data, **kwargs):
    kwargs.setdefault("dry_run", False)
    return directory_import(data=data, **kwargs)


@pytest.mark.django_db
class TestSuccessfulImports:
    def test_it_creates_employees_accounts_and_the_org_chart(self):
        report = run(csv_bytes(*BASIC))
        assert report.ok and report.applied
        assert (len(report.created), len(report.updated), report.unchanged) == (3, 0, 0)
        lea = Employee.objects.get(employee_id="E3")
        assert lea.manager.employee_id == "E2"
        assert lea.department.name == "Ventes" and lea.site.name == "Lyon"
        assert lea.hire_date == datetime.date(2024, 9, 2)
        assert lea.language == "en" and lea.job_level == 1
        assert lea.depth == 2 and lea.path.count("/") == 4
        assert lea.user.email == "lea.moreau@x.example" and not lea.user.has_usable_password()
        assert Employee.objects.get(employee_id="E2").hire_date == datetime.date(2010, 2, 1)

    def test_a_manager_may_appear_after_his_reports(self):
        report = run(csv_bytes(*reversed(BASIC)))
        assert report.ok
        assert Employee.objects.get(employee_id="E3").manager.employee_id == "E2"

    def test_a_second_identical_import_changes_nothing(self):
        run(csv_bytes(*BASIC))
        report = run(csv_bytes(*BASIC))
        assert (len(report.created), len(report.updated), report.unchanged, len(report.left)) == (0, 0, 3, 0)

    def test_it_upserts_by_employee_id_and_counts_leavers(self):
        run(csv_bytes(*BASIC))
        changed = [
            BASIC[0],
            "E2,Marc,Petit,MARC.PETIT@x.example,E1,Marketing,Lyon,Directeur,5,fr,2010-02-01,",
            "E3,Léa,Moreau,lea.moreau@x.example,E2,Ventes,Lyon,Commerciale,1,en,2024-09-02,2025-01-31",
        ]
        report = run(csv_bytes(*changed), today=datetime.date(2025, 3, 1))
        assert report.ok
        assert report.updated == [("E2", ["department"])]
        assert report.left == ["E3"] and report.unchanged == 1
        lea = Employee.objects.get(employee_id="E3")
        assert lea.leave_date == datetime.date(2025, 1, 31)
        assert lea.user.is_active is False

    def test_missing_employees_leave_only_when_asked(self):
        run(csv_bytes(*BASIC))
        report = run(csv_bytes(*BASIC[:2]), today=datetime.date(2026, 1, 5))
        assert report.left == [] and Employee.objects.get(employee_id="E3").leave_date is None
        report = run(csv_bytes(*BASIC[:2]), today=datetime.date(2026, 1, 5), mark_missing_as_left=True)
        assert report.left == ["E3"]
        lea = Employee.objects.get(employee_id="E3")
        assert lea.leave_date == datetime.date(2026, 1, 5) and not lea.user.is_active

    def test_dry_run_writes_nothing(self):
        report = run(csv_bytes(*BASIC), dry_run=True)
        assert report.ok and not report.applied and len(report.created) == 3
        assert Employee.objects.count() == 0 and User.objects.count() == 0

    def test_semicolons_bom_and_french_headers_in_any_order(self):
        header = "Nom;Prénom;Matricule;Courriel;Matricule manager;Service;Site;Intitulé de poste;Niveau;Langue;Date d'entrée;Date de sortie"
        lines = [
            "Roy;Anne;E1;anne.roy@x.example;;Direction;Paris;PDG;6;Français;01/03/2001;",
            "Moreau;Léa;E3;lea.moreau@x.example;E1;Ventes;Lyon;Commerciale;1;anglais;02/09/2024;",
        ]
        data = b"\xef\xbb\xbf" + ("\n".join([header, *lines]) + "\n").encode("utf-8")
        report = run(data)
        assert report.ok, report.errors
        lea = Employee.objects.get(employee_id="E3")
        assert (lea.first_name, lea.last_name, lea.language, lea.manager.employee_id) == ("Léa", "Moreau", "en", "E1")

    def test_windows_1252_is_read(self):
        report = run(csv_bytes(*BASIC, encoding="cp1252", delimiter=";"))
        assert report.ok, report.errors
        assert Employee.objects.get(employee_id="E3").first_name == "Léa"

    def test_xlsx_with_real_dates(self):
        book = Workbook()
        sheet = book.active
        sheet.append(["Matricule", "Prénom", "Nom", "E-mail", "Matricule manager", "Niveau", "Date d'entrée"])
        sheet.append(["E1", "Anne", "Roy", "anne.roy@x.example", None, 6, datetime.datetime(2001, 3, 1)])
        sheet.append([2, "Marc", "Petit", "marc.petit@x.example", "E1", 5, "01/02/2010"])
        buffer = io.BytesIO()
        book.save(buffer)
        report = run(buffer.getvalue())
        assert report.ok, report.errors
        marc = Employee.objects.get(employee_id="2")
        assert marc.manager.employee_id == "E1" and marc.job_level == 5
        assert Employee.objects.get(employee_id="E1").hire_date == datetime.date(2001, 3, 1)

    def test_optional_columns_absent_from_the_file_are_left_alone(self):
        run(csv_bytes(*BASIC))
        report = run(csv_bytes("E3,Léa,Moreau-Durand,lea.moreau@x.example", header="employee_id,first_name,last_name,email"))
        assert report.updated == [("E3", ["last_name"])]
        lea = Employee.objects.get(employee_id="E3")
        assert lea.manager.employee_id == "E2" and lea.department.name == "Ventes"

    def test_an_existing_account_is_linked_by_email_ignoring_case(self):
        user = User.objects.create_user("Anne.Roy@X.example", "pw-123456789", is_coordinator=True)
        run(csv_bytes(*BASIC))
        assert Employee.objects.get(employee_id="E1").user == user


@pytest.mark.django_db
class TestRefusals:
    """Each refusal lists every error with its line, and writes nothing."""

    def assert_refused(self, data, *expected):
        before = (Employee.objects.count(), User.objects.count())
        report = run(data)
        assert not report.ok and not report.applied
        for fragment in expected:
            assert any(fragment in error for error in report.errors), (fragment, report.errors)
        assert (Employee.objects.count(), User.objects.count()) == before
        return report

    def test_unknown_manager(self):
        self.assert_refused(csv_bytes(BASIC[0], "E2,Marc,Petit,m@x.example,E9,,,,5,fr,,"), "line 3:", "E9")

    def test_manager_cycle(self):
        report = self.assert_refused(
            csv_bytes("A,Anne,Roy,a@x.example,C", "B,Bob,Roy,b@x.example,A", "C,Cy,Roy,c@x.example,B",
                      header="employee_id,first_name,last_name,email,manager_id"),
            "line 2:", "cycle",
        )
        assert len(report.errors) == 1

    def test_cycle_through_the_existing_directory(self):
        run(csv_bytes(*BASIC))
        self.assert_refused(csv_bytes("E1,Anne,Roy,anne.roy@x.example,E3", header="employee_id,first_name,last_name,email,manager_id"),
                            "line 2:", "cycle")

    def test_own_manager(self):
        self.assert_refused(csv_bytes("E1,Anne,Roy,a@x.example,E1", header="employee_id,first_name,last_name,email,manager_id"),
                            "line 2:", "own manager")

    def test_duplicate_id(self):
        self.assert_refused(csv_bytes(BASIC[0], BASIC[1], "E1,Bis,Roy,bis@x.example,,,,,1,fr,,"), "line 4:", "line 2")

    def test_duplicate_email_ignoring_case(self):
        self.assert_refused(csv_bytes(BASIC[0], "E2,Marc,Petit,ANNE.ROY@x.example,E1,,,,5,fr,,"), "line 3:", "case is ignored")

    def test_email_of_another_employee_already_in_the_directory(self):
        run(csv_bytes(*BASIC))
        self.assert_refused(csv_bytes("E9,Neuf,Roy,Lea.Moreau@x.example", header="employee_id,first_name,last_name,email"),
                            "line 2:", "E3")

    def test_impossible_date(self):
        self.assert_refused(csv_bytes(BASIC[0], "E2,Marc,Petit,m@x.example,E1,,,,5,fr,31/02/2020,"), "line 3:", "31/02/2020")

    def test_missing_required_column(self):
        report = self.assert_refused(csv_bytes("E1,Anne,a@x.example", header="employee_id,first_name,email"),
                                     "line 1:", "last_name")
        assert len(report.errors) == 1

    def test_every_error_is_listed_not_just_the_first(self):
        report = self.assert_refused(csv_bytes(
            BASIC[0],
            "E2,Marc,Petit,not-an-email,E1,,,,5,fr,,",
            "E3,Léa,,lea@x.example,E1,,,,high,fr,,",
            "E4,Zoé,Roy,zoe@x.example,E77,,,,1,klingon,2020-13-01,",
        ), "line 3:", "line 4:", "line 5:")
        assert len(report.errors) >= 6

    def test_errors_are_in_french_for_french_users(self):
        with translation.override("fr"):
            report = run(csv_bytes(BASIC[0], "E2,Marc,Petit,m@x.example,E9,,,,5,fr,,"))
        assert report.errors == ["ligne 3 : le matricule manager E9 est inconnu (ni dans le fichier ni dans l’annuaire)."]

    def test_leave_before_hire(self):
        self.assert_refused(csv_bytes(BASIC[0], "E2,Marc,Petit,m@x.example,E1,,,,5,fr,2020-01-01,2019-01-01"), "line 3:")

    def test_empty_file(self):
        self.assert_refused(b"", "line 1:")


@pytest.mark.django_db
class TestCommands:
    def test_import_people_prints_one_summary_line(self, tmp_path, capsys):
        path = tmp_path / "people.csv"
        path.write_bytes(csv_bytes(*BASIC))
        call_command("import_people", str(path))
        out = capsys.readouterr().out.strip().splitlines()
        assert out == ["3 created, 0 updated, 0 unchanged, 0 marked as left."]

    def test_import_people_dry_run(self, tmp_path, capsys):
        path = tmp_path / "people.csv"
        path.write_bytes(csv_bytes(*BASIC))
        call_command("import_people", str(path), "--dry-run")
        assert "3 created" in capsys.readouterr().out
        assert Employee.objects.count() == 0

    def test_import_people_exits_1_with_the_errors(self, tmp_path, capsys):
        path = tmp_path / "people.csv"
        path.write_bytes(csv_bytes(BASIC[0], "E2,Marc,Petit,m@x.example,E9,,,,5,fr,,"))
        with pytest.raises(CommandError) as excinfo:
            call_command("import_people", str(path))
        assert excinfo.value.returncode == 1
        assert "line 3:" in capsys.readouterr().err
        assert Employee.objects.count() == 0

    def test_export_then_import_is_a_round_trip(self, tmp_path):
        run(csv_bytes(*BASIC))
        path = tmp_path / "export.csv"
        call_command("export_people", "--output", str(path))
        assert path.read_text(encoding="utf-8-sig").splitlines()[0] == HEADER.replace(",", ";")
        report = run(path.read_bytes())
        assert report.ok and report.unchanged == 3 and not report.created and not report.updated

    def test_seed_demo_twice_changes_nothing(self, capsys):
        call_command("seed_demo")
        first = Employee.objects.count()
        assert 250 <= first <= 350
        assert Employee.objects.values("job_level").distinct().count() == 6
        call_command("seed_demo")
        out = capsys.readouterr().out
        assert f"0 created, 0 updated, {first} unchanged" in out
        assert User.objects.get(email="claire.dubois@demo.example").is_coordinator
