"""Newborns, migrants and back payments, end to end: paid through the channels' API (and a
clerk's family-account payment), then covered as the engine's rules say, read back through the
coverage API. 东明: a newborn paid within six months of birth is covered from birth, later from the
month after payment, after twelve months as an ordinary resident (whom 东明's notice does not let
pay after the collection period); a migrant who moved in after the period and did not pay at the
origin from the month after payment; back payments are not configured. 晋城's notice is silent on
newborns and migrants: not_configured."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from employer.factories import FlexibleWorkerFactory
from factories import (
    DONGMING,
    JINCHENG,
    AgencyClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import DONGMING_VILLAGE, JINCHENG_VILLAGE, enrolled, number_born, resident_number
from yibao.collection.models import Payment
from yibao.employer.models import FlexibleBaseChoice
from yibao.months import Month
from yibao.resident.models import Enrolment, EnrolmentStatus

from .factories import bearer, channel

pytestmark = pytest.mark.django_db

PAY = "/api/v1/collection/payments"
COVERAGE = "/api/v1/resident/coverage"


@pytest.fixture
def today(settings):
    def pin(day: dt.date):
        settings.YIBAO_TODAY = day
    pin(dt.date(2024, 5, 20))
    return pin


@pytest.fixture
def agent():
    return VillageAgentFactory(division=village(DONGMING_VILLAGE))


@pytest.fixture
def dongming_clerk():
    return AgencyClerkFactory(division=division(DONGMING))


def newborn(agent, n: int, born: dt.date, *, region=DONGMING, **extra):
    number = number_born(born, region_code=region if region == DONGMING else "140502", sequence=n)
    return enrolled(n, maker=agent, kind="newborn", id_number=number, hk_id_number=number, **extra)


def pay(client, token, enrolment, paid_on: dt.date, amount="380.00"):
    body = {"transaction_id": f"S{enrolment.pk}", "id_number": enrolment.id_number, "region": enrolment.region_id,
            "insurance_year": 2024, "amount": amount, "paid_at": f"{paid_on.isoformat()}T10:00:00+08:00"}
    return client.post(PAY, json.dumps(body), content_type="application/json", **bearer(token))


def coverage(client, enrolment, on: dt.date) -> dict:
    answer = client.get(COVERAGE, {"id_number": enrolment.id_number, "on": on.isoformat()})
    assert answer.status_code == 200, answer.content
    return answer.json()


def test_dongming_newborn_paid_within_six_months_is_covered_from_birth(client, client_for, today, agent,
                                                                        dongming_clerk):
    born = dt.date(2024, 2, 10)
    baby = newborn(agent, 1, born)
    _, token = channel()
    answer = pay(client, token, baby, dt.date(2024, 5, 20))
    assert answer.status_code == 201, answer.content
    assert Enrolment.objects.get(pk=baby.pk).paid_on == dt.date(2024, 5, 20)
    staff = client_for(dongming_clerk)
    c = coverage(staff, baby, born)
    assert (c["covered"], c["kind"], c["benefit_start"], c["benefit_end"]) == (True, "newborn", "2024-02-10",
                                                                                "2024-12-31")
    assert "自出生之日起享受待遇" in c["message"]
    assert coverage(staff, baby, born - dt.timedelta(days=1))["covered"] is False


def test_dongming_newborn_paid_after_six_months_is_covered_from_the_month_after_payment(client, client_for, today,
                                                                                         agent, dongming_clerk):
    baby = newborn(agent, 2, dt.date(2023, 9, 15))
    _, token = channel()
    assert pay(client, token, baby, dt.date(2024, 5, 20)).status_code == 201
    staff = client_for(dongming_clerk)
    waiting = coverage(staff, baby, dt.date(2024, 5, 31))
    assert (waiting["covered"], waiting["reason"], waiting["benefit_start"]) == (False, "not_in_period", "2024-06-01")
    assert coverage(staff, baby, dt.date(2024, 6, 1))["covered"] is True


def test_dongming_newborn_in_the_collection_period_is_covered_from_the_start_of_the_year(client, client_for, today,
                                                                                          agent, dongming_clerk):
    today(dt.date(2023, 11, 20))
    baby = newborn(agent, 3, dt.date(2023, 8, 1))
    _, token = channel()
    assert pay(client, token, baby, dt.date(2023, 11, 20)).status_code == 201
    today(dt.date(2024, 5, 20))
    c = coverage(client_for(dongming_clerk), baby, dt.date(2024, 1, 1))
    assert (c["covered"], c["benefit_start"]) == (True, "2024-01-01")


def test_dongming_newborn_after_twelve_months_pays_as_an_ordinary_resident(client, today, agent):
    baby = newborn(agent, 4, dt.date(2023, 3, 1))
    _, token = channel()
    answer = pay(client, token, baby, dt.date(2024, 5, 20))
    assert answer.status_code == 422
    assert answer.json()["code"] == "not_configured"
    assert answer.json()["missing"] == ["resident.benefit_after_collection_period"]
    assert not Payment.objects.exists() and Enrolment.objects.get(pk=baby.pk).status == EnrolmentStatus.REGISTERED


def test_dongming_migrant_is_covered_from_the_month_after_payment(client, client_for, today, agent, dongming_clerk):
    migrant = enrolled(5, maker=agent, kind="migrant", moved_in_on=dt.date(2024, 3, 1), paid_at_origin=False)
    _, token = channel()
    today(dt.date(2024, 3, 10))
    assert pay(client, token, migrant, dt.date(2024, 3, 10)).status_code == 201
    today(dt.date(2024, 5, 20))
    staff = client_for(dongming_clerk)
    waiting = coverage(staff, migrant, dt.date(2024, 3, 31))
    assert (waiting["covered"], waiting["benefit_start"], waiting["kind"]) == (False, "2024-04-01", "migrant")
    c = coverage(staff, migrant, dt.date(2024, 4, 1))
    assert (c["covered"], c["benefit_start"], c["benefit_end"]) == (True, "2024-04-01", "2024-12-31")
    assert "新迁入" in " ".join(cit["text"] for step in c["explanation"] for cit in step["citations"])


def test_dongming_migrant_who_paid_at_the_origin_or_moved_in_during_the_period_is_refused(client, today, agent):
    paid_there = enrolled(6, maker=agent, kind="migrant", moved_in_on=dt.date(2024, 3, 1), paid_at_origin=True)
    early = enrolled(7, maker=agent, kind="migrant", moved_in_on=dt.date(2023, 10, 1), paid_at_origin=False)
    _, token = channel()
    answer = pay(client, token, paid_there, dt.date(2024, 5, 20))
    assert answer.status_code == 422 and answer.json()["code"] == "outside_window"
    assert "原户籍地" in answer.json()["message"]
    answer = pay(client, token, early, dt.date(2024, 5, 20))
    assert answer.status_code == 422 and answer.json()["code"] == "outside_window"
    assert "按普通居民参保缴费" in answer.json()["message"]
    assert not Payment.objects.exists()


def test_dongming_back_payment_is_not_configured(client, today, agent):
    late = enrolled(8, maker=agent, kind="back_payment")
    _, token = channel()
    answer = pay(client, token, late, dt.date(2024, 5, 20))
    assert answer.status_code == 422 and answer.json()["code"] == "not_configured"
    assert answer.json()["missing"] == ["resident.back_payment_benefit"]


def test_jincheng_newborns_and_migrants_are_not_configured(client, client_for, today):
    today(dt.date(2024, 5, 20))
    maker = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    checker = TownshipClerkFactory(division=division(JINCHENG_VILLAGE[:9]))
    place = {"maker": maker, "checker": checker, "region": JINCHENG, "village": JINCHENG_VILLAGE}
    number = number_born(dt.date(2024, 2, 10), region_code="140502", sequence=9)
    baby = enrolled(9, kind="newborn", id_number=number, hk_id_number=number, **place)
    migrant = enrolled(10, kind="migrant", moved_in_on=dt.date(2024, 3, 1), paid_at_origin=False, **place)
    _, token = channel(region=JINCHENG)
    for person, missing in ((baby, "resident.newborn"), (migrant, "resident.migrant")):
        answer = pay(client, token, person, dt.date(2024, 5, 20))
        assert answer.status_code == 422, answer.content
        assert answer.json()["code"] == "not_configured" and answer.json()["missing"] == [missing]
    # a clerk's payment from a family account is judged the same way
    worker = FlexibleWorkerFactory()
    FlexibleBaseChoice.objects.create(worker=worker, year=2024, month_from=Month(2024, 1), base=Decimal("4000.00"))
    staff = client_for(AgencyClerkFactory(division=division(JINCHENG)))
    answer = staff.post("/api/v1/collection/family-payments", json.dumps({
        "id_number": baby.id_number, "region": JINCHENG, "insurance_year": 2024, "amount": "380.00",
        "payer_id_number": worker.id_number, "payer_name": worker.name, "relationship": "父母"}),
        content_type="application/json")
    assert answer.status_code == 422 and answer.json()["code"] == "not_configured"
    assert answer.json()["missing"] == ["resident.newborn"]
    assert not Payment.objects.exists()
    assert resident_number(10, JINCHENG) == migrant.id_number
