import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from binomes import services
from binomes.models import ForbiddenPair, Pair, PairingSettings, Shortlist
from programmes.models import Programme, TrainingModule
from programmes.services import ProgrammeError, application_review, application_withdraw
from tests.conftest import drain_outbox


def pairs_of(programme, status=None):
    qs = Pair.objects.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    return {(p.mentor.employee.employee_id, p.mentee.employee.employee_id) for p in qs.select_related("mentor__employee", "mentee__employee")}


@pytest.mark.django_db
class TestRulesThroughEveryPath:
    def test_the_algorithm_avoids_the_direct_line(self, programme, cohort, coordinator):
        services.pairing_run(actor=coordinator, programme=programme)
        assert pairs_of(programme) == {("JA", "DB"), ("JB", "DA")}

    def test_with_the_subtree_rule_junior_a_cannot_mentor_her_skip_level(self, programme, cohort, coordinator):
        Programme.objects.filter(pk=programme.pk).update(exclude_subtree=True)
        programme.refresh_from_db()
        services.pairing_run(actor=coordinator, programme=programme)
        assert pairs_of(programme) == {("JA", "DB"), ("JB", "DA")}
        # Forbid the only other option of DB: JA and DB are now unpaired, each with a reason.
        services.pair_forbid(actor=coordinator, pair=Pair.objects.get(mentee=cohort["director_b"]))
        services.pairing_run(actor=coordinator, programme=programme)
        assert pairs_of(programme) == {("JB", "DA")}
        reasons = {u["application"]: u["reason"] for u in programme.pairing_report.unpaired}
        assert reasons[cohort["director_b"].pk] in {"direct_line", "forbidden", "capacity"}

    @pytest.mark.parametrize("mentor,mentee,reason", [("junior_b", "director_b", "direct_line")])
    def test_a_manual_pair_is_checked(self, programme, cohort, coordinator, mentor, mentee, reason):
        with pytest.raises(services.PairingError, match="direct manager"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort[mentor], mentee=cohort[mentee])
        assert not Pair.objects.exists()

    def test_manual_pair_subtree_rule_and_capacity(self, programme, cohort, coordinator):
        Programme.objects.filter(pk=programme.pk).update(exclude_subtree=True)
        programme.refresh_from_db()
        with pytest.raises(services.PairingError, match="management line"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_a"])
        services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
        Programme.objects.filter(pk=programme.pk).update(exclude_subtree=False)
        programme.refresh_from_db()
        with pytest.raises(services.PairingError, match="no place left"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_a"])
        services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])
        type(cohort["junior_b"]).objects.filter(pk=cohort["junior_b"].pk).update(capacity=2)
        with pytest.raises(services.PairingError, match="already has a pair"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])

    def test_only_approved_applications_and_training_when_required(self, programme, cohort, coordinator):
        application_review(actor=coordinator, application=cohort["junior_a"], decision="waitlist")
        with pytest.raises(services.PairingError, match="approved"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
        application_review(actor=coordinator, application=cohort["junior_a"], decision="approve")
        TrainingModule.objects.create(programme=programme, title="Charte", audience="both")
        Programme.objects.filter(pk=programme.pk).update(require_training=True)
        programme.refresh_from_db()
        with pytest.raises(services.PairingError, match="training"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
        result = services.pairing_run(actor=coordinator, programme=programme)
        assert result.pairs == [] and {u["reason"] for u in programme.pairing_report.unpaired} == {"training"}

    def test_the_admin_applies_the_same_rules(self, programme, cohort, superuser):
        from tests.conftest import client_for

        superuser.language = "en"
        superuser.save()
        client = client_for(superuser)
        response = client.post("/admin/binomes/pair/add/", {
            "programme": programme.pk, "mentor": cohort["junior_b"].pk, "mentee": cohort["director_b"].pk,
            "status": "proposed", "locked": "",
        })
        assert response.status_code == 200 and "direct manager" in response.content.decode()
        assert not Pair.objects.exists()

    def test_the_import_applies_the_same_rules_all_or_nothing(self, programme, cohort, tmp_path):
        path = tmp_path / "pairs.csv"
        path.write_text("mentor,mentee\nJA,DB\nJB,DB\n")
        with pytest.raises(CommandError):
            call_command("import_pairs", programme.slug, str(path))
        assert not Pair.objects.exists()
        path.write_text("mentor,mentee\nJA,DB\nJB,DA\n")
        call_command("import_pairs", programme.slug, str(path))
        assert pairs_of(programme, "proposed") == {("JA", "DB"), ("JB", "DA")}

    def test_a_forbidden_pair_stays_forbidden(self, programme, cohort, coordinator):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pair_forbid(actor=coordinator, pair=Pair.objects.get(mentee=cohort["director_a"]))
        assert ForbiddenPair.objects.count() == 1
        with pytest.raises(services.PairingError, match="forbade"):
            services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])


