"""Writes of the employee scheme: the yearly base declaration and its review.

Each public function is one business action in one transaction, asks the policy engine (via
``rules``) for every number and date, and appends to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event, record_events
from yibao.dbutil import bulk_set

from . import rules
from .models import (
    ApprovedBase,
    AverageWage,
    Clamp,
    Declaration,
    DeclarationKind,
    DeclarationLine,
    DeclarationStatus,
    Employee,
    FlexibleBaseChoice,
    FlexibleWorker,
    Material,
    PersonStatus,
    Unit,
)

FEN = Decimal("0.01")


class DeclarationError(ValueError):
    """A refused action; ``str(exc)`` is the Chinese message shown to the user."""


def to_money(value) -> Decimal:
    """Parse a declared amount: a positive number of yuan, rounded to the fen (half up)."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise DeclarationError(f"“{value}”不是有效的金额") from None
    if not amount.is_finite():
        raise DeclarationError(f"“{value}”不是有效的金额")
    if amount <= 0:
        raise DeclarationError("金额必须大于0")
    if amount >= Decimal("100000000"):
        raise DeclarationError("金额过大，请核对（单位：元/月）")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def _month(year: int, month: int = 1) -> str:
    return f"{year:04d}-{month:02d}"


def _audit(actor, action: str, declaration: Declaration, *, before=None, after=None) -> None:
    record_event(actor, action, "declaration", declaration.pk, before=before, after=after,
                 division_path=declaration.unit.division.path)


# --- opening a declaration ---------------------------------------------------------------

@transaction.atomic
def open_declaration(unit: Unit, year: int, kind: str = DeclarationKind.ACTIVE, *, actor=None) -> Declaration:
    """The unit's declaration for ``year``, created on first visit with one line per insured
    person (in service, or retired for kind ``retiree``), pre-filled from last year."""
    if kind not in DeclarationKind.values:
        raise DeclarationError("申报类型无效。")
    if not rules.year_configured(unit.region_id, year):
        raise DeclarationError(f"本统筹区尚未配置 {year} 年度的缴费基数政策，不能申报该年度。")
    if kind == DeclarationKind.RETIREE and not unit.civil_servant_subsidy:
        raise DeclarationError("只有参加公务员医疗补助的单位需要申报退休人员个人账户划入基数。")
    existing = Declaration.objects.filter(unit=unit, year=year, kind=kind).first()
    if existing:
        return existing
    declaration = Declaration.objects.create(unit=unit, year=year, kind=kind)
    people = unit.employees.filter(retired=(kind == DeclarationKind.RETIREE), status=PersonStatus.ACTIVE)
    last_year = _last_bases(unit, year - 1, kind)
    DeclarationLine.objects.bulk_create([
        DeclarationLine(declaration=declaration, employee=p, id_number=p.id_number, name=p.name,
                        employee_number=p.employee_number, previous_base=last_year.get(p.pk))
        for p in people
    ])
    refresh_totals(declaration)
    _audit(actor, "declaration.open", declaration, after={"year": year, "kind": kind,
                                                          "lines": declaration.line_count})
    return declaration


def _last_bases(unit: Unit, year: int, kind: str) -> dict[int, Decimal]:
    """Each person's latest approved base of ``year``."""
    out: dict[int, Decimal] = {}
    for b in ApprovedBase.objects.filter(unit=unit, year=year, kind=kind, superseded=False).order_by("month_from"):
        out[b.employee_id] = b.base
    return out


def _at_floor_q(declaration: Declaration) -> Q:
    """Lines that contribute on the floor base (按最低缴费基数缴费): clamped up to it, or declared
    exactly at it. Retiree declarations have no floor."""
    if declaration.kind != DeclarationKind.ACTIVE:
        return Q(pk__in=[])
    b = rules.bounds(declaration.unit.region_id, _month(declaration.year))
    return Q(base__lte=b.floor)


