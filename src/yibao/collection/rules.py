"""The collection's questions to the policy engine: the premium a person owes (standard, the
assistance fund's subsidy, what is payable), whether a day is in the collection period, what a
payment made on a day buys (the benefit period by kind: ordinary, newborn, migrant, back
payment), whether a refund is allowed and whether a family account may pay. Every amount and
date comes from ``yibao.policy``; nothing here re-implements a rule.

``Judge`` remembers the engine's answers within one batch: a thousand payments of one day ask the
engine a handful of questions, not thousands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from yibao.errors import RuleRefused
from yibao.policy import get_engine


def answer(region: str, question: str, **inputs: Any):
    """The engine's whole answer (values and explanation), or ``RuleRefused``."""
    result = get_engine().ask(region, question, {k: v for k, v in inputs.items() if v is not None})
    if not result.ok:
        raise RuleRefused.from_answer(result.error, result.explanation)
    return result


def ask(region: str, question: str, **inputs: Any) -> dict:
    return answer(region, question, **inputs).values


@dataclass(frozen=True)
class PremiumAnswer:
    standard: Decimal
    subsidy: Decimal
    payable: Decimal
    category: str          # the category whose subsidy applies (资助不叠加), or ""
    explanation: tuple


def premium(region: str, insurance_year: int, categories) -> PremiumAnswer:
    a = answer(region, "resident.premium", insurance_year=insurance_year, categories=sorted(categories))
    v = a.values
    return PremiumAnswer(v["standard"], v["subsidy"], v["payable"], v["subsidy_category"] or "", tuple(a.explanation))


def payment_window(region: str, insurance_year: int, day: dt.date) -> dict:
    return ask(region, "resident.payment_window", insurance_year=insurance_year, date=day.isoformat())


def benefit(region: str, insurance_year: int, kind: str, paid_on: dt.date, *, birth_date: dt.date | None = None,
            moved_in_on: dt.date | None = None, paid_at_origin: bool | None = None):
    """What a payment on ``paid_on`` buys (the engine's ``resident.benefit_start``)."""
    return answer(region, "resident.benefit_start", insurance_year=insurance_year, kind=kind,
                  paid_on=paid_on.isoformat(),
                  birth_date=birth_date.isoformat() if birth_date and kind == "newborn" else None,
                  moved_in_on=moved_in_on.isoformat() if moved_in_on and kind == "migrant" else None,
                  paid_at_origin=paid_at_origin if kind == "migrant" else None)


def refund(region: str, insurance_year: int, reason: str, event_date: dt.date, paid_on: dt.date):
    return answer(region, "resident.refund", insurance_year=insurance_year, reason=reason,
                  event_date=event_date.isoformat(), paid_on=paid_on.isoformat())


def family_mutual_aid(region: str, insurance_year: int):
    return answer(region, "resident.family_mutual_aid", insurance_year=insurance_year, payer_scheme="employee")


class Judge:
    """The engine's answers for a batch, each question asked once (answers and refusals kept)."""

    def __init__(self):
        self._memo: dict[tuple, Any] = {}

    def _once(self, key: tuple, fn, *args, **kwargs):
        if key not in self._memo:
            try:
                self._memo[key] = fn(*args, **kwargs)
            except RuleRefused as exc:
                self._memo[key] = exc
        value = self._memo[key]
        if isinstance(value, RuleRefused):
            raise value
        return value

    def premium(self, region: str, year: int, categories: list[str]) -> PremiumAnswer:
        return self._once(("premium", region, year, tuple(categories)), premium, region, year, categories)

    def window(self, region: str, year: int, day: dt.date) -> dict:
        return self._once(("window", region, year, day), payment_window, region, year, day)

    def benefit(self, region: str, year: int, kind: str, paid_on: dt.date, **facts):
        key = ("benefit", region, year, kind, paid_on, tuple(sorted(facts.items())))
        return self._once(key, benefit, region, year, kind, paid_on, **facts)


def current_year(region: str, today: dt.date) -> int:
    """The insurance year being collected on ``today``: the next year once its collection period
    has begun (集中缴费期 runs in the year before), else this year."""
    try:
        period = ask(region, "resident.collection_period", insurance_year=today.year + 1)
    except RuleRefused:
        return today.year
    return today.year + 1 if dt.date.fromisoformat(period["start"]) <= today else today.year
