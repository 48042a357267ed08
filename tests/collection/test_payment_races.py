"""Concurrent payments on PostgreSQL: a channel resending the same transaction, or two channels
paying for the same person, at the same moment. The database's unique constraints decide: exactly
one payment, and every other request gets the replay, the conflict or ``already_paid``, never a
server error. Threads each use their own connection, so these tests commit for real."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from employer.fresh import QUICK_HASHERS, reference_data
from factories import VillageAgentFactory, village
from races import ON_POSTGRES, meet_before, together
from resident.factories import DONGMING_VILLAGE, enrolled
from yibao.audit.models import AuditEntry
from yibao.collection.models import CollectionTally, Payment
from yibao.collection.services import payments
from yibao.reporting.services import tallies
from yibao.resident.models import Enrolment, EnrolmentStatus, EnrolmentTally

from .factories import channel

pytestmark = ON_POSTGRES

THREADS = 6
PAID_AT = dt.datetime(2023, 11, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.YIBAO_TODAY = dt.date(2023, 11, 20)
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()


@pytest.fixture
def writes_meet(monkeypatch):
    """Every thread has judged its payment before any of them writes, as in the widest race."""
    return meet_before(monkeypatch, payments, "insert_payments", THREADS)


def _item(enrolment, transaction_id: str) -> payments.PaymentIn:
    return payments.PaymentIn(id_number=enrolment.id_number, region=enrolment.region_id, insurance_year=2024,
                              amount="380.00", paid_at=PAID_AT, transaction_id=transaction_id)


def _alone(made, item) -> payments.Outcome:
    """One request written on its own, as by separate server processes (group commit gathers
    concurrent requests only within one process, so across processes the database decides)."""
    return payments.record_channel_payments(made, [item])[0]


def test_the_same_transaction_sent_at_once_is_recorded_once(writes_meet):
    enrolment = enrolled(1, maker=VillageAgentFactory(division=village(DONGMING_VILLAGE)))
    made, _ = channel()
    got = together(THREADS, lambda i: _alone(made, _item(enrolment, "SAME-1")))
    assert all(isinstance(o, payments.Outcome) for o in got), got
    assert writes_meet, "the threads never met at the write"
    assert sorted(o.status for o in got) == [200] * (THREADS - 1) + [201]
    assert Payment.objects.filter(channel=made, transaction_id="SAME-1").count() == 1
    assert len({o.body["payment_id"] for o in got}) == 1
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.PAID


def test_people_of_one_village_paid_at_once_are_each_counted(writes_meet):
    """Each request adds its payment to the village's counters (no recount): none is lost."""
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    people = [enrolled(10 + i, maker=agent) for i in range(THREADS)]
    made, _ = channel()
    got = together(THREADS, lambda i: _alone(made, _item(people[i], f"VILLAGE-{i}")))
    assert [o.status for o in got if isinstance(o, payments.Outcome)] == [201] * THREADS, got
    assert writes_meet, "the threads never met at the write"
    assert not tallies.differences()
    own = EnrolmentTally.objects.filter(division_id=DONGMING_VILLAGE, rolled=False)
    assert sum(own.values_list("paid", flat=True)) == THREADS
    flows = CollectionTally.objects.filter(division_id=DONGMING_VILLAGE, rolled=False, channel=made.pk)
    assert sum(flows.values_list("payments", flat=True)) == THREADS


def test_one_person_paid_by_several_transactions_at_once_is_paid_once(writes_meet):
    enrolment = enrolled(2, maker=VillageAgentFactory(division=village(DONGMING_VILLAGE)))
    made, _ = channel()
    got = together(THREADS, lambda i: _alone(made, _item(enrolment, f"EACH-{i}")))
    assert all(isinstance(o, payments.Outcome) for o in got), got
    assert writes_meet, "the threads never met at the write"
    assert sorted(o.status for o in got) == [201] + [422] * (THREADS - 1)
    assert {o.body["code"] for o in got if o.status == 422} == {"already_paid"}
    assert Payment.objects.filter(enrolment_id=enrolment.pk).count() == 1


@pytest.fixture
def rows_one_by_one(monkeypatch):
    """Each batch writes its rows one at a time, and every thread has written its first row before
    any writes its second: two batches holding the same people in opposite orders would each hold
    a row the other waits for (a thread that waits for a lock is let through after a short while)."""
    arrived = threading.Barrier(2)

    def one_by_one(rows):
        for n, row in enumerate(rows):
            if n == 1:
                try:
                    arrived.wait(timeout=3)
                except threading.BrokenBarrierError:
                    pass
            Payment.objects.bulk_create([row])

    monkeypatch.setattr(payments, "insert_payments", one_by_one)


