"""Reads of the employee scheme, always through the reader's scope (``accounts.scoping``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yibao.accounts.scoping import scope_of

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
    return scope_of(user).filter(Unit.objects.select_related("region", "division"), division="division", unit="pk")


def declarations_for(user) -> QuerySet[Declaration]:
    return scope_of(user).filter(Declaration.objects.select_related("unit", "unit__region", "unit__division"),
                                 division="unit__division", unit="unit_id")


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


def status_counts(user, year: int | None = None) -> dict[str, int]:
    qs = declarations_for(user)
    if year:
        qs = qs.filter(year=year)
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("id")))
    return {s: counts.get(s, 0) for s in DeclarationStatus.values}


def approved_bases_for(user, *, unit: Unit, year: int) -> QuerySet[ApprovedBase]:
    qs = scope_of(user).filter(ApprovedBase.objects.select_related("employee"), division="unit__division",
                               unit="unit_id")
    return qs.filter(unit=unit, year=year).order_by("employee__employee_number", "employee_id", "month_from")


def flexible_worker_for(user) -> FlexibleWorker | None:
    return scope_of(user).filter(FlexibleWorker.objects.select_related("region"), person="id_number").first()


@dataclass
class ProgressBar:
    code: str
    label: str
    count: int
    percent: float
    offset: float = 0.0  # where the segment starts, in percent of the bar


def declaration_progress(user, year: int | None) -> tuple[int | None, list[ProgressBar]]:
    """The year's declaration progress over the units in the reader's scope: units not yet
    started, then active-employee declarations by status (for the stacked bar on the queue)."""
    declarations = declarations_for(user).filter(kind="active")
    if year is None:
        year = declarations.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return None, []
    counts = dict(declarations.filter(year=year).order_by().values_list("status").annotate(n=Count("id")))
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
