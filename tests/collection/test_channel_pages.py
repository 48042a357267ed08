"""The administrator's channel page (a token shown once, revoking), and the resident's own
payments on their home page with the channels of their region."""

import datetime as dt
import json

import pytest

from factories import (
    AdminFactory,
    AgencyClerkFactory,
    IndividualFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import DONGMING_VILLAGE, enrolled
from yibao.collection.models import PaymentChannel
from yibao.collection.services import channels

from .factories import bearer, channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)


def test_the_administrator_makes_a_channel_sees_its_token_once_and_revokes_it(client):
    client.force_login(AdminFactory())
    made = client.post("/collection/channels/", {"name": "农商银行柜面", "region": "371728"})
    assert made.status_code == 200
    token = made.context["token"]
    assert token and token in made.content.decode()
    channel_row = PaymentChannel.objects.get(name="农商银行柜面")
    assert channels.authenticate(token) == channel_row
    listing = client.get("/collection/channels/").content.decode()
    assert "农商银行柜面" in listing and token not in listing and channel_row.token_hint in listing
    client.post(f"/collection/channels/{channel_row.pk}/revoke/")
    channel_row.refresh_from_db()
    assert channel_row.revoked_at is not None
    bad = client.post("/collection/channels/", {"name": "", "region": "371728"})
    assert "渠道名称不能为空" in bad.content.decode()


def test_only_the_administrator_reaches_the_channel_page(client):
    client.force_login(AgencyClerkFactory(division=division("371728")))
    assert client.get("/collection/channels/").status_code == 403


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
