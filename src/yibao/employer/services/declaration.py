"""The yearly base declaration (缴费基数申报): opening, filling, checks, submission, review,
confirmation and re-declaration. Each public function is one business action in one
transaction, asks the engine (through ``rules``) for every number and date, and is audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.dbutil import bulk_set
from yibao.months import Month

from .. import rules
from ..errors import DeclarationError, NotFound, RuleRefused, parse_amount
from ..models import (
    ApprovedBase,
    Clamp,
    Declaration,
    DeclarationKind,
    DeclarationLine,
    DeclarationStatus,
    PersonStatus,
    Unit,
)
from .approved_bases import store_bases
from .materials import missing_materials
from .units import refuse_unless_active, refuse_unless_notice_confirmed


def _counter(counter: bool) -> dict:
    """What an audit entry says of a step an agency clerk did at the counter (窗口办理)."""
    return {"counter": True} if counter else {}


def audit(actor, action: str, declaration: Declaration, *, before=None, after=None) -> None:
    record_event(actor, action, "declaration", declaration.pk, before=before, after=after,
                 division_path=declaration.unit.division.path)


def first_month(declaration: Declaration) -> Month:
    return Month.first_of(declaration.year)


# --- opening a declaration ---------------------------------------------------------------

@transaction.atomic
def open_declaration(unit: Unit, year: int, kind: str = DeclarationKind.ACTIVE, *, actor=None,
                     counter: bool = False) -> Declaration:
    """The unit's declaration for ``year``, created on first visit with one line per insured
    person (in service, or retired for kind ``retiree``), pre-filled from last year. A suspended
    or closed unit opens no new one. ``counter``: opened by an agency clerk at the counter
    (窗口办理) on the unit's behalf, recorded as such."""
    if kind not in DeclarationKind.values:
        raise DeclarationError("申报类型无效。", code="invalid_input", fields={"kind": kind})
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise DeclarationError(f"申报年度无效：{year}。", code="invalid_input", fields={"year": "申报年度无效"})
    if not rules.year_configured(unit.region_id, year):
        raise DeclarationError(f"本统筹区尚未配置 {year} 年度的缴费基数政策，不能申报该年度。", code="not_configured")
    if kind == DeclarationKind.RETIREE and not unit.civil_servant_subsidy:
        raise DeclarationError("只有参加公务员医疗补助的单位需要申报退休人员个人账户划入基数。", code="not_eligible")
    existing = Declaration.objects.filter(unit=unit, year=year, kind=kind).first()
    if existing:
        return existing
    refuse_unless_active(Unit.objects.get(pk=unit.pk))
    # Concurrent first visits (several tabs, a page and the API) open it once: the unit's row is
    # locked until this transaction commits, and the visits waiting for it then find the
    # declaration. Where the lock is not taken, the unique constraint decides.
    Unit.objects.select_for_update().only("pk").get(pk=unit.pk)
    existing = Declaration.objects.filter(unit=unit, year=year, kind=kind).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(unit=unit, year=year, kind=kind)
    except IntegrityError:
        return Declaration.objects.get(unit=unit, year=year, kind=kind)
    people = unit.employees.filter(retired=(kind == DeclarationKind.RETIREE), status=PersonStatus.ACTIVE)
    last_year = _last_bases(unit, year - 1, kind)
    DeclarationLine.objects.bulk_create([
        DeclarationLine(declaration=declaration, employee=p, id_number=p.id_number, name=p.name,
                        employee_number=p.employee_number, previous_base=last_year.get(p.pk))
        for p in people
    ])
    refresh_totals(declaration)
    audit(actor, "declaration.open", declaration, after={"year": year, "kind": kind, "lines": declaration.line_count,
                                                         **_counter(counter)})
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
    b = rules.bounds(declaration.unit.region_id, first_month(declaration))
    return Q(base__lte=b.floor)


def refresh_totals(declaration: Declaration) -> None:
    agg = declaration.lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"),
                                      floor=Count("id", filter=_at_floor_q(declaration)))
    Declaration.objects.filter(pk=declaration.pk).update(
        line_count=agg["n"] or 0, wage_total=agg["wages"] or 0, base_total=agg["bases"] or 0,
        at_floor_count=agg["floor"] or 0)
    declaration.refresh_from_db()


# --- filling lines -----------------------------------------------------------------------------

