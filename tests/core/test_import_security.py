"""The HRIS import under attack: login e-mail takeover, lookalike and invisible characters,
oversized files, kept uploads, one-click mass departures, erased people coming back."""

import datetime
import io
import time
import tracemalloc
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from mentorat.core import services
from mentorat.core.models import AuditEntry, DirectoryImport, Employee, ErasedEmployee, PendingEmailChange, User
from mentorat.core.services import directory_import, directory_import_confirm, directory_import_preview
from tests.conftest import PASSWORD, client_for, drain_outbox
from tests.core.test_import import BASIC, csv_bytes

SHORT = "employee_id,first_name,last_name,email"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(data, **kwargs):
    kwargs.setdefault("dry_run", False)
    return directory_import(data=data, **kwargs)


def line_for(employee, email=None, **fields):
    return f"{employee.employee_id},{employee.first_name},{employee.last_name},{email or employee.email}"


# --- 1. Login e-mail takeover ---------------------------------------------------------------


@pytest.mark.django_db
class TestLoginEmailTakeover:
    """HR changes a pair member's e-mail in the HRIS file, then asks for a password reset at the
    new address: nothing usable must arrive, the login stays at the old address."""

    def test_the_attack_fails_on_a_pair_member(self, active_pair, org, coordinator):
        member = org["director_a"]
        old = member.user.email
        member.user.set_unusable_password()  # in a pair: protected even without a password
        member.user.save()
        report = run(csv_bytes(line_for(member, "hr.attacker@x.example"), header=SHORT), actor=coordinator)
        assert report.applied, report.errors
        member.refresh_from_db()
        member.user.refresh_from_db()
        assert member.email == "hr.attacker@x.example"  # the directory follows the HRIS…
        assert member.user.email == old  # …the login does not
        mail.outbox.clear()
        Client().post(reverse("password_reset"), {"email": "hr.attacker@x.example"})
        assert mail.outbox == []
        assert not User.objects.filter(email__iexact="hr.attacker@x.example").exists()
        change = PendingEmailChange.objects.get(user=member.user)
        assert (change.old_email, change.new_email, change.is_open) == (old, "hr.attacker@x.example", True)

    def test_an_account_with_a_password_keeps_its_login_and_can_still_log_in(self, org, coordinator):
        member = org["junior_a"]
        old = member.user.email
        run(csv_bytes(line_for(member, "new.address@x.example"), header=SHORT), actor=coordinator)
        member.user.refresh_from_db()
        assert member.user.email == old
        assert Client().post(reverse("login"), {"username": old, "password": PASSWORD}).status_code == 302
        assert Client().post(reverse("login"), {"username": "new.address@x.example", "password": PASSWORD}).status_code == 200

    def test_the_old_address_gets_a_confirmation_link_and_the_change_is_audited(self, org, coordinator):
        member = org["junior_a"]
        old = member.user.email
        run(csv_bytes(line_for(member, "new.address@x.example"), header=SHORT), actor=coordinator)
        entry = AuditEntry.objects.get(action="account.email_change_requested")
        assert entry.details["old"] == old and entry.details["new"] == "new.address@x.example"
        mail.outbox.clear()
        drain_outbox()
        assert [m.to for m in mail.outbox] == [[old]]
        body = mail.outbox[0].body
        change = PendingEmailChange.objects.get(user=member.user)
        url = services.email_change_confirm_path(change)
        assert url in body and "new.address@x.example" in body

    def test_confirming_from_the_old_address_moves_the_login(self, org, coordinator):
        member = org["junior_a"]
        old = member.user.email
        run(csv_bytes(line_for(member, "new.address@x.example"), header=SHORT), actor=coordinator)
        change = PendingEmailChange.objects.get(user=member.user)
        client = Client()
        path = services.email_change_confirm_path(change)
        page = client.get(path)
        assert page.status_code == 200 and old in page.content.decode() and "new.address@x.example" in page.content.decode()
        member.user.refresh_from_db()
        assert member.user.email == old  # a GET (a mail scanner) changes nothing
        client.post(path)
        member.user.refresh_from_db()
        change.refresh_from_db()
        assert member.user.email == "new.address@x.example" and change.confirmed_at is not None
        entry = AuditEntry.objects.get(action="account.email_changed")
        assert entry.details == {"old": old, "new": "new.address@x.example", "how": "confirmed by the person"}
        assert client.post(path).status_code == 400  # used once

    def test_a_forged_or_tampered_link_changes_nothing(self, org, coordinator):
        member = org["junior_a"]
        old = member.user.email
        run(csv_bytes(line_for(member, "new.address@x.example"), header=SHORT), actor=coordinator)
        change = PendingEmailChange.objects.get(user=member.user)
        path = services.email_change_confirm_path(change)
        assert Client().post(path[:-3] + "xyz/").status_code == 400
        assert Client().post(reverse("core:email_change_confirm", args=[change.token])).status_code == 400
        member.user.refresh_from_db()
        assert member.user.email == old

    def test_the_preview_names_each_login_change(self, org, hr_lead):
        member = org["junior_a"]
        old = member.user.email
        batch = directory_import_preview(filename="f.csv", data=csv_bytes(line_for(member, "new.address@x.example"), header=SHORT),
                                         uploaded_by=hr_lead, mark_missing_as_left=False)
        assert batch.summary["email_changes"] == [[member.employee_id, member.full_name, old, "new.address@x.example", True]]
        page = client_for(hr_lead).get(reverse("core:import_preview", args=[batch.pk])).content.decode()
        assert old in page and "new.address@x.example" in page
        assert not PendingEmailChange.objects.exists()  # a preview writes nothing

    def test_an_account_without_password_nor_pair_follows_at_once_and_the_old_address_is_told(self, coordinator):
        run(csv_bytes(*BASIC))
        lea = Employee.objects.get(employee_id="E3")
        assert not lea.user.has_usable_password()
        report = run(csv_bytes("E3,Léa,Moreau,lea.new@x.example", header=SHORT), actor=coordinator)
        assert report.applied
        lea.user.refresh_from_db()
        assert lea.user.email == "lea.new@x.example"
        entry = AuditEntry.objects.get(action="account.email_changed")
        assert entry.details == {"old": "lea.moreau@x.example", "new": "lea.new@x.example", "how": "directory import"}
        mail.outbox.clear()
        drain_outbox()
        assert [m.to for m in mail.outbox] == [["lea.moreau@x.example"]]

    def test_a_second_import_does_not_ask_twice_and_a_revert_cancels(self, org, coordinator):
        member = org["junior_a"]
        old = member.email
        data = csv_bytes(line_for(member, "new.address@x.example"), header=SHORT)
        run(data, actor=coordinator)
        run(data, actor=coordinator)
        assert PendingEmailChange.objects.filter(user=member.user).count() == 1
        run(csv_bytes(line_for(member, old), header=SHORT), actor=coordinator)
        assert not PendingEmailChange.objects.filter(user=member.user, confirmed_at=None, cancelled_at=None).exists()

    def test_a_held_login_cannot_be_given_to_another_employee(self, org, coordinator):
        member = org["junior_a"]
        old = member.email
        report = run(csv_bytes(line_for(member, "new.address@x.example"), f"NEW9,Eve,Hacker,{old}", header=SHORT),
                     actor=coordinator)
        assert not report.ok and any("line 3:" in e for e in report.errors)
        assert not Employee.objects.filter(employee_id="NEW9").exists()


