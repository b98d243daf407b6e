"""The pair's own content — private notes, concerns, goals, commitments, themes — by every route an
insider can take: coordinators, superusers, the Django admin, exports, e-mails, the senior's delegate."""

import pytest
from django.urls import reverse

from mentorat.core.models import AuditEntry
from mentorat.core.permissions import is_coordinator
from sessions import services
from sessions.models import Concern, Delegate, PrivateNote
from tests.conftest import client_for, cold, drain_outbox
from tests.factories import EmployeeFactory, UserFactory

WORRY = "Il me rabaisse devant son équipe"
NOTE = "Notre secret de binôme"


@pytest.fixture
def hr(db):
    """The HR person named for concerns: an HR lead too (who runs every programme), but named,
    unlike ``coordinator``."""
    return EmployeeFactory(employee_id="HR", job_level=4, user__is_hr_lead=True, user__first_name="Hélène",
                           user__last_name="Rh").user


@pytest.fixture
def named(active_pair, hr):
    active_pair.programme.concern_contacts.add(hr)
    return hr


@pytest.fixture
def concern(named, active_pair, org):
    return services.concern_raise(user=org["junior_b"].user, pair=active_pair, body=WORRY)


def _page(user, url):
    response = client_for(user).get(url)
    return response.status_code, response.content.decode("utf-8", "ignore")


@pytest.mark.django_db
class TestSuperusersAreNotCoordinators:
    def test_superuser_powers_are_not_a_coordinator_role(self, superuser, coordinator):
        assert is_coordinator(coordinator)
        assert not is_coordinator(superuser)

    def test_a_superuser_does_not_reach_the_followup(self, concern, active_pair, superuser):
        status, body = _page(superuser, reverse("sessions:followup", args=[active_pair.programme.slug]))
        assert status == 403 and WORRY not in body

    def test_alerts_go_to_coordinators_not_to_superusers(self, active_pair, superuser, coordinator):
        from mentorat.core.models import Notification
        from sessions.notifications import plan_alerts

        # Four sessions past, none logged: the pair is overdue.
        plan_alerts(now=active_pair.sessions.order_by("starts_at")[4].starts_at)
        recipients = set(Notification.objects.filter(kind__in=["pair_alert", "overdue_logs"]).values_list("recipient", flat=True))
        assert coordinator.pk in recipients and superuser.pk not in recipients


