"""Personal data across the whole product: one written registry of every text column (personal
and erased how, or not personal and why), and an erasure that leaves nothing naming the person —
in any table, in the mail copies or in the cache — while every count stays."""

import datetime
import io
import json
import pickle
import zlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache, caches
from django.db import models
from django.urls import reverse

from mentorat.core import privacy
from mentorat.core.models import AuditEntry, DirectoryImport, Employee, ErasedEmployee, PendingEmailChange
from tests.conftest import application_data, client_for
from tests.factories import EmployeeFactory

# The word an HR lead types to erase someone, in French (the users' language here; English: ERASE).
ERASE = "EFFACER"

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField,
               models.GenericIPAddressField, models.FileField, models.UUIDField)
# The project's apps and the third-party ones that keep rows about people.
APPS = {"core", "programmes", "binomes", "mentoring_sessions", "evaluation", "admin", "auth", "contenttypes",
        "sessions", "axes", "api"}


def text_columns():
    """``app_label.Model.field`` of every text-like column of every concrete model."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                yield f"{model._meta.label}.{field.name}"


def test_every_text_column_is_declared_personal_or_not_in_one_registry(db):
    declared = privacy.FIELDS
    columns = set(text_columns())
    missing = sorted(columns - declared.keys())
    assert not missing, "declare these columns in a privacy.FIELDS registry (Personal(...) or NotPersonal(...)): " + ", ".join(missing)
    assert not sorted(declared.keys() - columns), "declared columns that no longer exist"
    for key, declaration in declared.items():
        assert isinstance(declaration, privacy.Personal | privacy.NotPersonal), key
        assert (declaration.erased if isinstance(declaration, privacy.Personal) else declaration.why).strip(), key


# --- The end-to-end erasure ------------------------------------------------------------------

FIRST, LAST, EMAIL, EID = "Zéphyrine", "Quaglia-Ostrowski", "zephyrine.quaglia@corp.example", "ZQ90417"
MARK = "Marqueur-ZQ-secret"  # in every text she wrote


def row_texts(instance):
    for field in instance._meta.concrete_fields:
        if not isinstance(field, TEXT_FIELDS):
            continue
        value = getattr(instance, field.attname)
        if value is None:
            continue
        if isinstance(value, bytes | memoryview):
            yield from upload_texts(bytes(value))
        elif isinstance(value, str):
            yield value
        else:
            yield json.dumps(value, ensure_ascii=False, default=str)


def upload_texts(data: bytes):
    from mentorat.core.directory_file import is_xlsx

    if is_xlsx(data):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(data))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield " ".join(str(cell) for cell in row if cell is not None)
    else:
        yield data.decode("utf-8", errors="replace")


def cache_texts():
    """Every value of the shared cache, decoded: Redis (CI, production) or the files of ``make run``."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(caches["default"], RedisCache):
        client = cache._cache.get_client(write=False)
        for key in client.scan_iter(match=cache.make_key("*")):
            raw = client.get(key)
            if raw is not None:
                yield repr(cache._cache._serializer.loads(raw))
        return
    location = Path(settings.CACHES["default"]["LOCATION"])
    for path in location.rglob("*.djcache"):
        with open(path, "rb") as handle:
            pickle.load(handle)  # expiry
            yield repr(pickle.loads(zlib.decompress(handle.read())))


def mail_texts(folder: Path):
    for path in folder.glob("*"):
        yield path.read_text(errors="replace")


def found(terms, texts) -> list[str]:
    hits = []
    for text in texts:
        folded = text.casefold()
        hits += [term for term in terms if term.casefold() in folded]
    return hits


def everything_naming(terms, mail_folder):
    hits = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in APPS:
            continue
        for instance in model._default_manager.all():
            for term in found(terms, row_texts(instance)):
                hits.append(f"{model._meta.label} #{instance.pk}: {term}")
    hits += [f"cache: {term}" for term in found(terms, cache_texts())]
    hits += [f"mail: {term}" for term in found(terms, mail_texts(mail_folder))]
    return hits


def counts():
    from binomes.models import Pair
    from evaluation.models import Answer, Response
    from sessions.models import Commitment, LearningGoal, MentoringSession, SessionLog, SessionRating

    return {model.__name__: model.objects.count()
            for model in (Pair, MentoringSession, SessionLog, SessionRating, LearningGoal, Commitment, Response, Answer,
                          AuditEntry, LogEntry, DirectoryImport, Employee)}


