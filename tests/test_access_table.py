"""Every URL pattern of the project × every role: the expected status, written down in one table.

The test walks the URL resolver; a pattern missing from ``EXPECTED`` fails the test, so a new
view cannot ship without its access row. A POST-only view is probed with GET for the roles it
admits (405: it exists and refuses GET) and with POST for the others (their 403 or 404). Roles:

- ``anon``: not logged in; ``mentor`` / ``mentee``: the two members of the active pair;
- ``other``: the mentor of another pair of the same programme; ``sponsor``: the programme's
  sponsor; ``executive``; ``coordinator``: who created the programme; ``hr_lead``: runs every
  programme; ``scoped``: a coordinator assigned to another programme only (404 on this one's
  pages, as if it did not exist); ``superuser``.
"""

import datetime
import os

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = ["anon", "mentor", "mentee", "other", "sponsor", "executive", "coordinator", "hr_lead", "scoped", "superuser"]
LOGIN = 302  # anonymous: sent to the login page


def row(default, **overrides):
    """Statuses for the roles: ``default`` for the logged-in ones unless overridden; anonymous
    users go to the login page unless ``anon`` says otherwise; the HR lead gets what the
    programme's coordinator gets unless ``hr_lead`` says otherwise."""
    statuses = {role: default for role in ROLES}
    statuses["anon"] = LOGIN
    if "coordinator" in overrides:
        statuses["hr_lead"] = overrides["coordinator"]
    statuses.update(overrides)
    return statuses