@pytest.mark.django_db
class TestConcernsGoToTheNamedContacts:
    def test_the_followup_shows_that_a_concern_exists_never_its_text(self, concern, active_pair, coordinator, named):
        for user in (coordinator, named):
            status, body = _page(user, reverse("sessions:followup", args=[active_pair.programme.slug]))
            assert status == 200 and WORRY not in body
            assert 'data-testid="concerns-open"' in body

    def test_only_the_named_contacts_read_the_text(self, concern, active_pair, org, coordinator, superuser, executive,
                                                   sponsor, named):
        url = reverse("sessions:concerns")
        status, body = _page(named, url)
        assert status == 200 and WORRY in body
        for user in (coordinator, superuser, executive, sponsor, org["director_a"].user, org["junior_a"].user):
            status, body = _page(user, url)
            assert status == 404 and WORRY not in body, user

    def test_the_junior_is_told_who_the_concern_goes_to(self, named, active_pair, org, coordinator):
        status, body = _page(org["junior_b"].user, reverse("sessions:workspace", args=[active_pair.pk]))
        assert status == 200 and "Hélène Rh" in body and 'data-testid="concern-contacts"' in body
        status, body = _page(org["director_a"].user, reverse("sessions:workspace", args=[active_pair.pk]))
        assert 'data-testid="concern-contacts"' not in body

    def test_without_a_named_contact_no_concern_can_be_sent(self, active_pair, org):
        with pytest.raises(services.SessionError, match="No HR contact"):
            services.concern_raise(user=org["junior_b"].user, pair=active_pair, body=WORRY)
        assert not Concern.objects.exists()

    def test_a_contact_named_after_the_concern_does_not_read_it(self, concern, active_pair, coordinator):
        active_pair.programme.concern_contacts.add(coordinator)
        assert WORRY not in _page(coordinator, reverse("sessions:concerns"))[1]

    def test_a_contact_removed_no_longer_reads_it(self, concern, active_pair, named):
        active_pair.programme.concern_contacts.remove(named)
        assert _page(named, reverse("sessions:concerns"))[0] == 404

    def test_only_a_contact_marks_a_concern_handled(self, concern, coordinator, superuser, named):
        url = reverse("sessions:concern_handle", args=[concern.pk])
        for user in (coordinator, superuser):
            assert client_for(user).post(url).status_code == 404
        assert Concern.objects.get().handled_at is None
        client_for(named).post(url)
        assert Concern.objects.get().handled_at is not None
        assert AuditEntry.objects.filter(action="concern.handled", actor=named).exists()

    def test_the_contacts_get_an_e_mail_without_the_text(self, concern, named, coordinator, mailoutbox):
        drain_outbox()
        sent = [m for m in mailoutbox if reverse("sessions:concerns") in m.body]
        assert [m.to for m in sent] == [[named.email]]
        assert WORRY not in sent[0].body and all(WORRY not in str(a) for a in sent[0].attachments)

    def test_coordinators_name_the_contacts_on_the_programme_form(self, active_pair, coordinator, hr, org):
        programme = active_pair.programme
        coordinator.language = "en"  # the message is checked in English
        coordinator.save(update_fields=["language"])
        url = reverse("programmes:edit", args=[programme.slug])
        form = client_for(coordinator).get(url).context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None and name != "domains"}
        data["domains"] = [d.pk for d in programme.domains.all()]
        data["start_date"] = programme.start_date.isoformat()
        data["concern_contacts"] = f"{hr.email}\nnobody@test.example"
        response = client_for(coordinator).post(url, data)
        assert response.status_code == 200 and "line 2" in response.content.decode()
        assert not programme.concern_contacts.exists()
        data["concern_contacts"] = hr.email.upper()
        response = client_for(coordinator).post(url, data)
        assert response.status_code == 302
        assert list(programme.concern_contacts.all()) == [hr]
        assert AuditEntry.objects.filter(action="programme.concern_contacts", actor=coordinator).exists()

    def test_a_participant_of_the_programme_cannot_be_a_contact(self, active_pair, coordinator, org):
        from programmes.services import ProgrammeError, programme_set_concern_contacts

        with pytest.raises(ProgrammeError, match="takes part"):
            programme_set_concern_contacts(actor=coordinator, programme=active_pair.programme, users=[org["director_a"].user])
        assert not active_pair.programme.concern_contacts.exists()

    def test_the_admin_shows_no_concern_and_names_no_contact(self, concern, active_pair, superuser):
        client = client_for(superuser)
        assert client.get("/admin/mentoring_sessions/concern/").status_code == 404
        body = client.get(f"/admin/programmes/programme/{active_pair.programme.pk}/change/").content.decode()
        assert "concern_contacts" not in body
        assert WORRY not in client.get("/admin/mentoring_sessions/mentoringsession/").content.decode()

    def test_no_export_holds_the_text(self, concern, active_pair, hr_lead):
        slug = active_pair.programme.slug
        for url in (reverse("binomes:export", args=[slug]), reverse("programmes:queue", args=[slug]) + "?format=csv",
                    reverse("evaluation:export"), reverse("core:audit") + "?format=csv"):
            response = client_for(hr_lead).get(url)
            assert response.status_code == 200 and WORRY not in response.content.decode("utf-8", "ignore"), url


