"""代收 under concurrency on PostgreSQL: collections of one village at the same moment take distinct,
consecutive receipt numbers (the village's counter row is locked); one person collected twice at
once is paid once; a list checked twice or transferred twice at once is declared or transferred
once, the other attempt refused. Threads each use their own connection, so these tests commit
for real (``transaction=True``) and build everything they use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from employer.fresh import QUICK_HASHERS, reference_data
from factories import TaxClerkFactory, TownshipClerkFactory, VillageAgentFactory, division, village
from races import ON_POSTGRES, together
from resident.factories import DONGMING_VILLAGE, enrolled
from yibao.collection.errors import AppError
from yibao.collection.models import Deposit, DepositStatus, Payment, ReceiptCounter
from yibao.collection.services import agents

pytestmark = ON_POSTGRES

DAY = dt.date(2023, 11, 20)
THREADS = 5


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.YIBAO_TODAY = DAY
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()



@pytest.fixture
def place():
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    township = TownshipClerkFactory(division=division(DONGMING_VILLAGE[:9]))
    people = [enrolled(n, maker=agent, checker=township) for n in range(1, THREADS + 1)]
    payable = agents.look_up(agent, people[0].id_number).payable
    return agent, township, people, payable


def test_collections_at_once_take_consecutive_receipt_numbers(place):
    agent, _, people, payable = place
    got = together(THREADS, lambda i: agents.collect(agent, people[i].id_number, str(payable)))
    assert all(isinstance(p, Payment) for p in got), got
    assert sorted(p.receipt_number for p in got) == [f"{DONGMING_VILLAGE}-2024-{n:06d}" for n in range(1, THREADS + 1)]
    assert ReceiptCounter.objects.get(division_id=DONGMING_VILLAGE, insurance_year=2024).last == THREADS


def test_one_person_collected_twice_at_once_is_paid_once(place):
    agent, _, people, payable = place
    got = together(2, lambda i: agents.collect(agent, people[0].id_number, str(payable)))
    assert sum(isinstance(p, Payment) for p in got) == 1, got
    (refused,) = [e for e in got if isinstance(e, AppError)]
    assert refused.code == "already_paid"
    assert Payment.objects.count() == 1


def test_a_list_declared_or_transferred_twice_at_once_is_done_once(place):
    agent, township, people, payable = place
    agents.collect(agent, people[0].id_number, str(payable))
    d = agents.submit(agent, agents.deposit(agent, deposited_on=DAY, bank_reference="HD1"))
    tax = [TaxClerkFactory(), TaxClerkFactory()]
    got = together(2, lambda i: agents.check(tax[i], d, bank_amount=str(d.amount), bank_date=DAY,
                                             bank_reference="HD1"))
    assert sum(isinstance(x, Deposit) for x in got) == 1, got
    assert [e.code for e in got if isinstance(e, AppError)] == ["already_declared"]
    got = together(2, lambda i: agents.transfer(township, [d], transferred_on=DAY, reference=f"HJ{i}"))
    assert sum(isinstance(x, list) for x in got) == 1, got
    assert [e.code for e in got if isinstance(e, AppError)] == ["already_transferred"]
    assert Deposit.objects.get(pk=d.pk).status == DepositStatus.TRANSFERRED