# Superuser powers are not a coordinator role (mentorat.core.permissions): the superuser gets 403 there.
# A programme's pages: its coordinator and the HR lead; a coordinator of another programme, 404.
COORD = {"coordinator": 200, "scoped": 404}
# Site-wide coordinator pages (directory, catalogue, tokens): every coordinator.
ANY_COORD = {"coordinator": 200, "scoped": 200}
# The whole company's (directory import, outbox, audit, roles): HR leads only.
LEAD = {"hr_lead": 200}
EXPECTED = {
    # Authentication pages: open to all (a logged-in user is sent home from the login page).
    "login": row(302, anon=200),
    "logout": row(405),
    "password_reset": row(200, anon=200),
    "password_reset_done": row(200, anon=200),
    "password_reset_confirm": row(200, anon=200),
    "password_reset_complete": row(200, anon=200),
    "password_change": row(200),
    "password_change_done": row(200),
    "switch_language": row(405, anon=405),
    "health": row(200, anon=200),
    # Programmes.
    "programmes:list": row(200),
    "programmes:create": row(403, **ANY_COORD),
    "programmes:acknowledge": row(404, anon=404),
    "programmes:detail": row(200),
    "programmes:edit": row(403, **COORD),
    "programmes:objectives": row(403, **COORD),
    "programmes:milestones": row(403, **COORD),
    "programmes:training": row(403, **COORD),
    "programmes:charter": row(403, **COORD),
    "programmes:sponsors": row(403, **COORD),
    "programmes:sponsor_message": row(404, sponsor=200),
    "programmes:status": row(403, coordinator=405, scoped=404),
    # The confirmation page (the programme of this world is pairing: it says why it cannot close yet).
    "programmes:close": row(403, **COORD),
    "programmes:copy": row(403, **COORD),
    # Members already applied (sent to their application); the superuser has no employee record.
    "programmes:apply": row(302, sponsor=200, executive=200, coordinator=200, scoped=200),
    "programmes:withdraw": row(405),
    "programmes:my_training": row(404, mentor=200, mentee=200, other=200),
    "programmes:queue": row(403, **COORD),
    "programmes:applications_import": row(403, **COORD),
    "programmes:application": row(403, **COORD),
    # The catalogue of learning domains: coordinators only.
    "programmes:domains": row(403, **ANY_COORD),
    # Roles: assigned by HR leads only.
    "programmes:roles": row(403, **LEAD),
    "programmes:role_revoke": row(403, hr_lead=405),
    "programmes:assignment_remove": row(403, hr_lead=405),
    "programmes:domain_edit": row(403, **ANY_COORD),
    "programmes:domain_retire": row(403, coordinator=405, scoped=405),
    "programmes:domain_restore": row(403, coordinator=405, scoped=405),
    # Evaluation.
    "evaluation:dashboard": row(403, sponsor=200, executive=200, coordinator=200, scoped=200, superuser=200),
    "evaluation:export": row(403, sponsor=200, executive=200, coordinator=200, scoped=200, superuser=200),
    "evaluation:operations": row(403, **ANY_COORD),
    "evaluation:my_surveys": row(200),
    "evaluation:answer": row(404, mentee=200),
    "evaluation:results": row(403, sponsor=200, executive=200, coordinator=200, superuser=200),
    "evaluation:survey_edit": row(403, **COORD),
    "evaluation:question_new": row(403, **COORD),
    "evaluation:question_edit": row(403, **COORD),
    "evaluation:question_delete": row(403, coordinator=405, scoped=404),
    "evaluation:programme_surveys": row(403, **COORD),
    "evaluation:testimonial_new": row(403, mentor=200, mentee=200, other=200),
    "evaluation:testimonial_publish": row(403, coordinator=405, scoped=404),
    "evaluation:progress": row(200),
    "evaluation:certificate": row(404),
    # Pairing.
    "binomes:board": row(403, **COORD),
    "binomes:run": row(403, coordinator=405, scoped=404),
    "binomes:publish": row(403, coordinator=405, scoped=404),
    "binomes:shortlists": row(403, coordinator=405, scoped=404),
    "binomes:manual": row(403, coordinator=405, scoped=404),
    "binomes:settings": row(403, **COORD),
    "binomes:export": row(403, **COORD),
    "binomes:lock": row(403, coordinator=405, scoped=404),
    "binomes:forbid": row(403, coordinator=405, scoped=404),
    "binomes:remove": row(403, **COORD),  # its confirmation page (this pair is active: it says it cannot be removed)
    "binomes:allow": row(403, coordinator=405, scoped=404),
    "binomes:import": row(403, **COORD),
    "binomes:pair": row(404, mentor=200, mentee=200, coordinator=200),
    # Coordinators open the pair page; the service then refuses them (a message, no change).
    "binomes:confirm": row(404, mentor=405, mentee=405, coordinator=302),
    "binomes:decline": row(404, mentor=405, mentee=405, coordinator=302),
    "binomes:end": row(404, mentor=405, mentee=405, coordinator=405),
    "binomes:chemistry": row(404, mentor=405, mentee=405, coordinator=405),
    "binomes:shortlist": row(404, mentee=200),
    # Sessions.
    "sessions:workspace": row(404, mentor=200, mentee=200),
    "sessions:detail": row(404, mentor=200, mentee=200),
    "sessions:invitation": row(404, mentor=200, mentee=200),
    "sessions:calendar": row(200),
    "sessions:followup": row(403, **COORD),
    "sessions:reminder_timing": row(403, **COORD),
    # Concerns: read and handled by the programme's named HR contacts only (none of these roles).
    "sessions:concerns": row(404),
    "sessions:concern_handle": row(404),
    # Only the author edits or deletes a private note (the mentor wrote this one).
    "sessions:note_edit": row(404, mentor=200),
    "sessions:note_delete": row(404, mentor=200),
    # The senior's delegate only (none of these roles).
    "sessions:delegated": row(404),
    "sessions:feed": row(200, anon=200),
    # Learnings shared (the mentor wrote this one): members of a pair that met share; coordinators review.
    "sessions:learnings": row(200),
    "sessions:learning_share": row(403, mentor=200, mentee=200, other=200),
    "sessions:learnings_mine": row(200),
    "sessions:learning_withdraw": row(404, mentor=405),
    "sessions:learnings_review": row(403, **ANY_COORD),
    "sessions:learning_review": row(403, **COORD),
    "sessions:commitment_themes": row(403, executive=200, coordinator=200, hr_lead=200, scoped=200, superuser=200),
    # Directory, e-mails, privacy.
    "core:home": row(200),
    "core:directory": row(403, **ANY_COORD),
    "core:employee": row(404, mentee=200, coordinator=200, scoped=200),
    "core:directory_export": row(403, **LEAD),
    "core:import_upload": row(403, **LEAD),
    "core:import_preview": row(403, **LEAD),
    "core:import_confirm": row(403, hr_lead=405),
    # A login change is confirmed from the link mailed to the old address: a bad link is a 400 for all.
    "core:email_change_confirm": row(400, anon=400),
    "core:organisation": row(403, executive=200, coordinator=200, scoped=200, superuser=200),
    "core:preferences": row(200),
    "core:notifications": row(200),
    "core:unsubscribe": row(200, anon=200),
    "core:outbox": row(403, **LEAD),
    "core:locked_accounts": row(403, **LEAD),
    "core:privacy": row(200, anon=200),
    "core:my_data": row(200),
    "core:audit": row(403, **LEAD),
    "core:employee_erase": row(403, hr_lead=405),
    # The admin: superusers only (others are sent to its login page).
    "admin:index": row(302, superuser=200),
    # The API: coordinators manage tokens and read the docs in the browser; the schema also opens
    # to a token; every resource answers a token only (a login session is 401, like no token).
    "api:tokens": row(403, **ANY_COORD),
    "api:token_revoke": row(403, coordinator=405, scoped=405),
    "api:docs": row(403, **ANY_COORD),
    "api:schema": row(403, anon=401, **ANY_COORD),
    **{f"api:{name}": row(401, anon=401) for name in (
        "employees", "employees_bulk", "employee", "programmes", "programme", "programme_transition", "programme_close",
        "applications",
        "application_review", "pairs", "pairs_export", "pairs_import", "sessions", "kpis")},
}