def refresh_totals(declaration: Declaration) -> None:
    agg = declaration.lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"),
                                      floor=Count("id", filter=_at_floor_q(declaration)))
    Declaration.objects.filter(pk=declaration.pk).update(
        line_count=agg["n"] or 0, wage_total=agg["wages"] or 0, base_total=agg["bases"] or 0,
        at_floor_count=agg["floor"] or 0)
    declaration.refresh_from_db()


# --- filling lines -----------------------------------------------------------------------------

def _compute(declaration: Declaration, amount: Decimal, b: rules.Bounds | None) -> tuple[Decimal, str]:
    if declaration.kind == DeclarationKind.RETIREE:
        v = rules.ask(declaration.unit.region_id, "employee.retiree_allotment_base",
                      month=_month(declaration.year), pension=amount)
        return Decimal(v["base"]), Clamp.NONE
    assert b is not None
    return rules.clamp(amount, b)


def _bounds_for(declaration: Declaration) -> rules.Bounds | None:
    if declaration.kind == DeclarationKind.RETIREE:
        return None
    return rules.bounds(declaration.unit.region_id, _month(declaration.year))


def _require_editable(declaration: Declaration) -> None:
    if not declaration.editable:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能修改。")


@transaction.atomic
def set_amount(declaration: Declaration, line_id: int, value, *, actor=None) -> DeclarationLine:
    """Online editing of one line: the declared wage (or pension) is kept as declared, the base
    is derived from it by the policy."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _require_editable(declaration)
    line = declaration.lines.filter(pk=line_id).first()
    if line is None:
        raise DeclarationError("申报明细不存在。")
    amount = to_money(value)
    before = {"declared_amount": line.declared_amount, "base": line.base}
    line.declared_amount = amount
    line.base, line.clamp = _compute(declaration, amount, _bounds_for(declaration))
    line.save(update_fields=["declared_amount", "base", "clamp"])
    refresh_totals(declaration)
    record_event(actor, "declaration.line.set", "declaration_line", line.pk, before=before,
                 after={"declared_amount": line.declared_amount, "base": line.base, "clamp": line.clamp,
                        "id_number": line.id_number},
                 division_path=declaration.unit.division.path)
    return line


@dataclass
class RowError:
    row: int          # 1-based row number in the uploaded sheet (header is row 1)
    column: str
    message: str


class ImportRejected(DeclarationError):
    def __init__(self, errors: list[RowError], header: list[str] | None = None, rows: list[list] | None = None,
                 header_row: int = 1):
        self.errors = errors
        self.header = header or []
        self.rows = rows or []
        self.header_row = header_row
        super().__init__(f"文件中有 {len(errors)} 处错误，未导入任何数据。请按错误清单修改后重新上传。")


@transaction.atomic
def apply_amounts(declaration: Declaration, amounts: dict[str, Decimal], *, actor=None, source: str = "",
                  progress=None) -> int:
    """Write validated amounts (identity number → amount) to the lines, all or nothing."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _require_editable(declaration)
    b = _bounds_for(declaration)
    rows = []
    for i, (pk, id_number) in enumerate(declaration.lines.values_list("pk", "id_number").iterator(chunk_size=10_000),
                                        start=1):
        amount = amounts.get(id_number)
        if amount is None:
            continue
        base, how = _compute(declaration, amount, b)
        rows.append((pk, amount, base, how))
        if progress:
            progress(i)
    bulk_set(DeclarationLine, ["declared_amount", "base", "clamp"], rows)
    changed = rows
    refresh_totals(declaration)
    _audit(actor, "declaration.import", declaration,
           after={"source": source, "rows": len(changed), "wage_total": declaration.wage_total})
    return len(changed)