def derive_bases(declaration: Declaration, amounts: list[Decimal]) -> list[tuple[Decimal, str]]:
    """The base of each declared amount, as the engine derives it: 保底封顶 of wages through its
    batch path, the allotment base of pensions."""
    region, month = declaration.unit.region_id, first_month(declaration)
    if declaration.kind == DeclarationKind.RETIREE:
        return [(rules.retiree_base(region, month, a), Clamp.NONE) for a in amounts]
    return rules.clamp_many(region, month, amounts)


def _require_editable(declaration: Declaration) -> None:
    if not declaration.editable:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能修改。", code="wrong_status")


@transaction.atomic
def set_amount(declaration: Declaration, line_id: int, value, *, actor=None) -> DeclarationLine:
    """Online editing of one line: the declared wage (or pension) is kept as declared, the base
    is derived from it by the policy."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _require_editable(declaration)
    line = declaration.lines.filter(pk=line_id).first()
    if line is None:
        # a line of another declaration answers as one that does not exist (404)
        raise NotFound("申报明细不存在。", code="no_such_line")
    amount = parse_amount(value)
    before = {"declared_amount": line.declared_amount, "base": line.base}
    line.declared_amount = amount
    [(line.base, line.clamp)] = derive_bases(declaration, [amount])
    line.save(update_fields=["declared_amount", "base", "clamp"])
    refresh_totals(declaration)
    record_event(actor, "declaration.line.set", "declaration_line", line.pk, before=before,
                 after={"declared_amount": line.declared_amount, "base": line.base, "clamp": line.clamp,
                        "id_number": line.id_number},
                 division_path=declaration.unit.division.path)
    return line


@transaction.atomic
def apply_amounts(declaration: Declaration, amounts: dict[str, Decimal], *, actor=None, source: str = "",
                  progress=None, counter: bool = False) -> int:
    """Write validated amounts (identity number → amount) to the lines, all or nothing."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _require_editable(declaration)
    matched = []
    for i, (pk, id_number) in enumerate(declaration.lines.values_list("pk", "id_number").iterator(chunk_size=10_000),
                                        start=1):
        amount = amounts.get(id_number)
        if amount is not None:
            matched.append((pk, amount))
        if progress:
            progress(i)
    derived = derive_bases(declaration, [amount for _, amount in matched])
    rows = [(pk, amount, base, how) for (pk, amount), (base, how) in zip(matched, derived, strict=True)]
    bulk_set(DeclarationLine, ["declared_amount", "base", "clamp"], rows)
    refresh_totals(declaration)
    audit(actor, "declaration.import", declaration,
          after={"source": source, "rows": len(rows), "wage_total": declaration.wage_total, **_counter(counter)})
    return len(rows)


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
        rows = list(filled.values_list("name", "declared_amount", "base"))
        derived = derive_bases(declaration, [declared for _, declared, _ in rows])
        wrong = [name for (name, _, stored), (base, _) in zip(rows, derived, strict=True) if base != stored]
        return wrong[:WRONG_NAMES_SHOWN], len(wrong)
    rows = np.array(list(filled.annotate(w=_fen("declared_amount"), b=Coalesce(_fen("base"), Value(-1)))
                         .values_list("pk", "w", "b").iterator(chunk_size=20_000)), dtype=np.int64).reshape(-1, 3)
    expected, _ = rules.clamped_fen(declaration.unit.region_id, first_month(declaration), rows[:, 1])
    wrong = rows[expected != rows[:, 2], 0]
    shown = [int(pk) for pk in wrong[:WRONG_NAMES_SHOWN]]
    names = dict(lines.filter(pk__in=shown).values_list("pk", "name"))
    return [names[pk] for pk in shown], len(wrong)


