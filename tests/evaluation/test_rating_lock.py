"""A session rating that joined the published figures can no longer change: an edit after its
release step would show, by before/after, that one person's new score."""

import datetime

import pytest
from django.utils import timezone

from evaluation.models import RatingRelease
from sessions import services
from sessions.models import MentoringSession, SessionRating


@pytest.fixture
def held(active_pair):
    session = active_pair.sessions.order_by("starts_at").first()
    MentoringSession.objects.filter(pk=session.pk).update(status=MentoringSession.Status.HELD)
    session.refresh_from_db()
    return session


@pytest.mark.django_db
def test_a_rating_not_yet_released_can_still_change(held, org):
    services.session_rate(user=org["junior_b"].user, session=held, score=4)
    services.session_rate(user=org["junior_b"].user, session=held, score=2)
    assert SessionRating.objects.get(session=held, role="mentor").score == 2


@pytest.mark.django_db
def test_a_released_rating_is_refused_a_change_and_keeps_its_score(held, org, active_pair):
    rating = services.session_rate(user=org["junior_b"].user, session=held, score=4, comment="Merci")
    RatingRelease.objects.create(programme=active_pair.programme, released_at=timezone.now() - datetime.timedelta(minutes=1),
                                 up_to=rating.pk, people=5)
    with pytest.raises(services.SessionError, match="published"):
        services.session_rate(user=org["junior_b"].user, session=held, score=1)
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (4, "Merci")
    # The other member's first rating of the same session is still welcome.
    services.session_rate(user=org["director_a"].user, session=held, score=5)
    assert SessionRating.objects.filter(session=held).count() == 2
