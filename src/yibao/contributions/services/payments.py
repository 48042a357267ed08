"""Payments against the employee scheme's bills (缴费): from the tax channel (one payment or a
batch, idempotent on channel + transaction id) and at the agency's counter (窗口缴费).

Every payment goes through one judgement, on the bill's row locked for the transaction: the bill
exists, belongs to the channel's region (the clerk's scope at the counter) and to the unit the
request names; it is declared (a draft bill is not yet owed: ``bill_not_declared``) and the
payment is not dated before the day it was declared (``before_declared``); the amount
is positive, in fen, and not above the balance (an overpayment is refused, a partial payment
leaves a balance). The unit's status does not matter: a declared bill is owed by a suspended or
closed unit too, and what it pays settles its arrears.

A batch is judged with a few set-based reads (its bills locked in id order, so two batches paying
the same bills queue instead of deadlocking; the transaction ids already known) and written with
one INSERT and one UPDATE of the bills' ``amount_paid``. The database decides races: when two
requests carry the same transaction id at the same moment, the unique constraint refuses the
second, which is then answered payment by payment, as the replay or the conflict it is.

A counter payment gets a receipt number (收据号) ``{region}-{year}-{seq:06d}``: the pooling
region's code, the year of the day paid and a sequence per region and year (370700-2024-000001,
000002, …), taken from the region and year's ``ReceiptCounter`` row locked in the payment's
transaction (``yibao.dbutil.next_in_sequence``, the mechanism the village agents' receipts use),
after the payment was judged: a refusal takes no number (no gaps) and two clerks paying at the
same moment queue on the row (no duplicates; the database also holds the number unique per region,
``billpayment_receipt_number``). Channel payments carry the tax system's transaction id instead."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event, record_events
from yibao.channels import batches
from yibao.channels.group_commit import GroupCommit
from yibao.channels.models import Channel
from yibao.dbutil import bulk_insert, bulk_set, in_values, next_in_sequence
from yibao.employer import contributing
from yibao.http import error_body
from yibao.money import payment_amount

from ..errors import PaymentRefused
from ..models import Bill, BillPayment, BillStatus, ReceiptCounter
from . import late_fees

#: the most payments one batch request may carry (as the resident scheme's channels)
BATCH_LIMIT = 1000

# The contract's codes (the channels rely on them: never rename one).
UNKNOWN_BILL = "unknown_bill"
WRONG_REGION = "wrong_region"
WRONG_UNIT = "wrong_unit"
BILL_NOT_DECLARED = "bill_not_declared"
BEFORE_DECLARED = "before_declared"
NOTHING_DUE = "nothing_due"
ALREADY_PAID = "already_paid"
OVERPAYMENT = "overpayment"
INVALID_AMOUNT = "invalid_amount"
INVALID_INPUT = "invalid_input"
CONFLICT = "conflict"

#: up to this many payments are inserted by the ORM (which sets their ids); more by COPY
FEW = 10


@dataclass
class PaymentIn:
    """One payment as a channel or a clerk presents it. ``unit_number`` empty: not checked (the
    counter, where the bill is taken from the page)."""

    bill_id: int
    amount: Decimal
    paid_on: dt.date
    unit_number: str = ""
    transaction_id: str = ""

    def digest(self) -> str:
        """What makes a replay the same transaction: the content."""
        text = "|".join([str(self.bill_id), self.unit_number, f"{self.amount:.2f}", self.paid_on.isoformat()])
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Outcome:
    """One payment's answer: ``status`` is the HTTP status the contract gives it (201 recorded,
    200 replayed, 409 conflict or busy, 422 refused)."""

    status: int
    body: dict
    payment: BillPayment | None = None
    error: PaymentRefused | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)


def refuse(code: str, message: str, **fields) -> PaymentRefused:
    return PaymentRefused(message, code=code, fields=fields or None)


def clean(item: PaymentIn, *, today: dt.date | None = None, channel: bool = True) -> PaymentIn:
    """The payment's own shape: a positive amount in yuan and fen, a day not in the future, a
    transaction id (channels). Raises ``PaymentRefused``."""
    try:
        amount = payment_amount(item.amount)
    except ValueError as exc:
        raise refuse(INVALID_AMOUNT, str(exc), amount=str(item.amount)[:30]) from None
    if not isinstance(item.paid_on, dt.date):
        raise refuse(INVALID_INPUT, "缴费日期应为 YYYY-MM-DD 格式。", paid_on=str(item.paid_on)[:30])
    if item.paid_on > (today or clock.today()):
        raise refuse(INVALID_INPUT, f"缴费日期 {item.paid_on.isoformat()} 晚于今天，请核对缴费日期。",
                     paid_on=item.paid_on.isoformat())
    transaction_id = (item.transaction_id or "").strip()
    if channel:
        if not transaction_id or len(transaction_id) > 64:
            raise refuse(INVALID_INPUT, "交易流水号不能为空，且不超过 64 个字符。", transaction_id=transaction_id[:80])
        if not (item.unit_number or "").strip():
            raise refuse(INVALID_INPUT, "须填写单位编号。", unit_number="")
    return PaymentIn(int(item.bill_id), amount, item.paid_on, (item.unit_number or "").strip(), transaction_id)


@dataclass
class _BillState:
    """A locked bill and the facts its judgement needs; ``paid`` grows with the batch's payments."""

    bill: Bill
    unit: dict
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.bill.amount_due - self.paid