# --- materials ----------------------------------------------------------------------------------

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
ALLOWED_MATERIAL_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff_type(head: bytes) -> str | None:
    """Type by content (magic bytes), never by the file's name."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


@transaction.atomic
def upload_material(declaration: Declaration, code: str, uploaded, *, actor) -> Material:
    _require_editable(declaration)
    required = {m["code"]: m for m in rules.required_materials(
        declaration.unit.region_id, declaration.year, retiree=declaration.kind == DeclarationKind.RETIREE)}
    if code not in required:
        raise DeclarationError("该材料不在本统筹区要求的申报材料之列。")
    if uploaded.size > MAX_MATERIAL_BYTES:
        raise DeclarationError(f"文件过大：不能超过 {MAX_MATERIAL_BYTES // 1024 // 1024} MB。")
    if uploaded.size == 0:
        raise DeclarationError("文件是空的。")
    data = uploaded.read()
    content_type = sniff_type(data[:16])
    if content_type is None:
        raise DeclarationError("只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容识别，与文件名无关）。")
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(settings.MEDIA_ROOT) / "materials" / str(declaration.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}-{digest[:16]}{ALLOWED_MATERIAL_TYPES[content_type]}"
    path.write_bytes(data)
    material = Material.objects.create(
        declaration=declaration, code=code, title=required[code]["title"],
        original_name=Path(getattr(uploaded, "name", "") or "upload").name[:200], content_type=content_type,
        size=len(data), sha256=digest, path=str(path), uploaded_by=actor)
    _audit(actor, "declaration.material.upload", declaration,
           after={"code": code, "sha256": digest, "size": len(data)})
    return material


def missing_materials(declaration: Declaration) -> list[dict]:
    required = rules.required_materials(declaration.unit.region_id, declaration.year,
                                        retiree=declaration.kind == DeclarationKind.RETIREE)
    have = set(declaration.materials.values_list("code", flat=True))
    return [m for m in required if m["code"] not in have]


# --- checks, submission, review, confirmation -------------------------------------------------------

def run_checks(declaration: Declaration) -> dict:
    """The automatic checks the agency sees before deciding (and the unit before submitting)."""
    region = declaration.unit.region_id
    lines = declaration.lines.all()
    missing = missing_materials(declaration)
    empty = lines.filter(declared_amount__isnull=True).count()
    wrong_names, wrong_count = _lines_with_wrong_base(declaration, lines)
    agg = lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"),
                          floor=Count("id", filter=_at_floor_q(declaration)))
    roster = declaration.unit.employees.filter(
        retired=declaration.kind == DeclarationKind.RETIREE, status=PersonStatus.ACTIVE).count()
    totals_agree = (agg["n"] == declaration.line_count == roster
                    and (agg["wages"] or 0) == declaration.wage_total
                    and (agg["bases"] or 0) == declaration.base_total)
    checks = {
        "materials": {"ok": not missing, "missing": [m["title"] for m in missing]},
        "complete": {"ok": empty == 0, "empty_lines": empty},
        "bases": {"ok": wrong_count == 0, "wrong": wrong_names, "wrong_count": wrong_count},
        "totals": {"ok": totals_agree, "lines": agg["n"], "roster": roster,
                   "wage_total": str(agg["wages"] or 0), "base_total": str(agg["bases"] or 0)},
    }
    if declaration.kind == DeclarationKind.ACTIVE:
        at_floor = agg["floor"] or 0
        contributors = agg["n"] or 0
        required = rules.self_inspection_required(region, contributors, at_floor, declaration.year)
        checks["floor_share"] = {"ok": not required, "configured": required is not None, "at_floor": at_floor,
                                 "contributors": contributors,
                                 "share": f"{(at_floor * 100 / contributors) if contributors else 0:.1f}%"}
        guideline = rules.industry_guideline(region, declaration.year, declaration.unit.industry)
        if guideline is None:
            checks["guideline"] = {"ok": True, "configured": False}
        else:
            below = lines.filter(base__lt=guideline).count()
            checks["guideline"] = {"ok": below == 0, "configured": True, "guideline": str(guideline),
                                   "below": below}
    checks["ok"] = all(v["ok"] for k, v in checks.items() if isinstance(v, dict))
    return checks


def _fen(field: str):
    """A money column as whole fen (an integer), computed by the database: reading 100,000
    amounts as integers avoids converting each to ``Decimal`` in Python."""
    return Cast(Round(ExpressionWrapper(F(field) * Value(100), output_field=DecimalField())), BigIntegerField())


WRONG_NAMES_SHOWN = 20


def _lines_with_wrong_base(declaration: Declaration, lines) -> tuple[list[str], int]:
    """The filled lines whose stored base is not the one the policy derives from the declared
    amount: the names of the first few, and how many in all. Active declarations go through the
    engine's batch path (a unit may have 100,000 people); retiree lines, few, one by one."""
    filled = lines.exclude(declared_amount__isnull=True)
    if declaration.kind != DeclarationKind.ACTIVE:
        wrong = [name for name, declared, base in filled.values_list("name", "declared_amount", "base")
                 if _compute(declaration, declared, None)[0] != base]
        return wrong[:WRONG_NAMES_SHOWN], len(wrong)
    rows = np.array(list(filled.annotate(w=_fen("declared_amount"), b=Coalesce(_fen("base"), Value(-1)))
                         .values_list("pk", "w", "b").iterator(chunk_size=20_000)), dtype=np.int64).reshape(-1, 3)
    expected = rules.clamped_fen(declaration.unit.region_id, _month(declaration.year), rows[:, 1])
    wrong = rows[expected != rows[:, 2], 0]
    shown = [int(pk) for pk in wrong[:WRONG_NAMES_SHOWN]]
    names = dict(lines.filter(pk__in=shown).values_list("pk", "name"))
    return [names[pk] for pk in shown], len(wrong)


