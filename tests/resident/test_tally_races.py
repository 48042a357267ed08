"""Two writers of one village at once, on PostgreSQL: each counts the village after taking its
lock (``yibao.regions.tallies.lock``), so neither count misses what the other commits."""

from __future__ import annotations

import pytest

from employer.fresh import QUICK_HASHERS, reference_data
from factories import TownshipClerkFactory, VillageAgentFactory, village
from races import ON_POSTGRES, meet_before, together
from yibao.regions import tallies as region_tallies
from yibao.reporting.services import tallies
from yibao.resident import services
from yibao.resident.models import EnrolmentTally

from .factories import DONGMING, DONGMING_VILLAGE, form

pytestmark = ON_POSTGRES


@pytest.fixture(autouse=True)
def quick(settings):
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()


@pytest.fixture
def locks_meet(monkeypatch):
    """Both writers have written their enrolment before either takes the village's lock, the
    widest race: a count taken before the lock would see only its own enrolment."""
    return meet_before(monkeypatch, region_tallies, "lock", 2)


def test_two_approvals_in_one_village_at_once_are_both_counted(locks_meet):
    maker = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    registrations = [services.register(form(n), region=DONGMING, actor=maker) for n in (1, 2)]
    checker = TownshipClerkFactory()
    got = together(2, lambda i: services.review(registrations[i], actor=checker, approve=True))
    assert not [g for g in got if isinstance(g, Exception)], got
    assert locks_meet, "the writers never met at the lock"
    assert not tallies.differences()
    own = EnrolmentTally.objects.filter(division_id=DONGMING_VILLAGE, rolled=False)
    assert sum(own.values_list("registered", flat=True)) == 2