# --- 3. Invisible characters and lookalike domains ------------------------------------------


ACME = [
    "A1,Anne,Roy,anne@acme.example",
    "A2,Marc,Petit,marc@acme.example",
    "A3,Léa,Moreau,lea@acme.example",
]


@pytest.mark.django_db
class TestCharactersAndDomains:
    def assert_refused(self, data, *fragments):
        report = run(data)
        assert not report.ok and not report.applied
        for fragment in fragments:
            assert any(fragment in e for e in report.errors), (fragment, report.errors)
        assert Employee.objects.count() == 0
        return report

    @pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f"])
    def test_bidi_controls_in_a_name_are_refused(self, char):
        self.assert_refused(csv_bytes(*ACME, f"A4,Zo{char}é,Roy,zoe@acme.example", header=SHORT), "line 5:")

    @pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
    def test_zero_width_characters_in_an_email_are_refused(self, char):
        self.assert_refused(csv_bytes(*ACME, f"A4,Zoé,Roy,zo{char}e@acme.example", header=SHORT), "line 5:")

    def test_other_control_characters_are_refused(self):
        self.assert_refused(csv_bytes(*ACME, "A4,Zo\x07é,Roy,zoe@acme.example", header=SHORT), "line 5:")

    @pytest.mark.parametrize("email", ["zoe@acmé.example", "zoe@xn--acm-bma.example", "zoé@acme.example"])
    def test_non_ascii_and_punycode_addresses_are_refused(self, email):
        self.assert_refused(csv_bytes(*ACME, f"A4,Zoé,Roy,{email}", header=SHORT), "line 5:")

    @pytest.mark.parametrize("domain", ["acrne.example", "acme.examp1e", "acm.example", "acmee.example", "ac0me.example",
                                        "amce.example"])
    def test_a_lookalike_of_the_company_domain_is_refused(self, domain):
        self.assert_refused(csv_bytes(*ACME, f"A4,Zoé,Roy,zoe@{domain}", header=SHORT), "line 5:", "acme.example")

    def test_the_company_domain_is_learnt_from_the_directory_too(self):
        run(csv_bytes(*ACME, header=SHORT))
        report = run(csv_bytes("A4,Zoé,Roy,zoe@acrne.example", header=SHORT))
        assert not report.ok and "acme.example" in report.errors[0]

    def test_a_different_domain_is_accepted(self):
        assert run(csv_bytes(*ACME, "A4,Zoé,Roy,zoe@subsidiary.example", header=SHORT)).applied

    def test_the_applications_import_refuses_invisible_characters_too(self, programme, org):
        from programmes.imports import applications_import

        data = ("employee_id,role,domains,availability,motivation\n"
                f"{org['junior_a'].employee_id},mentor,generative-ai:3,mon-am,Je veux\u202e aider\n").encode()
        _count, errors = applications_import(programme=programme, data=data, dry_run=True)
        assert any(e.startswith("line 2:") for e in errors), errors