@transaction.atomic
def submit(declaration: Declaration, *, actor, today: dt.date | None = None) -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status not in (DeclarationStatus.DRAFT, DeclarationStatus.REJECTED):
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能提交。")
    today = today or clock.today()
    # A retiree re-declaration after a pension adjustment (潍坊 notice 三(三)) may come at any
    # time of the year; everything else goes through the year's window.
    redeclaration = declaration.kind == DeclarationKind.RETIREE and declaration.revision > 0
    late = False
    if not redeclaration:
        try:
            window = rules.declaration_window(declaration.unit.region_id, today, declaration.year)
        except rules.RuleRefused as exc:
            raise DeclarationError(f"不能提交：{exc}") from exc
        late = bool(window.get("late")) and not window["open"]
        if not window["open"] and not (late and window.get("late_allowed")):
            raise DeclarationError(_window_message(window, today))
    if declaration.line_count == 0:
        raise DeclarationError("申报中没有人员，不能提交。")
    checks = run_checks(declaration)
    if not checks["complete"]["ok"]:
        raise DeclarationError(f"还有 {checks['complete']['empty_lines']} 人未填写申报金额。")
    if not checks["materials"]["ok"]:
        raise DeclarationError("请先上传以下材料：" + "、".join(checks["materials"]["missing"]))
    before = declaration.status
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.late = late
    declaration.submitted_at = timezone.now()
    declaration.checks = checks
    declaration.flagged = declaration.late or not checks["ok"]
    declaration.save()
    _audit(actor, "declaration.submit", declaration, before={"status": before},
           after={"status": declaration.status, "late": declaration.late})
    return declaration


def _window_message(window: dict, today: dt.date) -> str:
    opens, deadline = window.get("opens_on"), window.get("deadline")
    span = f"{opens} 至 {deadline}" if opens else f"截止 {deadline}"
    when = "申报期尚未开始" if opens and today.isoformat() < str(opens) else "当前不在申报期内"
    return f"{when}（申报期：{span}），不能提交。"


