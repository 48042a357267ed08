"""Declarations, their lines and materials, the review queue and its progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yibao.access.scoping import scope_of

from ..models import Declaration, DeclarationLine, DeclarationStatus, Material
from .units import units_for


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
    """Every material of the declaration: the current one of each type and the ones it replaced
    (``superseded_at`` set), newest first."""
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
