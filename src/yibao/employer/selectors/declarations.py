"""Declarations, their lines and materials, the review queue and its progress."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yibao.access.permissions import user_can
from yibao.access.scoping import scope_of

from ..errors import DeclarationError
from ..models import Declaration, DeclarationKind, DeclarationLine, DeclarationStatus, Material, UnitStatus
from .units import units_for


def declarations_for(user) -> QuerySet[Declaration]:
    return scope_of(user).filter(Declaration.objects.select_related("unit", "unit__region", "unit__division"))


def declaration_for(user, pk: int) -> Declaration | None:
    return declarations_for(user).filter(pk=pk).first()


# A query that can only be an identity number, whole or in part: 15 to 18 digits, or digits
# ending in the check character X (个人编号 are shorter and have no check character).
_ID_NUMBER_QUERY = re.compile(r"[0-9]{15,18}|[0-9]+[Xx]")


def lines_of(declaration: Declaration, *, reader, q: str = "", only_clamped: bool = False) -> QuerySet[DeclarationLine]:
    """The declaration's lines, found by ``q`` in the name, the 个人编号 and, for a reader who sees
    identity numbers whole (``person.view_id_number``), the identity number.

    A reader who sees them masked never searches them: a search by part of a number would give
    back, digit by digit, what the mask hides. Such a reader's query that can only be an identity
    number is refused with a message saying so, rather than answered with nothing."""
    qs = declaration.lines.all()
    if q:
        match = Q(name__contains=q) | Q(employee_number__contains=q)
        if user_can(reader, "person.view_id_number"):
            match |= Q(id_number__contains=q)
        elif _ID_NUMBER_QUERY.fullmatch(q):
            raise DeclarationError("您的角色看到的身份证号码是部分隐去的，不能按身份证号码查找；请按姓名或个人编号查找。",
                                   code="masked_id_search", fields={"q": "不能按身份证号码查找"})
        qs = qs.filter(match)
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


def declarations_by_agency(user, region_key: str, year: int) -> list[dict]:
    """The year's active-employee declaration progress per agency (经办机构) over the units of a
    pooling region in the reader's scope (units not closed): ``agency_id``, ``agency`` (its
    name; "" for units with no agency), ``units``, ``declared`` (a declaration started),
    ``submitted`` (submitted, whatever became of it since: 审核中, 审核通过 or 已完成),
    ``approved`` (审核通过 or 已完成), ``confirmed`` (已完成) and ``not_submitted`` (units without a
    declaration, or whose declaration is being filled in or was sent back). Two grouped queries."""
    units = units_for(user).filter(region_id=region_key).exclude(status=UnitStatus.CLOSED)
    rows: dict[int | None, dict] = {}
    for agency_id, name, n in (units.order_by().values_list("agency_id", "agency__name").annotate(n=Count("id"))):
        rows[agency_id] = {"agency_id": agency_id, "agency": name or "", "units": n, "declared": 0, "submitted": 0,
                           "approved": 0, "confirmed": 0, "not_submitted": n}
    later = {DeclarationStatus.SUBMITTED: ("submitted",),
             DeclarationStatus.APPROVED: ("submitted", "approved"),
             DeclarationStatus.CONFIRMED: ("submitted", "approved", "confirmed")}
    tally = (Declaration.objects.filter(unit__in=units, year=year, kind=DeclarationKind.ACTIVE).order_by()
             .values_list("unit__agency_id", "status").annotate(n=Count("unit_id", distinct=True)))
    for agency_id, status, n in tally:
        row = rows.get(agency_id)
        if row is None:
            continue
        row["declared"] += n
        for key in later.get(status, ()):
            row[key] += n
        if status in later:
            row["not_submitted"] -= n
    return sorted(rows.values(), key=lambda r: (r["agency"] == "", r["agency"]))
