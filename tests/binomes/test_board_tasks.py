"""Every coordinator task of the pairing board in the browser (issue 17): applications and pairs
imported from CSV (upload, preview line by line, confirm, all or nothing), the directory exported,
forbidden pairs listed and allowed again, a draft pair removed, the "why unpaired" explanations
recomputed after each manual change (and right for a mentor who fits nobody), the shortlist send
saying what it did, and the certificates reachable from the board."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from binomes import services
from binomes.matching import RULES, assign, refusal
from binomes.models import ForbiddenPair, Pair, PairingRunReport, PairingSettings
from mentorat.core.models import AuditEntry
from programmes.models import Application
from programmes.services import application_review, application_submit
from tests.binomes.test_matching import cohorts
from tests.conftest import application_data, client_for
from tests.factories import EmployeeFactory

APPLICATIONS_HEADER = "employee_id;role;domains;languages;format;availability;capacity;motivation"


def applications_csv(*lines):
    return "\n".join([APPLICATIONS_HEADER, *lines])


def english(user):
    """The user reads the site in English (the messages checked here are the English ones)."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def upload(client, url, text, name="file.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")})


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def unpaired_texts(client, programme) -> dict[str, str]:
    """The board's "left unpaired, and why": name → explanation."""
    page = client.get(reverse("binomes:board", args=[programme.slug]))
    return {item["application"].employee.full_name: item["reason_text"] for item in page.context["unpaired"]}


# --- 1. Applications from a CSV file ----------------------------------------------------------------

