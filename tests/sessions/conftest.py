import datetime

import pytest
from django.utils import translation

from binomes import services as pairing
from binomes.models import Pair


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


@pytest.fixture
def active_pair(programme, cohort, coordinator, org):
    """JB (mentor) & DA (mentee), active since 2027-01-04, sessions planned by the activation hook."""
    pair = pairing.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_b"], mentee=cohort["director_a"])
    pairing.pairs_publish(actor=coordinator, programme=programme)
    Pair.objects.filter(pk=pair.pk).update(expires_at=None)
    when = datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC)
    pairing.pair_confirm(user=org["junior_b"].user, pair=pair, now=when)
    pairing.pair_confirm(user=org["director_a"].user, pair=pair, now=when)
    pair.refresh_from_db()
    return pair


@pytest.fixture
def other_pair(programme, cohort, coordinator, org, active_pair):
    pair = pairing.pair_manual(actor=coordinator, programme=programme, mentor=cohort["junior_a"], mentee=cohort["director_b"])
    pairing.pairs_publish(actor=coordinator, programme=programme)
    Pair.objects.filter(pk=pair.pk).update(expires_at=None)
    when = datetime.datetime(2027, 1, 4, 9, tzinfo=datetime.UTC)
    for member in (org["junior_a"], org["director_b"]):
        pairing.pair_confirm(user=member.user, pair=pair, now=when)
    pair.refresh_from_db()
    return pair
