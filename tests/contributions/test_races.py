"""Two units insuring the same person from the same month at the same moment, on PostgreSQL:
both pass the service's check (neither has written), the exclusion constraint lets exactly one
span in and the other gets the refusal naming the first unit, never a server error. Threads use
their own connections, so this test commits for real."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection

from employer.factories import UnitFactory, UnitOperatorFactory
from employer.fresh import QUICK_HASHERS, reference_data
from employer.test_races import together
from factories import AgencyClerkFactory
from yibao.contributions.models import InsuranceSpan
from yibao.contributions.services import ContributionError, add_person
from yibao.employer import contributing

pytestmark = [pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                 reason="needs PostgreSQL (DATABASE_URL=postgres://…)"),
              pytest.mark.django_db(transaction=True)]

PERSON = "370705199001011233"


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()


def test_two_units_racing_to_insure_one_person_get_one_span(monkeypatch):
    units = [UnitFactory(county="370705"), UnitFactory(county="370705")]
    for unit in units:
        UnitOperatorFactory(unit=unit)
    clerk = AgencyClerkFactory()
    checked = threading.Barrier(2)
    base = contributing.new_hire_base

    def after_the_check(*args, **kwargs):       # both have passed the service's check
        try:
            checked.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        return base(*args, **kwargs)

    monkeypatch.setattr(contributing, "new_hire_base", after_the_check)
    results = together(2, lambda i: add_person(units[i], id_number=PERSON, name="争抢", month="2024-03",
                                               actor=clerk))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ContributionError), results
    assert refused[0].code == "insured_elsewhere"
    assert InsuranceSpan.objects.filter(id_number=PERSON).count() == 1
    winner = InsuranceSpan.objects.get(id_number=PERSON).unit
    assert winner.name in refused[0].message
