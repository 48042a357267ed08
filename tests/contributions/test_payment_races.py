"""Concurrent payments against bills on PostgreSQL: a channel resending one transaction, one
transaction id sent for several bills, several transactions paying one bill, all at the same
moment. The bill's row lock and the unique constraint decide: one payment per transaction, never
more paid than is due, and every other request gets its replay, its conflict or its refusal,
never a server error. Threads use their own connections, so these tests commit for real."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from collection.factories import channel
from contributions.test_payments import declared_bill
from employer.fresh import QUICK_HASHERS, reference_data
from factories import AgencyClerkFactory
from races import ON_POSTGRES, meet_before, together
from yibao.contributions import services
from yibao.contributions.models import Bill, BillPayment
from yibao.contributions.services import payments

pytestmark = ON_POSTGRES

THREADS = 6
PAID_ON = dt.date(2024, 2, 5)


@pytest.fixture(autouse=True)
def postgres(settings, rates):
    assert connection.vendor == "postgresql"
    settings.YIBAO_TODAY = dt.date(2024, 2, 10)
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()


def _item(bill, transaction_id: str, amount: str = "300.00") -> payments.PaymentIn:
    from yibao.employer import contributing

    number = contributing.unit_facts([bill.unit_id])[bill.unit_id]["unit_number"]
    return payments.PaymentIn(bill_id=bill.pk, unit_number=number, amount=Decimal(amount), paid_on=PAID_ON,
                              transaction_id=transaction_id)


def _alone(made, item) -> payments.Outcome:
    """One request written on its own, as by separate server processes (group commit gathers
    concurrent requests only within one process; across processes the database decides)."""
    return payments.record_channel_payments(made, [item])[0]


def test_the_same_transaction_sent_at_once_is_recorded_once():
    bill = declared_bill(AgencyClerkFactory())
    made, _ = channel("税务", region="370700", schemes=("employee",))
    got = together(THREADS, lambda i: _alone(made, _item(bill, "SAME-1")))
    assert all(isinstance(o, payments.Outcome) for o in got), got
    assert sorted(o.status for o in got) == [200] * (THREADS - 1) + [201]
    assert len({o.body["payment_id"] for o in got}) == 1
    assert BillPayment.objects.filter(channel=made, transaction_id="SAME-1").count() == 1
    assert Bill.objects.get(pk=bill.pk).amount_paid == Decimal("300.00")


@pytest.fixture
def writes_meet(monkeypatch):
    """Every thread has judged its payment before any of them writes (each pays another bill, so
    no row lock keeps them apart): the unique constraint alone decides."""
    return meet_before(monkeypatch, payments, "_write", THREADS)


def test_one_transaction_id_sent_for_several_bills_at_once_is_one_payment(writes_meet):
    clerk = AgencyClerkFactory()
    bills = [declared_bill(clerk, ("4000",)) for _ in range(THREADS)]
    made, _ = channel("税务", region="370700", schemes=("employee",))
    got = together(THREADS, lambda i: _alone(made, _item(bills[i], "SHARED-1", "100.00")))
    assert all(isinstance(o, payments.Outcome) for o in got), got
    assert writes_meet, "the threads never met at the write"
    assert sorted(o.status for o in got) == [201] + [409] * (THREADS - 1)
    assert {o.body["code"] for o in got if o.status == 409} == {"conflict"}
    first = BillPayment.objects.get(channel=made, transaction_id="SHARED-1")
    assert sum(b.amount_paid for b in Bill.objects.filter(pk__in=[b.pk for b in bills])) == Decimal("100.00")
    assert Bill.objects.get(pk=first.bill_id).amount_paid == Decimal("100.00")


def test_several_transactions_paying_one_bill_at_once_never_pay_more_than_is_due():
    bill = declared_bill(AgencyClerkFactory())  # 880.00 due: two payments of 300 fit, a third does not
    made, _ = channel("税务", region="370700", schemes=("employee",))
    got = together(THREADS, lambda i: _alone(made, _item(bill, f"EACH-{i}")))
    assert all(isinstance(o, payments.Outcome) for o in got), got
    assert sorted(o.status for o in got) == [201, 201] + [422] * (THREADS - 2)
    assert {o.body["code"] for o in got if o.status == 422} == {"overpayment"}
    assert Bill.objects.get(pk=bill.pk).amount_paid == Decimal("600.00")
    assert BillPayment.objects.filter(bill=bill).count() == 2


def test_counter_payments_at_once_get_distinct_receipt_numbers_without_gaps():
    """Clerks paying different bills of one region at the same moment (no bill lock between them):
    the region and year's counter row queues them, so the numbers are 1..N, each once."""
    clerk = AgencyClerkFactory()
    bills = [declared_bill(clerk, ("4000",)) for _ in range(THREADS)]
    got = together(THREADS, lambda i: services.record_counter_payment(
        Bill.objects.get(pk=bills[i].pk), Decimal("100.00"), PAID_ON, actor=clerk))
    assert all(isinstance(p, BillPayment) for p in got), got
    assert sorted(p.receipt_number for p in got) == [f"370700-2024-{n:06d}" for n in range(1, THREADS + 1)]
    assert BillPayment.objects.exclude(receipt_number="").count() == THREADS
