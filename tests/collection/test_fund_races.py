"""Two generations of the assistance fund's payments of one region at the same moment (on
PostgreSQL, where they can overlap): one payment per enrolment in all, each recorded by exactly one
of them, and no server error. Threads use their own connections, so the test commits for real."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from employer.fresh import QUICK_HASHERS, reference_data
from factories import DONGMING, AgencyClerkFactory, VillageAgentFactory, division, village
from races import ON_POSTGRES
from resident.factories import DONGMING_VILLAGE, enrolled, hardship, resident_number
from yibao.collection.models import Payer, Payment
from yibao.collection.services import fund
from yibao.regions.models import Division
from yibao.resident.models import Enrolment, EnrolmentStatus

pytestmark = ON_POSTGRES

PEOPLE = 12


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()


def test_two_generations_at_once_record_each_enrolment_once(monkeypatch):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    for n in range(1, PEOPLE + 1):
        enrolled(n, maker=agent)
        hardship(resident_number(n), "特困人员" if n % 3 == 0 else "低保对象", dt.date(2023, 1, 1))
    clerks = [AgencyClerkFactory(division=division(DONGMING)) for _ in range(2)]
    monkeypatch.setattr(fund, "CHUNK", 5)
    start = threading.Barrier(2)

    def generate(i):
        try:
            start.wait(timeout=30)
            return fund.generate(Division.objects.get(pk=DONGMING), 2024, on=dt.date(2023, 11, 20), actor=clerks[i])
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(generate, range(2)))
    assert all(isinstance(o, fund.FundOutcome) for o in outcomes), outcomes
    assert sum(o.created for o in outcomes) == PEOPLE
    assert all(o.created + o.existing == PEOPLE for o in outcomes)
    payments = Payment.objects.filter(region_id=DONGMING, payer=Payer.FUND)
    assert payments.count() == PEOPLE and len(set(payments.values_list("enrolment_id", flat=True))) == PEOPLE
    assert Enrolment.objects.filter(region_id=DONGMING, status=EnrolmentStatus.PAID).count() == PEOPLE // 3
