"""Reads of the contributions, through the reader's scope (``yibao.access.scoping``): a bill or
span out of scope is missing (404)."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from yibao.access.scoping import scope_of
from yibao.employer import contributing
from yibao.employer import selectors as employer_selectors
from yibao.months import Month

from .. import rules
from ..models import Bill, BillLine, BillPayment, InsuranceSpan, StaffChange
from .late_fees import (
    LateState,
    Statement,
    carried_on,
    late_state,
    statement,
    statement_period,
    unit_late_fees,
)
from .what_if import WhatIf, what_if, what_if_for

__all__ = ["LateState", "Statement", "WhatIf", "carried_on", "late_state", "statement", "statement_period", "unit_late_fees", "what_if", "what_if_for", "staff_changes_across", "bill_for", "bills_for", "lines_of", "payments_of", "retirees_of", "spans_of", "staff_changes_of", "unit_for"]


def bills_for(user, *, unit_id: int | None = None, month: Month | None = None) -> QuerySet[Bill]:
    qs = scope_of(user).filter(Bill.objects.all())
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    if month is not None:
        qs = qs.filter(month=month)
    return qs.order_by("-month", "unit_id", "id")


def bill_for(user, pk: int) -> Bill | None:
    return scope_of(user).filter(Bill.objects.filter(pk=pk)).first()


def payments_of(bill: Bill) -> QuerySet[BillPayment]:
    """A bill's payments (channel and counter), in the order recorded."""
    return BillPayment.objects.filter(bill_id=bill.pk).order_by("id")


def counter_receipt_for(user, pk: int) -> tuple[BillPayment, Bill] | None:
    """A counter payment with a receipt number and its bill, when the bill is in ``user``'s scope."""
    payment = BillPayment.objects.filter(pk=pk).exclude(receipt_number="").first()
    bill = bill_for(user, payment.bill_id) if payment else None
    return (payment, bill) if bill else None


def lines_of(bill: Bill) -> QuerySet[BillLine]:
    return bill.lines.order_by("id")


def unit_for(user, pk: int):
    """A unit in the reader's scope, or None (404)."""
    return employer_selectors.units_for(user).filter(pk=pk).first()


def spans_of(user, unit, month: Month | None = None) -> QuerySet[InsuranceSpan]:
    qs = scope_of(user).filter(InsuranceSpan.objects.filter(unit_id=unit.pk))
    qs = qs.filter(Q(month_to__isnull=True) | Q(month_to__gte=F("month_from")))
    if month is not None:
        qs = qs.filter(month_from__lte=month).filter(Q(month_to__isnull=True) | Q(month_to__gte=month))
    return qs.order_by("month_from", "id")


def staff_changes_of(user, unit) -> QuerySet[StaffChange]:
    return scope_of(user).filter(StaffChange.objects.filter(unit_id=unit.pk))


def retirees_of(unit, month: Month) -> dict:
    """Retirees of a unit in the civil-servant subsidy with their personal-account allotment,
    where the policy gives a rate; otherwise the engine's refusal, to be shown."""
    if not unit.civil_servant_subsidy:
        return {"applies": False, "rows": [], "error": None}
    rows = contributing.retiree_bases(unit.pk, month)
    error = None
    for row in rows:
        answer = rules.retiree_allotment(unit.region_id, month, row["allotment_base"])
        row["allotment"] = answer.get("allotment")
        error = error or answer.get("error")
    return {"applies": True, "rows": rows, "error": error}


def staff_changes_across(user, *, month: Month | None = None, direction: str = "", unit_id: int | None = None
                         ) -> QuerySet[StaffChange]:
    """Every staff change (增减员) of the units in the reader's scope, newest first, narrowed by
    effective month, direction and unit."""
    qs = scope_of(user).filter(StaffChange.objects.all())
    if month is not None:
        qs = qs.filter(month=month)
    if direction:
        qs = qs.filter(direction=direction)
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    return qs.order_by("-created_at", "-id")