def walk(resolver=None, namespace=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner == "admin":
                yield "admin:index"
                continue
            yield from walk(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


@pytest.fixture
def world(programme, cohort, active_pair, other_pair, sponsor, coordinator, hr_lead, executive, superuser, org, mentor,
          mentee):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from binomes.models import Shortlist
    from evaluation.models import Testimonial
    from evaluation.services import surveys_ensure
    from mentorat.core import outbox
    from mentorat.core.models import DirectoryImport
    from programmes.models import CoordinatorAssignment
    from programmes.services import programme_create
    from sessions.models import CalendarFeed, Concern, PrivateNote
    from tests.factories import EmployeeFactory

    Active = type(active_pair)
    Active.objects.filter(pk=active_pair.pk).update(activated_at=timezone.now() - datetime.timedelta(days=1))
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
    survey = surveys[("baseline", "mentee")]
    session = active_pair.sessions.order_by("starts_at").first()
    batch = DirectoryImport.objects.create(filename="x.csv", content=b"", uploaded_by=coordinator)
    shortlist = Shortlist.objects.create(programme=programme, mentee=active_pair.mentee, options=[],
                                         expires_at=timezone.now() + datetime.timedelta(days=3))
    story = Testimonial.objects.create(programme=programme, author=org["junior_b"], role="mentor", title="T", body="B",
                                       consent=True)
    concern = Concern.objects.create(pair=active_pair, raised_by=mentor, body="x")
    note = PrivateNote.objects.create(pair=active_pair, author=mentor, body="x")
    feed = CalendarFeed.objects.create(user=mentee)
    from sessions.models import SharedLearning

    learning = SharedLearning.objects.create(programme=programme, pair=active_pair, author=org["junior_b"], title="T",
                                             body="B", domain=programme.domains.first(), consent=True)
    # A coordinator who runs another programme (by assignment), not this one.
    scoped = EmployeeFactory(employee_id="SCOPED", job_level=4, user__is_coordinator=True).user
    elsewhere = programme_create(actor=hr_lead, name="Autre entité", slug="autre-entite", start_date=programme.start_date,
                                 duration_months=9, cadence_weeks=3)
    assignment = CoordinatorAssignment.objects.create(user=scoped, programme=elsewhere, granted_by=hr_lead)
    users = {"anon": None, "mentor": mentor, "mentee": mentee, "other": org["junior_a"].user, "sponsor": sponsor,
             "executive": executive, "coordinator": coordinator, "hr_lead": hr_lead, "scoped": scoped, "superuser": superuser}
    slug = programme.slug
    kwargs = {
        "password_reset_confirm": {"uidb64": urlsafe_base64_encode(force_bytes(mentee.pk)),
                                   "token": default_token_generator.make_token(mentee)},
        "programmes:acknowledge": {"token": "not-a-token"},
        "programmes:apply": {"slug": slug, "role": "mentor"},
        "programmes:application": {"slug": slug, "pk": active_pair.mentee.pk},
        "programmes:role_revoke": {"pk": executive.pk}, "programmes:assignment_remove": {"pk": assignment.pk},
        **{f"programmes:{name}": {"code": "generative-ai"} for name in ("domain_edit", "domain_retire", "domain_restore")},
        "evaluation:answer": {"pk": survey.pk}, "evaluation:results": {"pk": survey.pk},
        "evaluation:survey_edit": {"pk": survey.pk}, "evaluation:question_new": {"survey_pk": survey.pk},
        "evaluation:question_edit": {"survey_pk": survey.pk, "pk": survey.questions.first().pk},
        "evaluation:question_delete": {"survey_pk": survey.pk, "pk": survey.questions.first().pk},
        "evaluation:testimonial_publish": {"pk": story.pk},
        "evaluation:certificate": {"pk": active_pair.pk},  # active, not completed: nobody's certificate yet
        "binomes:lock": {"slug": slug, "pk": active_pair.pk}, "binomes:forbid": {"slug": slug, "pk": active_pair.pk},
        "binomes:remove": {"slug": slug, "pk": active_pair.pk}, "binomes:allow": {"slug": slug, "pk": active_pair.pk},
        "binomes:pair": {"pk": active_pair.pk}, "binomes:confirm": {"pk": active_pair.pk},
        "binomes:decline": {"pk": active_pair.pk}, "binomes:end": {"pk": active_pair.pk},
        "binomes:chemistry": {"pk": active_pair.pk},
        "binomes:shortlist": {"pk": shortlist.pk},
        "sessions:workspace": {"pk": active_pair.pk}, "sessions:detail": {"pk": session.pk},
        "sessions:invitation": {"pk": session.pk}, "sessions:concern_handle": {"pk": concern.pk},
        "sessions:note_edit": {"pk": note.pk}, "sessions:note_delete": {"pk": note.pk},
        "sessions:feed": {"token": feed.token},
        "sessions:learning_withdraw": {"pk": learning.pk}, "sessions:learning_review": {"pk": learning.pk},
        "core:employee": {"pk": org["director_a"].pk}, "core:employee_erase": {"pk": org["director_a"].pk},
        "core:import_preview": {"pk": batch.pk}, "core:import_confirm": {"pk": batch.pk},
        "core:email_change_confirm": {"token": "not-a-signed-link"},
        "core:unsubscribe": {"token": outbox.unsubscribe_token(mentee, "session_log")},
        "api:employee": {"employee_id": "DA"}, "api:token_revoke": {"pk": 1},
        "api:application_review": {"slug": slug, "pk": active_pair.mentee.pk},
    }
    return users, kwargs, slug


def test_every_url_pattern_has_an_access_row_for_every_role(world):
    users, kwargs, slug = world
    names = sorted(set(walk()))
    missing = [name for name in names if name not in EXPECTED]
    assert not missing, f"URL patterns with no access row: {missing}"
    seen, wrong = {}, []
    for name in names:
        args = kwargs.get(name)
        if args is None:
            try:
                url = reverse(name)
            except NoReverseMatch:
                url = reverse(name, kwargs={"slug": slug})
        else:
            url = reverse(name, kwargs=args)
        for role in ROLES:
            client = Client()
            if users[role] is not None:
                client.force_login(users[role])
            status = client.get(url).status_code
            if status == 405 and EXPECTED[name][role] != 405:
                # A POST-only view: the refusal of a role it does not admit shows on POST (refused,
                # so nothing changes; the admitted roles are only probed with GET).
                status = client.post(url).status_code
            seen.setdefault(name, {})[role] = status
            if status != EXPECTED[name][role]:
                wrong.append(f"{name} as {role}: {status}, expected {EXPECTED[name][role]}")
    if os.environ.get("MENTORAT_PRINT_ACCESS"):
        for name, statuses in seen.items():
            print(name, statuses)
    assert not wrong, "\n".join(wrong)
    assert not [name for name in EXPECTED if name not in names], "rows for patterns that no longer exist"
