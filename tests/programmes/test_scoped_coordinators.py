"""Coordinators scoped to what they run: one programme, or an entity's programmes; the HR lead
runs everything and assigns the roles (audited). Out of scope is 404 on pages, exports, the API
and in the e-mails the tasks send. The URL-by-URL table is tests/test_access_table.py."""

import datetime

import pytest
from django.urls import reverse

from mentorat.core.models import AuditEntry, DirectoryImport, User
from programmes.models import CoordinatorAssignment, Programme
from programmes.selectors import coordinated_programmes, coordinates, programme_coordinators
from programmes.services import programme_create
from tests.api.conftest import call
from tests.conftest import client_for
from tests.factories import DepartmentFactory, EmployeeFactory


@pytest.fixture
def elsewhere(hr_lead):
    """A programme of another entity, created by the HR lead."""
    return programme_create(actor=hr_lead, name="Cohorte Lyon", slug="cohorte-lyon", start_date=datetime.date(2027, 2, 1),
                            duration_months=9, cadence_weeks=3)


@pytest.fixture
def scoped(elsewhere, hr_lead):
    """A coordinator assigned to ``elsewhere`` only."""
    user = EmployeeFactory(employee_id="SCOPED", job_level=4, user__is_coordinator=True).user
    CoordinatorAssignment.objects.create(user=user, programme=elsewhere, granted_by=hr_lead)
    return user


def test_a_coordinator_runs_what_they_created_or_are_assigned_to_and_nothing_else(programme, elsewhere, scoped,
                                                                                   coordinator, hr_lead):
    assert coordinates(coordinator, programme) and not coordinates(coordinator, elsewhere)
    assert coordinates(scoped, elsewhere) and not coordinates(scoped, programme)
    assert coordinates(hr_lead, programme) and coordinates(hr_lead, elsewhere)
    assert set(coordinated_programmes(scoped)) == {elsewhere}
    assert set(coordinated_programmes(hr_lead)) == {programme, elsewhere}


def test_an_entity_assignment_covers_its_programmes_today_and_tomorrow(hr_lead, elsewhere):
    lyon = DepartmentFactory(name="Entité Lyon")
    user = EmployeeFactory(employee_id="ENT", job_level=4, user__is_coordinator=True).user
    CoordinatorAssignment.objects.create(user=user, department=lyon, granted_by=hr_lead)
    assert not coordinates(User.objects.get(pk=user.pk), elsewhere)
    Programme.objects.filter(pk=elsewhere.pk).update(entity=lyon)
    later = programme_create(actor=hr_lead, name="Lyon 2028", slug="lyon-2028", start_date=datetime.date(2028, 1, 10),
                             duration_months=9, cadence_weeks=3)
    Programme.objects.filter(pk=later.pk).update(entity=lyon)
    fresh = User.objects.get(pk=user.pk)  # the reach is memoised per user object (one request)
    assert set(coordinated_programmes(fresh)) == {elsewhere, later}


def test_a_coordinator_without_the_flag_runs_nothing_even_with_assignments(elsewhere, scoped):
    User.objects.filter(pk=scoped.pk).update(is_coordinator=False)
    assert not coordinates(User.objects.get(pk=scoped.pk), elsewhere)


def test_the_programme_pages_of_another_programme_answer_404(programme, scoped):
    client = client_for(scoped)
    for name in ("programmes:edit", "programmes:queue", "programmes:sponsors", "programmes:close", "sessions:followup",
                 "evaluation:programme_surveys"):
        assert client.get(reverse(name, args=[programme.slug])).status_code == 404, name
    assert client.get(reverse("evaluation:operations") + f"?programme={programme.slug}").status_code == 404
    # Their own programme opens.
    assert client.get(reverse("programmes:edit", args=["cohorte-lyon"])).status_code == 200


def test_the_programme_list_and_dashboard_show_only_what_they_run(programme, elsewhere, scoped, hr_lead):
    from evaluation.selectors import dashboard_programmes

    Programme.objects.filter(pk=elsewhere.pk).update(status=Programme.Status.ENROLMENT)
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.RUNNING)
    assert set(dashboard_programmes(user=scoped)) == {Programme.objects.get(pk=elsewhere.pk)}
    assert set(dashboard_programmes(user=hr_lead)) == set(Programme.objects.all())
    page = client_for(scoped).get(reverse("evaluation:operations")).content.decode()
    assert "Cohorte Lyon" in page and "Cohorte test" not in page


