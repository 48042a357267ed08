"""The contributions' questions to the policy engine: rates, shares and roundings are the
engine's (``employee.contribution``, its batch path, ``employee.retiree_allotment``); nothing
here multiplies a base by a rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np

from yibao.errors import RuleRefused
from yibao.months import Month
from yibao.policy import get_engine

__all__ = ["RuleRefused", "late_fee", "late_fee_terms", "payment_due", "retiree_allotment", "shares", "shares_many"]


def shares(region: str, month: Month, base: Decimal) -> dict:
    """One base: unit_share, individual_share, rates and the rounding's name."""
    answer = get_engine().ask(region, "employee.contribution", {"month": str(month), "base": base})
    if not answer.ok:
        raise RuleRefused.from_answer(answer.error, answer.explanation)
    return answer.values


def shares_many(region: str, month: Month, bases_fen) -> tuple[np.ndarray, np.ndarray, dict]:
    """Many bases (fen) at once: unit and individual shares in fen, and the constants (rates,
    rounding) the engine read."""
    result = get_engine().batch_employee_contribution(region, str(month), np.asarray(bases_fen, dtype=np.int64))
    if not result.ok:
        error = next(iter(result.errors.values()))
        raise RuleRefused.from_answer(error, result.explanation)
    return np.asarray(result["unit_share"]), np.asarray(result["individual_share"]), result.constants


def explanation(region: str, month: Month, base: Decimal | None = None) -> list:
    """How the shares of ``month`` are computed (rates, rounding, citations), shown on one base."""
    return get_engine().ask(region, "employee.contribution", {"month": str(month), "base": base or "0"}).explanation


def retiree_allotment(region: str, month: Month, allotment_base: Decimal) -> dict:
    """The personal-account allotment of a retiree, or the engine's refusal (not_configured where
    the policy gives no rate) as ``{"error": …}``, to be shown rather than raised."""
    answer = get_engine().ask(region, "employee.retiree_allotment",
                              {"month": str(month), "allotment_base": allotment_base})
    if not answer.ok:
        return {"error": answer.error}
    return answer.values


def payment_due(bill) -> dict:
    """The bill's due date from the engine (``employee.payment_due``): ``{"due_date": date,
    "source": …}``, or ``{"error": …}`` where the policy sets none (then no late fee is charged,
    and pages say so)."""
    import datetime as dt

    inputs = {"month": str(bill.month), "kind": bill.kind}
    if bill.kind == "adjustment":
        from django.utils import timezone

        inputs["generated_on"] = timezone.localtime(bill.generated_at).date().isoformat()
    answer = get_engine().ask(bill.region_id, "employee.payment_due", inputs)
    if not answer.ok:
        return {"error": answer.error, "explanation": answer.explanation}
    return {"due_date": dt.date.fromisoformat(answer.values["due_date"]), "source": answer.values["source"],
            "explanation": answer.explanation}


def late_fee(region: str, amount: Decimal, due_date, paid_on) -> dict:
    """``employee.late_fee``: days, late_fee and daily_rate for ``amount`` paid (or unpaid until)
    ``paid_on``; refuses as RuleRefused."""
    answer = get_engine().ask(region, "employee.late_fee", {"amount": amount, "due_date": due_date.isoformat(),
                                                           "paid_on": paid_on.isoformat()})
    if not answer.ok:
        raise RuleRefused.from_answer(answer.error, answer.explanation)
    return {**answer.values, "explanation": answer.explanation}


def late_fee_terms(region: str, day: dt.date) -> dict | None:
    """How ``employee.late_fee`` charges on ``day``, for the pages to print: the daily rate as a
    percentage ("0.05%") and the law it cites; None where the engine does not answer."""
    answer = get_engine().ask(region, "employee.late_fee", {"amount": "1", "due_date": day.isoformat(),
                                                           "paid_on": (day + dt.timedelta(days=1)).isoformat()})
    if not answer.ok:
        return None
    rate = Decimal(answer.values["daily_rate"]) * 100
    cites = [c for step in answer.explanation for c in step.get("citations", [])
             if c.get("parameter") == "late_fee.daily_rate"]
    basis = "；".join(f"《{c['document']}》{c.get('section', '')}" for c in cites)
    return {"rate": f"{rate.normalize():f}%", "basis": basis}
