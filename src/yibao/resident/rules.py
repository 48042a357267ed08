"""The resident scheme's questions to the policy engine, in the shape the services need. Every
number and date (premium, subsidies, benefit periods, configured hardship categories) comes from
``yibao.policy``; nothing here re-implements a rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yibao.errors import RuleRefused
from yibao.policy import get_engine

__all__ = ["RuleRefused", "answer", "ask", "benefit", "renewal_year", "collection_period",
           "default_insurance_year", "hardship_categories", "premium", "roster_basis"]


def answer(region: str, question: str, **inputs: Any):
    """The engine's whole answer (values and explanation), or ``RuleRefused``."""
    result = get_engine().ask(region, question, {k: v for k, v in inputs.items() if v is not None})
    if not result.ok:
        raise RuleRefused.from_answer(result.error, result.explanation)
    return result


def ask(region: str, question: str, **inputs: Any) -> dict:
    return answer(region, question, **inputs).values


def hardship_categories(region: str, insurance_year: int) -> list[str]:
    return ask(region, "resident.hardship_categories", insurance_year=insurance_year)["categories"]


def premium(region: str, insurance_year: int, categories: list[str]):
    return answer(region, "resident.premium", insurance_year=insurance_year, categories=list(categories))


KIND_OF = {"ordinary": "ordinary", "newborn": "newborn", "migrant": "migrant", "back_payment": "back_payment"}


def benefit(region: str, insurance_year: int, kind: str, paid_on: dt.date, *, birth_date: dt.date | None = None,
            moved_in_on: dt.date | None = None, paid_at_origin: bool | None = None):
    """The benefit period of a paid enrolment (the engine's ``resident.benefit_start``)."""
    return answer(region, "resident.benefit_start", insurance_year=insurance_year, kind=KIND_OF[kind],
                  paid_on=paid_on.isoformat(),
                  birth_date=birth_date.isoformat() if birth_date and kind == "newborn" else None,
                  moved_in_on=moved_in_on.isoformat() if moved_in_on else None,
                  paid_at_origin=paid_at_origin if kind == "migrant" else None)


def collection_period(region: str, insurance_year: int) -> dict:
    return ask(region, "resident.collection_period", insurance_year=insurance_year)


def default_insurance_year(region: str, today: dt.date) -> int:
    """The insurance year a registration made today is for: the next year once its collection
    period has begun (集中缴费期 runs in the year before), else this year. Where the notice
    gives no period for next year, this year."""
    try:
        period = collection_period(region, today.year + 1)
    except RuleRefused:
        return today.year
    return today.year + 1 if dt.date.fromisoformat(period["start"]) <= today else today.year


def renewal_year(region: str, today: dt.date) -> int:
    """The coming insurance year, which renewal is for (the 续保人员名册 is made for it): the year
    whose collection period (集中缴费期) is open on ``today``, else the next to open. Where the
    notices give no period open or to come, the year after the last whose period has closed (its
    notice not yet configured). Asked of the engine for last year to two years on; where it
    gives no collection period for any of them, its refusal (``RuleRefused``)."""
    periods, refusals = {}, {}
    for year in range(today.year - 1, today.year + 3):
        try:
            period = collection_period(region, year)
        except RuleRefused as exc:
            refusals[year] = exc
            continue
        periods[year] = (dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"]))
    if not periods:
        raise refusals[today.year + 1]
    open_or_next = [y for y, (start, end) in periods.items() if today <= end]
    if open_or_next:
        return min(open_or_next, key=lambda y: (periods[y][0] > today, periods[y][0], y))
    return max(periods) + 1


def roster_basis(region: str, insurance_year: int) -> str:
    """The notice and section that provide for the renewal roster (东明 三(一)), or "" where the
    region's notice for the year says nothing of one (the roster is then an office's own list)."""
    try:
        return ask(region, "resident.renewal_roster", insurance_year=insurance_year)["basis"]
    except RuleRefused:
        return ""