def test_directory_import_outbox_and_audit_are_the_hr_leads(coordinator, hr_lead):
    batch = DirectoryImport.objects.create(filename="x.csv", content=b"", uploaded_by=hr_lead)
    for url in (reverse("core:import_upload"), reverse("core:import_preview", args=[batch.pk]), reverse("core:outbox"),
                reverse("core:audit"), reverse("programmes:roles")):
        assert client_for(coordinator).get(url).status_code == 403, url
        assert client_for(hr_lead).get(url).status_code == 200, url
    # Browsing the directory stays open to every coordinator (pairs cross departments).
    assert client_for(coordinator).get(reverse("core:directory")).status_code == 200


def test_the_api_answers_404_for_another_programme_and_lists_only_its_sessions(active_pair, other_pair, scoped, elsewhere):
    from mentorat.api.services import api_token_create

    _token, raw = api_token_create(actor=scoped, name="lyon hris", scope="programme")
    slug = active_pair.programme.slug
    for url in (f"/api/programmes/{slug}/applications/", f"/api/programmes/{slug}/pairs/",
                f"/api/programmes/{slug}/pairs/export/"):
        assert call("get", url, raw).status_code == 404, url
    assert call("get", f"/api/sessions/?programme={slug}", raw).status_code == 404
    listed = call("get", "/api/sessions/", raw).json()
    assert listed["count"] == 0 and active_pair.sessions.exists()
    assert call("post", f"/api/programmes/{slug}/transition/", raw, {"to": "closed"}).status_code == 404


def test_only_an_hr_lead_makes_a_directory_token_and_writes_the_directory(coordinator, hr_lead):
    from mentorat.api.services import TokenError, api_token_create

    with pytest.raises(TokenError) as refused:
        api_token_create(actor=coordinator, name="hris", scope="directory")
    assert refused.value.field == "scope"
    _token, raw = api_token_create(actor=hr_lead, name="hris", scope="directory")
    User.objects.filter(pk=hr_lead.pk).update(is_hr_lead=False, is_coordinator=True)
    assert call("post", "/api/employees/bulk/?dry_run=true", raw, []).status_code == 403