@pytest.mark.django_db
class TestTheSeniorsDelegateSeesWhatBookingNeeds:
    @pytest.fixture
    def assistant(self, active_pair, org):
        user = UserFactory(email="assistant@test.example")
        Delegate.objects.create(senior=org["director_a"], user=user)
        return user

    @pytest.fixture
    def content(self, active_pair, org):
        from sessions.models import Commitment, LearningGoal

        LearningGoal.objects.create(pair=active_pair, title="Maîtriser les prompts")
        Commitment.objects.create(pair=active_pair, text="Déléguer la veille", due_date=active_pair.programme.end_date)
        session = active_pair.sessions.order_by("starts_at").first()
        session.theme = "Thème confidentiel"
        session.save()
        return session

    def test_the_pair_space_is_for_the_two_members_only(self, assistant, content, active_pair):
        assert client_for(assistant).get(reverse("sessions:workspace", args=[active_pair.pk])).status_code == 404

    def test_the_delegate_lists_the_senior_s_sessions_without_content(self, assistant, content, active_pair, org):
        status, body = _page(assistant, reverse("sessions:delegated"))
        assert status == 200
        assert reverse("sessions:detail", args=[content.pk]) in body
        for private in ("Maîtriser les prompts", "Déléguer la veille", "Thème confidentiel"):
            assert private not in body
        assert _page(org["junior_a"].user, reverse("sessions:delegated"))[0] == 404

    def test_the_session_page_shows_dates_place_status_and_the_booking_forms_only(self, assistant, content):
        status, body = _page(assistant, reverse("sessions:detail", args=[content.pk]))
        assert status == 200
        assert "Thème confidentiel" not in body and 'name="theme"' not in body
        assert reverse("sessions:workspace", args=[content.pair_id]) not in body
        assert 'value="reschedule"' in body and 'value="cancel"' in body
        invitation = client_for(assistant).get(reverse("sessions:invitation", args=[content.pk])).content.decode()
        assert "confidentiel" not in invitation

    def test_the_delegate_sets_the_place_without_touching_the_theme(self, assistant, content):
        services.session_set_place(user=assistant, session=content, place_kind="room", place="Salle 3", theme=None)
        content.refresh_from_db()
        assert content.place == "Salle 3" and content.theme == "Thème confidentiel"


@pytest.mark.django_db
class TestOnlyTheAuthorChangesANote:
    @pytest.fixture
    def note(self, active_pair, org):
        return services.note_add(user=org["junior_b"].user, pair=active_pair, body=NOTE)

    def test_the_other_member_can_neither_edit_nor_delete(self, note, org):
        client = client_for(org["director_a"].user)
        for name in ("sessions:note_edit", "sessions:note_delete"):
            url = reverse(name, args=[note.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, {"body": "changé", "confirm": "1"}).status_code == 404
        with pytest.raises(services.SessionError):
            services.note_delete(user=org["director_a"].user, note=note)
        assert PrivateNote.objects.get(pk=note.pk).body == NOTE

    def test_the_workspace_offers_no_one_click_delete(self, note, active_pair, org):
        client = client_for(org["director_a"].user)
        response = client.post(reverse("sessions:workspace", args=[active_pair.pk]), {"action": "note_delete", "note": note.pk})
        assert response.status_code == 404 and PrivateNote.objects.filter(pk=note.pk).exists()
        body = _page(org["junior_b"].user, reverse("sessions:workspace", args=[active_pair.pk]))[1]
        assert 'value="note_delete"' not in body and reverse("sessions:note_delete", args=[note.pk]) in body
        assert reverse("sessions:note_delete", args=[note.pk]) not in _page(
            org["director_a"].user, reverse("sessions:workspace", args=[active_pair.pk]))[1]

    def test_the_author_confirms_before_deleting(self, note, org):
        client = client_for(org["junior_b"].user)
        url = reverse("sessions:note_delete", args=[note.pk])
        page = client.get(url)
        assert page.status_code == 200 and NOTE in page.content.decode()
        assert PrivateNote.objects.filter(pk=note.pk).exists()
        client.post(url, {})
        assert PrivateNote.objects.filter(pk=note.pk).exists()
        client.post(url, {"confirm": "1"})
        assert not PrivateNote.objects.filter(pk=note.pk).exists()

    def test_the_author_edits_the_note(self, note, org, outsider):
        client = client_for(org["junior_b"].user)
        url = reverse("sessions:note_edit", args=[note.pk])
        assert client.get(url).status_code == 200
        client.post(url, {"body": "  "})
        assert PrivateNote.objects.get(pk=note.pk).body == NOTE
        assert client.post(url, {"body": "Corrigé"}).status_code == 302
        assert PrivateNote.objects.get(pk=note.pk).body == "Corrigé"
        assert client_for(outsider).get(url).status_code == 404


@pytest.mark.django_db
def test_the_concern_and_delegate_lists_do_not_grow_in_queries(active_pair, other_pair, org, hr,
                                                                django_assert_max_num_queries):
    programme = active_pair.programme
    programme.concern_contacts.add(hr)
    assistant = UserFactory(email="assistant@test.example")
    Delegate.objects.create(senior=org["director_a"], user=assistant)
    Delegate.objects.create(senior=org["director_b"], user=assistant)
    counts = []
    for round_ in range(2):
        for pair, junior in ((active_pair, "junior_b"), (other_pair, "junior_a")):
            services.concern_raise(user=org[junior].user, pair=pair, body=f"{WORRY} {round_}")
        for url, user in ((reverse("sessions:concerns"), hr), (reverse("sessions:delegated"), assistant)):
            client = client_for(user)
            cold()
            # session, user, the list (one query, related rows joined), the navigation: a handful.
            with django_assert_max_num_queries(12) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries.captured_queries))
    assert counts[:2] == counts[2:]


