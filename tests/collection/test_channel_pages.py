"""The resident's own payments on their home page with the channels of their region (the
administrator's channel page is tested with ``yibao.channels``, tests/channels)."""

import datetime as dt
import json

import pytest

from factories import (
    IndividualFactory,
    VillageAgentFactory,
    village,
)
from resident.factories import DONGMING_VILLAGE, enrolled

from .factories import bearer, channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)


def test_the_resident_sees_their_payment_and_where_to_pay(client):
    enrolment = enrolled(1, maker=VillageAgentFactory(division=village(DONGMING_VILLAGE)))
    _, token = channel("微信")
    paid = client.post("/api/v1/collection/payments", json.dumps({
        "transaction_id": "WX-1", "id_number": enrolment.id_number, "region": "371728", "insurance_year": 2024,
        "amount": "380.00", "paid_at": "2023-11-19T08:00:00+08:00"}), content_type="application/json", **bearer(token))
    assert paid.status_code == 201
    resident = IndividualFactory(id_number=enrolment.id_number)
    client.force_login(resident)
    home = client.get("/").content.decode()
    assert 'data-testid="home-resident-payments"' in home
    assert "380.00" in home and "WX-1" in home and "可通过以下渠道缴费：微信" in home
    coverage = client.get("/api/v1/resident/coverage", {"id_number": enrolment.id_number, "on": "2024-03-01"})
    assert coverage.json()["covered"] is True
