"""Reads of late fees (滞纳金) and the unit statement (对账单): what was charged on late
payments (``LateFee``), what an unpaid balance accrues to date (computed by the engine when
read, never stored), and every bill of a period with its payments, balance and late fees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from yibao.access.scoping import scope_of
from yibao.months import Month

from .. import rules
from ..errors import ContributionError
from ..models import Bill, BillKind, BillPayment, LateFee

ZERO = Decimal("0.00")


@dataclass
class LateState:
    """A bill's due date and late fees as of ``today``."""

    due_date: dt.date | None
    due_missing: str                     # the engine's message when no due date is set
    charged: list                        # LateFee rows charged on late payments of the bill
    charged_total: Decimal
    unpaid: Decimal                      # contributions still unpaid
    accrued_days: int = 0
    accrued: Decimal = ZERO              # 截至今日: the fee the unpaid part has accrued to date

    @property
    def overdue(self) -> bool:
        return self.accrued_days > 0


def late_state(bill: Bill, today: dt.date, *, charged=None, due=None) -> LateState:
    due = due if due is not None else rules.payment_due(bill)
    charged = list(charged if charged is not None else bill.late_fees.order_by("id"))
    total = sum((f.fee for f in charged), ZERO)
    unpaid = max(ZERO, bill.contributions_due - bill.amount_paid)
    if "error" in due:
        return LateState(None, due["error"]["message"], charged, total, unpaid)
    state = LateState(due["due_date"], "", charged, total, unpaid)
    if unpaid > 0 and today > due["due_date"]:
        answer = rules.late_fee(bill.region_id, unpaid, due["due_date"], today)
        state.accrued_days, state.accrued = answer["days"], answer["late_fee"]
    return state


def carried_on(bill: Bill) -> list[LateFee]:
    """The late fees of earlier bills carried on ``bill`` (its ``late_fee_total``)."""
    return list(LateFee.objects.filter(carried_on=bill).select_related("bill").order_by("bill__month", "id"))


@dataclass
class UnitLateFees:
    charged: list                        # recent LateFee rows
    charged_total: Decimal
    waiting_total: Decimal               # charged, not yet on a bill
    accruing: list                       # (bill, LateState) of bills accruing to date
    accruing_total: Decimal


def unit_late_fees(user, unit, today: dt.date) -> UnitLateFees:
    """For the unit's home page: fees charged, fees waiting for the next bill, and bills whose
    unpaid balance accrues a fee to date."""
    fees = scope_of(user).filter(LateFee.objects.filter(unit_id=unit.pk)).select_related("bill", "carried_on")
    totals = fees.aggregate(all=Sum("fee"))
    waiting = fees.filter(carried_on__isnull=True).aggregate(s=Sum("fee"))["s"] or ZERO
    accruing = []
    dues: dict = {}
    for bill in scope_of(user).filter(Bill.objects.filter(unit_id=unit.pk, kind=BillKind.REGULAR)).order_by("month"):
        if bill.contributions_due - bill.amount_paid <= 0:
            continue
        key = (bill.region_id, str(bill.month))
        dues.setdefault(key, rules.payment_due(bill))
        state = late_state(bill, today, charged=(), due=dues[key])
        if state.overdue:
            accruing.append((bill, state))
    return UnitLateFees(list(fees.order_by("-paid_on", "-id")[:10]), totals["all"] or ZERO, waiting, accruing,
                        sum((s.accrued for _, s in accruing), ZERO))


@dataclass
class StatementRow:
    bill: Bill
    payments: list
    late: LateState
    carried: list                        # late fees carried on this bill


@dataclass
class Statement:
    unit: object
    first: Month
    last: Month
    today: dt.date
    rows: list[StatementRow] = field(default_factory=list)
    totals: dict = field(default_factory=dict)


TOTALS = ("contributions", "late_fees_carried", "amount_due", "amount_paid", "balance", "late_fees_charged",
          "late_fees_accrued")


def statement(user, unit, first: Month, last: Month, today: dt.date) -> Statement:
    """对账单: every bill of ``unit`` (regular and adjusting) of the months ``first``..``last``,
    its payments, balance and late fees, and the totals; read through the reader's scope."""
    bills = list(scope_of(user).filter(Bill.objects.filter(unit_id=unit.pk, month__gte=first, month__lte=last))
                 .order_by("month", "kind", "id"))
    ids = [b.pk for b in bills]
    payments: dict[int, list] = {}
    for p in BillPayment.objects.filter(bill_id__in=ids).select_related("late_fee").order_by("paid_on", "id"):
        payments.setdefault(p.bill_id, []).append(p)
    charged: dict[int, list] = {}
    carried: dict[int, list] = {}
    for f in LateFee.objects.filter(bill_id__in=ids).order_by("id"):
        charged.setdefault(f.bill_id, []).append(f)
    for f in LateFee.objects.filter(carried_on_id__in=ids).select_related("bill").order_by("bill__month", "id"):
        carried.setdefault(f.carried_on_id, []).append(f)
    out = Statement(unit, first, last, today)
    totals = dict.fromkeys(TOTALS, ZERO)
    for b in bills:
        late = late_state(b, today, charged=charged.get(b.pk, []))
        out.rows.append(StatementRow(b, payments.get(b.pk, []), late, carried.get(b.pk, [])))
        totals["contributions"] += b.contributions_due
        totals["late_fees_carried"] += b.late_fee_total
        totals["amount_due"] += b.amount_due
        totals["amount_paid"] += b.amount_paid
        totals["balance"] += b.balance
        totals["late_fees_charged"] += late.charged_total
        totals["late_fees_accrued"] += late.accrued
    out.totals = totals
    return out


def statement_period(first, last, today):
    """The statement's months: ``from``/``to`` (YYYY-MM), by default the business year; refuses
    a wrong or reversed period, or one of more than five years, with a Chinese message."""
    try:
        first = Month.coerce(first) if first else Month.first_of(today.year)
        last = Month.coerce(last) if last else Month.last_of(today.year)
    except (ValueError, TypeError):
        raise ContributionError("起始月份和终止月份应为 YYYY-MM 格式。", code="invalid_period") from None
    if last < first:
        raise ContributionError(f"终止月份 {last} 早于起始月份 {first}。", code="invalid_period")
    if (last - first) >= 60:
        raise ContributionError("对账单一次最多查询 60 个月。", code="invalid_period")
    return first, last
