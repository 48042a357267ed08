"""The employee scheme's questions to the policy engine, in the shape the services need.

Every number and date (bounds, clamps, windows, materials, thresholds) comes from
``yibao.policy``; nothing here re-implements a rule. Where an administrator has recorded a newly
published average wage (``AverageWage``, the published fact only), this module passes it on and
the engine derives the new bounds and the month they hold from. Many lines are clamped through
the engine's batch path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from yibao.errors import RuleRefused
from yibao.money import from_fen, to_fen
from yibao.months import Month
from yibao.policy import get_engine

__all__ = ["RuleRefused", "Bounds"]

#: The engine's batch clamp codes.
CLAMP_CODES = {0: "none", 1: "floor", 2: "ceiling"}


@dataclass
class Bounds:
    floor: Decimal
    ceiling: Decimal
    source: str  # "notice" or "average_wage"
    effective_from: Month | None = None
    wage: dict = field(default_factory=dict)  # the engine inputs of the recorded average wage, if any

    @property
    def reason(self) -> str:
        """Why a stored base changed with a newly published average wage (shown with the base)."""
        return f"按新公布平均工资调整上下限（{self.floor}–{self.ceiling}）"


def ask(region: str, question: str, **inputs: Any) -> dict:
    answer = get_engine().ask(region, question, {k: (str(v) if isinstance(v, Month) else v)
                                                 for k, v in inputs.items()})
    if not answer.ok:
        raise RuleRefused.from_answer(answer.error, answer.explanation)
    return answer.values


def explain(region: str, question: str, **inputs: Any) -> list:
    return get_engine().ask(region, question, inputs).explanation


# --- recorded average wages --------------------------------------------------------------------

def wage_inputs(wage) -> dict:
    """The engine inputs describing a recorded average wage."""
    return {"annual_average_wage": wage.annual_amount, "published_on": wage.published_on.isoformat()}


def wage_effect(region: str, wage) -> Bounds:
    """The bounds a recorded average wage brings and the month they hold from (the engine's)."""
    inputs = wage_inputs(wage)
    first = ask(region, "employee.bounds", month=Month.of(wage.published_on), **inputs)
    effective = Month.parse(first["effective_from"])
    v = ask(region, "employee.bounds", month=effective, **inputs)
    return Bounds(Decimal(v["floor"]), Decimal(v["ceiling"]), v["source"], effective, inputs)


def wages_taking_effect(region: str, year: int, after: Month | None = None) -> list[Bounds]:
    """The recorded average wages whose bounds take effect within ``year`` (after ``after``),
    in order, each with its engine-derived bounds."""
    from .models import AverageWage

    out = []
    for wage in AverageWage.objects.filter(region_id=region, published_on__year__in=[year - 1, year]) \
            .order_by("published_on"):
        b = wage_effect(region, wage)
        if b.effective_from.year == year and (after is None or b.effective_from > after):
            out.append(b)
    return out


def published_inputs(region: str, month: Month) -> dict:
    """Engine inputs for the recorded average wage governing ``month`` (same year, from the
    month its bounds take effect), or none while the notice's bounds hold."""
    governing = [b for b in wages_taking_effect(region, month.year) if b.effective_from <= month]
    return governing[-1].wage if governing else {}


def bounds(region: str, month: Month | str) -> Bounds:
    month = Month.coerce(month)
    extra = published_inputs(region, month)
    v = ask(region, "employee.bounds", month=month, **extra)
    return Bounds(Decimal(v["floor"]), Decimal(v["ceiling"]), v["source"],
                  Month.parse(v["effective_from"]) if v.get("effective_from") else None, extra)


# --- 保底封顶 ------------------------------------------------------------------------------------

def base(region: str, month: Month, amount: Decimal, *, wage: dict | None = None) -> tuple[Decimal, str]:
    """The base the engine derives from one declared wage (保底封顶) and how it was clamped."""
    extra = published_inputs(region, month) if wage is None else wage
    v = ask(region, "employee.base", month=month, wage=amount, **extra)
    return Decimal(v["base"]), v["clamped"]


def new_hire_base(region: str, month: Month, wage: Decimal | None) -> tuple[Decimal, str]:
    """A new hire's base (增员): the declared wage clamped, or without one what the policy files say
    (``employee.new_hire_base``; not_configured where no file gives it)."""
    extra = published_inputs(region, month)
    v = ask(region, "employee.new_hire_base", month=month, **({"wage": wage} if wage is not None else {}), **extra)
    return Decimal(v["base"]), v["clamped"]


def staff_change_month(region: str, month: Month, today: dt.date) -> dict | None:
    """How far back a staff change may take effect (``employee.staff_change_month``): the
    engine's answer, or None where no policy file gives a limit (the notices are silent)."""
    answer = get_engine().ask(region, "employee.staff_change_month", {"month": str(month), "today": today.isoformat()})
    if not answer.ok:
        if answer.error["code"] == "not_configured":
            return None
        raise RuleRefused.from_answer(answer.error, answer.explanation)
    return answer.values


def headcount_drop(region: str, year: int, previous_people: int, current_people: int) -> dict:
    return ask(region, "employee.headcount_drop", year=year, previous_people=previous_people,
               current_people=current_people)


def clamped_fen(region: str, month: Month, wages_fen, *, wage: dict | None = None):
    """保底封顶 for many wages at once (int64 fen in; base in fen and clamp codes out) through
    the engine's batch path, with the recorded average wage governing ``month``."""
    extra = published_inputs(region, month) if wage is None else wage
    result = get_engine().batch_employee_base(region, str(month), np.asarray(wages_fen, dtype=np.int64), **extra)
    if not result.ok:
        error = next(iter(result.errors.values()))
        raise RuleRefused.from_answer(error, result.explanation)
    return result["base"], result["clamp"]


def clamp_many(region: str, month: Month, amounts: list[Decimal], *, wage: dict | None = None) \
        -> list[tuple[Decimal, str]]:
    """``base`` for many amounts in one engine call."""
    if not amounts:
        return []
    bases, codes = clamped_fen(region, month, [to_fen(a) for a in amounts], wage=wage)
    return [(from_fen(b), CLAMP_CODES[int(c)]) for b, c in zip(bases.tolist(), codes.tolist(), strict=True)]


def flexible_base(region: str, month: Month, chosen: Decimal) -> Decimal:
    """A flexible worker's chosen base, refused (RuleRefused ``out_of_range``) outside the bounds
    in force for ``month``, including bounds derived from a recorded average wage."""
    v = ask(region, "employee.flexible_base", month=month, chosen_base=chosen, **published_inputs(region, month))
    return Decimal(v["base"])


def retiree_base(region: str, month: Month, pension: Decimal) -> Decimal:
    return Decimal(ask(region, "employee.retiree_allotment_base", month=month, pension=pension)["base"])


# --- windows, materials, checks ------------------------------------------------------------------

def declaration_window(region: str, on: dt.date, year: int | None = None) -> dict:
    """The window of the declaration for ``year`` as it stands on ``on``: open, deadline, late
    (past the deadline) and whether the notice still accepts a late declaration."""
    inputs = {"date": on.isoformat()}
    if year is not None:
        inputs["year"] = year
    return ask(region, "employee.declaration_window", **inputs)


def year_configured(region: str, year: int) -> bool:
    """Whether the region's policy sets the employee scheme's bounds for ``year``."""
    return get_engine().ask(region, "employee.bounds", {"month": str(Month.first_of(year))}).ok


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


def online_notice(region: str, year: int) -> dict | None:
    """The online-service notice a unit reads and confirms before declaring online (潍坊 二(一)1):
    ``{title, points}`` where the region's policy requires it, None where it does not (or its
    notice is silent: the engine answers not_configured)."""
    try:
        v = ask(region, "employee.online_notice", year=year)
    except RuleRefused as exc:
        if exc.code == "not_configured":
            return None
        raise
    return {"title": v["title"], "points": list(v["points"])} if v["required"] else None