@transaction.atomic
def review(declaration: Declaration, *, actor, approve: bool, reasons: str = "") -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.SUBMITTED:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能审核。")
    reasons = (reasons or "").strip()
    if not approve and not reasons:
        raise DeclarationError("退回申报时必须填写审核意见。")
    declaration.checks = run_checks(declaration)
    declaration.status = DeclarationStatus.APPROVED if approve else DeclarationStatus.REJECTED
    declaration.reviewed_at = timezone.now()
    declaration.reviewed_by = actor
    declaration.review_reasons = reasons
    declaration.save()
    if approve:
        _store_bases(declaration, declaration.adjust_from or None)
    _audit(actor, "declaration.approve" if approve else "declaration.reject", declaration,
           before={"status": DeclarationStatus.SUBMITTED}, after={"status": declaration.status, "reasons": reasons})
    return declaration


def _store_bases(declaration: Declaration, month_from: str | None = None) -> None:
    """核定入库: the lines become the year's bases from ``month_from`` (January by default). Where
    an average wage recorded for the year takes effect later in the year, the base is re-clamped
    to its bounds from that month on, as ``record_average_wage`` does for bases already stored."""
    year = declaration.year
    month_from = month_from or _month(year, 1)
    month_to = _month(year, 12)
    current = {b.employee_id: b for b in ApprovedBase.objects.filter(
        declaration__unit=declaration.unit, year=year, kind=declaration.kind, superseded=False,
        month_to__gte=month_from)}
    changes = []
    if declaration.kind == DeclarationKind.ACTIVE:
        changes = list(AverageWage.objects.filter(region_id=declaration.unit.region_id,
                                                  effective_from__startswith=f"{year:04d}-",
                                                  effective_from__gt=month_from).order_by("effective_from"))
    reason = "核定入库" if declaration.revision == 0 else "重新申报"
    new = []
    for line in declaration.lines.all():
        old = current.get(line.employee_id)
        if old is not None:
            _close_span(old, month_from)
        start, base, how, why = month_from, line.base, line.clamp, reason
        for wage in changes:
            new.append(ApprovedBase(unit=declaration.unit, employee_id=line.employee_id, declaration=declaration,
                                    kind=declaration.kind, year=year, month_from=start,
                                    month_to=_previous_month(wage.effective_from), declared_amount=line.declared_amount,
                                    base=base, clamp=how, reason=why))
            start = wage.effective_from
            bounds = rules.Bounds(wage.floor, wage.ceiling, "average_wage")
            base, how = rules.clamp(line.declared_amount, bounds)
            why = rules.reclamp_reason(bounds)
        new.append(ApprovedBase(unit=declaration.unit, employee_id=line.employee_id, declaration=declaration,
                                kind=declaration.kind, year=year, month_from=start, month_to=month_to,
                                declared_amount=line.declared_amount, base=base, clamp=how, reason=why))
    ApprovedBase.objects.bulk_create(new, batch_size=2000)


def _previous_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:])
    return _month(y - 1, 12) if m == 1 else _month(y, m - 1)


def _close_span(span: ApprovedBase, month_from: str) -> None:
    """End a stored span before ``month_from``; a span starting there is superseded whole."""
    if span.month_from >= month_from:
        ApprovedBase.objects.filter(pk=span.pk).update(superseded=True)
    else:
        ApprovedBase.objects.filter(pk=span.pk).update(month_to=_previous_month(month_from))


@transaction.atomic
def confirm(declaration: Declaration, *, actor) -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.APPROVED:
        raise DeclarationError("只有审核通过的申报才能确认完成。")
    declaration.status = DeclarationStatus.CONFIRMED
    declaration.confirmed_at = timezone.now()
    declaration.save()
    _audit(actor, "declaration.confirm", declaration, before={"status": DeclarationStatus.APPROVED},
           after={"status": declaration.status})
    return declaration