@pytest.mark.django_db
class TestApplicationsImport:
    def url(self, programme):
        return reverse("programmes:applications_import", args=[programme.slug])

    def test_the_applications_page_links_to_the_import(self, programme, coordinator):
        page = client_for(coordinator).get(reverse("programmes:queue", args=[programme.slug])).content.decode()
        assert self.url(programme) in page

    def test_preview_then_confirm_creates_approved_applications_audited(self, programme, org, coordinator):
        client = client_for(english(coordinator))
        text = applications_csv("JA;mentor;generative-ai:3;fr;remote;mon-am|tue-pm;1;Motivée",
                                "DA;mentee;generative-ai:2;fr;either;mon-am;;")
        preview = upload(client, self.url(programme), text)
        assert preview.status_code == 200 and not Application.objects.exists()  # a preview writes nothing
        lines = preview.context["plan"].lines
        assert [(line.line, line.employee_id, line.role, line.ok) for line in lines] == [(2, "JA", "mentor", True),
                                                                                          (3, "DA", "mentee", True)]
        page = preview.content.decode()
        assert page.count('<span class="text-success">will be created</span>') == 2 and org["junior_a"].full_name in page
        response = client.post(self.url(programme), {"token": preview.context["token"]}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("programmes:queue", args=[programme.slug])
        assert "2 applications imported as approved" in messages_of(response)
        assert set(Application.objects.values_list("employee__employee_id", "status", "source")) == {
            ("JA", "approved", "import"), ("DA", "approved", "import")}
        entry = AuditEntry.objects.get(action="applications.import")
        assert entry.actor == coordinator and entry.target == programme.slug and entry.details["applications"] == 2

    def test_each_error_names_its_line_and_column_and_nothing_can_be_confirmed(self, programme, org, coordinator):
        client = client_for(english(coordinator))
        text = applications_csv("JA;mentor;generative-ai:3;fr;remote;mon-am;1;ok",
                                "ZZ;mentor;generative-ai:3;fr;remote;mon-am;1;", "JB;coach;generative-ai:3;fr;remote;mon-am;1;",
                                "DB;mentee;generative-ai:2;fr;hybrid;mon-am;;")
        preview = upload(client, self.url(programme), text)
        assert "token" not in preview.context and not Application.objects.exists()
        by_line = {line.line: line for line in preview.context["plan"].lines}
        assert by_line[2].ok
        assert by_line[3].errors[0][0] == "employee_id" and by_line[4].errors[0][0] == "role"
        assert by_line[5].errors[0][0] == "format"
        page = preview.content.decode()
        for fragment in ["line 3, column employee_id: employee id ZZ is not in the directory",
                         "line 4, column role: role “coach” must be mentor or mentee",
                         "line 5, column format: format “hybrid”", "The file is refused: nothing was written."]:
            assert fragment in page, fragment
        assert 'name="token"' not in page

    def test_a_forged_or_foreign_token_writes_nothing(self, programme, org, coordinator, hr_lead):
        text = applications_csv("JA;mentor;generative-ai:3;fr;remote;mon-am;1;ok")
        token = upload(client_for(coordinator), self.url(programme), text).context["token"]
        for client, value in [(client_for(english(coordinator)), token[:-2] + "xx"), (client_for(english(hr_lead)), token)]:
            response = client.post(self.url(programme), {"token": value}, follow=True)
            assert "expired or is not yours" in messages_of(response)
        assert not Application.objects.exists()

    def test_the_file_is_checked_again_at_confirmation(self, programme, org, coordinator):
        client = client_for(english(coordinator))
        text = applications_csv("JA;mentor;generative-ai:3;fr;remote;mon-am;1;ok",
                                "DA;mentee;generative-ai:2;fr;either;mon-am;;")
        token = upload(client, self.url(programme), text).context["token"]
        # Meanwhile DA applied through the form: the whole file is refused, JA is not imported alone.
        application_submit(employee=org["director_a"], programme=programme, role="mentee",
                           data=application_data("mentee"), charter_accepted=True)
        response = client.post(self.url(programme), {"token": token})
        assert response.status_code == 200 and "Nothing was imported" in messages_of(response)
        assert "line 3, column employee_id: DA already has an application" in response.content.decode()
        assert list(Application.objects.values_list("employee__employee_id", flat=True)) == ["DA"]

    def test_a_coordinator_of_another_programme_gets_404(self, programme, org):
        other = EmployeeFactory(employee_id="OTHERCO", job_level=4, user__is_coordinator=True).user
        client = client_for(other)
        assert client.get(self.url(programme)).status_code == 404
        text = applications_csv("JA;mentor;generative-ai:3;fr;remote;mon-am;1;ok")
        assert upload(client, self.url(programme), text).status_code == 404
        assert client_for(org["junior_a"].user).get(self.url(programme)).status_code == 403


# --- 2. Pairs from a CSV file ----------------------------------------------------------------------

@pytest.mark.django_db
class TestPairsImport:
    def url(self, programme):
        return reverse("binomes:import", args=[programme.slug])

    def test_the_board_links_to_the_import(self, programme, cohort, coordinator):
        assert self.url(programme) in client_for(coordinator).get(reverse("binomes:board", args=[programme.slug])).content.decode()

    def test_a_refused_line_names_the_rule_and_nothing_is_written(self, programme, cohort, coordinator, org):
        client = client_for(english(coordinator))
        # JB reports to DB: a direct line. ZZ has no application. DA twice: the second is taken.
        preview = upload(client, self.url(programme), "mentor;mentee\nJA;DA\nJB;DB\nZZ;DB\nJB;DA\n")
        assert "token" not in preview.context and not Pair.objects.exists()
        page = preview.content.decode()
        for fragment in ["line 3: This pair is refused: one is the other's direct manager",
                         "line 4, column mentor: ZZ has no approved application as mentor",
                         "line 5: This pair is refused: the mentee already has a pair"]:
            assert fragment in page.replace("&#x27;", "'"), fragment
        assert "will be created" in page  # line 2 alone would be fine
        assert not AuditEntry.objects.filter(action__startswith="pairing.").exists()

    def test_preview_then_confirm_makes_locked_drafts_and_explains_the_rest(self, programme, cohort, coordinator, org):
        client = client_for(english(coordinator))
        preview = upload(client, self.url(programme), "mentor,mentee\nJA,DB\n")
        assert [(line.line, line.ok) for line in preview.context["lines"]] == [(2, True)] and not Pair.objects.exists()
        response = client.post(self.url(programme), {"token": preview.context["token"]}, follow=True)
        assert "1 pair imported as a locked draft" in messages_of(response)
        pair = Pair.objects.get()
        assert (pair.mentor, pair.mentee, pair.source, pair.locked, pair.status) == (
            cohort["junior_a"], cohort["director_b"], "import", True, "proposed")
        assert AuditEntry.objects.get(action="pairing.import").details == {"pairs": 1}
        # The other two are explained at once: each is eligible for the other.
        texts = unpaired_texts(client, programme)
        assert set(texts) == {org["junior_b"].full_name, org["director_a"].full_name}
        assert all("someone eligible is still free" in text for text in texts.values())

    def test_the_board_export_reads_back(self, programme, cohort, coordinator):
        client = client_for(english(coordinator))
        services.pairing_run(actor=coordinator, programme=programme)
        exported = client.get(reverse("binomes:export", args=[programme.slug])).content.decode("utf-8-sig")
        Pair.objects.all().delete()
        preview = upload(client, self.url(programme), exported)
        assert [line.ok for line in preview.context["lines"]] == [True, True]

    def test_a_missing_column_is_named_on_line_1(self, programme, cohort, coordinator):
        preview = upload(client_for(english(coordinator)), self.url(programme), "mentor;senior\nJA;DB\n")
        assert preview.context["errors"] == ["line 1: missing required column(s): mentee."]


# --- 3. The directory as CSV -----------------------------------------------------------------------

@pytest.mark.django_db
class TestDirectoryExport:
    def test_hr_leads_export_with_the_import_columns_audited(self, hr_lead, org):
        from mentorat.core.directory_file import FIELDS

        client = client_for(hr_lead)
        page = client.get(reverse("core:directory")).content.decode()
        assert reverse("core:directory_export") in page
        response = client.get(reverse("core:directory_export"))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == ";".join(FIELDS)
        ja = next(line for line in lines if line.startswith("JA;"))
        assert ja.split(";")[4] == "MA" and ja.split(";")[5] == "Opérations"  # the manager by id, the department by name
        entry = AuditEntry.objects.get(action="directory.export")
        assert entry.actor == hr_lead and entry.details["employees"] == len(lines) - 1

    def test_the_export_follows_the_page_s_filters(self, hr_lead, org):
        marketing = org["director_b"].department_id
        response = client_for(hr_lead).get(reverse("core:directory_export") + f"?department={marketing}")
        assert [line.split(";")[0] for line in response.content.decode("utf-8-sig").splitlines()[1:]] == ["DB", "JB"]

    def test_coordinators_browse_but_neither_export_nor_see_the_button(self, coordinator, org):
        client = client_for(coordinator)
        page = client.get(reverse("core:directory"))
        assert page.status_code == 200 and reverse("core:directory_export") not in page.content.decode()
        assert client.get(reverse("core:directory_export")).status_code == 403
        assert not AuditEntry.objects.filter(action="directory.export").exists()


# --- 4 and 5. Forbidden pairs allowed again, a draft pair removed ------------------------------------

@pytest.mark.django_db
class TestForbiddenAndRemoved:
    def test_the_board_lists_the_forbidden_pairs_and_allows_one_again(self, programme, cohort, coordinator, org):
        client = client_for(english(coordinator))
        services.pairing_run(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_b"])
        client.post(reverse("binomes:forbid", args=[programme.slug, pair.pk]))
        page = client.get(reverse("binomes:board", args=[programme.slug]))
        [forbidden] = page.context["forbidden"]
        allow_url = reverse("binomes:allow", args=[programme.slug, forbidden.pk])
        assert allow_url in page.content.decode() and "Allow again" in page.content.decode()
        response = client.post(allow_url, follow=True)
        assert "may be paired again" in messages_of(response)
        assert not ForbiddenPair.objects.exists()
        entry = AuditEntry.objects.get(action="pairing.allow")
        assert entry.actor == coordinator and entry.details == {"mentor": "JA", "mentee": "DB"}
        services.pairing_run(actor=coordinator, programme=programme)
        assert Pair.objects.filter(mentor=cohort["junior_a"], mentee=cohort["director_b"]).exists()

    def test_allowing_a_forbidden_pair_of_another_programme_is_404(self, programme, cohort, coordinator, hr_lead):
        services.pairing_run(actor=coordinator, programme=programme)
        services.pair_forbid(actor=coordinator, pair=Pair.objects.get(mentee=cohort["director_b"]))
        forbidden = ForbiddenPair.objects.get()
        other = EmployeeFactory(employee_id="OTHERCO", job_level=4, user__is_coordinator=True).user
        assert client_for(other).post(reverse("binomes:allow", args=[programme.slug, forbidden.pk])).status_code == 404
        from programmes.services import programme_create

        mine = programme_create(actor=other, name="Autre", slug="autre", start_date=datetime.date(2027, 1, 11),
                                duration_months=9, cadence_weeks=3)
        assert client_for(other).post(reverse("binomes:allow", args=[mine.slug, forbidden.pk])).status_code == 404
        assert ForbiddenPair.objects.exists()

    def test_a_draft_pair_is_removed_after_confirmation_and_both_are_unpaired(self, programme, cohort, coordinator, org):
        client = client_for(english(coordinator))
        services.pairing_run(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_a"])
        board = client.get(reverse("binomes:board", args=[programme.slug])).content.decode()
        url = reverse("binomes:remove", args=[programme.slug, pair.pk])
        assert url in board
        confirm = client.get(url)
        assert confirm.status_code == 200 and Pair.objects.filter(pk=pair.pk).exists()  # GET only asks
        assert "Remove the pair" in confirm.content.decode()
        response = client.post(url, follow=True)
        assert "Draft pair removed" in messages_of(response)
        assert not Pair.objects.filter(pk=pair.pk).exists() and not ForbiddenPair.objects.exists()
        texts = {item["application"].pk: item["reason_text"] for item in response.context["unpaired"]}
        assert set(texts) == {cohort["junior_b"].pk, cohort["director_a"].pk}
        assert all("someone eligible is still free" in text for text in texts.values())
        entry = AuditEntry.objects.get(action="pairing.remove")
        assert entry.target == str(pair.pk) and entry.details["mentor"] == "JB" and entry.details["mentee"] == "DA"

    def test_a_published_pair_cannot_be_removed(self, programme, cohort, coordinator):
        client = client_for(english(coordinator))
        services.pairing_run(actor=coordinator, programme=programme)
        services.pairs_publish(actor=coordinator, programme=programme)
        pair = Pair.objects.get(mentee=cohort["director_a"])
        url = reverse("binomes:remove", args=[programme.slug, pair.pk])
        assert "Only a draft proposal can be removed" in client.get(url).content.decode()
        response = client.post(url, follow=True)
        assert "Only draft proposals can be changed" in messages_of(response)
        assert Pair.objects.get(pk=pair.pk).status == "published"
        board = client.get(reverse("binomes:board", args=[programme.slug])).content.decode()
        assert url not in board


# --- 6. "Why unpaired", recomputed and right ---------------------------------------------------------

@pytest.mark.django_db
class TestWhyUnpaired:
    def mentor_who_fits_nobody(self, programme, org, coordinator):
        """A junior whose manager is DA (direct line with DA) and who speaks only English (DB speaks French)."""
        employee = EmployeeFactory(employee_id="LONE", job_level=1, manager=org["director_a"], first_name="Lone",
                                   last_name="Ranger")
        application = application_submit(employee=employee, programme=programme, role="mentor", source="import",
                                         data=application_data("mentor", languages=["en"]), charter_accepted=True)
        application_review(actor=coordinator, application=application, decision="approve")
        return application

    def test_a_mentor_who_fits_nobody_is_told_every_rule(self, programme, org, coordinator):
        from programmes.services import programme_transition

        client = client_for(english(coordinator))
        for key, role in [("junior_b", "mentor"), ("director_a", "mentee"), ("director_b", "mentee")]:
            application = application_submit(employee=org[key], programme=programme, role=role, data=application_data(role),
                                             charter_accepted=True)
            application_review(actor=coordinator, application=application, decision="approve")
        lone = self.mentor_who_fits_nobody(programme, org, coordinator)
        programme_transition(actor=coordinator, programme=programme, to="pairing")
        client.post(reverse("binomes:run", args=[programme.slug]))
        [item] = [u for u in PairingRunReport.objects.get(programme=programme).unpaired if u["application"] == lone.pk]
        assert item["detail"] == {"direct_line": 1, "language": 1}
        text = unpaired_texts(client, programme)["Lone Ranger"]
        assert text == ("no mentee fits this mentor under the programme's rules: one is the other's direct manager "
                        "(1 mentee); they share no language (1 mentee)")
        assert "better matched" not in text and "already has a pair" not in text

    def test_explanations_follow_each_manual_change(self, programme, cohort, coordinator, org):
        client = client_for(english(coordinator))
        client.post(reverse("binomes:run", args=[programme.slug]))
        assert unpaired_texts(client, programme) == {}
        # Remove JB–DA: both unpaired, each eligible for the other.
        pair = Pair.objects.get(mentee=cohort["director_a"])
        client.post(reverse("binomes:remove", args=[programme.slug, pair.pk]))
        assert set(unpaired_texts(client, programme)) == {org["junior_b"].full_name, org["director_a"].full_name}
        # Pair them again by hand: nobody is left.
        client.post(reverse("binomes:manual", args=[programme.slug]),
                    {"mentor": cohort["junior_b"].pk, "mentee": cohort["director_a"].pk})
        assert unpaired_texts(client, programme) == {}
        # Forbid JA–DB: DB's only other mentor is their direct report; JA fits only DA, who is taken.
        pair = Pair.objects.get(mentee=cohort["director_b"])
        client.post(reverse("binomes:forbid", args=[programme.slug, pair.pk]))
        texts = unpaired_texts(client, programme)
        assert texts[org["director_b"].full_name] == (
            "no mentor fits this mentee under the programme's rules: one is the other's direct manager (1 mentor); "
            "the coordinator forbade this pair (1 mentor)")
        assert texts[org["junior_a"].full_name] == "every mentee this mentor fits already has a pair"
        # Allow it again: both are eligible for each other once more.
        forbidden = ForbiddenPair.objects.get()
        client.post(reverse("binomes:allow", args=[programme.slug, forbidden.pk]))
        texts = unpaired_texts(client, programme)
        assert set(texts) == {org["director_b"].full_name, org["junior_a"].full_name}
        assert all("someone eligible is still free" in text for text in texts.values())


# --- 7. The shortlist send says what it did ----------------------------------------------------------

@pytest.mark.django_db
class TestShortlistSend:
    def send(self, client, programme):
        return messages_of(client.post(reverse("binomes:shortlists", args=[programme.slug]), follow=True))

    def test_it_says_how_many_seniors_got_how_many_mentors_then_why_nothing(self, programme, cohort, coordinator, org):
        PairingSettings.objects.update_or_create(programme=programme, defaults={"mode": "shortlist"})
        client = client_for(english(coordinator))
        # DA may choose JB or JA; DB only JA (JB reports to DB).
        text = self.send(client, programme)
        assert "2 shortlists sent by e-mail, to " in text
        assert "(1 with 2 mentors; 1 with 1 mentor)" in text
        assert org["director_a"].full_name in text and org["director_b"].full_name in text
        text = self.send(client, programme)
        assert text == "No shortlist sent: every approved senior already has a pair or an open shortlist."

    def test_nothing_sent_names_the_reason(self, programme, cohort, coordinator, org):
        PairingSettings.objects.update_or_create(programme=programme, defaults={"mode": "shortlist"})
        client = client_for(english(coordinator))
        ForbiddenPair.objects.create(programme=programme, mentor=org["junior_a"], mentee=org["director_b"])
        ForbiddenPair.objects.create(programme=programme, mentor=org["junior_b"], mentee=org["director_a"])
        ForbiddenPair.objects.create(programme=programme, mentor=org["junior_a"], mentee=org["director_a"])
        assert self.send(client, programme) == ("No shortlist sent: no eligible mentor with room fits the 2 seniors "
                                                "without a pair (see why below).")
        Application.objects.filter(role="mentee").update(status="waitlisted")
        assert self.send(client, programme) == "No shortlist sent: no senior is approved in this programme yet."
        entry = AuditEntry.objects.filter(action="pairing.shortlists").first()
        assert entry.details["shortlists"] == 0


# --- 8. Certificates from the board ------------------------------------------------------------------

@pytest.mark.django_db
class TestCertificates:
    def test_the_board_links_to_the_certificate_of_a_completed_pair_that_met(self, programme, active_pair, other_pair,
                                                                           coordinator):
        from sessions.models import MentoringSession

        session = MentoringSession.objects.filter(pair=active_pair).order_by("starts_at").first()
        MentoringSession.objects.filter(pk=session.pk).update(status=MentoringSession.Status.HELD)
        for pair in (active_pair, other_pair):  # the other pair never met: no certificate
            services.pair_end(user=coordinator, pair=pair, completed=True)
        client = client_for(coordinator)
        page = client.get(reverse("binomes:board", args=[programme.slug]))
        assert [pair.pk for pair in page.context["certified"]] == [active_pair.pk]
        text = page.content.decode()
        assert reverse("evaluation:certificate", args=[active_pair.pk]) in text
        assert reverse("evaluation:certificate", args=[other_pair.pk]) not in text
        assert client.get(reverse("evaluation:certificate", args=[active_pair.pk])).status_code == 200


@pytest.mark.django_db
def test_the_board_s_queries_do_not_grow_with_forbidden_pairs_and_certificates(programme, cohort, coordinator,
                                                                              django_assert_max_num_queries):
    client = client_for(coordinator)
    services.pairing_run(actor=coordinator, programme=programme)
    services.pair_forbid(actor=coordinator, pair=Pair.objects.get(mentee=cohort["director_b"]))
    url = reverse("binomes:board", args=[programme.slug])
    client.get(url)
    with django_assert_max_num_queries(45) as few:
        client.get(url)
    for k in range(5):
        mentor = EmployeeFactory(job_level=1)
        ForbiddenPair.objects.create(programme=programme, mentor=mentor, mentee=cohort["director_a"].employee)
    with django_assert_max_num_queries(45) as many:
        assert len(client.get(url).context["forbidden"]) == 6
    assert len(many.captured_queries) <= len(few.captured_queries)


# --- The pure explanation, on any cohort -------------------------------------------------------------

@given(cohort=cohorts())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_unpaired_person_gets_the_explanation_that_is_true(cohort):
    """After the assignment, a person whom no one on the other side fits is told the rules (every
    one, counted), never "taken" or "better matched"; a person with a fitting partner is never told
    the rules; nobody is told someone eligible is free (the assignment would have paired them)."""
    mentors, mentees, rules = cohort
    result = assign(mentors, mentees, rules)
    for item in result.unpaired:
        others = mentees if item.role == "mentor" else mentors
        me = next(p for p in (mentors if item.role == "mentor" else mentees) if p.id == item.id)
        fitting = [o for o in others if (refusal(me, o, rules) if item.role == "mentor" else refusal(o, me, rules)) is None]
        assert item.reason != "eligible_free"
        if not others:
            assert item.reason in {"no_mentor", "no_mentee"}
        elif fitting:
            assert item.reason in {"capacity", "no_mentee_left"}, item
        else:
            assert item.reason in RULES and sum(item.detail.values()) == len(others), item
