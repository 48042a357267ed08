"""单位编号 under concurrency on PostgreSQL: units registered in one region at the same moment take
distinct, consecutive numbers (the region's counter row is locked); one credit code registered
twice at once is registered once. Threads use their own connections, so these tests commit for
real (``transaction=True``) and build everything they use."""

from __future__ import annotations

import pytest
from django.db import connection

from employer.fresh import QUICK_HASHERS, reference_data
from factories import AgencyClerkFactory, division
from races import ON_POSTGRES, together
from yibao.employer import services
from yibao.employer.models import Unit, UnitNumberCounter
from yibao.errors import AppError
from yibao.identity import uscc_check_char

pytestmark = ON_POSTGRES

THREADS = 5


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()



def form(serial: int) -> dict:
    first17 = f"91370705MA3{serial:06d}"
    return {"name": f"并发登记{serial}", "uscc": first17 + uscc_check_char(first17), "division": "370705",
            "nature": "企业", "address": "潍坊市奎文区", "postcode": "261031", "contact_name": "经办",
            "contact_phone": "13805361234"}


def test_registrations_at_once_take_consecutive_numbers():
    clerk = AgencyClerkFactory(division=division("370700"))
    got = together(THREADS, lambda i: services.register_unit(actor=clerk, **form(800001 + i)))
    assert all(isinstance(u, Unit) for u in got), got
    assert sorted(u.unit_number for u in got) == [f"370700{n:06d}" for n in range(1, THREADS + 1)]
    assert UnitNumberCounter.objects.get(region_id="370700").last == THREADS


def test_one_credit_code_registered_twice_at_once_is_registered_once():
    clerk = AgencyClerkFactory(division=division("370700"))
    got = together(2, lambda i: services.register_unit(actor=clerk, **form(800100)))
    assert sum(isinstance(u, Unit) for u in got) == 1, got
    (refused,) = [e for e in got if isinstance(e, AppError)]
    assert refused.code == "uscc_taken"
