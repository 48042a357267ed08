"""A pooling region's figures for a year, read set-based for the auditors (稽核): the floor share
of each unit's approved bases, the declared wages, the declarations whose stored totals disagree
with their lines, and the confirmed headcounts. Region-wide reads: the caller has checked that
its reader reaches the region."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum

from yibao.months import Month

from ..models import ApprovedBase, Clamp, Declaration, DeclarationKind, DeclarationStatus, Employee, Unit

CENT = Decimal("0.01")


def _spans_in_force(region: str, year: int, month: Month | None = None):
    """The live spans of active contributors' approved bases in force in ``month`` (the year's
    first month by default: the bases as the year's declaration approved them)."""
    month = month or Month.first_of(year)
    return ApprovedBase.objects.filter(unit__region_id=region, year=year, kind=DeclarationKind.ACTIVE,
                                       superseded=False, month_from__lte=month, month_to__gte=month)


def floor_shares(region: str, year: int, month: Month | None = None) -> list[dict]:
    """Each unit with approved bases in force in ``month``: ``unit_id``, ``contributors`` and
    ``at_floor`` (people whose base the engine clamped to the floor). One grouped query."""
    return list(_spans_in_force(region, year, month).values("unit_id")
                .annotate(contributors=Count("employee_id", distinct=True),
                          at_floor=Count("employee_id", filter=Q(clamp=Clamp.FLOOR), distinct=True))
                .order_by("unit_id"))


def declared_wages(region: str, year: int, month: Month | None = None) -> list[dict]:
    """Each unit's industry, contributors and average declared wage in ``month``."""
    return list(_spans_in_force(region, year, month).values("unit_id", industry=F("unit__industry"))
                .annotate(contributors=Count("employee_id", distinct=True), average=Avg("declared_amount"))
                .order_by("unit_id"))


def summary_mismatches(region: str, year: int) -> list[dict]:
    """Declarations past the draft whose summary figures (人数, 工资总额, 基数总额) differ from
    what their lines add up to."""
    rows = (Declaration.objects.filter(unit__region_id=region, year=year)
            .exclude(status=DeclarationStatus.DRAFT)
            .annotate(lines_count=Count("lines"), lines_wage=Sum("lines__declared_amount"),
                      lines_base=Sum("lines__base"))
            .values("pk", "unit_id", "kind", "line_count", "wage_total", "base_total", "lines_count", "lines_wage",
                    "lines_base"))
    out = []
    for r in rows:
        wage, base = (Decimal(r["lines_wage"] or 0).quantize(CENT), Decimal(r["lines_base"] or 0).quantize(CENT))
        if r["line_count"] != r["lines_count"] or r["wage_total"] != wage or r["base_total"] != base:
            out.append({"declaration_id": r["pk"], "unit_id": r["unit_id"], "kind": r["kind"],
                        "summary": {"people": r["line_count"], "wage_total": r["wage_total"],
                                    "base_total": r["base_total"]},
                        "lines": {"people": r["lines_count"], "wage_total": wage, "base_total": base}})
    return out


def confirmed_totals(region: str, year: int) -> dict[int, dict]:
    """{unit id: {"declaration", "people", "wage_total"}} of the confirmed active declarations of
    ``year``."""
    return {u: {"declaration": pk, "people": n, "wage_total": wage} for pk, u, n, wage in Declaration.objects.filter(
        unit__region_id=region, year=year, kind=DeclarationKind.ACTIVE, status=DeclarationStatus.CONFIRMED)
        .values_list("pk", "unit_id", "line_count", "wage_total")}


def units_by_id(ids) -> dict[int, Unit]:
    return Unit.objects.select_related("region", "division").in_bulk(list(ids))


def employee_in_unit(unit: Unit, id_number: str) -> Employee | None:
    return Employee.objects.filter(unit=unit, id_number=(id_number or "").strip().upper()).first()


def base_in_force(employee: Employee, month) -> Decimal | None:
    """The person's approved active base in force in ``month`` (None if none, or not a month)."""
    try:
        month = Month.coerce(month)
    except (TypeError, ValueError):
        return None
    return (ApprovedBase.objects.filter(employee=employee, kind=DeclarationKind.ACTIVE, superseded=False,
                                        month_from__lte=month, month_to__gte=month)
            .order_by("-month_from").values_list("base", flat=True).first())