@transaction.atomic
def submit(declaration: Declaration, *, actor, today: dt.date | None = None, counter: bool = False) -> Declaration:
    """Submit for review. Online, a unit of a region whose notice asks it (潍坊 二(一)1) must have
    confirmed the online-service notice first; at the counter (``counter``, an agency clerk on
    the unit's behalf) the online notice does not apply."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status not in (DeclarationStatus.DRAFT, DeclarationStatus.REJECTED):
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能提交。", code="wrong_status")
    today = today or clock.today()
    # A retiree re-declaration after a pension adjustment (潍坊 notice 三(三)) may come at any
    # time of the year; everything else goes through the year's window.
    redeclaration = declaration.kind == DeclarationKind.RETIREE and declaration.revision > 0
    late = False
    if not redeclaration:
        try:
            window = rules.declaration_window(declaration.unit.region_id, today, declaration.year)
        except RuleRefused as exc:
            raise RuleRefused(f"不能提交：{exc}", code=exc.code, missing=exc.missing,
                              explanation=exc.explanation) from exc
        late = bool(window.get("late")) and not window["open"]
        if not window["open"] and not (late and window.get("late_allowed")):
            raise DeclarationError(_window_message(window, today), code="outside_window")
    if declaration.line_count == 0:
        raise DeclarationError("申报中没有人员，不能提交。")
    checks = run_checks(declaration)
    if not checks["complete"]["ok"]:
        raise DeclarationError(f"还有 {checks['complete']['empty_lines']} 人未填写申报金额。", code="incomplete")
    if not checks["materials"]["ok"]:
        raise DeclarationError("请先上传以下材料：" + "、".join(checks["materials"]["missing"]),
                               code="materials_missing")
    if not counter:
        refuse_unless_notice_confirmed(declaration.unit, declaration.year)
    before = declaration.status
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.late = late
    declaration.submitted_at = timezone.now()
    declaration.checks = checks
    declaration.flagged = declaration.late or not checks["ok"]
    declaration.save()
    audit(actor, "declaration.submit", declaration, before={"status": before},
          after={"status": declaration.status, "late": declaration.late, **_counter(counter)})
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
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能审核。", code="wrong_status")
    reasons = (reasons or "").strip()
    if not approve and not reasons:
        raise DeclarationError("退回申报时必须填写审核意见。", code="invalid_input", fields={"reasons": "必填"})
    declaration.checks = run_checks(declaration)
    declaration.status = DeclarationStatus.APPROVED if approve else DeclarationStatus.REJECTED
    declaration.reviewed_at = timezone.now()
    declaration.reviewed_by = actor
    declaration.review_reasons = reasons
    declaration.save()
    if approve:
        store_bases(declaration, declaration.adjust_from or None)
    audit(actor, "declaration.approve" if approve else "declaration.reject", declaration,
          before={"status": DeclarationStatus.SUBMITTED}, after={"status": declaration.status, "reasons": reasons})
    return declaration


@transaction.atomic
def confirm(declaration: Declaration, *, actor) -> Declaration:
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.status != DeclarationStatus.APPROVED:
        raise DeclarationError("只有审核通过的申报才能确认完成。", code="wrong_status")
    declaration.status = DeclarationStatus.CONFIRMED
    declaration.confirmed_at = timezone.now()
    declaration.save()
    audit(actor, "declaration.confirm", declaration, before={"status": DeclarationStatus.APPROVED},
          after={"status": declaration.status})
    return declaration


@transaction.atomic
def reopen_for_adjustment(declaration: Declaration, *, month_from, actor) -> Declaration:
    """Re-declaration of retirees' allotment bases after a pension adjustment (潍坊 notice,
    part 3 (3)): a confirmed retiree declaration is opened again; on approval the new pensions
    hold from ``month_from``, and the earlier spans are kept as history."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    try:
        month = Month.coerce(month_from or "")
    except ValueError:
        month = None
    if month is None or month.year != declaration.year:
        raise DeclarationError(f"调整起始月份应为 {declaration.year} 年内的月份，格式如 {declaration.year}-07。",
                               code="invalid_input", fields={"month_from": str(month_from)})
    if declaration.kind != DeclarationKind.RETIREE:
        raise DeclarationError("只有退休人员个人账户划入基数可以在养老金调整后重新申报。", code="not_eligible")
    if declaration.status != DeclarationStatus.CONFIRMED:
        raise DeclarationError("只有已完成的申报才能重新申报。", code="wrong_status")
    rules.retiree_base(declaration.unit.region_id, first_month(declaration), Decimal("1"))  # refuses where no such rule
    declaration.status = DeclarationStatus.DRAFT
    declaration.revision += 1
    declaration.adjust_from = month
    declaration.save()
    audit(actor, "declaration.reopen", declaration, before={"status": DeclarationStatus.CONFIRMED},
          after={"status": declaration.status, "revision": declaration.revision, "month_from": month})
    return declaration