def test_two_batches_paying_the_same_people_in_opposite_orders_never_fail(rows_one_by_one):
    """No deadlock and no second lost race gives a server error: one batch records both people,
    the other is answered ``already_paid`` for each."""
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    first, second = enrolled(3, maker=agent), enrolled(4, maker=agent)
    wechat, _ = channel("微信")
    alipay, _ = channel("支付宝")
    batches = [(wechat, [_item(first, "WX-3"), _item(second, "WX-4")]),
               (alipay, [_item(second, "ALI-4"), _item(first, "ALI-3")])]
    got = together(2, lambda i: payments.record_channel_payments(*batches[i]))
    assert all(isinstance(o, list) for o in got), got
    statuses = sorted(tuple(o.status for o in outcomes) for outcomes in got)
    assert statuses == [(201, 201), (422, 422)], statuses
    assert {o.body["code"] for outcomes in got for o in outcomes if o.status == 422} == {"already_paid"}
    assert Payment.objects.filter(enrolment_id__in=[first.pk, second.pk]).count() == 2


# --- within one process: group commit ------------------------------------------------------------

@pytest.fixture
def slow_first_write(monkeypatch):
    """The first write holds on until the other threads have queued behind it, so that the rest
    are written as one group; the sizes of the groups written are kept."""
    queued = threading.Event()
    sizes = []
    write = payments._singles._write

    def holding(made, singles):
        sizes.append(len(singles))
        if len(sizes) == 1:
            queued.wait(timeout=3)
        return write(made, singles)

    monkeypatch.setattr(payments._singles, "_write", holding)
    return queued, sizes


def _release_when_queued(queued, made, expected: int):
    def watch():
        import time
        for _ in range(300):
            queue = payments._singles._queues.get(made.pk)
            if queue is not None and len(queue.waiting) >= expected:
                break
            time.sleep(0.01)
        queued.set()
    threading.Thread(target=watch, daemon=True).start()


def test_concurrent_single_payments_are_written_together_and_answered_each(slow_first_write):
    queued, sizes = slow_first_write
    maker = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    people = [enrolled(10 + n, maker=maker) for n in range(THREADS - 2)]
    made, _ = channel()
    _release_when_queued(queued, made, THREADS - 1)
    # every person once, the first of them sent twice with the same content, one more person with
    # a wrong amount (the order in which the threads arrive is not known)
    stranger = enrolled(9, maker=maker)
    items = [_item(e, f"G-{n}") for n, e in enumerate(people)]
    items.append(_item(people[0], "G-0"))
    items.append(payments.PaymentIn(id_number=stranger.id_number, region=stranger.region_id, insurance_year=2024,
                                    amount="381.00", paid_at=PAID_AT, transaction_id="G-X"))
    got = together(THREADS, lambda i: payments.channel_payment(made, items[i], ip=f"10.0.0.{i}"))
    assert all(isinstance(o, payments.Outcome) for o in got), got
    assert max(sizes) > 1, f"no request was written with another: {sizes}"
    assert [o.status for o in got[1:THREADS - 2]] == [201] * (THREADS - 3)
    twice = sorted([got[0], got[THREADS - 2]], key=lambda o: o.status)
    assert [o.status for o in twice] == [200, 201] and twice[0].body == twice[1].body
    assert got[THREADS - 1].status == 422 and got[THREADS - 1].body["code"] == "amount_mismatch"
    assert Payment.objects.filter(channel=made).count() == THREADS - 2
    assert Enrolment.objects.filter(pk__in=[e.pk for e in people], status=EnrolmentStatus.PAID).count() == THREADS - 2
    # each request keeps its own audit entry, with its own address
    recorded = AuditEntry.objects.filter(action="collection.payment.record")
    assert len(recorded) == THREADS - 2 and all(e.after["count"] == 1 for e in recorded)
    replayed = THREADS - 2 if got[0].status == 201 else 0
    assert sorted(e.after["ip"] for e in recorded) == sorted(f"10.0.0.{i}" for i in range(THREADS - 1) if i != replayed)
    refused = AuditEntry.objects.get(action="collection.payment.refuse")
    assert refused.after["ip"] == f"10.0.0.{THREADS - 1}" and refused.after["attempts"][0]["code"] == "amount_mismatch"


def test_a_group_that_fails_is_written_again_one_by_one(slow_first_write, monkeypatch):
    """A request whose writing fails makes the others of its group fail neither: the group is
    written again request by request, and only the failing one gets its error."""
    queued, sizes = slow_first_write
    maker = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    people = [enrolled(30 + n, maker=maker) for n in range(THREADS)]
    made, _ = channel()
    _release_when_queued(queued, made, THREADS - 1)
    record = payments.record_channel_requests

    def failing_for_the_last(channel_, requests):
        if any(item.transaction_id == f"F-{THREADS - 1}" for items, _ in requests for item in items):
            raise RuntimeError("写入失败")
        return record(channel_, requests)

    monkeypatch.setattr(payments, "record_channel_requests", failing_for_the_last)
    got = together(THREADS, lambda i: payments.channel_payment(made, _item(people[i], f"F-{i}")))
    errors = [o for o in got if isinstance(o, Exception)]
    assert len(errors) == 1 and str(errors[0]) == "写入失败"
    assert sorted(o.status for o in got if not isinstance(o, Exception)) == [201] * (THREADS - 1)
    assert Payment.objects.filter(channel=made).count() == THREADS - 1
