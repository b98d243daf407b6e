import pytest
from django.urls import reverse

from binomes import services
from binomes.models import Pair
from programmes.services import application_review, application_submit
from tests.conftest import application_data, client_for, cold
from tests.factories import EmployeeFactory

BOARD_URLS = ["board", "settings", "export"]
BOARD_POSTS = ["run", "publish", "shortlists", "manual"]


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("name", BOARD_URLS)
    def test_only_coordinators_see_the_board(self, programme, cohort, coordinator, sponsor, executive, org, name):
        url = reverse(f"binomes:{name}", args=[programme.slug])
        assert client_for(coordinator).get(url).status_code == 200
        for user in (sponsor, executive, org["junior_a"].user, org["director_a"].user):
            assert client_for(user).get(url).status_code == 403

    @pytest.mark.parametrize("name", BOARD_POSTS)
    def test_only_coordinators_act_on_the_board(self, programme, cohort, org, name):
        response = client_for(org["junior_a"].user).post(reverse(f"binomes:{name}", args=[programme.slug]))
        assert response.status_code == 403
        assert not Pair.objects.exists()

    def test_members_see_their_pair_only_once_published(self, programme, cohort, coordinator, org, outsider):
        services.pairing_run(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_a"])
        url = reverse("binomes:pair", args=[pair.pk])
        assert client_for(org["director_a"].user).get(url).status_code == 404  # still a draft
        services.pairs_publish(actor=coordinator, programme=programme)
        assert client_for(org["director_a"].user).get(url).status_code == 200
        assert client_for(org["junior_b"].user).get(url).status_code == 200
        for stranger in (org["junior_a"].user, org["director_b"].user, outsider):  # members of the other pair, an outsider
            assert client_for(stranger).get(url).status_code == 404
            assert client_for(stranger).post(reverse("binomes:confirm", args=[pair.pk])).status_code == 404

    def test_a_member_never_sees_the_motivation_nor_the_other_s_decline_reason(self, programme, cohort, coordinator, org):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_a"])
        client_for(org["junior_b"].user).post(reverse("binomes:decline", args=[pair.pk]), {"reason": "Trop intimidant"})
        page = client_for(org["director_a"].user).get(reverse("binomes:pair", args=[pair.pk])).content.decode()
        assert "Trop intimidant" not in page and "Secret motivation" not in page
        assert "Trop intimidant" in client_for(coordinator).get(reverse("binomes:pair", args=[pair.pk])).content.decode()

    def test_sponsors_see_counts_not_proposals(self, programme, cohort, coordinator, sponsor):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        page = client_for(sponsor).get(reverse("programmes:detail", args=[programme.slug]))
        panel = next(p for p in page.context["panels"] if "counts" in p)
        assert panel["counts"]["published"] == 2
        text = page.content.decode()
        assert cohort["junior_a"].employee.last_name not in text


@pytest.mark.django_db
class TestBoard:
    def test_run_lock_forbid_publish_from_the_board(self, programme, cohort, coordinator):
        client = client_for(coordinator)
        client.post(reverse("binomes:run", args=[programme.slug]))
        first, second = Pair.objects.order_by("pk")
        client.post(reverse("binomes:lock", args=[programme.slug, first.pk]), {"locked": "1"})
        client.post(reverse("binomes:forbid", args=[programme.slug, second.pk]))
        first.refresh_from_db()
        assert first.locked and not Pair.objects.filter(pk=second.pk).exists()
        client.post(reverse("binomes:publish", args=[programme.slug]))
        assert list(Pair.objects.values_list("status", flat=True)) == ["published"]

    def test_a_manual_pair_refused_says_which_rule(self, programme, cohort, coordinator):
        response = client_for(coordinator).post(reverse("binomes:manual", args=[programme.slug]), {
            "mentor": cohort["junior_b"].pk, "mentee": cohort["director_b"].pk}, follow=True)
        assert any("direct" in str(m) for m in response.context["messages"])
        assert not Pair.objects.exists()

    def test_board_queries_do_not_grow_with_the_cohort(self, programme, cohort, coordinator, django_assert_max_num_queries):
        client = client_for(coordinator)
        services.pairing_run(actor=coordinator, programme=programme)
        cold()
        with django_assert_max_num_queries(40) as small:
            assert client.get(reverse("binomes:board", args=[programme.slug])).status_code == 200
        for level, role in [(1, "mentor")] * 6 + [(5, "mentee")] * 6:
            application = application_submit(employee=EmployeeFactory(job_level=level), programme=programme, role=role,
                                             data=application_data(role), charter_accepted=True, source="import")
            application_review(actor=coordinator, application=application, decision="approve")
        services.pairing_run(actor=coordinator, programme=programme)
        cold()
        with django_assert_max_num_queries(40) as large:
            client.get(reverse("binomes:board", args=[programme.slug]))
        assert len(large.captured_queries) == len(small.captured_queries)

    def test_csv_export(self, programme, cohort, coordinator):
        services.pairing_run(actor=coordinator, programme=programme)
        response = client_for(coordinator).get(reverse("binomes:export", args=[programme.slug]))
        lines = response.content.decode("utf-8-sig").strip().splitlines()
        assert lines[0].startswith("mentor_employee_id;mentor_name;mentee_employee_id") and len(lines) == 3
