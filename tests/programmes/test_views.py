import pytest
from django.urls import reverse

from programmes.models import Application, Programme
from programmes.services import application_submit
from tests.conftest import application_data, client_for, cold
from tests.factories import EmployeeFactory

COORDINATOR_PAGES = ["edit", "objectives", "milestones", "training", "charter", "sponsors", "copy", "queue"]


def url(name, programme, *args):
    return reverse(f"programmes:{name}", args=[programme.slug, *args])


@pytest.fixture
def applied(programme, org):
    mentor_app = application_submit(employee=org["junior_a"], programme=programme, role="mentor",
                                    data=application_data("mentor"), charter_accepted=True)
    mentee_app = application_submit(employee=org["director_a"], programme=programme, role="mentee",
                                    data=application_data("mentee"), charter_accepted=True)
    return mentor_app, mentee_app


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("name", COORDINATOR_PAGES)
    def test_only_coordinators_manage(self, programme, coordinator, mentor, sponsor, executive, name):
        assert client_for(coordinator).get(url(name, programme)).status_code == 200
        for user in (mentor, sponsor, executive):
            assert client_for(user).get(url(name, programme)).status_code == 403, (name, user)

    def test_only_coordinators_change_state_review_and_export(self, programme, applied, mentor, sponsor):
        mentor_app, _ = applied
        for user in (mentor, sponsor):
            client = client_for(user)
            assert client.post(url("status", programme), {"to": "pairing"}).status_code == 403
            assert client.get(url("queue", programme), {"format": "csv"}).status_code == 403
            assert client.get(url("application", programme, mentor_app.pk)).status_code == 403
            assert client.post(url("queue", programme), {"ids": [mentor_app.pk], "decision": "approve"}).status_code == 403
        mentor_app.refresh_from_db()
        programme.refresh_from_db()
        assert mentor_app.status == "submitted" and programme.status == "enrolment"
        assert client_for(mentor).get(reverse("programmes:create")).status_code == 403

    def test_a_draft_is_invisible_to_employees(self, programme, coordinator, mentor):
        Programme.objects.filter(pk=programme.pk).update(status="draft")
        assert client_for(mentor).get(url("detail", programme)).status_code == 404
        assert programme not in client_for(mentor).get(reverse("programmes:list")).context["rows"]
        assert client_for(coordinator).get(url("detail", programme)).status_code == 200

    def test_the_sponsor_sees_counts_not_motivations(self, programme, applied, sponsor):
        response = client_for(sponsor).get(url("detail", programme))
        assert response.status_code == 200
        assert response.context["counts"]["totals"]["submitted"] == 2
        assert "Secret motivation" not in response.content.decode()
        assert "Apprenons de nos juniors." in response.content.decode()

    def test_an_employee_sees_only_their_own_application(self, programme, applied, org):
        junior = org["junior_a"].user
        response = client_for(junior).get(url("detail", programme))
        assert response.context["application"] == applied[0]
        other = client_for(org["junior_b"].user).get(url("detail", programme))
        assert other.context["application"] is None
        assert "Secret motivation" not in other.content.decode()

    def test_an_application_of_another_programme_is_404(self, programme, applied, coordinator):
        from programmes.services import programme_create

        other = programme_create(actor=coordinator, name="O", slug="o", start_date=programme.start_date,
                                 duration_months=6, cadence_weeks=2)
        assert client_for(coordinator).get(url("application", other, applied[0].pk)).status_code == 404

    def test_the_acknowledgement_link_needs_no_login_but_a_real_token(self, programme, applied, client):
        ack = applied[0].manager_ack
        assert client.get(reverse("programmes:acknowledge", args=[ack.token])).status_code == 200
        client.post(reverse("programmes:acknowledge", args=[ack.token]))
        ack.refresh_from_db()
        assert ack.acknowledged_at is not None
        assert client.get(reverse("programmes:acknowledge", args=["forged-token"])).status_code == 404


