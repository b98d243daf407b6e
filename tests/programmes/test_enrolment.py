import pytest
from django.core import mail

from mentorat.core.models import AuditEntry
from programmes.models import Application, ManagerAcknowledgement, TrainingCompletion, TrainingModule
from programmes.services import (
    ProgrammeError,
    application_review,
    application_submit,
    application_update,
    application_withdraw,
    applications_review_bulk,
    manager_acknowledge,
)
from tests.conftest import application_data, drain_outbox
from tests.factories import EmployeeFactory


def submit(programme, employee, role="mentor", **overrides):
    return application_submit(employee=employee, programme=programme, role=role, data=application_data(role, **overrides),
                              charter_accepted=True)


@pytest.mark.django_db(transaction=True)
class TestApplying:
    def test_a_junior_applies_as_mentor_and_the_manager_is_asked(self, programme, org, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        junior = org["junior_a"]
        application = submit(programme, junior, capacity=2, availability=["tue-pm", "mon-am"], languages=["fr", "en"])
        assert application.status == "submitted" and application.capacity == 2
        assert application.availability == ["mon-am", "tue-pm"]
        assert application.charter == programme.current_charter() and application.charter_accepted_at
        assert [(d.domain.slug, d.weight) for d in application.domain_items.select_related("domain")] == [("generative-ai", 3)]
        ack = ManagerAcknowledgement.objects.get(application=application)
        assert ack.manager == org["manager_a"]
        assert drain_outbox() == ["sent", "sent"]  # the manager's request, the applicant's confirmation
        [to_manager] = [m for m in mail.outbox if m.to == [org["manager_a"].email]]
        assert f"/programmes/acknowledge/{ack.token}/" in to_manager.body

    def test_the_senior_side_is_never_asked_for_a_manager_acknowledgement(self, programme, org, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        submit(programme, org["director_a"], role="mentee")
        drain_outbox()
        assert not ManagerAcknowledgement.objects.exists()
        assert [m.to for m in mail.outbox] == [[org["director_a"].email]]  # only their own confirmation


@pytest.mark.django_db
class TestApplicationRules:
    def test_eligibility_by_job_level_is_explained(self, programme, org):
        with pytest.raises(ProgrammeError, match="level 4 or above"):
            submit(programme, org["manager_a"], role="mentee")
        with pytest.raises(ProgrammeError, match="level 2 or below"):
            submit(programme, org["director_a"], role="mentor")
        assert not Application.objects.exists()

    def test_one_application_per_person_and_programme(self, programme, org):
        submit(programme, org["junior_a"])
        with pytest.raises(ProgrammeError, match="already applied"):
            submit(programme, org["junior_a"])
        assert Application.objects.count() == 1

    def test_a_withdrawn_volunteer_may_apply_again(self, programme, org):
        application = submit(programme, org["junior_a"])
        application_withdraw(application=application)
        again = submit(programme, org["junior_a"])
        assert again.pk == application.pk and again.status == "submitted" and again.withdrawn_at is None

    def test_enrolment_must_be_open(self, programme, org, coordinator):
        from programmes.services import programme_transition

        programme_transition(actor=coordinator, programme=programme, to="pairing")
        with pytest.raises(ProgrammeError, match="not open"):
            submit(programme, org["junior_a"])

    def test_the_charter_must_be_accepted(self, programme, org):
        with pytest.raises(ProgrammeError) as excinfo:
            application_submit(employee=org["junior_a"], programme=programme, role="mentor", data=application_data(), charter_accepted=False)
        assert excinfo.value.field == "accept_charter"

    @pytest.mark.parametrize("overrides,field", [
        ({"domains": {}}, "domains"), ({"domains": {"metaverse": 2}}, "domains"), ({"domains": {"generative-ai": 4}}, "domains"),
        ({"availability": []}, "availability"), ({"availability": ["sat-am"]}, "availability"),
        ({"languages": []}, "languages"), ({"format": "hybrid"}, "format"), ({"capacity": 3}, "capacity"),
    ])
    def test_bad_declarations_name_the_field(self, programme, org, overrides, field):
        with pytest.raises(ProgrammeError) as excinfo:
            submit(programme, org["junior_a"], **overrides)
        assert excinfo.value.field == field
        assert not Application.objects.exists()

    def test_edit_until_review_then_locked(self, programme, org, coordinator):
        application = submit(programme, org["junior_a"])
        application_update(application=application, data=application_data(domains={"social-media": 2}), charter_accepted=True)
        assert list(application.domain_items.values_list("domain__slug", flat=True)) == ["social-media"]
        application_review(actor=coordinator, application=application, decision="approve")
        with pytest.raises(ProgrammeError, match="reviewed"):
            application_update(application=application, data=application_data(), charter_accepted=True)

    def test_a_person_who_left_cannot_apply(self, programme, db):
        import datetime

        gone = EmployeeFactory(job_level=1, leave_date=datetime.date(2020, 1, 1))
        with pytest.raises(ProgrammeError, match="left"):
            submit(programme, gone)


@pytest.mark.django_db
class TestReview:
    def test_approve_waitlist_decline_with_audit(self, programme, org, coordinator):
        application = submit(programme, org["junior_a"])
        application_review(actor=coordinator, application=application, decision="waitlist", message="Plus tard")
        application_review(actor=coordinator, application=application, decision="approve")
        application.refresh_from_db()
        assert application.status == "approved" and application.reviewed_by == coordinator
        assert list(AuditEntry.objects.filter(action__startswith="application.").values_list("action", flat=True).order_by("at")) == [
            "application.waitlist", "application.approve",
        ]

    def test_each_decision_is_told_once_even_the_same_decision_again_later(self, programme, org, coordinator):
        import datetime

        from django.db.models import F

        from mentorat.core.models import Notification

        application = submit(programme, org["junior_a"])
        for decision in ("approve", "waitlist", "approve"):
            application_review(actor=coordinator, application=application, decision=decision)
            # The next decision comes a day later.
            Notification.objects.filter(kind="application_status").update(due_at=F("due_at") - datetime.timedelta(days=1))
        told = Notification.objects.filter(kind="application_status", recipient=org["junior_a"].user)
        assert told.count() == 3  # approved, wait-listed, approved again: three events, three messages

    def test_a_withdrawn_application_cannot_be_approved(self, programme, org, coordinator):
        application = submit(programme, org["junior_a"])
        application_withdraw(application=application)
        with pytest.raises(ProgrammeError, match="withdrawn"):
            application_review(actor=coordinator, application=application, decision="approve")

    def test_bulk_review_reports_each_refusal(self, programme, org, coordinator):
        first = submit(programme, org["junior_a"])
        second = submit(programme, org["junior_b"])
        application_withdraw(application=second)
        done, refused = applications_review_bulk(actor=coordinator, applications=[first, second], decision="approve")
        assert [a.pk for a in done] == [first.pk] and [(a.pk, "withdrawn" in r) for a, r in refused] == [(second.pk, True)]

    def test_unapprove_guards_from_later_apps_can_veto(self, programme, org, coordinator, monkeypatch):
        from programmes import services

        application = submit(programme, org["junior_a"])
        application_review(actor=coordinator, application=application, decision="approve")
        monkeypatch.setattr(services, "UNAPPROVE_GUARDS", [lambda a: "already paired"])
        with pytest.raises(ProgrammeError, match="already paired"):
            application_review(actor=coordinator, application=application, decision="decline")


@pytest.mark.django_db
def test_manager_acknowledgement_by_link(programme, org):
    application = submit(programme, org["junior_a"])
    ack = application.manager_ack
    manager_acknowledge(token=ack.token)
    ack.refresh_from_db()
    assert ack.acknowledged_at is not None
    with pytest.raises(ProgrammeError):
        manager_acknowledge(token="forged")


@pytest.mark.django_db
def test_training_done_is_computed_per_role(programme, org, coordinator, mentor):
    from programmes.selectors import application_queue

    both = TrainingModule.objects.create(programme=programme, title="Charte", audience="both")
    mentor_only = TrainingModule.objects.create(programme=programme, title="Animer", audience="mentor")
    TrainingModule.objects.create(programme=programme, title="Posture", audience="mentee")
    application = submit(programme, org["junior_a"])
    TrainingCompletion.objects.create(module=both, employee=org["junior_a"])
    assert application_queue(user=coordinator, programme=programme).get(pk=application.pk).training_done is False
    TrainingCompletion.objects.create(module=mentor_only, employee=org["junior_a"])
    assert application_queue(user=coordinator, programme=programme).get(pk=application.pk).training_done is True