@transaction.atomic
def reopen_for_adjustment(declaration: Declaration, *, month_from: str, actor) -> Declaration:
    """Re-declaration of retirees' allotment bases after a pension adjustment (潍坊 notice,
    part 3 (3)): a confirmed retiree declaration is opened again; on approval the new pensions
    hold from ``month_from``, and the earlier spans are kept as history."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month_from or "") or int(month_from[:4]) != declaration.year:
        raise DeclarationError(f"调整起始月份应为 {declaration.year} 年内的月份，格式如 {declaration.year}-07。")
    if declaration.kind != DeclarationKind.RETIREE:
        raise DeclarationError("只有退休人员个人账户划入基数可以在养老金调整后重新申报。")
    if declaration.status != DeclarationStatus.CONFIRMED:
        raise DeclarationError("只有已完成的申报才能重新申报。")
    rules.ask(declaration.unit.region_id, "employee.retiree_allotment_base", month=_month(declaration.year),
              pension=Decimal("1"))  # refuses where the region's notice has no such rule
    declaration.status = DeclarationStatus.DRAFT
    declaration.revision += 1
    declaration.adjust_from = month_from
    declaration.save()
    _audit(actor, "declaration.reopen", declaration, before={"status": DeclarationStatus.CONFIRMED},
           after={"status": declaration.status, "revision": declaration.revision, "month_from": month_from})
    return declaration


# --- a newly published average wage ----------------------------------------------------------

@transaction.atomic
def record_average_wage(*, region, wage_year: int, annual_amount, published_on: dt.date, document: str = "",
                        actor, progress=None) -> tuple[AverageWage, int]:
    """Record a newly published provincial average wage; the engine derives the new bounds from
    the month after publication, and every stored base of that year from then on is re-clamped
    (one transaction: all of it or none). Returns the record and the number of re-clamped spans.
    ``progress(done, total)`` reports the spans examined."""
    amount = to_money(annual_amount)
    v = rules.ask(region.key, "employee.bounds_after_publication", month=published_on.strftime("%Y-%m"),
                  annual_average_wage=amount, published_on=published_on.isoformat())
    effective_from = v["effective_from"]
    if AverageWage.objects.filter(region=region, wage_year=wage_year).exists():
        raise DeclarationError(f"{region.name}已录入 {wage_year} 年度平均工资。")
    wage = AverageWage.objects.create(region=region, wage_year=wage_year, annual_amount=amount,
                                      published_on=published_on, document=document, effective_from=effective_from,
                                      floor=Decimal(v["new_floor"]), ceiling=Decimal(v["new_ceiling"]),
                                      recorded_by=actor)
    record_event(actor, "average_wage.record", "average_wage", wage.pk, after={
        "region": region.key, "wage_year": wage_year, "annual_amount": amount, "published_on": published_on,
        "effective_from": effective_from, "floor": wage.floor, "ceiling": wage.ceiling}, division_path=region.path)
    changed = _reclamp(region, effective_from, rules.Bounds(wage.floor, wage.ceiling, "average_wage"), actor,
                       progress=progress)
    return wage, changed


def _reclamp(region, effective_from: str, b: rules.Bounds, actor, progress=None) -> int:
    """Close every stored span of the year still running at ``effective_from`` whose base the new
    bounds change, open a new one from that month, and audit each (unit and person). Written in
    bulk: a city's year holds over a million spans."""
    year = int(effective_from[:4])
    spans = (ApprovedBase.objects
             .filter(unit__region=region, year=year, kind=DeclarationKind.ACTIVE, superseded=False,
                     month_to__gte=effective_from)
             .values_list("pk", "unit_id", "employee_id", "declaration_id", "month_from", "month_to",
                          "declared_amount", "base", "unit__unit_number", "employee__id_number",
                          "unit__division__path"))
    total = spans.count()
    closes, superseded, new, audits = [], [], [], []
    reason = rules.reclamp_reason(b)
    before_month = _previous_month(effective_from)
    for i, (pk, unit_id, employee_id, declaration_id, month_from, month_to, declared, old_base, unit_number,
            id_number, path) in enumerate(spans.iterator(chunk_size=20_000), start=1):
        if progress and i % 5000 == 0:
            progress(i, total)
        base, how = rules.clamp(declared, b)
        if base == old_base:
            continue
        if month_from >= effective_from:
            superseded.append(pk)
        else:
            closes.append((pk, before_month))
        new.append(ApprovedBase(unit_id=unit_id, employee_id=employee_id, declaration_id=declaration_id,
                                kind=DeclarationKind.ACTIVE, year=year, month_from=effective_from, month_to=month_to,
                                declared_amount=declared, base=base, clamp=how, reason=reason))
        audits.append({"action": "approved_base.reclamp", "object_type": "approved_base", "object_id": pk,
                       "before": {"base": old_base, "months": f"{month_from}..{month_to}"},
                       "after": {"base": base, "months": f"{effective_from}..{month_to}", "unit": unit_number,
                                 "id_number": id_number}, "division_path": path})
    bulk_set(ApprovedBase, ["month_to"], closes)
    for start in range(0, len(superseded), 5000):
        ApprovedBase.objects.filter(pk__in=superseded[start:start + 5000]).update(superseded=True)
    ApprovedBase.objects.bulk_create(new, batch_size=2000)
    record_events(actor, audits)
    if progress:
        progress(total, total)
    _reclamp_flexible(region, effective_from, b, actor)
    return len(new)


