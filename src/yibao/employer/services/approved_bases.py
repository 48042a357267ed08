"""Approved bases (核定入库) and their spans of months, and a newly published average wage that
re-clamps them. The engine derives every bound and every clamp; ``AverageWage`` keeps only the
published fact (amount, date, document)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao import registry
from yibao.audit.services import record_event, record_events
from yibao.dbutil import bulk_set
from yibao.months import Month

from .. import rules
from ..errors import Conflict, DeclarationError, parse_amount
from ..models import (
    ApprovedBase,
    AverageWage,
    Declaration,
    DeclarationKind,
    FlexibleBaseChoice,
    FlexibleWorker,
)


def store_bases(declaration: Declaration, month_from: Month | None = None) -> None:
    """核定入库: the lines become the year's bases from ``month_from`` (January by default). Where
    an average wage recorded for the year takes effect later in the year, the base is re-clamped
    by the engine to its bounds from that month on, as ``record_average_wage`` does for bases
    already stored."""
    year = declaration.year
    month_from = month_from or Month.first_of(year)
    month_to = Month.last_of(year)
    region = declaration.unit.region_id
    current = {b.employee_id: b for b in ApprovedBase.objects.filter(
        declaration__unit=declaration.unit, year=year, kind=declaration.kind, superseded=False,
        month_to__gte=month_from)}
    changes = rules.wages_taking_effect(region, year, after=month_from) \
        if declaration.kind == DeclarationKind.ACTIVE else []
    lines = list(declaration.lines.all())
    amounts = [line.declared_amount for line in lines]
    reclamped = [rules.clamp_many(region, change.effective_from, amounts, wage=change.wage) for change in changes]
    reason = "核定入库" if declaration.revision == 0 else "重新申报"
    new = []
    for i, line in enumerate(lines):
        old = current.get(line.employee_id)
        if old is not None:
            _close_span(old, month_from)
        start, base, how, why = month_from, line.base, line.clamp, reason
        for change, bases in zip(changes, reclamped, strict=True):
            new.append(ApprovedBase(unit=declaration.unit, employee_id=line.employee_id, declaration=declaration,
                                    kind=declaration.kind, year=year, month_from=start,
                                    month_to=change.effective_from.previous(), declared_amount=line.declared_amount,
                                    base=base, clamp=how, reason=why))
            start = change.effective_from
            base, how = bases[i]
            why = change.reason
        new.append(ApprovedBase(unit=declaration.unit, employee_id=line.employee_id, declaration=declaration,
                                kind=declaration.kind, year=year, month_from=start, month_to=month_to,
                                declared_amount=line.declared_amount, base=base, clamp=how, reason=why))
    ApprovedBase.objects.bulk_create(new, batch_size=2000)


def _close_span(span: ApprovedBase, month_from: Month) -> None:
    """End a stored span before ``month_from``; a span starting there is superseded whole."""
    if span.month_from >= month_from:
        ApprovedBase.objects.filter(pk=span.pk).update(superseded=True)
    else:
        ApprovedBase.objects.filter(pk=span.pk).update(month_to=month_from.previous())


# --- a newly published average wage ----------------------------------------------------------

@dataclass
class AverageWageRecorded:
    wage: AverageWage
    bounds: rules.Bounds   # the engine-derived bounds and the month they hold from
    changed: int           # re-clamped spans

    @property
    def message(self) -> str:
        return (f"已录入。自 {self.bounds.effective_from} 起缴费基数下限 {self.bounds.floor} 元、"
                f"上限 {self.bounds.ceiling} 元；已调整 {self.changed} 条核定基数。")


def _checked_wage_inputs(region, wage_year, annual_amount, published_on) -> tuple[int, Decimal, dt.date]:
    try:
        wage_year = int(wage_year)
    except (TypeError, ValueError):
        raise DeclarationError("工资年度无效。", code="invalid_input", fields={"wage_year": str(wage_year)}) from None
    if isinstance(published_on, str):
        try:
            published_on = dt.date.fromisoformat(published_on)
        except ValueError:
            raise DeclarationError("公布日期应为 YYYY-MM-DD 格式的日期。", code="invalid_input",
                                   fields={"published_on": published_on}) from None
    amount = parse_amount(annual_amount, "annual_amount")
    if AverageWage.objects.filter(region=region, wage_year=wage_year).exists():
        raise DeclarationError(f"{region.name}已录入 {wage_year} 年度平均工资。", code="already_recorded")
    return wage_year, amount, published_on


# A job recording a wage that has been queued or running longer than this is taken as lost (its
# worker stopped), and no longer keeps another administrator from recording the wage.
PENDING_WAGE_JOB = dt.timedelta(hours=2)


def publish_average_wage(*, region, wage_year, annual_amount, published_on, document: str = "", actor,
                         in_process: bool = False):
    """Record a newly published average wage: checked at once, then written by a background job
    (it re-clamps a whole region's year of stored bases, over a million in a city). Returns the
    job. ``in_process`` runs the job in this process (the command line, which has no worker)."""
    from yibao.jobs.models import Job, JobStatus
    from yibao.jobs.services import enqueue

    with transaction.atomic():
        # Two administrators recording the same wage at once: the region's row is locked until
        # the job is queued, so the second finds the first's job (or, run at once, its wage)
        # and is refused instead of queueing a duplicate.
        type(region).objects.select_for_update().only("pk").get(pk=region.pk)
        wage_year, amount, published_on = _checked_wage_inputs(region, wage_year, annual_amount, published_on)
        if Job.objects.filter(kind="average_wage.record", status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
                              params__region=region.key, params__wage_year=wage_year,
                              created_at__gte=timezone.now() - PENDING_WAGE_JOB).exists():
            raise Conflict(f"{region.name} {wage_year} 年度平均工资正在录入（任务进行中），请稍候查看结果。",
                           code="already_recording")
        return enqueue(actor, "average_wage.record", f"录入{region.name}{wage_year}年度平均工资并调整核定基数",
                       {"region": region.key, "wage_year": wage_year, "annual_amount": str(amount),
                        "published_on": published_on.isoformat(), "document": document}, in_process=in_process)


@transaction.atomic
def record_average_wage(*, region, wage_year, annual_amount, published_on, document: str = "",
                        actor, progress=None) -> AverageWageRecorded:
    """Record a newly published provincial average wage; the engine derives the new bounds from
    the month after publication, and every stored base of that year from then on is re-clamped
    (one transaction: all of it or none). ``progress(done, total)`` reports the spans examined."""
    wage_year, amount, published_on = _checked_wage_inputs(region, wage_year, annual_amount, published_on)
    try:
        with transaction.atomic():
            wage = AverageWage.objects.create(region=region, wage_year=wage_year, annual_amount=amount,
                                              published_on=published_on, document=document, recorded_by=actor)
    except IntegrityError:
        raise DeclarationError(f"{region.name}已录入 {wage_year} 年度平均工资。", code="already_recorded") from None
    b = rules.wage_effect(region.key, wage)
    changed = _reclamp(region, b, actor, progress=progress)
    # Audited last, in the same transaction: the region's audit chain is locked from its first
    # append until commit, so appending after the long re-clamp keeps other writers of the
    # region waiting only for the bulk audit of the re-clamped spans.
    record_event(actor, "average_wage.record", "average_wage", wage.pk, after={
        "region": region.key, "wage_year": wage_year, "annual_amount": amount, "published_on": published_on,
        "effective_from": b.effective_from, "floor": b.floor, "ceiling": b.ceiling, "reclamped": changed},
        division_path=region.path)
    return AverageWageRecorded(wage, b, changed)


def _reclamp(region, b: rules.Bounds, actor, progress=None) -> int:
    """Close every stored span of the year still running at the new bounds' first month whose
    base they change, open a new one from that month, and audit each (unit and person). The
    engine clamps the declared amounts in bulk; written in bulk: a city's year holds over a
    million spans."""
    effective_from = b.effective_from
    year = effective_from.year
    spans = (ApprovedBase.objects
             .filter(unit__region=region, year=year, kind=DeclarationKind.ACTIVE, superseded=False,
                     month_to__gte=effective_from)
             .values_list("pk", "unit_id", "employee_id", "declaration_id", "month_from", "month_to",
                          "declared_amount", "base", "unit__unit_number", "employee__id_number",
                          "unit__division__path"))
    total = spans.count()
    closes, superseded, new, audits = [], [], [], []
    before_month = effective_from.previous()
    for i, ((pk, unit_id, employee_id, declaration_id, month_from, month_to, declared, old_base, unit_number,
             id_number, path), (base, how)) in enumerate(_clamped(spans, region.key, b), start=1):
        if progress and i % 5000 == 0:
            progress(i, total)
        if base == old_base:
            continue
        if month_from >= effective_from:
            superseded.append(pk)
        else:
            closes.append((pk, str(before_month)))
        new.append(ApprovedBase(unit_id=unit_id, employee_id=employee_id, declaration_id=declaration_id,
                                kind=DeclarationKind.ACTIVE, year=year, month_from=effective_from, month_to=month_to,
                                declared_amount=declared, base=base, clamp=how, reason=b.reason))
        audits.append({"action": "approved_base.reclamp", "object_type": "approved_base", "object_id": pk,
                       "before": {"base": old_base, "months": f"{month_from}..{month_to}"},
                       "after": {"base": base, "months": f"{effective_from}..{month_to}", "unit": unit_number,
                                 "id_number": id_number}, "division_path": path})
    bulk_set(ApprovedBase, ["month_to"], closes)
    for start in range(0, len(superseded), 5000):
        ApprovedBase.objects.filter(pk__in=superseded[start:start + 5000]).update(superseded=True)
    ApprovedBase.objects.bulk_create(new, batch_size=2000)
    record_events(actor, audits)
    changed_by_unit: dict[int, list[int]] = {}
    for span in new:
        changed_by_unit.setdefault(span.unit_id, []).append(span.employee_id)
    for unit_id, employee_ids in changed_by_unit.items():   # adjusting entries for declared bills
        registry.bases_changed(unit_id=unit_id, employee_ids=employee_ids, from_month=effective_from,
                               reason=b.reason, actor=actor)
    if progress:
        progress(total, total)
    _reclamp_flexible(region, b, actor)
    return len(new)


def _clamped(spans, region_key: str, b: rules.Bounds, chunk: int = 50_000):
    """Each span with the base the engine derives from its declared amount under ``b``, a chunk
    of spans per engine call."""
    rows = []
    for row in spans.iterator(chunk_size=20_000):
        rows.append(row)
        if len(rows) == chunk:
            yield from zip(rows, _bases(rows, region_key, b), strict=True)
            rows = []
    if rows:
        yield from zip(rows, _bases(rows, region_key, b), strict=True)


def _bases(rows, region_key: str, b: rules.Bounds):
    return rules.clamp_many(region_key, b.effective_from, [r[6] for r in rows], wage=b.wage)


def _reclamp_flexible(region, b: rules.Bounds, actor) -> int:
    """Flexible workers' chosen bases in force from the new bounds' first month that fall
    outside them move to the nearest bound (the engine's clamp) from that month; the earlier
    choice stays as history."""
    effective_from = b.effective_from
    year = effective_from.year
    changed = 0
    for worker in FlexibleWorker.objects.filter(region=region).select_related("region"):
        choices = list(worker.choices.filter(year=year).order_by("chosen_at", "id"))
        in_force = [c for c in choices if c.month_from <= effective_from][-1:]
        later = [c for c in choices if c.month_from > effective_from]
        for choice in in_force + later:
            month_from = max(choice.month_from, effective_from)
            base, how = rules.base(region.key, month_from, choice.base, wage=b.wage)
            if how == "none":
                continue
            FlexibleBaseChoice.objects.create(worker=worker, year=year, month_from=month_from, base=base)
            record_event(actor, "flexible_base.reclamp", "flexible_worker", worker.pk,
                         before={"base": choice.base, "month_from": choice.month_from},
                         after={"base": base, "month_from": month_from, "reason": b.reason},
                         division_path=worker.region.path)
            changed += 1
    return changed


# --- a base corrected after the fact (稽核更正) ------------------------------------------------

@transaction.atomic
def correct_base(unit, employee, *, wage, month_from, reason: str, actor) -> list[ApprovedBase]:
    """An auditor's correction: the person's wage as found (``wage``, monthly) holds from
    ``month_from``. The stored spans of that year running at ``month_from`` are closed before it
    (or superseded whole) and new spans open from it to the year's end, the base derived by the
    engine (保底封顶) from the corrected wage, as for any declared wage, re-derived where a newly
    published average wage takes effect later in the year. The listeners of
    ``registry.bases_changed`` (the contribution bills) are told in this transaction."""
    from yibao import registry

    try:
        month_from = Month.coerce(month_from)
    except (TypeError, ValueError):
        raise DeclarationError("更正起始月份应为 YYYY-MM 格式。", code="invalid_input",
                               fields={"month_from": str(month_from)[:20]}) from None
    amount = parse_amount(wage, "wage")
    if employee.unit_id != unit.pk:
        raise DeclarationError(f"{employee.name} 不是{unit.name}的参保职工。", code="not_in_unit")
    if employee.retired:
        raise DeclarationError(f"{employee.name} 是退休人员，没有在职缴费基数可更正。", code="retiree")
    year = month_from.year
    spans = list(ApprovedBase.objects.select_for_update()
                 .filter(unit=unit, employee=employee, year=year, kind=DeclarationKind.ACTIVE, superseded=False,
                         month_to__gte=month_from).order_by("month_from"))
    covering = [s for s in spans if s.month_from <= month_from]
    if not covering:
        raise DeclarationError(f"{employee.name} {month_from} 没有核定缴费基数，不能更正。", code="no_approved_base",
                               fields={"month_from": str(month_from)})
    region = unit.region_id
    segments = [(month_from, rules.base(region, month_from, amount))]
    for change in rules.wages_taking_effect(region, year, after=month_from):
        segments.append((change.effective_from, rules.base(region, change.effective_from, amount, wage=change.wage)))
    before = [{"months": f"{s.month_from}..{s.month_to}", "base": s.base, "declared_amount": s.declared_amount}
              for s in spans]
    for span in spans:
        _close_span(span, month_from)
    new = []
    for i, (start, (base, how)) in enumerate(segments):
        end = segments[i + 1][0].previous() if i + 1 < len(segments) else Month.last_of(year)
        new.append(ApprovedBase(unit=unit, employee=employee, declaration_id=covering[0].declaration_id,
                                kind=DeclarationKind.ACTIVE, year=year, month_from=start, month_to=end,
                                declared_amount=amount, base=base, clamp=how, reason=reason[:200]))
    ApprovedBase.objects.bulk_create(new)
    record_event(actor, "approved_base.correct", "employee", employee.pk, before={"spans": before},
                 after={"unit": unit.unit_number, "wage": amount, "month_from": month_from, "reason": reason,
                        "spans": [{"months": f"{s.month_from}..{s.month_to}", "base": s.base, "clamp": s.clamp}
                                  for s in new]},
                 division_path=unit.division.path)
    registry.bases_changed(unit_id=unit.pk, employee_ids=[employee.pk], from_month=month_from, reason=reason,
                           actor=actor)
    return new