def _locked(bill_ids) -> dict[int, _BillState]:
    """The bills, locked for the transaction in id order (one order for every request)."""
    bills = list(Bill.objects.select_for_update().filter(pk__in=sorted(set(bill_ids))).order_by("pk"))
    units = contributing.unit_facts({b.unit_id for b in bills})
    return {b.pk: _BillState(b, units[b.unit_id], b.amount_paid) for b in bills}


def judge(item: PaymentIn, state: _BillState | None, *, region: str | None) -> None:
    """May ``item`` be paid against the bill? ``region``: the channel's (None at the counter, whose
    scope was checked when the bill was found). Raises ``PaymentRefused``; writes nothing."""
    if state is None:
        raise refuse(UNKNOWN_BILL, f"缴费单据 {item.bill_id} 不存在。", bill_id=item.bill_id)
    bill = state.bill
    if region is not None and bill.region_id != region:
        raise refuse(WRONG_REGION, f"此渠道只办理统筹区 {region} 的缴费，缴费单据 {bill.pk} 属于统筹区 {bill.region_id}。",
                     bill_id=bill.pk)
    if item.unit_number and item.unit_number != state.unit["unit_number"]:
        raise refuse(WRONG_UNIT, f"缴费单据 {bill.pk} 不是单位 {item.unit_number} 的单据，请核对单位编号和单据编号。",
                     bill_id=bill.pk, unit_number=item.unit_number)
    if bill.status != BillStatus.DECLARED:
        raise refuse(BILL_NOT_DECLARED, f"{bill.month} 的缴费单据尚未申报，申报后方可缴费。", bill_id=bill.pk)
    if bill.declared_on is not None and item.paid_on < bill.declared_on:
        raise refuse(BEFORE_DECLARED, f"缴费日期 {item.paid_on.isoformat()} 早于该单据的申报日期 "
                                      f"{bill.declared_on.isoformat()}：单据申报后方可缴费，请核对缴费日期。",
                     bill_id=bill.pk, paid_on=item.paid_on.isoformat(), declared_on=bill.declared_on.isoformat())
    if bill.amount_due <= 0:
        raise refuse(NOTHING_DUE, f"缴费单据 {bill.pk} 应缴 {bill.amount_due} 元（补差退费），无需缴费。", bill_id=bill.pk)
    if state.balance <= 0:
        raise refuse(ALREADY_PAID, f"{bill.month} 的缴费单据已缴清（应缴 {bill.amount_due} 元），不能重复缴费。",
                     bill_id=bill.pk)
    if item.amount > state.balance:
        raise refuse(OVERPAYMENT, f"缴费金额 {item.amount} 元超过该单据尚欠的 {state.balance} 元"
                                  f"（应缴 {bill.amount_due} 元，已缴 {state.paid} 元），多缴不予记录。",
                     bill_id=bill.pk, amount=f"{item.amount:.2f}", balance=f"{state.balance:.2f}")