def _reclamp_flexible(region, effective_from: str, b: rules.Bounds, actor) -> int:
    """Flexible workers' chosen bases in force from ``effective_from`` that fall outside the new
    bounds move to the nearest bound from that month; the earlier choice stays as history."""
    year = int(effective_from[:4])
    changed = 0
    for worker in FlexibleWorker.objects.filter(region=region).select_related("region"):
        choices = list(worker.choices.filter(year=year).order_by("chosen_at", "id"))
        in_force = [c for c in choices if c.month_from <= effective_from][-1:]
        later = [c for c in choices if c.month_from > effective_from]
        for choice in in_force + later:
            base, how = rules.clamp(choice.base, b)
            if how == Clamp.NONE:
                continue
            month_from = max(choice.month_from, effective_from)
            FlexibleBaseChoice.objects.create(worker=worker, year=year, month_from=month_from, base=base)
            record_event(actor, "flexible_base.reclamp", "flexible_worker", worker.pk,
                         before={"base": choice.base, "month_from": choice.month_from},
                         after={"base": base, "month_from": month_from,
                                "reason": rules.reclamp_reason(b)},
                         division_path=worker.region.path)
            changed += 1
    return changed


# --- flexible workers -----------------------------------------------------------------------

@transaction.atomic
def choose_flexible_base(worker: FlexibleWorker, *, month: str, value, actor) -> FlexibleBaseChoice:
    amount = to_money(value)
    try:
        base = rules.flexible_base(worker.region_id, month, amount)
    except rules.RuleRefused as exc:
        if exc.code == "out_of_range":
            b = rules.bounds(worker.region_id, month)
            raise DeclarationError(f"缴费基数须在 {b.floor} 元至 {b.ceiling} 元之间。") from exc
        raise DeclarationError(str(exc)) from exc
    choice = FlexibleBaseChoice.objects.create(worker=worker, year=int(month[:4]), month_from=month, base=base)
    record_event(actor, "flexible_base.choose", "flexible_worker", worker.pk,
                 after={"month_from": month, "base": choice.base}, division_path=worker.region.path)
    return choice


def employees_of(unit: Unit):
    return Employee.objects.filter(unit=unit)


def record_form_export(declaration: Declaration, form: str, ext: str, *, actor) -> None:
    """Printed forms carry whole identity numbers, so every export is audited."""
    record_event(actor, "declaration.form.export", "declaration", declaration.pk,
                 after={"form": form, "format": ext}, division_path=declaration.unit.division.path)
