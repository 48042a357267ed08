"""Reads of the employee scheme, always through the reader's scope (``access.scoping``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yibao.access.scoping import scope_of, user_unit_id

from .models import (
    ApprovedBase,
    Declaration,
    DeclarationLine,
    DeclarationStatus,
    FlexibleWorker,
    Material,
    Unit,
)


def units_for(user) -> QuerySet[Unit]:
    return scope_of(user).filter(Unit.objects.select_related("region", "division"))


def unit_of(user) -> Unit | None:
    """The unit a unit operator signs in for (None for every other account)."""
    unit_id = user_unit_id(user) if getattr(user, "is_authenticated", False) else None
    if unit_id is None:
        return None
    return Unit.objects.select_related("region", "division").filter(pk=unit_id).first()


def pooling_regions_for(user) -> list:
    """Pooling regions the reader's scope reaches (for filters): those inside the scope's
    division, or containing it; a unit's own region; all for an administrator."""
    from yibao.regions.models import Division

    regions = list(Division.objects.filter(is_pooling_region=True).order_by("key"))
    scope = scope_of(user)
    if scope.sees_everything:
        return regions
    if scope.kind == "division" and scope.division_path:
        return [r for r in regions if r.path.startswith(scope.division_path) or scope.division_path.startswith(r.path)]
    if scope.kind == "unit" and scope.unit_id is not None:
        region_id = Unit.objects.filter(pk=scope.unit_id).values_list("region_id", flat=True).first()
        return [r for r in regions if r.key == region_id]
    return []


def declarations_for(user) -> QuerySet[Declaration]:
    return scope_of(user).filter(Declaration.objects.select_related("unit", "unit__region", "unit__division"))


def declaration_for(user, pk: int) -> Declaration | None:
    return declarations_for(user).filter(pk=pk).first()


def lines_of(declaration: Declaration, *, q: str = "", only_clamped: bool = False) -> QuerySet[DeclarationLine]:
    qs = declaration.lines.all()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(id_number__contains=q) | Q(employee_number__contains=q))
    if only_clamped:
        qs = qs.exclude(clamp="none")
    return qs.order_by("id")


def materials_of(declaration: Declaration) -> QuerySet[Material]:
    return declaration.materials.select_related("uploaded_by")


def material_for(user, pk: int) -> Material | None:
    declarations = declarations_for(user)
    return Material.objects.filter(pk=pk, declaration__in=declarations).first()


@dataclass
class QueueFilter:
    region: str = ""
    status: str = DeclarationStatus.SUBMITTED
    year: int | None = None
    flagged: bool = False
    q: str = ""


def review_queue(user, flt: QueueFilter) -> QuerySet[Declaration]:
    qs = declarations_for(user)
    if flt.region:
        qs = qs.filter(unit__region_id=flt.region)
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.year:
        qs = qs.filter(year=flt.year)
    if flt.flagged:
        qs = qs.filter(flagged=True)
    if flt.q:
        qs = qs.filter(Q(unit__name__contains=flt.q) | Q(unit__unit_number=flt.q))
    return qs.order_by("submitted_at", "id")


def declaration_tally(user) -> list[tuple[int, str, str, int]]:
    """(year, kind, status, count) over the declarations in the reader's scope: one grouped
    query from which the queue's counts and its progress bar are both drawn."""
    return list(declarations_for(user).order_by().values_list("year", "kind", "status").annotate(n=Count("id")))


def status_counts(user, year: int | None = None, *, tally=None) -> dict[str, int]:
    counts = dict.fromkeys(DeclarationStatus.values, 0)
    for y, _kind, status, n in (tally if tally is not None else declaration_tally(user)):
        if year is None or y == year:
            counts[status] = counts.get(status, 0) + n
    return counts


def approved_bases_for(user, *, unit: Unit, year: int) -> QuerySet[ApprovedBase]:
    qs = scope_of(user).filter(ApprovedBase.objects.select_related("employee"))
    return qs.filter(unit=unit, year=year).order_by("employee__employee_number", "employee_id", "month_from")


def flexible_worker_for(user) -> FlexibleWorker | None:
    """The signed-in person's own registration as a flexible worker."""
    if not getattr(user, "id_number", ""):
        return None
    return scope_of(user).filter(FlexibleWorker.objects.select_related("region")
                                 .filter(id_number=user.id_number)).first()


@dataclass
class ProgressBar:
    code: str
    label: str
    count: int
    percent: float
    offset: float = 0.0  # where the segment starts, in percent of the bar


def declaration_progress(user, year: int | None, *, tally=None) -> tuple[int | None, list[ProgressBar]]:
    """The year's declaration progress over the units in the reader's scope: units not yet
    started, then active-employee declarations by status (for the stacked bar on the queue)."""
    active = [(y, status, n) for y, kind, status, n in (tally if tally is not None else declaration_tally(user))
              if kind == "active"]
    if year is None:
        year = max((y for y, _, _ in active), default=None)
    if year is None:
        return None, []
    counts: dict[str, int] = {}
    for y, status, n in active:
        if y == year:
            counts[status] = counts.get(status, 0) + n
    started = sum(counts.values())
    units = units_for(user).count()
    rows = [("not_started", "未开始", max(0, units - started))]
    rows += [(s, label, counts.get(s, 0)) for s, label in DeclarationStatus.choices]
    total = max(1, sum(n for _, _, n in rows))
    bars, offset = [], 0.0
    for code, label, n in rows:
        share = n * 100 / total
        bars.append(ProgressBar(code, label, n, round(share, 1), round(offset, 3)))
        offset += share
    return year, bars


def average_wages() -> list[tuple]:
    """Every recorded average wage with the bounds the engine derives from it (None where the
    region's policy cannot say), newest first. Published figures: every administrator sees all."""
    from . import rules
    from .models import AverageWage

    out = []
    for wage in AverageWage.objects.select_related("region").order_by("-published_on"):
        try:
            out.append((wage, rules.wage_effect(wage.region_id, wage)))
        except rules.RuleRefused:
            out.append((wage, None))
    return out
