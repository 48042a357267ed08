"""Monthly bills (缴费单据): generated for a region and month from the insurance spans and the
approved bases, set-based (numpy through the engine's batch path; COPY on PostgreSQL through
``yibao.dbutil.bulk_insert``); declared by the unit (申报), after which they are frozen.

Regenerating replaces the month's undeclared bills whole and leaves declared ones untouched, so
running it twice gives the same bills (idempotent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.dbutil import bulk_insert, db_value
from yibao.employer import contributing
from yibao.jobs.services import enqueue
from yibao.money import fen_text
from yibao.months import Month

from .. import rules
from ..errors import Conflict, ContributionError
from ..models import Bill, BillKind, BillLine, BillStatus, InsuranceSpan
from . import late_fees
from .spans import refuse_unless_open, seed_spans

LINE_FIELDS = ["bill_id", "employee_id", "id_number", "name", "base", "previous_base", "unit_share",
               "individual_share"]


@dataclass
class Generated:
    region: str
    month: Month
    bills: int
    lines: int
    frozen: int           # units whose declared bill was left as it was
    without_base: int     # insured people with neither an approved base nor a new hire's base
    not_open: int = 0     # units suspended or closed for the whole month: not billed

    @property
    def message(self) -> str:
        text = f"已生成 {self.month} 缴费单据 {self.bills} 张，{self.lines} 人。"
        if self.frozen:
            text += f"{self.frozen} 个单位已申报，单据未变。"
        if self.without_base:
            text += f"{self.without_base} 人没有核定缴费基数，未列入。"
        if self.not_open:
            text += f"{self.not_open} 个单位当月暂停或注销，未生成单据。"
        return text

    def public(self) -> dict:
        return {"region": self.region, "month": str(self.month), "bills": self.bills, "lines": self.lines,
                "frozen": self.frozen, "without_base": self.without_base, "not_open": self.not_open}


def _span_rows(region: str, month: Month, unit_ids):
    qs = (InsuranceSpan.objects.filter(region_id=region, month_from__lte=month)
          .filter(Q(month_to__isnull=True) | Q(month_to__gte=month))
          .filter(Q(month_to__isnull=True) | Q(month_to__gte=F("month_from"))))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return (qs.order_by("unit_id", "employee_id").annotate(fen=Coalesce(contributing.in_fen("base"), -1))
            .values_list("unit_id", "employee_id", "fen", "id_number", "name"))


def billable(region: str, month: Month, unit_ids=None):
    """Who is billed in ``month`` and on what base: arrays (unit ids, employee ids, bases in fen)
    and the numbers and names, sorted by unit then employee (by the database). Base: the approved
    base covering the month, else the span's own (a new hire's); -1 for neither."""
    rows = list(_span_rows(region, month, unit_ids).iterator(chunk_size=50_000))
    numbers = [r[3] for r in rows]
    names = [r[4] for r in rows]
    table = np.array([r[:3] for r in rows], dtype=np.int64).reshape(-1, 3)
    del rows
    units_a, employees_a, bases = table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy()
    approved_ids, approved_bases = contributing.bases_in_month(region, month, unit_ids=unit_ids)
    if approved_ids.size and employees_a.size:
        at = np.minimum(np.searchsorted(approved_ids, employees_a), approved_ids.size - 1)
        found = approved_ids[at] == employees_a
        bases[found] = approved_bases[at[found]]
    return units_a, employees_a, bases, numbers, names


def _frozen_units(region: str, month: Month, unit_ids=None) -> set[int]:
    """The units whose regular bill of the month is declared. The month's regular bills are locked
    first (FOR UPDATE), so a bill being declared meanwhile is waited for and then read as declared,
    and a bill not yet declared cannot be declared until this generation has replaced it."""
    bills = Bill.objects.select_for_update().filter(region_id=region, month=month, kind=BillKind.REGULAR)
    if unit_ids is not None:
        bills = bills.filter(unit_id__in=unit_ids)
    return {unit_id for unit_id, status in bills.order_by("pk").values_list("unit_id", "status").iterator(50_000)
            if status == BillStatus.DECLARED}


def _delete_drafts(region: str, month: Month, unit_ids) -> None:
    drafts = Bill.objects.filter(region_id=region, month=month, kind=BillKind.REGULAR, status=BillStatus.DRAFT)
    if unit_ids is not None:
        drafts = drafts.filter(unit_id__in=unit_ids)
    # set-based: two DELETE statements, whatever the number of lines (no per-row collection)
    BillLine.objects.filter(bill_id__in=drafts.values("pk"))._raw_delete(BillLine.objects.db)
    drafts._raw_delete(Bill.objects.db)


@transaction.atomic
def generate_bills(region: str, month, *, actor, unit_ids: list[int] | None = None, progress=None,
                   audit: bool = True, seed: bool = True) -> Generated:
    """The month's bills of a region (or of some of its units): undeclared ones replaced whole,
    declared ones left frozen. One transaction; the region's row is locked so two generations of
    a region queue up."""
    from yibao.regions.models import Division

    month = Month.coerce(month)
    division = Division.objects.select_for_update().filter(pk=region).first()
    if division is None:
        from ..errors import NotFound

        raise NotFound("没有这个统筹区。")
    if seed:
        seed_spans(region, month.year)
    units, employees, bases, numbers, names = billable(region, month, unit_ids)
    if progress:
        progress(1, 4)
    frozen = _frozen_units(region, month, unit_ids)
    shut = contributing.units_not_open(region, month, unit_ids)
    keep = np.ones(units.size, dtype=bool)
    if frozen or shut:
        keep &= ~np.isin(units, np.fromiter(frozen | shut, dtype=np.int64))
    has_base = bases >= 0
    without_base = int((keep & ~has_base).sum())
    keep &= has_base
    idx = np.nonzero(keep)[0]
    units, employees, bases = units[idx], employees[idx], bases[idx]
    unit_share, individual_share, constants = rules.shares_many(region, month, bases)
    if progress:
        progress(2, 4)
    late_fees.release_from_drafts(region, month, unit_ids)
    _delete_drafts(region, month, unit_ids)
    # one bill per unit: totals by unit (sorted, so each unit's lines are one run)
    bill_units, starts, counts = np.unique(units, return_index=True, return_counts=True)
    sums = [np.add.reduceat(a, starts) if a.size else a for a in (bases, unit_share, individual_share)]
    now = timezone.now()
    now_db = db_value(Bill, "generated_at", now)
    rounding = constants.get("rounding", "")
    bill_rows = []
    for i, unit_id in enumerate(bill_units.tolist()):
        b, u, p = int(sums[0][i]), int(sums[1][i]), int(sums[2][i])
        bill_rows.append((region, unit_id, str(month), BillKind.REGULAR, BillStatus.DRAFT, int(counts[i]),
                          fen_text(b), fen_text(u), fen_text(p), fen_text(u + p), "0.00",
                          "0.00", rounding, now_db, ""))
    bulk_insert(Bill, ["region_id", "unit_id", "month", "kind", "status", "person_count", "base_total", "unit_total",
                       "individual_total", "amount_due", "amount_paid", "late_fee_total", "rounding", "generated_at",
                       "reason"],
                bill_rows, prepared=True)
    ids = dict(Bill.objects.filter(region_id=region, month=month, kind=BillKind.REGULAR, status=BillStatus.DRAFT,
                                   **({"unit_id__in": unit_ids} if unit_ids is not None else {}))
               .values_list("unit_id", "pk"))
    if progress:
        progress(3, 4)
    bill_of_line = np.repeat(np.array([ids[u] for u in bill_units.tolist()], dtype=np.int64), counts)
    if idx.size != len(numbers):
        numbers, names = [numbers[i] for i in idx], [names[i] for i in idx]
    lines = _line_rows(bill_of_line, employees, numbers, names, bases, unit_share, individual_share)
    written = bulk_insert(BillLine, LINE_FIELDS, lines, prepared=True)
    late_fees.carry_waiting(region, month, unit_ids)
    result = Generated(region, month, len(bill_rows), written, len(frozen), without_base, len(shut - frozen))
    if audit:
        record_event(actor, "contributions.bills_generate", "region", region, after={
            **result.public(), "units": unit_ids if unit_ids is not None and len(unit_ids) <= 20 else None},
            division_path=division.path)
    if progress:
        progress(4, 4)
    return result


def _yuan(fen: np.ndarray) -> list[str]:
    """Whole fen (int64) as exact yuan text for the database: no binary float on the way."""
    return [fen_text(f) for f in fen.tolist()]


def _line_rows(bill_ids, employees, numbers, names, bases, unit_share, individual_share):
    return zip(bill_ids.tolist(), employees.tolist(), numbers, names, _yuan(bases), [None] * len(numbers),
               _yuan(unit_share), _yuan(individual_share), strict=True)


def _require_whole_region(actor, region: str) -> None:
    """Generating covers every unit of the region: the actor's area must hold all of it (a
    county's clerk reaches the city's region, but may not regenerate the whole city's bills)."""
    from yibao.access.scoping import scope_of
    from yibao.regions.models import Division

    division = Division.objects.filter(key=region, is_pooling_region=True).first()
    if division is None or not scope_of(actor).holds(division.path):
        raise ContributionError(f"须由负责统筹区 {region} 全域的经办人员生成缴费单据。", code="outside_area",
                                fields={"region": "只负责统筹区的一部分或不在负责区域内"})