# --- 4. Oversized files ---------------------------------------------------------------------


def zip_bomb(uncompressed_mb: int) -> bytes:
    """An XLSX-looking zip: small on disk, huge once inflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(uncompressed_mb):
                member.write(chunk)
    return buffer.getvalue()


@pytest.mark.django_db
class TestOversizedFiles:
    def test_an_xlsx_bomb_is_refused_quickly_without_inflating_it(self, settings):
        data = zip_bomb(512)
        assert len(data) < 2 * 1024 * 1024
        tracemalloc.start()
        started = time.monotonic()
        report = run(data)
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert not report.ok and not report.applied
        assert report.errors[0].startswith("line 1:") and "uncompressed" in report.errors[0]
        assert elapsed < 5 and peak < 50 * 1024 * 1024
        assert Employee.objects.count() == 0

    def test_a_member_inflating_too_many_times_is_refused(self, settings):
        settings.MENTORAT_IMPORT_MAX_UNCOMPRESSED_BYTES = 10**12  # only the ratio can stop it
        report = run(zip_bomb(64))
        assert not report.ok and "compressed" in report.errors[0]

    def test_too_many_rows_are_refused_with_one_clear_message(self, settings):
        settings.MENTORAT_IMPORT_MAX_ROWS = 50
        lines = [f"R{n},Anne,Roy,r{n}@x.example" for n in range(200)]
        report = run(csv_bytes(*lines, header=SHORT))
        assert report.errors == ["line 52: the file has more than 50 employee lines (the limit is MENTORAT_IMPORT_MAX_ROWS)."]
        assert Employee.objects.count() == 0

    def test_blank_lines_do_not_count_as_employees(self, settings):
        settings.MENTORAT_IMPORT_MAX_ROWS = 3
        report = run(csv_bytes("A1,Anne,Roy,anne@acme.example", *[",,,"] * 50, "A2,Marc,Petit,marc@acme.example",
                               header=SHORT))
        assert report.applied, report.errors

    def test_the_default_row_limit_is_a_hundred_thousand(self, settings):
        assert settings.MENTORAT_IMPORT_MAX_ROWS == 100_000

    def test_a_slow_parse_is_stopped(self, settings):
        settings.MENTORAT_IMPORT_MAX_SECONDS = 0
        lines = [f"R{n},Anne,Roy,r{n}@x.example" for n in range(3000)]
        report = run(csv_bytes(*lines, header=SHORT))
        assert not report.ok and "too long" in report.errors[0]
        assert Employee.objects.count() == 0

    def test_stored_errors_are_capped(self, coordinator):
        lines = [f"R{n},Anne,Roy,not-an-email-{n}" for n in range(450)]
        batch = directory_import_preview(filename="f.csv", data=csv_bytes(*lines, header=SHORT), uploaded_by=coordinator,
                                         mark_missing_as_left=False)
        errors = batch.summary["errors"]
        assert len(errors) == 201 and errors[-1] == "… and 250 more errors."


# --- 5. Uploads are not kept ----------------------------------------------------------------


@pytest.mark.django_db
class TestUploadPurge:
    def make(self, user, status, age_days):
        batch = DirectoryImport.objects.create(filename="f.csv", content=b"secret hris content", uploaded_by=user,
                                               status=status, summary={"created_count": 3})
        DirectoryImport.objects.filter(pk=batch.pk).update(created_at=timezone.now() - datetime.timedelta(days=age_days))
        return batch

    def test_raw_files_are_purged_after_their_time_and_the_counts_kept(self, coordinator, settings):
        settings.MENTORAT_IMPORT_KEEP_DAYS = 7
        old_applied = self.make(coordinator, "applied", 8)
        old_refused = self.make(coordinator, "refused", 8)
        recent_applied = self.make(coordinator, "applied", 2)
        stale_preview = self.make(coordinator, "previewed", 2)
        fresh_preview = self.make(coordinator, "previewed", 0)
        from mentorat.core.tasks import import_purge

        assert import_purge() == 3
        for batch in (old_applied, old_refused, stale_preview):
            batch.refresh_from_db()
            assert bytes(batch.content) == b"" and batch.purged_at is not None
            assert batch.summary == {"created_count": 3}
        stale_preview.refresh_from_db()
        assert stale_preview.status == "expired"
        for batch in (recent_applied, fresh_preview):
            batch.refresh_from_db()
            assert bytes(batch.content) == b"secret hris content"
        assert import_purge() == 0

    def test_the_names_and_addresses_of_a_purged_upload_go_with_its_file(self, coordinator, settings):
        settings.MENTORAT_IMPORT_KEEP_DAYS = 7
        batch = self.make(coordinator, "applied", 8)
        DirectoryImport.objects.filter(pk=batch.pk).update(summary={
            "created_count": 3, "left": ["Nadia Simon"], "errors": ["line 4: nadia.simon@corp.example"],
            "login_changes": [{"old": "nadia.simon@corp.example", "new": "n.simon@corp.example"}]})
        recent = self.make(coordinator, "applied", 2)
        DirectoryImport.objects.filter(pk=recent.pk).update(summary={"created_count": 1, "left": ["Paul Martin"]})
        services.directory_import_purge()
        batch.refresh_from_db()
        recent.refresh_from_db()
        assert batch.summary == {"created_count": 3, "left": [], "errors": [], "login_changes": []}
        assert recent.summary == {"created_count": 1, "left": ["Paul Martin"]}  # still within its week

    def test_an_expired_preview_cannot_be_confirmed(self, hr_lead):
        batch = self.make(hr_lead, "previewed", 2)
        services.directory_import_purge()
        batch.refresh_from_db()
        response = client_for(hr_lead).post(reverse("core:import_confirm", args=[batch.pk]))
        assert response.status_code == 302
        batch.refresh_from_db()
        assert batch.status == "expired"

    def test_the_task_runs_nightly(self, settings):
        entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "directory.import_purge"]
        assert len(entries) == 1


# --- 6. Mass departures ---------------------------------------------------------------------


@pytest.mark.django_db
class TestMassDepartures:
    def directory(self, n=20):
        lines = [f"P{i:02d},Anne,Roy,p{i}@x.example" for i in range(n)]
        run(csv_bytes(*lines, header=SHORT))
        return lines

    def test_a_large_share_is_shown_loudly_and_needs_the_typed_word(self, hr_lead):
        lines = self.directory()
        batch = directory_import_preview(filename="f.csv", data=csv_bytes(*lines[:5], header=SHORT), uploaded_by=hr_lead,
                                         mark_missing_as_left=True)
        assert batch.summary["mass_leave"]["count"] == 15 + 1  # the hr_lead too
        client = client_for(hr_lead)
        page = client.get(reverse("core:import_preview", args=[batch.pk])).content.decode()
        assert "alert-danger" in page and "16" in page
        client.post(reverse("core:import_confirm", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == "previewed"
        assert Employee.objects.present().count() == 21
        with translation.override("fr"):
            word = services.mass_leave_word()
        client.post(reverse("core:import_confirm", args=[batch.pk]), {"typed_word": word.lower(), "confirm_named": "on"})
        batch.refresh_from_db()
        assert batch.status == "applied"
        assert Employee.objects.present().count() == 5

    def test_the_importing_user_and_pair_members_are_named_and_need_an_extra_confirmation(self, active_pair, org, hr_lead):
        everyone = [e for e in Employee.objects.all() if e.employee_id not in ("HRLEAD", org["director_a"].employee_id)]
        lines = [line_for(e) for e in everyone]
        batch = directory_import_preview(filename="f.csv", data=csv_bytes(*lines, header=SHORT), uploaded_by=hr_lead,
                                         mark_missing_as_left=True)
        named = {row[0]: " ".join(row[2]) for row in batch.summary["left_named"]}
        assert set(named) == {"HRLEAD", org["director_a"].employee_id}
        assert "you" in named["HRLEAD"] and "pair" in named[org["director_a"].employee_id]
        page = client_for(hr_lead).get(reverse("core:import_preview", args=[batch.pk])).content.decode()
        assert org["director_a"].full_name in page
        with pytest.raises(services.ImportConfirmationNeeded):
            directory_import_confirm(batch=batch, actor=hr_lead, typed_word=services.mass_leave_word())
        assert Employee.objects.get(employee_id="HRLEAD").leave_date is None
        report = directory_import_confirm(batch=batch, actor=hr_lead, typed_word=services.mass_leave_word(),
                                          confirm_named=True)
        assert report.applied
        assert Employee.objects.get(employee_id="HRLEAD").leave_date is not None

    def test_a_small_share_needs_no_typing(self, coordinator):
        lines = self.directory(30)
        batch = directory_import_preview(filename="f.csv", data=csv_bytes(*lines[:-1], line_for(coordinator.employee), header=SHORT),
                                         uploaded_by=coordinator, mark_missing_as_left=True)
        assert batch.summary["mass_leave"] is None and batch.summary["left_named"] == []
        assert directory_import_confirm(batch=batch, actor=coordinator).applied


# --- 7. Erased people -----------------------------------------------------------------------


@pytest.mark.django_db
class TestErasedPeople:
    def test_an_erased_employee_id_is_skipped_with_a_warning(self):
        ErasedEmployee.objects.create(digest=ErasedEmployee.digest_of("E3"))
        report = run(csv_bytes(*BASIC))
        assert report.applied, report.errors
        assert not Employee.objects.filter(employee_id="E3").exists()
        assert any(w.startswith("line 4:") for w in report.warnings)
        assert not any("Léa" in w or "lea.moreau" in w for w in report.warnings)
        assert Employee.objects.count() == 2

    def test_a_report_of_an_erased_manager_keeps_its_manager(self):
        run(csv_bytes(*BASIC))
        ErasedEmployee.objects.create(digest=ErasedEmployee.digest_of("E2"))
        report = run(csv_bytes(*BASIC))
        assert report.applied, report.errors
        assert Employee.objects.get(employee_id="E3").manager.employee_id == "E2"


# --- Same holes, other doors ----------------------------------------------------------------


@pytest.mark.django_db
class TestOtherDoors:
    def test_a_trusted_domain_may_look_like_the_main_one(self, settings):
        settings.MENTORAT_IMPORT_TRUSTED_DOMAINS = ["acme.exampl"]
        assert run(csv_bytes(*ACME, "A4,Zoé,Roy,zoe@acme.exampl", header=SHORT)).applied

    def test_erased_records_are_not_counted_as_leavers(self, coordinator):
        run(csv_bytes(*ACME, header=SHORT))
        Employee.objects.filter(employee_id="A3").update(employee_id="ERASED-99", first_name="—", last_name="—")
        report = run(csv_bytes(*ACME[:2], f"COORD,{coordinator.first_name},{coordinator.last_name},{coordinator.email}",
                               header=SHORT), dry_run=True, mark_missing_as_left=True)
        assert report.left == []

    def test_the_command_refuses_mass_departures_without_the_flag(self, tmp_path, capsys):
        from django.core.management import call_command
        from django.core.management.base import CommandError

        lines = [f"P{i:02d},Anne,Roy,p{i}@x.example" for i in range(20)]
        run(csv_bytes(*lines, header=SHORT))
        path = tmp_path / "few.csv"
        path.write_bytes(csv_bytes(*lines[:5], header=SHORT))
        with pytest.raises(CommandError):
            call_command("import_people", str(path), "--mark-missing-as-left")
        assert Employee.objects.present().count() == 20
        call_command("import_people", str(path), "--mark-missing-as-left", "--confirm-departures")
        assert Employee.objects.present().count() == 5

    def test_the_command_names_login_changes(self, tmp_path, capsys, org):
        from django.core.management import call_command

        member = org["junior_a"]
        path = tmp_path / "f.csv"
        path.write_bytes(csv_bytes(line_for(member, "new.address@x.example"), header=SHORT))
        call_command("import_people", str(path))
        err = capsys.readouterr().err
        assert f"{member.email} → new.address@x.example" in err

    def test_the_command_refuses_a_file_over_the_size_limit(self, tmp_path, settings):
        from django.core.management import call_command
        from django.core.management.base import CommandError

        settings.MENTORAT_IMPORT_MAX_BYTES = 1024
        path = tmp_path / "big.csv"
        path.write_bytes(csv_bytes(*[f"R{n},Anne,Roy,r{n}@x.example" for n in range(100)], header=SHORT))
        with pytest.raises(CommandError, match="MENTORAT_IMPORT_MAX_BYTES"):
            call_command("import_people", str(path))

    def test_the_stored_lists_of_login_changes_and_named_leavers_are_bounded(self, coordinator):
        report = services.ImportReport(email_changes=[(f"E{n}", "a@x", "b@x", True) for n in range(700)],
                                       left_named=[(f"E{n}", ["member of a pair"]) for n in range(700)])
        summary = report.as_dict()
        assert len(summary["email_changes"]) == 500 and summary["email_changes_count"] == 700
        assert len(summary["left_named"]) == 500 and summary["left_named_count"] == 700


@pytest.mark.django_db
def test_a_header_of_thousands_of_columns_is_one_error():
    header = SHORT + "".join(f",x{n}" for n in range(20_000))
    report = run(csv_bytes("A1,Anne,Roy,anne@acme.example", header=header))
    assert len(report.errors) == 1 and "columns" in report.errors[0] and len(report.warnings) <= 1


@pytest.mark.django_db
def test_the_typed_word_ignores_case_accents_and_spaces(coordinator):
    lines = [f"P{i:02d},Anne,Roy,p{i}@x.example" for i in range(20)]
    run(csv_bytes(*lines, header=SHORT))
    batch = directory_import_preview(filename="f.csv", data=csv_bytes(*lines[:5], line_for(coordinator.employee), header=SHORT),
                                     uploaded_by=coordinator, mark_missing_as_left=True)
    assert batch.status == "previewed", batch.summary["errors"]
    # The French word (DÉPARTS) is in locale/pending until the catalogue is merged: check case and spaces here.
    word = services.mass_leave_word()
    assert directory_import_confirm(batch=batch, actor=coordinator, typed_word=f" {word.lower()} ").applied


@pytest.mark.django_db
def test_a_preview_is_applied_once_even_from_two_stale_copies(coordinator, org):
    member = org["junior_a"]
    data = csv_bytes(line_for(member, "new.address@x.example"), header=SHORT)
    batch = directory_import_preview(filename="f.csv", data=data, uploaded_by=coordinator, mark_missing_as_left=False)
    first, second = DirectoryImport.objects.get(pk=batch.pk), DirectoryImport.objects.get(pk=batch.pk)
    directory_import_confirm(batch=first, actor=coordinator)
    with pytest.raises(ValueError):
        directory_import_confirm(batch=second, actor=coordinator)
    assert AuditEntry.objects.filter(action="directory.import").count() == 1


@pytest.mark.django_db
def test_an_account_that_has_logged_in_without_a_password_keeps_its_login(coordinator):
    """Single sign-on users have no password; once they have logged in, their login is theirs."""
    run(csv_bytes(*BASIC))
    lea = Employee.objects.get(employee_id="E3")
    User.objects.filter(pk=lea.user_id).update(last_login=timezone.now())
    run(csv_bytes("E3,Léa,Moreau,lea.new@x.example", header=SHORT), actor=coordinator)
    lea.user.refresh_from_db()
    assert lea.user.email == "lea.moreau@x.example"
    assert PendingEmailChange.objects.get(user=lea.user).is_open