@pytest.mark.django_db
class TestVolunteerPages:
    def test_apply_as_mentee_through_the_form(self, programme, org):
        client = client_for(org["director_a"].user)
        response = client.post(url("apply", programme, "mentee"), {
            "domain_generative-ai": "3", "domain_social-media": "1", "availability": ["mon-am", "thu-pm"],
            "format": "remote", "languages": ["fr", "en"], "desired_outcome": "Prompt well", "accept_charter": "on",
        })
        assert response.status_code == 302
        application = Application.objects.get(employee=org["director_a"])
        assert application.role == "mentee" and application.format == "remote" and application.desired_outcome == "Prompt well"
        assert dict(application.domain_items.values_list("domain__slug", "weight")) == {"generative-ai": 3, "social-media": 1}

    def test_the_form_names_the_missing_fields(self, programme, org):
        response = client_for(org["junior_a"].user).post(url("apply", programme, "mentor"), {"format": "remote"})
        assert response.status_code == 200
        errors = response.context["form"].errors
        first_domain = response.context["form"].domain_fields[0]
        assert {"availability", "languages", "motivation", "accept_charter", first_domain} <= set(errors)
        assert len(errors[first_domain]) == 1  # "choose at least one learning domain"
        assert not Application.objects.exists()

    def test_ineligible_people_see_why_and_cannot_post(self, programme, org):
        client = client_for(org["manager_a"].user)
        response = client.get(url("apply", programme, "mentee"))
        assert "level 4" in response.content.decode() or "niveau 4" in response.content.decode()
        client.post(url("apply", programme, "mentee"), {"domain_generative-ai": "3", "availability": ["mon-am"],
                                                        "format": "remote", "languages": ["fr"], "desired_outcome": "x",
                                                        "accept_charter": "on"})
        assert not Application.objects.exists()

    def test_withdraw_from_the_page(self, programme, applied, org):
        client_for(org["junior_a"].user).post(url("withdraw", programme))
        applied[0].refresh_from_db()
        assert applied[0].status == "withdrawn"

    def test_mark_training_done(self, programme, applied, org):
        from programmes.models import TrainingModule

        module = TrainingModule.objects.create(programme=programme, title="Charte", audience="both")
        client = client_for(org["junior_a"].user)
        assert client.get(url("my_training", programme)).status_code == 200
        client.post(url("my_training", programme), {"module": module.pk})
        assert module.completions.filter(employee=org["junior_a"]).exists()


@pytest.mark.django_db
class TestCoordinatorPages:
    def test_queue_query_count_does_not_grow(self, programme, coordinator, django_assert_max_num_queries):
        client = client_for(coordinator)

        def add(n):
            for _ in range(n):
                application_submit(employee=EmployeeFactory(job_level=1), programme=programme, role="mentor",
                                   data=application_data("mentor"), charter_accepted=True)

        add(2)
        cold()
        with django_assert_max_num_queries(20) as small:
            assert client.get(url("queue", programme)).status_code == 200
        add(15)
        cold()
        with django_assert_max_num_queries(20) as large:
            client.get(url("queue", programme))
        assert len(small.captured_queries) == len(large.captured_queries)

    def test_bulk_approve_and_csv_export(self, programme, applied, coordinator):
        client = client_for(coordinator)
        client.post(url("queue", programme), {"ids": [a.pk for a in applied], "decision": "approve", "message": ""})
        assert set(Application.objects.values_list("status", flat=True)) == {"approved"}
        response = client.get(url("queue", programme), {"format": "csv", "role": "mentor"})
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert lines[0].startswith("employee_id;last_name") and len(lines) == 2 and ";mentor;approved;" in lines[1]

    def test_filters(self, programme, applied, coordinator):
        response = client_for(coordinator).get(url("queue", programme), {"role": "mentee"})
        assert [a.role for a in response.context["applications"]] == ["mentee"]

    def test_state_buttons_and_a_refused_transition_message(self, programme, coordinator):
        client = client_for(coordinator)
        response = client.post(url("status", programme), {"to": "running"}, follow=True)
        assert any("running" in str(m) or "cours" in str(m) for m in response.context["messages"])
        programme.refresh_from_db()
        assert programme.status == "enrolment"
        client.post(url("status", programme), {"to": "pairing"})
        programme.refresh_from_db()
        assert programme.status == "pairing"

    def test_create_through_the_form(self, coordinator):
        response = client_for(coordinator).post(reverse("programmes:create"), {
            "name": "Cohorte 3", "slug": "cohorte-3", "start_date": "2027-03-01", "duration_months": "13",
            "cadence_weeks": "3", "session_minutes": "60",
        })
        assert response.status_code == 200 and "duration_months" in response.context["form"].errors
        assert not Programme.objects.filter(slug="cohorte-3").exists()
