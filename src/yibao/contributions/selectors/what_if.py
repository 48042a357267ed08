"""What a newly published average wage would do, before it is recorded: how many approved bases
change from the month the new bounds hold from, each unit's monthly bill change and the region's
total. Set-based: the bases are read once as arrays, re-clamped by the engine's batch path with
the wage as its input, and the shares come from the engine's batch contributions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from yibao.employer import contributing
from yibao.errors import RuleRefused
from yibao.money import from_fen
from yibao.months import Month
from yibao.policy import get_engine

from .. import rules
from ..errors import ContributionError


@dataclass
class WhatIf:
    region: str
    effective_from: Month
    month: Month               # the month measured (the first of the new bounds unless asked)
    floor: Decimal
    ceiling: Decimal
    bases: int                 # approved bases in force in the first month
    changed: int               # of them, how many the new bounds change
    total_change: Decimal      # the region's monthly bill change (unit + individual shares)
    units: list[dict] = field(default_factory=list)   # the units whose bill changes, largest change first

    def public(self, limit: int = 100) -> dict:
        return {"region": self.region, "effective_from": str(self.effective_from),
                "month": str(self.month), "floor": self.floor,
                "ceiling": self.ceiling, "bases": self.bases, "changed": self.changed,
                "total_change": self.total_change, "units_changed": len(self.units), "units": self.units[:limit]}


def what_if(region: str, annual_average_wage, published_on: dt.date, month: Month | None = None, *,
            named: int | None = 100) -> WhatIf:
    """The effect in the first month the new bounds hold, or in ``month`` (a later month of the
    same bounds: the bases approved then). The ``named`` units of largest change carry their number
    and name (every unit with None: the workbook)."""
    engine = get_engine()
    wage = {"annual_average_wage": str(annual_average_wage), "published_on": published_on.isoformat()}
    first = engine.ask(region, "employee.bounds", {"month": str(Month.of(published_on)), **wage})
    if not first.ok:
        raise RuleRefused.from_answer(first.error, first.explanation)
    effective = Month.parse(first.values["effective_from"])
    if month is None:
        month = effective
    elif month < effective:
        raise ContributionError(f"测算月份 {month} 早于新上下限的起始月份 {effective}。", code="invalid_input",
                                fields={"month": str(month)})
    units, _, declared, old = contributing.wage_preview_rows(region, month)
    result = engine.batch_employee_base(region, str(month), declared, **wage)
    if not result.ok:
        error = next(iter(result.errors.values()))
        raise RuleRefused.from_answer(error, result.explanation)
    new = np.asarray(result["base"])
    changed = new != old
    old_unit, old_person, _ = rules.shares_many(region, month, old[changed])
    new_unit, new_person, _ = rules.shares_many(region, month, new[changed])
    delta = (new_unit + new_person) - (old_unit + old_person)
    ids, index = np.unique(units[changed], return_inverse=True)
    per_unit = np.zeros(ids.size, dtype=np.int64)     # whole fen summed as integers (a float bincount rounds)
    np.add.at(per_unit, index, delta.astype(np.int64))
    people = np.bincount(index, minlength=ids.size) if ids.size else ids
    order = np.argsort(-np.abs(per_unit), kind="stable")
    facts = contributing.unit_facts(ids[order[:named]].tolist()) if ids.size else {}
    rows = [{"unit_id": int(ids[i]), "unit_number": facts.get(int(ids[i]), {}).get("unit_number", ""),
             "name": facts.get(int(ids[i]), {}).get("name", ""), "people": int(people[i]),
             "change": from_fen(int(per_unit[i]))} for i in order.tolist()]
    return WhatIf(region, effective, month, Decimal(result.constants["floor"]), Decimal(result.constants["ceiling"]),
                  int(old.size), int(changed.sum()), from_fen(int(delta.sum())), rows)


def what_if_for(regions, region: str, annual_average_wage, published_on, month=None, *, named: int | None = 100) -> WhatIf:
    """The what-if as the page, the API and the command line ask it: the typed figures checked
    (a clear refusal each), the region among ``regions`` (the asker's) running the employee
    scheme (NotFound otherwise)."""
    from yibao.registry import schemes_by_region

    from ..errors import NotFound

    if not str(region or "").strip():
        raise ContributionError("请选择统筹区。", code="invalid_input", fields={"region": "未填"})
    employee = {key for key, schemes in schemes_by_region().items() if "employee" in schemes}
    if str(region) not in {r.key for r in regions} & employee:
        raise NotFound(f"统筹区 {str(region)[:12]} 不存在或不在管辖范围内。", code="not_found", fields={"region": "不存在"})
    try:
        wage = Decimal(str(annual_average_wage).strip().replace(",", ""))
        if not wage.is_finite() or wage <= 0 or wage >= Decimal("100000000"):
            raise ValueError
    except (ValueError, ArithmeticError):
        raise ContributionError("年平均工资应为大于 0 的金额（元）。", code="invalid_input",
                                fields={"annual_average_wage": str(annual_average_wage)[:20]}) from None
    if not isinstance(published_on, dt.date):
        try:
            published_on = dt.date.fromisoformat(str(published_on or ""))
        except ValueError:
            raise ContributionError("公布日期应为 YYYY-MM-DD 格式的日期。", code="invalid_input",
                                    fields={"published_on": str(published_on)[:20]}) from None
    if month not in (None, ""):
        try:
            month = Month.coerce(month)
        except (ValueError, TypeError):
            raise ContributionError("测算月份应为 YYYY-MM 格式。", code="invalid_input",
                                    fields={"month": str(month)[:20]}) from None
    else:
        month = None
    return what_if(str(region), wage, published_on, month, named=named)