def start_generation(region: str, month, *, actor, in_process: bool = False):
    """Generate a region's bills as a job (a city's month is over a million lines): the job
    record carries the progress for the page and the command line."""
    month = Month.coerce(month)
    _require_whole_region(actor, region)
    return enqueue(actor, "contributions.generate", f"生成{region} {month} 缴费单据",
                   {"region": region, "month": str(month)}, in_process=in_process)


@transaction.atomic
def declare_bill(bill: Bill, *, actor, counter: bool = False, on: dt.date | None = None) -> Bill:
    """申报: the unit declares a bill; from then on it is frozen. ``on``: the business date of the
    declaration (default today's; a payment dated before it is refused)."""
    found = Bill.objects.select_for_update().filter(pk=bill.pk).first()
    if found is None:
        # the draft was replaced by a regeneration (or removed) after it was read
        raise Conflict(f"{bill.month} 的缴费单据已重新生成，原单据不再有效：请打开新的单据核对后再申报。",
                       code="bill_regenerated", fields={"bill": bill.pk})
    bill = found
    refuse_unless_open(bill.unit_id, "申报该月缴费单据", month=bill.month, region=bill.region_id)
    if bill.status == BillStatus.DECLARED:
        raise ContributionError(f"{bill.month} 的缴费单据已于 {timezone.localtime(bill.declared_at):%Y-%m-%d %H:%M} 申报，"
                                "不能再次申报；如有更正，系统生成补差单据。", code="already_declared")
    now = timezone.now()
    Bill.objects.filter(pk=bill.pk).update(status=BillStatus.DECLARED, declared_at=now, declared_on=on or clock.today(),
                                           declared_by_id=getattr(actor, "pk", None))
    bill.refresh_from_db()
    unit = contributing.unit_facts([bill.unit_id])[bill.unit_id]
    record_event(actor, "contributions.bill_declare", "bill", bill.pk, after={
        "unit": unit["unit_number"], "month": bill.month, "kind": bill.kind, "amount_due": bill.amount_due,
        "counter": counter}, division_path=unit["division__path"])
    return bill


def refuse_if_frozen(bill: Bill) -> None:
    if bill.frozen:
        raise ContributionError("已申报的缴费单据不能修改；更正以补差单据办理。", code="bill_frozen")

