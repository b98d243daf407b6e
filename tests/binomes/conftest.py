import pytest
from django.utils import translation

from programmes.services import application_review, application_submit, programme_transition
from tests.conftest import application_data


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def cohort(programme, org, coordinator):
    """Approved: mentors junior_a (under director_a's subtree) and junior_b (reports to director_b);
    mentees director_a and director_b. Programme in the pairing state."""
    apps = {}
    for key, role in [("junior_a", "mentor"), ("junior_b", "mentor"), ("director_a", "mentee"), ("director_b", "mentee")]:
        apps[key] = application_submit(employee=org[key], programme=programme, role=role, data=application_data(role),
                                       charter_accepted=True)
        application_review(actor=coordinator, application=apps[key], decision="approve")
    programme_transition(actor=coordinator, programme=programme, to="pairing")
    programme.refresh_from_db()
    return apps