def test_a_coordinator_sees_and_revokes_only_their_tokens(coordinator, hr_lead, scoped):
    from mentorat.api.models import ApiToken
    from mentorat.api.services import api_token_create

    mine, _raw = api_token_create(actor=coordinator, name="mine", scope="read")
    theirs, _raw = api_token_create(actor=scoped, name="theirs", scope="read")
    page = client_for(coordinator).get(reverse("api:tokens")).content.decode()
    assert "mine" in page and "theirs" not in page
    assert client_for(coordinator).post(reverse("api:token_revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert "theirs" in client_for(hr_lead).get(reverse("api:tokens")).content.decode()
    assert client_for(coordinator).post(reverse("api:token_revoke", args=[mine.pk])).status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None


def test_alerts_and_digests_go_to_the_programmes_own_coordinators(active_pair, coordinator, hr_lead, scoped):
    from mentorat.core.models import Notification
    from sessions.notifications import plan_alerts, plan_digest, render_digest, render_overdue

    assert programme_coordinators(active_pair.programme) == [coordinator]
    orphan = programme_create(actor=hr_lead, name="Sans coordinateur", slug="orphan", start_date=datetime.date(2027, 3, 1),
                              duration_months=9, cadence_weeks=3)
    User.objects.filter(pk=hr_lead.pk).update(is_coordinator=False)
    assert programme_coordinators(orphan) == [hr_lead]  # created by an HR lead only: the HR leads
    plan_alerts(now=datetime.datetime(2027, 6, 1, 8, tzinfo=datetime.UTC))
    assert not Notification.objects.filter(recipient=scoped).exists()
    plan_digest(now=datetime.datetime(2027, 6, 1, 8, tzinfo=datetime.UTC))
    digest = Notification.objects.get(recipient=scoped, kind="weekly_digest")
    text = render_digest(digest)
    assert text is None or active_pair.programme.name not in text.text
    # An overdue-logs e-mail queued for someone who no longer runs the programme renders nothing.
    overdue = Notification(kind="overdue_logs", object_key=f"programme:{active_pair.programme.pk}:w", recipient=scoped)
    assert render_overdue(overdue) is None


def test_the_hr_lead_assigns_and_takes_back_roles_audited(hr_lead, elsewhere):
    target = EmployeeFactory(employee_id="NEW", job_level=4, user__email="nina.new@test.example").user
    client = client_for(hr_lead)
    url = reverse("programmes:roles")
    response = client.post(url, {"form": "assign", "assign-email": "nina.new@test.example",
                                 "assign-programme": elsewhere.pk})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_coordinator and coordinates(User.objects.get(pk=target.pk), elsewhere)
    assert AuditEntry.objects.filter(actor=hr_lead, action="role.assign", target=f"user:{target.pk}").exists()
    response = client.post(url, {"form": "grant", "grant-email": "nina.new@test.example", "grant-role": "executive"})
    assert response.status_code == 302 and User.objects.get(pk=target.pk).is_executive
    page = client.get(url).content.decode()
    assert "nina.new@test.example" in page and "Cohorte Lyon" in page
    client.post(reverse("programmes:role_revoke", args=[target.pk]), {"role": "executive"})
    assert not User.objects.get(pk=target.pk).is_executive
    assignment = CoordinatorAssignment.objects.get(user=target)
    client.post(reverse("programmes:assignment_remove", args=[assignment.pk]))
    assert not CoordinatorAssignment.objects.filter(user=target).exists()
    actions = set(AuditEntry.objects.filter(target=f"user:{target.pk}").values_list("action", flat=True))
    assert actions == {"role.assign", "role.grant", "role.revoke", "role.unassign"}


def test_bad_input_on_the_roles_page_names_the_field_and_changes_nothing(hr_lead, elsewhere):
    client = client_for(hr_lead)
    url = reverse("programmes:roles")
    before = AuditEntry.objects.count()
    page = client.post(url, {"form": "grant", "grant-email": "nobody@test.example", "grant-role": "hr_lead"})
    assert page.status_code == 200
    assert "Personne n'a de compte avec l'adresse e-mail nobody@test.example" in page.content.decode().replace("&#x27;", "'")
    both = client.post(url, {"form": "assign", "assign-email": hr_lead.email, "assign-programme": elsewhere.pk,
                             "assign-department": DepartmentFactory(name="X").pk})
    assert "Choisissez un programme ou une entité, pas les deux." in both.content.decode()
    assert AuditEntry.objects.count() == before and not CoordinatorAssignment.objects.exists()


def test_the_last_hr_lead_cannot_be_removed(hr_lead):
    response = client_for(hr_lead).post(reverse("programmes:role_revoke", args=[hr_lead.pk]), {"role": "hr_lead"}, follow=True)
    assert "dernier ou la dernière responsable RH" in response.content.decode()
    assert User.objects.get(pk=hr_lead.pk).is_hr_lead


def test_nobody_but_an_hr_lead_changes_roles(coordinator, executive, scoped, hr_lead):
    for user in (coordinator, executive, scoped):
        client = client_for(user)
        assert client.post(reverse("programmes:roles"), {"form": "grant", "grant-email": user.email,
                                                         "grant-role": "hr_lead"}).status_code == 403
        assert client.post(reverse("programmes:role_revoke", args=[executive.pk]), {"role": "executive"}).status_code == 403
    assert list(User.objects.filter(is_hr_lead=True)) == [hr_lead]
    assert User.objects.get(pk=executive.pk).is_executive


def test_existing_coordinators_become_hr_leads_when_the_scopes_arrive(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("mentorat.core.migrations.0006_scoped_coordinators")
    old = EmployeeFactory(employee_id="OLD", job_level=4, user__is_coordinator=True).user
    plain = EmployeeFactory(employee_id="PLAIN", job_level=2).user
    migration.coordinators_become_hr_leads(apps, None)
    assert User.objects.get(pk=old.pk).is_hr_lead and not User.objects.get(pk=plain.pk).is_hr_lead


def test_the_entity_is_set_in_the_programme_form_and_its_coordinators_run_it(hr_lead, programme, coordinator):
    lyon = DepartmentFactory(name="Entité Lyon")
    entity_coordinator = EmployeeFactory(employee_id="ENT2", job_level=4, user__is_coordinator=True).user
    CoordinatorAssignment.objects.create(user=entity_coordinator, department=lyon, granted_by=hr_lead)
    response = client_for(hr_lead).post(reverse("programmes:create"), {
        "name": "Lyon 2028", "slug": "lyon-2028", "entity": lyon.pk, "start_date": "2028-01-10", "duration_months": 9,
        "cadence_weeks": 3, "session_minutes": 60})
    assert response.status_code == 302, response.context["form"].errors
    created = Programme.objects.get(slug="lyon-2028")
    assert created.entity == lyon
    assert client_for(entity_coordinator).get(reverse("programmes:edit", args=["lyon-2028"])).status_code == 200
    assert client_for(coordinator).get(reverse("programmes:edit", args=["lyon-2028"])).status_code == 404
