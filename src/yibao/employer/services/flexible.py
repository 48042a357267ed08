"""Flexible workers (灵活就业人员) choose their monthly base within the bounds in force."""

from __future__ import annotations

from django.db import transaction

from yibao.audit.services import record_event
from yibao.months import Month

from .. import rules
from ..errors import DeclarationError, RuleRefused, parse_amount
from ..models import FlexibleBaseChoice, FlexibleWorker


@transaction.atomic
def choose_flexible_base(worker: FlexibleWorker, *, month, value, actor) -> FlexibleBaseChoice:
    try:
        month = Month.coerce(month)
    except ValueError as exc:
        raise DeclarationError(str(exc), code="invalid_input", fields={"month": str(month)}) from None
    amount = parse_amount(value, "base")
    try:
        base = rules.flexible_base(worker.region_id, month, amount)
    except RuleRefused as exc:
        if exc.code == "out_of_range":
            b = rules.bounds(worker.region_id, month)
            raise RuleRefused(f"缴费基数须在 {b.floor} 元至 {b.ceiling} 元之间。", code=exc.code,
                              fields={"base": str(amount)}, explanation=exc.explanation) from exc
        raise
    choice = FlexibleBaseChoice.objects.create(worker=worker, year=month.year, month_from=month, base=base)
    record_event(actor, "flexible_base.choose", "flexible_worker", worker.pk,
                 after={"month_from": month, "base": choice.base}, division_path=worker.region.path)
    return choice