@pytest.mark.django_db
def test_a_copied_programme_keeps_its_hr_contacts_for_concerns(named, active_pair, coordinator):
    import datetime

    from programmes.services import programme_copy

    copy = programme_copy(actor=coordinator, programme=active_pair.programme, name="Suite", slug="suite",
                          start_date=datetime.date(2028, 1, 10))
    assert list(copy.concern_contacts.all()) == [named]


@pytest.mark.django_db
def test_an_administrator_cannot_hand_a_pair_s_space_to_someone_else(active_pair, cohort, superuser, org):
    """Changing an existing pair's members (or status) in the admin would open its notes to another
    person (or end it without its effects): those fields are read-only there."""
    note = services.note_add(user=org["junior_b"].user, pair=active_pair, body=NOTE)
    client = client_for(superuser)
    client.post(f"/admin/binomes/pair/{active_pair.pk}/change/", {
        "programme": active_pair.programme_id, "mentor": cohort["junior_a"].pk, "mentee": cohort["director_a"].pk,
        "status": "active", "locked": "on"})
    active_pair.refresh_from_db()
    assert active_pair.mentor == cohort["junior_b"] and active_pair.status == "active"
    assert client_for(org["junior_a"].user).get(reverse("sessions:workspace", args=[active_pair.pk])).status_code == 404
    assert PrivateNote.objects.get(pk=note.pk).pair == active_pair


@pytest.mark.django_db
def test_an_administrator_cannot_close_a_programme_behind_its_confirmation(active_pair, superuser):
    programme = active_pair.programme
    client = client_for(superuser)
    page = client.get(f"/admin/programmes/programme/{programme.pk}/change/")
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()


@pytest.mark.django_db
def test_an_administrator_cannot_log_in_as_a_member(active_pair, org, superuser):
    """No "log in as": the admin sets no other user's password (the route a superuser would take to
    read the pair's notes as one of its members)."""
    member = org["junior_b"].user
    client = client_for(superuser)
    response = client.post(f"/admin/core/user/{member.pk}/password/",
                           {"password1": "Pris-la-main-123", "password2": "Pris-la-main-123", "usable_password": "true"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.check_password("Pris-la-main-123")