def receipt_number(region: str, year: int) -> str:
    """The next 收据号 of a counter payment in ``region`` for ``year`` (the rule is in this module's
    docstring); call inside the payment's transaction, which holds the counter row locked."""
    return f"{region}-{year}-{next_in_sequence(ReceiptCounter, region_id=region, year=year):06d}"


def payment_body(p: BillPayment, *, replayed: bool = False) -> dict:
    """The answer for a recorded payment, the first time and on every replay (``replayed``)."""
    return {"payment_id": p.pk, "transaction_id": p.transaction_id, "status": "recorded", "replayed": replayed,
            "bill_id": p.bill_id, "unit_id": p.unit_id, "region": p.region_id, "amount": p.amount,
            "paid_on": p.paid_on, "balance_after": p.balance_after, "counter": p.counter,
            "receipt_number": p.receipt_number}


def _write(rows: list[BillPayment], states: dict[int, _BillState], *, actor=None) -> None:
    """Insert the payments and set their bills' ``amount_paid`` (one statement each)."""
    if len(rows) <= FEW:
        BillPayment.objects.bulk_create(rows)
    else:
        now = timezone.now()
        for p in rows:
            p.created_at = now
        fields = ("bill_id", "unit_id", "region_id", "amount", "paid_on", "channel_id", "transaction_id",
                  "content_digest", "balance_after", "counter", "recorded_by_id", "recorded_by_label", "note",
                  "receipt_number", "created_at")
        bulk_insert(BillPayment, fields, [tuple(getattr(p, f) for f in fields) for p in rows])
    if any(p.pk is None for p in rows):
        channel_id = rows[0].channel_id
        ids = dict(BillPayment.objects.filter(channel_id=channel_id, transaction_id__in=in_values(
            [p.transaction_id for p in rows])).values_list("transaction_id", "pk"))
        for p in rows:
            p.pk = ids[p.transaction_id]
    touched = {p.bill_id for p in rows}
    if len(touched) <= FEW:
        for bill_id in touched:
            Bill.objects.filter(pk=bill_id).update(amount_paid=states[bill_id].paid)
    else:
        bulk_set(Bill, ["amount_paid"], [(bill_id, states[bill_id].paid) for bill_id in touched])
    for bill_id in touched:
        states[bill_id].bill.amount_paid = states[bill_id].paid
    # a payment settling contributions after the due date is charged a late fee (滞纳金)
    late_fees.charge_payments(rows, {bill_id: states[bill_id].bill for bill_id in touched}, actor=actor)


# --- the tax channel's contract -----------------------------------------------------------------

def _conflict(item: PaymentIn, first: BillPayment) -> Outcome:
    exc = PaymentRefused(f"交易流水号 {item.transaction_id} 已于 {timezone.localtime(first.created_at):%Y-%m-%d %H:%M} "
                         f"以不同内容记录（缴费记录 {first.pk}），原记录保留，本次未记录。", code=CONFLICT,
                         fields={"transaction_id": item.transaction_id})
    exc.status = 409
    return Outcome(409, error_body(exc), first, exc)


def _replay_or_conflict(item: PaymentIn, digest: str, first: BillPayment) -> Outcome:
    if first.content_digest == digest:
        return Outcome(200, payment_body(first, replayed=True), first)
    return _conflict(item, first)


