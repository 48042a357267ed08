"""Adjusting entries (补差): a declared bill is never edited. When the bases of some of a unit's
people change from a month on (a published average wage, a backdated staff change, an audit
correction), each declared month from then on gets a new adjusting bill for the differences
between what was billed and what should have been, and the unit's undeclared bills of those
months are regenerated. ``adjust`` is registered with ``yibao.registry.on_bases_changed``."""

from __future__ import annotations

import numpy as np
from django.utils import timezone

from yibao import registry
from yibao.audit.services import record_events
from yibao.employer import contributing
from yibao.money import from_fen, to_fen
from yibao.months import Month

from .. import rules
from ..models import Bill, BillKind, BillLine, BillStatus


def _billed(bill_ids: list[int], employee_ids: set[int]) -> dict[int, dict]:
    """What a month's bills (the regular one, then its adjustments in order) charged each person:
    the last billed base with its number and name, and the shares summed over the bills, in fen."""
    out: dict[int, dict] = {}
    for line in (BillLine.objects.filter(bill_id__in=bill_ids, employee_id__in=employee_ids)
                 .order_by("bill_id", "id").values("employee_id", "base", "id_number", "name", "unit_share",
                                                   "individual_share")):
        seen = out.get(line["employee_id"])
        line["unit_fen"] = to_fen(line["unit_share"]) + (seen["unit_fen"] if seen else 0)
        line["person_fen"] = to_fen(line["individual_share"]) + (seen["person_fen"] if seen else 0)
        out[line["employee_id"]] = line
    return out


def adjust(*, unit_id: int, employee_ids: list[int], from_month: Month, reason: str, actor) -> list[Bill]:
    """Adjusting entries for the unit's declared months from ``from_month`` on, and its
    undeclared bills of those months regenerated. Runs in the caller's transaction."""
    from .bills import billable, generate_bills

    from_month = Month.coerce(from_month)
    wanted = set(employee_ids)
    declared = list(Bill.objects.filter(unit_id=unit_id, kind=BillKind.REGULAR, month__gte=from_month)
                    .values("pk", "month", "status", "region_id"))
    if not declared:
        return []
    unit = contributing.unit_facts([unit_id])[unit_id]
    region = unit["region_id"]
    made: list[Bill] = []
    audits = []
    for bill in sorted(declared, key=lambda b: b["month"]):
        month = bill["month"]
        if bill["status"] == BillStatus.DRAFT:
            generate_bills(region, month, actor=actor, unit_ids=[unit_id], audit=False, seed=False)
            continue
        month_bills = [bill["pk"], *Bill.objects.filter(adjusts_id=bill["pk"]).values_list("pk", flat=True)]
        billed = _billed(month_bills, wanted)
        _, employees, bases, numbers, names = billable(region, month, [unit_id])
        should = {int(e): (int(b), n, m) for e, b, n, m in zip(employees.tolist(), bases.tolist(), numbers, names,
                                                               strict=True) if e in wanted and b >= 0}
        rows = []
        for employee_id in sorted(wanted):
            before = billed.get(employee_id)
            now = should.get(employee_id)
            if before is None and now is None:
                continue
            facts = (now[1], now[2]) if now else (before["id_number"], before["name"])
            rows.append((employee_id, *facts, to_fen(before["base"]) if before else None, now[0] if now else 0,
                         before["unit_fen"] if before else 0, before["person_fen"] if before else 0))
        if not rows:
            continue
        # the difference: the shares now due at the month's rates less what the month's bills charged
        new_unit, new_person, constants = rules.shares_many(region, month, [r[4] for r in rows])
        d_unit = new_unit.astype(np.int64) - np.array([r[5] for r in rows], dtype=np.int64)
        d_person = new_person.astype(np.int64) - np.array([r[6] for r in rows], dtype=np.int64)
        changed = [i for i, r in enumerate(rows) if (r[3] or 0) != r[4] or d_unit[i] or d_person[i]]
        if not changed:
            continue
        rows, d_unit, d_person = [rows[i] for i in changed], d_unit[changed], d_person[changed]
        d_base = np.array([r[4] - (r[3] or 0) for r in rows], dtype=np.int64)
        adjustment = Bill.objects.create(
            region_id=region, unit_id=unit_id, month=month, kind=BillKind.ADJUSTMENT, status=BillStatus.DRAFT,
            adjusts_id=bill["pk"], reason=reason[:200], person_count=len(rows), base_total=from_fen(int(d_base.sum())),
            unit_total=from_fen(int(d_unit.sum())), individual_total=from_fen(int(d_person.sum())),
            amount_due=from_fen(int(d_unit.sum() + d_person.sum())), rounding=constants.get("rounding", ""),
            generated_at=timezone.now())
        BillLine.objects.bulk_create([
            BillLine(bill=adjustment, employee_id=r[0], id_number=r[1], name=r[2], base=from_fen(r[4]),
                     previous_base=None if r[3] is None else from_fen(r[3]), unit_share=from_fen(int(u)),
                     individual_share=from_fen(int(p)))
            for r, u, p in zip(rows, d_unit.tolist(), d_person.tolist(), strict=True)])
        made.append(adjustment)
        audits.append({"action": "contributions.bill_adjust", "object_type": "bill", "object_id": adjustment.pk,
                       "after": {"unit": unit["unit_number"], "month": month, "adjusts": bill["pk"],
                                 "people": len(rows), "amount_due": adjustment.amount_due, "reason": reason},
                       "division_path": unit["division__path"]})
    if audits:
        record_events(actor, audits)
    return made


def _on_bases_changed(*, unit_id, employee_ids, from_month, reason, actor) -> None:
    adjust(unit_id=unit_id, employee_ids=employee_ids, from_month=from_month, reason=reason, actor=actor)


def register() -> None:
    if _on_bases_changed not in registry._BASES_CHANGED:
        registry.on_bases_changed(_on_bases_changed)
