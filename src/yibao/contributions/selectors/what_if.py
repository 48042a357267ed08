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


@dataclass
class WhatIf:
    region: str
    effective_from: Month
    floor: Decimal
    ceiling: Decimal
    bases: int                 # approved bases in force in the first month
    changed: int               # of them, how many the new bounds change
    total_change: Decimal      # the region's monthly bill change (unit + individual shares)
    units: list[dict] = field(default_factory=list)   # the units whose bill changes, largest change first

    def public(self, limit: int = 100) -> dict:
        return {"region": self.region, "effective_from": str(self.effective_from), "floor": self.floor,
                "ceiling": self.ceiling, "bases": self.bases, "changed": self.changed,
                "total_change": self.total_change, "units_changed": len(self.units), "units": self.units[:limit]}


def what_if(region: str, annual_average_wage, published_on: dt.date) -> WhatIf:
    engine = get_engine()
    wage = {"annual_average_wage": str(annual_average_wage), "published_on": published_on.isoformat()}
    first = engine.ask(region, "employee.bounds", {"month": str(Month.of(published_on)), **wage})
    if not first.ok:
        raise RuleRefused.from_answer(first.error, first.explanation)
    month = Month.parse(first.values["effective_from"])
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
    facts = contributing.unit_facts(ids[order[:100]].tolist()) if ids.size else {}
    rows = [{"unit_id": int(ids[i]), "unit_number": facts.get(int(ids[i]), {}).get("unit_number", ""),
             "name": facts.get(int(ids[i]), {}).get("name", ""), "people": int(people[i]),
             "change": from_fen(int(per_unit[i]))} for i in order.tolist()]
    return WhatIf(region, month, Decimal(result.constants["floor"]), Decimal(result.constants["ceiling"]),
                  int(old.size), int(changed.sum()), from_fen(int(delta.sum())), rows)
