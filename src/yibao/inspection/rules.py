"""The audit cases' questions to the policy engine. The floor share that calls for
self-inspection (潍坊 三(二)), the industry wage guideline and how far a wage total may fall are
the engine's; nothing is compared with a number here. Where a region's notice is silent the
engine refuses with ``not_configured`` and the check says so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yibao.errors import RuleRefused
from yibao.policy import get_engine

__all__ = ["RuleRefused", "ask", "headcount_drop", "industry_guideline", "self_inspection", "wage_total_drop"]


def ask(region: str, question: str, **inputs: Any) -> tuple[dict, list]:
    answer = get_engine().ask(region, question, inputs)
    if not answer.ok:
        raise RuleRefused.from_answer(answer.error, answer.explanation)
    return answer.values, answer.explanation


def self_inspection(region: str, year: int, contributors: int, at_floor: int) -> dict:
    """``required``, ``share`` and ``threshold`` (潍坊 三(二)); RuleRefused not_configured where the
    region sets no such rule."""
    values, _ = ask(region, "employee.self_inspection", contributors=contributors, at_floor=at_floor, year=year)
    return values


def industry_guideline(region: str, year: int, industry: str) -> Decimal:
    values, _ = ask(region, "employee.industry_wage_guideline", year=year, industry=industry or "")
    return Decimal(values["guideline"])


def wage_total_drop(region: str, year: int, previous_total: Decimal, current_total: Decimal) -> dict:
    values, _ = ask(region, "employee.wage_total_drop", year=year, previous_total=previous_total,
                    current_total=current_total)
    return values


def headcount_drop(region: str, year: int, previous_people: int, current_people: int) -> dict:
    values, _ = ask(region, "employee.headcount_drop", year=year, previous_people=previous_people,
                    current_people=current_people)
    return values


# --- whether a check's rule is configured at all (asked before any unit, so that a region whose
# notice is silent is told so even where no unit would be compared) ----------------------------

def require_self_inspection_rule(region: str, year: int) -> None:
    self_inspection(region, year, 1, 0)


def require_guideline(region: str, year: int) -> None:
    """not_configured where the region has no guideline at all; with one, asking without an
    industry is the engine's invalid_input, which says it exists."""
    try:
        industry_guideline(region, year, "")
    except RuleRefused as exc:
        if exc.code == "not_configured":
            raise


def require_wage_total_drop_rule(region: str, year: int) -> None:
    wage_total_drop(region, year, Decimal("1"), Decimal("1"))


def require_headcount_drop_rule(region: str, year: int) -> None:
    headcount_drop(region, year, 1, 1)


def configured_year(region: str, today, *, look_back: int = 5) -> int | None:
    """The year the scheduled checks look at: ``today``'s year where the region's policy sets the
    employee scheme's bounds for it, else the latest such year within ``look_back``; None if none."""
    engine = get_engine()
    for year in range(today.year, today.year - look_back - 1, -1):
        if engine.ask(region, "employee.bounds", {"month": f"{year}-01"}).ok:
            return year
    return None