@pytest.fixture
def file_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


@pytest.fixture
def history(programme, org, coordinator, superuser, file_mail):
    """Zéphyrine, a senior with everything a person can leave behind."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from binomes import services as pairing
    from binomes.models import Pair
    from evaluation.services import surveys_ensure, testimonial_submit
    from mentorat.core import scopes
    from mentorat.core.services import audit_log, login_unlock
    from programmes.services import application_review, application_submit, programme_transition
    from sessions import services as sessions
    from tests.evaluation.conftest import answer

    person = EmployeeFactory(employee_id=EID, first_name=FIRST, last_name=LAST, email=EMAIL, job_level=5,
                             manager=org["ceo"])
    user = person.user
    junior = org["junior_b"]
    apps_ = {}
    for employee, role in ((person, "mentee"), (junior, "mentor")):
        data = application_data(role, motivation=f"{MARK} motivation", desired_outcome=f"{MARK} outcome") \
            if employee == person else application_data(role)
        apps_[role] = application_submit(employee=employee, programme=programme, role=role, data=data, charter_accepted=True)
        application_review(actor=coordinator, application=apps_[role], decision="approve", message=f"Bravo {FIRST} {LAST}")
    programme_transition(actor=coordinator, programme=programme, to="pairing")
    pair = pairing.pair_manual(actor=coordinator, programme=programme, mentor=apps_["mentor"], mentee=apps_["mentee"])
    pairing.pairs_publish(actor=coordinator, programme=programme)
    Pair.objects.filter(pk=pair.pk).update(expires_at=None)
    when = datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC)
    pairing.pair_confirm(user=junior.user, pair=pair, now=when)
    pairing.pair_confirm(user=user, pair=pair, now=when)
    pair.refresh_from_db()
    later = datetime.datetime(2027, 12, 1, tzinfo=datetime.UTC)
    first, second = list(pair.sessions.order_by("starts_at"))[:2]
    sessions.session_log(user=user, session=first, now=later, data=sessions.LogData(
        held=True, actual_minutes=60, topics=f"{MARK} topics", learned=f"{MARK} learned", exercise=f"{MARK} exercise",
        next_step=f"{MARK} next"))
    sessions.session_log(user=junior.user, session=second, now=later, data=sessions.LogData(
        held=True, actual_minutes=45, topics=f"Avec {FIRST} {LAST} sur TikTok"))
    first.refresh_from_db()
    sessions.session_rate(user=user, session=first, score=4, comment=f"{MARK} rating")
    sessions.note_add(user=user, pair=pair, body=f"{MARK} note")
    sessions.note_add(user=junior.user, pair=pair, body=f"Penser à relancer {FIRST} {LAST}")
    goal = sessions.goal_save(user=user, pair=pair, title=f"{MARK} goal")
    sessions.goal_move(user=user, goal=goal, progress=30, status="in_progress", note=f"{MARK} move")
    sessions.goal_move(user=junior.user, goal=goal, progress=50, status="in_progress", note=f"Bravo {FIRST} {LAST}")
    sessions.commitment_add(user=user, pair=pair, text=f"{MARK} commitment", due_date=datetime.date(2027, 6, 1))
    if hasattr(programme, "concern_contacts"):  # concerns go to the programme's named HR contacts
        programme.concern_contacts.add(coordinator)
    sessions.concern_raise(user=junior.user, pair=pair, body=f"{FIRST} {LAST} ({EMAIL}) annule souvent")
    sessions.delegate_set(user=user, email=org["manager_a"].user.email)
    sessions.feed_get(user=user)
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
    answer(surveys[("midpoint", "mentee")], pair, "mentee", {"satisfaction": 4, "text": f"{MARK} answer"})
    answer(surveys[("midpoint", "mentor")], pair, "mentor", {"satisfaction": 3, "text": f"{FIRST} {LAST} écoute"})
    testimonial_submit(user=user, programme=programme, title=f"{MARK} story", body=f"{MARK} body", consent=True)
    programme.milestones.create(title=f"Témoignage de {FIRST} {LAST}", date=datetime.date(2027, 5, 3))
    PendingEmailChange.objects.create(user=user, old_email=EMAIL, new_email="zq@elsewhere.example", token="t-zq")

    # The login history, the audit trail and the admin log.
    AccessAttempt.objects.create(username=EMAIL, ip_address="10.1.2.3", user_agent="ZQ-Browser", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data=f"username={EMAIL}",
                                 failures_since_start=5)
    AccessFailureLog.objects.create(username=EMAIL, ip_address="10.1.2.3", user_agent="ZQ-Browser", http_accept="*/*",
                                    path_info="/accounts/login/")
    assert login_unlock(actor=coordinator, email=EMAIL)
    AccessLog.objects.create(username=EMAIL, ip_address="10.1.2.3", user_agent="ZQ-Browser", http_accept="*/*",
                             path_info="/accounts/login/")
    audit_log(actor=coordinator, action="test.naming", target=EMAIL, details={"who": f"{FIRST} {LAST}", "id": EID})
    LogEntry.objects.create(user=superuser, content_type=ContentType.objects.get_for_model(Employee),
                            object_id=str(person.pk), object_repr=str(person), action_flag=CHANGE,
                            change_message=json.dumps([{"changed": {"fields": ["Job title"]}}]))

    # An HRIS upload with her row, and a colleague she manages.
    content = ("employee_id;first_name;last_name;email;manager_id\n"
               f"{EID};{FIRST};{LAST};{EMAIL};CEO\n"
               f"KEEP1;Paul;Durand;paul.durand@corp.example;{EID}\n").encode("cp1252")
    DirectoryImport.objects.create(filename="export.csv", content=content, uploaded_by=coordinator,
                                   status=DirectoryImport.Status.APPLIED,
                                   summary={"created": [[EID, f"{FIRST} {LAST}"], ["KEEP1", "Paul Durand"]],
                                            "errors": [f"line 2: e-mail {EMAIL} is already used by employee {EID}."]})

    # A mail copy to her, one to someone else; cached values naming her.
    with mail.get_connection() as connection:  # one file, two messages
        connection.send_messages([
            mail.EmailMultiAlternatives(f"Bonjour {FIRST}", f"Votre séance, {FIRST} {LAST}", None, [EMAIL],
                                        alternatives=[(f"<p>{FIRST} {LAST}</p>", "text/html")]),
            mail.EmailMessage("Digest", "Rien de personnel", None, ["someone@corp.example"]),
        ])
    cache.set("test:naming", {"name": f"{FIRST} {LAST}", "email": EMAIL}, 3600)
    scopes.cached("test-naming", (), lambda: f"{FIRST} {LAST}", scopes=[("directory",)], timeout=3600)
    client_for(user).get(reverse("core:home"))  # a login session
    return {"person": person, "user": user, "pair": pair, "junior": junior}


TERMS = [FIRST, LAST, EMAIL, EID, MARK]


def test_the_history_names_her_everywhere_before_erasure(history, file_mail):
    hits = everything_naming(TERMS, file_mail)
    assert len(list(file_mail.glob("*"))) == 1  # both messages in one file
    for place in ("core.AuditEntry", "admin.LogEntry", "programmes.Milestone", "axes.AccessLog", "core.DirectoryImport", "mentoring_sessions.SessionLog",
                  "mentoring_sessions.LearningGoal", "mentoring_sessions.Commitment", "mentoring_sessions.Concern",
                  "cache:", "mail:"):
        assert any(hit.startswith(place) for hit in hits), place


def test_erasure_leaves_nothing_naming_the_person_in_any_table_mail_or_cache_and_keeps_every_count(
        history, hr_lead, file_mail, django_capture_on_commit_callbacks):
    person = history["person"]
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(hr_lead).post(reverse("core:employee_erase", args=[person.pk]), {"confirm": ERASE})
    assert response.status_code == 302
    assert everything_naming(TERMS, file_mail) == []
    after = counts()
    assert after == {**before, "AuditEntry": before["AuditEntry"] + 1}  # the erasure's own entry
    # What was about others stays: the colleague's row of the upload, the other mail.
    upload = DirectoryImport.objects.get()
    assert b"KEEP1;Paul;Durand" in bytes(upload.content)
    assert found(["Rien de personnel"], mail_texts(file_mail))
    # The audit trail keeps its entries, naming her by her record only.
    entry = AuditEntry.objects.get(action="test.naming")
    assert entry.target == f"employee:{person.pk}" and entry.details["who"] == f"employee:{person.pk}"
    from django.contrib.sessions.models import Session

    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(history["user"].pk)]


def test_erasure_remembers_the_employee_id_only_as_a_keyed_digest(history, hr_lead):
    person = history["person"]
    client_for(hr_lead).post(reverse("core:employee_erase", args=[person.pk]), {"confirm": ERASE})
    remembered = ErasedEmployee.objects.get()
    assert remembered.digest == ErasedEmployee.digest_of(EID) and EID not in remembered.digest
    person.refresh_from_db()
    assert person.employee_id != EID


def test_an_upload_that_cannot_be_cleaned_line_by_line_is_emptied(db, coordinator):
    from openpyxl import Workbook

    person = EmployeeFactory(employee_id=EID, first_name=FIRST, last_name=LAST, email=EMAIL)
    workbook = Workbook()
    workbook.active.append(["employee_id", "first_name", "last_name", "email"])
    workbook.active.append([EID, FIRST, LAST, EMAIL])
    workbook.active.append(["KEEP1", "Paul", "Durand", "paul.durand@corp.example"])
    workbook.create_sheet("notes").append([f"Appeler {FIRST} {LAST}"])
    data = io.BytesIO()
    workbook.save(data)
    DirectoryImport.objects.create(filename="export.xlsx", content=data.getvalue(), uploaded_by=coordinator)
    privacy.person_erase(actor=coordinator, employee=person)
    content = bytes(DirectoryImport.objects.get().content)
    assert not found([FIRST, LAST, EMAIL, EID], upload_texts(content) if content else [])


def test_a_coordinator_can_erase_neither_themself_nor_an_administrator(db, hr_lead):
    from mentorat.core.models import User

    administrator = EmployeeFactory(employee_id="ROOT1", user__is_superuser=True, user__is_staff=True)
    client = client_for(hr_lead)
    for employee in (hr_lead.employee, administrator):
        response = client.post(reverse("core:employee_erase", args=[employee.pk]), {"confirm": ERASE}, follow=True)
        assert response.status_code == 200
        employee.refresh_from_db()
        assert employee.first_name != privacy.ERASED_NAME and User.objects.get(pk=employee.user_id).is_active
    assert not AuditEntry.objects.filter(action="person.erase").exists()


def test_retention_empties_old_uploads_and_forgets_old_logins(db, coordinator, settings):
    from axes.models import AccessLog
    from django.utils import timezone

    settings.MENTORAT_RETENTION_MONTHS = 24
    now = timezone.now()
    old, recent = now - datetime.timedelta(days=30 * 25), now - datetime.timedelta(days=30)
    content = f"employee_id;first_name;last_name;email\n{EID};{FIRST};{LAST};{EMAIL}\n".encode()
    summary = {"created": [[EID, f"{FIRST} {LAST}"]], "created_count": 1, "errors": [], "applied": True,
               "left_named": [[EID, f"{FIRST} {LAST}", ["missing"]]]}
    kept, purged = (DirectoryImport.objects.create(filename="x.csv", content=content, uploaded_by=coordinator,
                                                   summary=summary) for _ in range(2))
    DirectoryImport.objects.filter(pk=purged.pk).update(created_at=old)
    DirectoryImport.objects.filter(pk=kept.pk).update(created_at=recent)
    for when in (old, recent):
        AccessLog.objects.filter(pk=AccessLog.objects.create(
            username=EMAIL, ip_address="10.1.1.1", user_agent="x", http_accept="*/*", path_info="/").pk
        ).update(attempt_time=when)
    assert privacy.retention_purge(now=now) >= 2
    purged.refresh_from_db()
    kept.refresh_from_db()
    assert bytes(purged.content) == b"" and purged.summary["created_count"] == 1
    assert purged.summary["created"] == purged.summary["left_named"] == []
    assert bytes(kept.content) == content and kept.summary == summary
    assert list(AccessLog.objects.values_list("attempt_time", flat=True)) == [recent]


def test_retention_run_twice_changes_nothing_the_second_time(db, coordinator):
    from django.utils import timezone

    upload = DirectoryImport.objects.create(filename="x.csv", content=b"employee_id\nA1\n", uploaded_by=coordinator,
                                            summary={"created": [["A1", "A B"]], "created_count": 1})
    DirectoryImport.objects.filter(pk=upload.pk).update(created_at=timezone.now() - datetime.timedelta(days=30 * 30))
    assert privacy.retention_purge() > 0
    assert privacy.retention_purge() == 0