@pytest.mark.django_db
class TestWorkflow:
    def test_locked_pairs_survive_a_rerun(self, programme, cohort, coordinator):
        services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairing_run(actor=coordinator, programme=programme)
        assert pairs_of(programme) == {("JA", "DB"), ("JB", "DA")}
        assert Pair.objects.get(mentee=cohort["director_b"]).locked

    def test_publish_confirm_activate(self, programme, cohort, coordinator, settings, org):
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        activated = []
        services.ACTIVATION_HOOKS.append(activated.append)
        try:
            services.pairing_run(actor=coordinator, programme=programme)
            assert services.pairs_publish(actor=coordinator, programme=programme) == 2
            drain_outbox()
            proposals = [m for m in mail.outbox if "/pairs/" in m.body]
            assert sorted(m.to[0] for m in proposals) == sorted(
                e.email for e in (org["junior_a"], org["junior_b"], org["director_a"], org["director_b"]))
            assert all("/pairs/" in m.body for m in proposals)
            pair = Pair.objects.get(mentee=cohort["director_a"])
            services.pair_confirm(user=org["junior_b"].user, pair=pair)
            pair.refresh_from_db()
            assert pair.status == "published"
            services.pair_confirm(user=org["director_a"].user, pair=pair)
            pair.refresh_from_db()
            assert pair.status == "active" and pair.activated_at and activated == [pair]
        finally:
            services.ACTIVATION_HOOKS.remove(activated.append)

    def test_only_members_confirm(self, programme, cohort, coordinator, org):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_a"])
        with pytest.raises(services.PairingError, match="two members"):
            services.pair_confirm(user=org["junior_a"].user, pair=pair)

    def test_decline_frees_both_and_a_rerun_repairs(self, programme, cohort, coordinator, org):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_a"])
        services.pair_decline(user=org["director_a"].user, pair=pair, reason="Pas d'atomes crochus")
        pair.refresh_from_db()
        assert pair.status == "declined" and pair.declined_by == "mentee"
        result = services.pairing_run(actor=coordinator, programme=programme)
        # JB is the only mentor with room, and is in DB's direct line: DA gets JB again unless forbidden.
        assert {(p.mentor, p.mentee) for p in result.pairs} == {(cohort["junior_b"].pk, cohort["director_a"].pk)}

    def test_proposals_expire(self, programme, cohort, coordinator):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        assert services.pairs_expire(now=timezone.now() + datetime.timedelta(days=13)) == 0
        assert services.pairs_expire(now=timezone.now() + datetime.timedelta(days=15)) == 2
        assert pairs_of(programme, "expired") == {("JA", "DB"), ("JB", "DA")}

    def test_end_without_blame_and_withdrawal_ends_the_pair(self, programme, cohort, coordinator, org):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        for pair in Pair.objects.all():
            services.pair_confirm(user=pair.mentor.employee.user, pair=pair)
            services.pair_confirm(user=pair.mentee.employee.user, pair=pair)
        first, second = Pair.objects.order_by("pk")
        with pytest.raises(services.PairingError, match="why"):
            services.pair_end(user=first.mentee.employee.user, pair=first, completed=False)
        services.pair_end(user=first.mentee.employee.user, pair=first, completed=False, reason="Changement de poste")
        first.refresh_from_db()
        assert first.status == "ended"
        application_withdraw(application=second.mentor)
        second.refresh_from_db()
        assert second.status == "ended" and second.end_reason == "withdrawn"

    def test_an_approved_person_in_a_pair_cannot_be_unapproved(self, programme, cohort, coordinator):
        services.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
        with pytest.raises(ProgrammeError, match="in a pair"):
            application_review(actor=coordinator, application=cohort["junior_a"], decision="decline")

    def test_pairing_needs_the_pairing_state(self, programme, cohort, coordinator):
        Programme.objects.filter(pk=programme.pk).update(status="enrolment")
        with pytest.raises(services.PairingError, match="enrolment is closed"):
            services.pairing_run(actor=coordinator, programme=programme)


@pytest.mark.django_db
class TestShortlistMode:
    def test_the_senior_picks_and_an_unanswered_shortlist_falls_back(self, programme, cohort, coordinator, org):
        PairingSettings.objects.update_or_create(programme=programme, defaults={"mode": "shortlist", "shortlist_days": 3})
        assert len(services.shortlists_create(actor=coordinator, programme=programme)) == 2
        da = Shortlist.objects.get(mentee=cohort["director_a"])
        offered = [o["mentor"] for o in da.options]
        assert offered == [cohort["junior_a"].pk, cohort["junior_b"].pk] or offered == [cohort["junior_b"].pk, cohort["junior_a"].pk]
        db = Shortlist.objects.get(mentee=cohort["director_b"])
        assert [o["mentor"] for o in db.options] == [cohort["junior_a"].pk]  # JB is in DB's direct line
        with pytest.raises(services.PairingError, match="Only the senior"):
            services.shortlist_choose(user=org["director_b"].user, shortlist=da, mentor_id=cohort["junior_a"].pk)
        pair = services.shortlist_choose(user=org["director_a"].user, shortlist=da, mentor_id=cohort["junior_b"].pk)
        assert pair.status == "published" and pair.mentee_confirmed_at and pair.source == "shortlist"
        assert services.shortlists_fallback(now=timezone.now() + datetime.timedelta(days=4)) == 1
        assert pairs_of(programme, "published") == {("JB", "DA"), ("JA", "DB")}


@pytest.mark.django_db
def test_propose_pairs_json(programme, cohort, capsys):
    import json

    call_command("propose_pairs", programme.slug, "--json")
    payload = json.loads(capsys.readouterr().out)
    assert {(p["mentor"], p["mentee"]) for p in payload["pairs"]} == {("JA", "DB"), ("JB", "DA")}
    assert set(payload["pairs"][0]["breakdown"]) == {"goals", "availability", "format", "cross_silo", "level_gap"}
    assert payload["unpaired"] == [] and not Pair.objects.exists()
    call_command("propose_pairs", programme.slug, "--save")
    assert Pair.objects.filter(status="proposed").count() == 2
