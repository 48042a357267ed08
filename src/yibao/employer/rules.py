"""The employee scheme's questions to the policy engine, in the shape the services need.

Every number and date (bounds, windows, materials, thresholds) comes from ``yibao.policy``;
this module only chooses the question and, where an administrator has recorded a newly
published average wage (``AverageWage``), passes it on so the engine derives the new bounds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from yibao.policy import get_engine


class RuleRefused(Exception):
    """The engine refused (not_configured, out_of_range, invalid_input …)."""

    def __init__(self, error: dict, explanation: list | None = None):
        self.code = error.get("code", "")
        self.missing = error.get("missing")
        self.explanation = explanation or []
        super().__init__(error.get("message", "政策未作规定"))


@dataclass
class Bounds:
    floor: Decimal
    ceiling: Decimal
    source: str  # "notice" or "average_wage"
    explanation: list = field(default_factory=list)


def ask(region: str, question: str, **inputs: Any) -> dict:
    answer = get_engine().ask(region, question, inputs)
    if not answer.ok:
        raise RuleRefused(answer.error, answer.explanation)
    return answer.values


def explain(region: str, question: str, **inputs: Any) -> list:
    return get_engine().ask(region, question, inputs).explanation


def published_wage_for(region: str, month: str):
    """The recorded average wage whose new bounds govern ``month`` (same year, from the month
    after publication), or None while the notice's provisional bounds hold."""
    from .models import AverageWage

    return (AverageWage.objects.filter(region_id=region, effective_from__lte=month,
                                       effective_from__startswith=month[:4])
            .order_by("-effective_from").first())


def published_inputs(region: str, month: str) -> dict:
    """Inputs that tell the engine about a recorded average wage governing ``month`` (none while
    the notice's provisional bounds hold)."""
    wage = published_wage_for(region, month)
    if wage is None:
        return {}
    return {"annual_average_wage": wage.annual_amount, "published_on": wage.published_on.isoformat()}


def bounds(region: str, month: str) -> Bounds:
    extra = published_inputs(region, month)
    v = ask(region, "employee.bounds", month=month, **extra)
    return Bounds(Decimal(v["floor"]), Decimal(v["ceiling"]), "average_wage" if extra else "notice")


def flexible_base(region: str, month: str, chosen: Decimal) -> Decimal:
    """A flexible worker's chosen base, refused (RuleRefused ``out_of_range``) outside the bounds
    in force for ``month``, including bounds derived from a recorded average wage."""
    v = ask(region, "employee.flexible_base", month=month, chosen_base=chosen, **published_inputs(region, month))
    return Decimal(v["base"])


def clamp(amount: Decimal, b: Bounds) -> tuple[Decimal, str]:
    """保底封顶 with bounds already read from the engine (batch use, one engine call per
    declaration instead of one per line). Agrees with the engine's ``employee.base``; the
    tests check that on every boundary."""
    if amount < b.floor:
        return b.floor, "floor"
    if amount > b.ceiling:
        return b.ceiling, "ceiling"
    return amount, "none"


def declaration_window(region: str, on: dt.date, year: int | None = None) -> dict:
    """The window of the declaration for ``year`` as it stands on ``on``: open, deadline, late
    (past the deadline) and whether the notice still accepts a late declaration."""
    inputs = {"date": on.isoformat()}
    if year is not None:
        inputs["year"] = year
    return ask(region, "employee.declaration_window", **inputs)


def year_configured(region: str, year: int) -> bool:
    """Whether the region's policy sets the employee scheme's bounds for ``year``."""
    return get_engine().ask(region, "employee.bounds", {"month": f"{year:04d}-01"}).ok


def required_materials(region: str, year: int, *, retiree: bool) -> list[dict]:
    materials = ask(region, "employee.required_materials", year=year)["materials"]
    return [m for m in materials if bool(m.get("retiree", False)) == retiree]


def self_inspection_required(region: str, contributors: int, at_floor: int, year: int) -> bool | None:
    """Whether the floor share calls for self-inspection; None where the region's notice sets no
    such rule (聊城), so the check is shown as not configured rather than passed or failed."""
    if contributors == 0:
        return False
    try:
        v = ask(region, "employee.self_inspection", contributors=contributors, at_floor=at_floor, year=year)
    except RuleRefused as exc:
        if exc.code == "not_configured":
            return None
        raise
    return bool(v["required"])


def industry_guideline(region: str, year: int, industry: str) -> Decimal | None:
    """The industry wage guideline, or None when the region has none configured."""
    try:
        v = ask(region, "employee.industry_wage_guideline", year=year, industry=industry or "")
    except RuleRefused as exc:
        if exc.code == "not_configured":
            return None
        raise
    return Decimal(v["guideline"])


def current_declaration_year(region: str, today: dt.date, *, look_back: int = 5) -> tuple[int | None, bool]:
    """The declaration year to open: this year when the region's policy covers it, otherwise the
    latest covered year within ``look_back`` years (second value True when falling back)."""
    for year in range(today.year, today.year - look_back - 1, -1):
        if year_configured(region, year):
            return year, year != today.year
    return None, False


def employee_regions() -> list[str]:
    """Pooling regions whose policy files configure the employee scheme."""
    return [r["code"] for r in get_engine().regions() if "employee" in r.get("schemes", [])]


def clamped_fen(region: str, month: str, wages_fen):
    """保底封顶 for many wages at once (int64 fen in, int64 fen out) through the engine's batch
    path, with any recorded average wage governing ``month``."""
    result = get_engine().batch_employee_base(region, month, wages_fen, **published_inputs(region, month))
    if not result.ok:
        error = next(iter(result.errors.values()))
        raise RuleRefused(error, result.explanation)
    return result["base"]


def reclamp_reason(b: Bounds) -> str:
    """Why a stored base changed with a newly published average wage (shown with the base)."""
    return f"按新公布平均工资调整上下限（{b.floor}–{b.ceiling}）"