def _record(channel: Channel, cleaned: dict[int, PaymentIn], outcomes: list) -> None:
    """Judge and write ``cleaned``: lock the bills, then read the transactions already known
    (after the lock, so a request that waited for another sees what that one recorded)."""
    states = _locked(item.bill_id for item in cleaned.values())
    known = {p.transaction_id: p for p in BillPayment.objects.filter(
        channel=channel, transaction_id__in=in_values([i.transaction_id for i in cleaned.values()]))}
    digests = {n: item.digest() for n, item in cleaned.items()}
    first_in_batch: dict[str, int] = {}
    rows: list[tuple[int, BillPayment]] = []
    for n, item in cleaned.items():
        if item.transaction_id in known:
            outcomes[n] = _replay_or_conflict(item, digests[n], known[item.transaction_id])
            continue
        if item.transaction_id in first_in_batch:
            continue  # answered after the first one is written
        first_in_batch[item.transaction_id] = n
        state = states.get(item.bill_id)
        try:
            judge(item, state, region=channel.region_id)
        except PaymentRefused as exc:
            outcomes[n] = Outcome(exc.status, error_body(exc), None, exc)
            continue
        state.paid += item.amount
        rows.append((n, BillPayment(bill_id=item.bill_id, unit_id=state.bill.unit_id, region_id=state.bill.region_id,
                                    amount=item.amount, paid_on=item.paid_on, channel=channel,
                                    transaction_id=item.transaction_id, content_digest=digests[n],
                                    balance_after=state.balance)))
    if rows:
        _write([p for _, p in rows], states)
        for n, p in rows:
            outcomes[n] = Outcome(201, payment_body(p), p)
    # repeats of a transaction id inside the batch answer like a replay of the first
    for n, item in cleaned.items():
        if outcomes[n] is None:
            first = outcomes[first_in_batch[item.transaction_id]]
            outcomes[n] = _replay_or_conflict(item, digests[n], first.payment) if first.payment is not None else first


def record_channel_payments(channel: Channel, items: list[PaymentIn], *, ip: str | None = None) -> list[Outcome]:
    """Record a channel's payments, each answered as the contract says. One transaction for the
    batch; every refusal and conflict is audited."""
    if len(items) > BATCH_LIMIT:
        raise PaymentRefused(f"一次最多提交 {BATCH_LIMIT} 笔缴费，本次 {len(items)} 笔。", code=INVALID_INPUT)
    return record_channel_requests(channel, [(items, ip)])[0]


def record_channel_requests(channel: Channel, requests: list[tuple[list[PaymentIn], str | None]]
                            ) -> list[list[Outcome]]:
    """Several requests of one channel (each a list of payments and the caller's address) in one
    transaction, as one batch (``yibao.channels.batches``); each keeps its own answers and audit
    entries (group commit)."""
    today = clock.today()
    return batches.record_requests(
        requests, clean=lambda raw: clean(raw, today=today),
        record=lambda cleaned, outcomes, again: _record(channel, cleaned, outcomes),
        audit=lambda items, cleaned, outcomes: _audit_requests(channel, requests, items, outcomes),
        outcome=Outcome, refusal=PaymentRefused)


def _audit_requests(channel: Channel, requests, items: list[PaymentIn], outcomes: list[Outcome]) -> None:
    """One entry per request for what it recorded and one for what it refused or found
    conflicting (each payment named: transaction, bill, unit, amount, code)."""
    entries, at = [], 0
    head = {"channel": channel.pk, "channel_name": channel.name, "region": channel.region_id}
    path = channel.region.path
    for request_items, ip in requests:
        recorded, refused = [], []
        for n in range(at, at + len(request_items)):
            item, outcome = items[n], outcomes[n]
            who = {"transaction_id": str(item.transaction_id)[:64], "bill": item.bill_id,
                   "unit_number": str(item.unit_number)[:30], "amount": str(item.amount)[:30]}
            if outcome.status == 201:
                recorded.append({"payment": outcome.payment.pk, **who})
            elif outcome.status != 200:
                refused.append({**who, "status": outcome.status, "code": outcome.error.code if outcome.error else "",
                                "message": outcome.body.get("message", ""),
                                **({"payment": outcome.payment.pk} if outcome.payment else {})})
        at += len(request_items)
        if recorded:
            entries.append({"action": "contributions.payment_record", "object_type": "bill_payment",
                            "object_id": ",".join(str(r["payment"]) for r in recorded[:20]),
                            "after": {**head, "ip": ip or "", "count": len(recorded), "payments": recorded},
                            "division_path": path})
        if refused:
            entries.append({"action": "contributions.payment_refuse", "object_type": "bill_payment_attempt",
                            "object_id": str(len(refused)),
                            "after": {**head, "ip": ip or "", "count": len(refused), "attempts": refused},
                            "division_path": path})
    if entries:
        record_events(None, entries)


