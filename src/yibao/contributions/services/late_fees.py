"""Late fees (滞纳金, 社会保险法 第八十六条) of the employee scheme, charged to the unit.

A payment settles a bill's own contributions first (``Bill.contributions_due``), then the late
fees carried on it; late fees never accrue on late fees. The part of a payment that settles
contributions after the bill's due date (``employee.payment_due``) is charged a late fee by the
engine (``employee.late_fee``): days from the day after the due date to the day paid. The fee
is recorded (``LateFee``) and carried on the unit's next regular bill still to be declared,
added to that bill's ``late_fee_total`` and ``amount_due`` and to nobody's share. A bill
whose policy sets no due date (``not_configured``: every adjusting bill unless a period is
configured) is charged none.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from yibao.audit.services import record_events
from yibao.employer import contributing
from yibao.months import Month

from .. import rules
from ..models import Bill, BillKind, BillStatus, LateFee

ZERO = Decimal("0.00")


def late_part(bill: Bill, paid_before: Decimal, amount: Decimal) -> Decimal:
    """The part of a payment of ``amount`` (after ``paid_before`` was paid) that settles the
    bill's own contributions: what a late fee is charged on."""
    owed = max(ZERO, bill.contributions_due - paid_before)
    return min(amount, owed)


def next_bill(unit_id: int, after: Month) -> Bill | None:
    """The unit's next regular bill still to be declared, of a month after ``after``."""
    return (Bill.objects.select_for_update()
            .filter(unit_id=unit_id, kind=BillKind.REGULAR, status=BillStatus.DRAFT, month__gt=after)
            .order_by("month").first())


def _carry(fee: LateFee, target: Bill) -> None:
    target.late_fee_total += fee.fee
    target.amount_due += fee.fee
    Bill.objects.filter(pk=target.pk).update(late_fee_total=target.late_fee_total, amount_due=target.amount_due)
    LateFee.objects.filter(pk=fee.pk).update(carried_on=target)
    fee.carried_on = target


def charge_payments(payments, bills: dict[int, Bill], *, actor=None) -> list[LateFee]:
    """The late fees of payments just written against ``bills`` (their state after the
    payments): for each payment that settled contributions after the bill's due date, a
    ``LateFee`` recorded, carried on the unit's next bill still to be declared, and audited.
    Runs in the payments' transaction; payments that settle no contributions (only carried fees) ask nothing."""
    fees: list[LateFee] = []
    dues: dict[tuple, dict] = {}
    for p in payments:
        bill = bills[p.bill_id]
        paid_before = bill.amount_due - p.balance_after - p.amount
        amount = late_part(bill, paid_before, p.amount)
        if amount <= 0:
            continue
        key = (bill.region_id, str(bill.month), bill.kind, bill.pk if bill.kind == BillKind.ADJUSTMENT else None)
        due = dues.get(key)
        if due is None:
            due = dues[key] = rules.payment_due(bill)
        if "error" in due or p.paid_on <= due["due_date"]:
            continue
        answer = rules.late_fee(bill.region_id, amount, due["due_date"], p.paid_on)
        if answer["late_fee"] <= 0:
            continue
        fees.append(LateFee(region_id=bill.region_id, unit_id=bill.unit_id, bill=bill, payment_id=p.pk,
                            amount=amount, due_date=due["due_date"], paid_on=p.paid_on, days=answer["days"],
                            daily_rate=answer["daily_rate"], fee=answer["late_fee"]))
    if not fees:
        return []
    LateFee.objects.bulk_create(fees)
    units = contributing.unit_facts({f.unit_id for f in fees})
    audits = []
    for fee in sorted(fees, key=lambda f: f.unit_id):
        target = next_bill(fee.unit_id, fee.bill.month)
        if target is not None:
            _carry(fee, target)
        unit = units[fee.unit_id]
        audits.append({"action": "contributions.late_fee_charge", "object_type": "bill", "object_id": fee.bill_id,
                       "after": {"unit": unit["unit_number"], "month": fee.bill.month, "payment": fee.payment_id,
                                 "amount": fee.amount, "due_date": fee.due_date, "paid_on": fee.paid_on,
                                 "days": fee.days, "daily_rate": fee.daily_rate, "late_fee": fee.fee,
                                 "carried_on": target.pk if target else None},
                       "division_path": unit["division__path"]})
    record_events(actor, audits)
    return fees


def release_from_drafts(region: str, month: Month, unit_ids) -> None:
    """Before a month's undeclared bills are replaced: the late fees they carry wait again."""
    qs = LateFee.objects.filter(carried_on__region_id=region, carried_on__month=month,
                                carried_on__kind=BillKind.REGULAR, carried_on__status=BillStatus.DRAFT)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    LateFee.objects.filter(pk__in=list(qs.values_list("pk", flat=True))).update(carried_on=None)


def carry_waiting(region: str, month: Month, unit_ids) -> int:
    """After a month's bills are generated: late fees waiting for a bill, of bills of earlier
    months, go on the unit's new bill of this month. Returns how many were carried."""
    waiting = LateFee.objects.filter(region_id=region, carried_on__isnull=True, bill__month__lt=month)
    if unit_ids is not None:
        waiting = waiting.filter(unit_id__in=unit_ids)
    by_unit: dict[int, list[LateFee]] = {}
    for fee in waiting.order_by("unit_id", "id"):
        by_unit.setdefault(fee.unit_id, []).append(fee)
    if not by_unit:
        return 0
    targets = {b.unit_id: b for b in Bill.objects.select_for_update().filter(
        Q(unit_id__in=list(by_unit)), region_id=region, month=month, kind=BillKind.REGULAR, status=BillStatus.DRAFT)}
    carried = 0
    for unit_id, fees in by_unit.items():
        target = targets.get(unit_id)
        if target is None:
            continue
        total = sum((f.fee for f in fees), ZERO)
        Bill.objects.filter(pk=target.pk).update(late_fee_total=target.late_fee_total + total,
                                                 amount_due=target.amount_due + total)
        LateFee.objects.filter(pk__in=[f.pk for f in fees]).update(carried_on=target)
        carried += len(fees)
    return carried