def _write_singles(channel: Channel, singles: list[tuple[PaymentIn, str | None]]) -> list[Outcome]:
    return [answers[0] for answers in record_channel_requests(channel, [([item], ip) for item, ip in singles])]


_singles = GroupCommit(_write_singles)


def channel_payment(channel: Channel, item: PaymentIn, *, ip: str | None = None) -> Outcome:
    """One payment, written together with the same channel's concurrent single payments in this
    process (``yibao.channels.group_commit``): answered exactly as if alone."""
    return _singles.submit(("contributions", channel.pk), channel, (item, ip))


# --- the counter (窗口缴费) ------------------------------------------------------------------------

def record_counter_payment(bill: Bill, amount, paid_on: dt.date | None = None, *, actor, note: str = "") -> BillPayment:
    """A clerk records money a unit paid at the counter against ``bill`` (found through the
    clerk's scope). One transaction; a refusal writes nothing but its audit entry and raises
    ``PaymentRefused``."""
    paid_on = paid_on or clock.today()
    unit = contributing.unit_facts([bill.unit_id])[bill.unit_id]
    try:
        item = clean(PaymentIn(bill.pk, amount, paid_on), channel=False)
        with transaction.atomic():
            states = _locked([bill.pk])
            state = states.get(bill.pk)
            judge(item, state, region=None)
            state.paid += item.amount
            payment = BillPayment(bill_id=bill.pk, unit_id=bill.unit_id, region_id=bill.region_id, amount=item.amount,
                                  paid_on=item.paid_on, counter=True, balance_after=state.balance,
                                  recorded_by_id=getattr(actor, "pk", None),
                                  recorded_by_label=getattr(actor, "username", ""), note=(note or "").strip()[:200],
                                  receipt_number=receipt_number(bill.region_id, item.paid_on.year))
            _write([payment], states, actor=actor)   # the clerk, in the late fee's audit entry
            record_event(actor, "contributions.payment_record", "bill_payment", payment.pk, after={
                "bill": bill.pk, "unit": unit["unit_number"], "month": bill.month, "amount": item.amount,
                "paid_on": item.paid_on, "balance_after": payment.balance_after, "counter": True,
                "receipt_number": payment.receipt_number},
                division_path=unit["division__path"])
    except PaymentRefused as exc:
        record_event(actor, "contributions.payment_refuse", "bill", bill.pk, after={
            "unit": unit["unit_number"], "month": bill.month, "amount": str(amount)[:30], "code": exc.code,
            "message": exc.message, "counter": True}, division_path=unit["division__path"])
        raise
    bill.amount_paid = state.paid
    return payment


def refuse_unknown_bill(actor, bill_id) -> None:
    """A counter payment against a bill the clerk does not reach (none, or another area's): the
    caller answers "not found"; the attempt is audited like every other refused payment."""
    record_event(actor, "contributions.payment_refuse", "bill", str(bill_id)[:20],
                 after={"code": "unknown_bill", "counter": True},
                 division_path=getattr(getattr(actor, "division", None), "path", "") or "")


__all__ = ["BATCH_LIMIT", "Outcome", "PaymentIn", "channel_payment", "payment_body", "receipt_number",
           "record_channel_payments", "record_channel_requests", "record_counter_payment", "refuse_unknown_bill"]
