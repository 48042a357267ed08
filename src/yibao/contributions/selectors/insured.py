"""Who the units added (增员: a new hire or a transfer in) is insured in the employee scheme for the
months of their span, though no declaration gave them an approved base: asked, with the employer
app's approved bases and flexible workers, through ``yibao.registry.insured_lookup`` (the resident
scheme's duplicate check, the registry comparison). Not scoped to a reader: callers mask."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from yibao.dbutil import text_values
from yibao.employer import contributing
from yibao.months import Month

from ..models import InsuranceSpan, SpanStart

ADDED = (SpanStart.NEW_HIRE, SpanStart.TRANSFER_IN)


def _added_in(year: int) -> QuerySet[InsuranceSpan]:
    """Spans of added people overlapping ``year`` (a span ended before it began counts for nothing)."""
    return (InsuranceSpan.objects.filter(start_reason__in=ADDED, month_from__lte=Month(year, 12))
            .filter(Q(month_to__isnull=True) | Q(month_to__gte=Month(year, 1)))
            .filter(Q(month_to__isnull=True) | Q(month_to__gte=F("month_from"))))


def _place(region: str, unit_name: str) -> dict:
    return {"scheme": "employee", "region": region, "where": f"职工医保：{unit_name}（{region}）在职职工（增员）"}


def added_in_year(id_number: str, year: int) -> list[dict]:
    span = _added_in(year).filter(id_number=id_number).order_by("month_from").first()
    if span is None:
        return []
    return [_place(span.region_id, contributing.unit_facts([span.unit_id])[span.unit_id]["name"])]


def added_in_year_many(id_numbers: list[str], year: int) -> dict[str, list[dict]]:
    found: dict[str, tuple[str, int]] = {}
    for start in range(0, len(id_numbers), 50_000):
        chunk = text_values(id_numbers[start:start + 50_000])
        for number, region, unit in (_added_in(year).filter(id_number__in=chunk).order_by("month_from")
                                     .values_list("id_number", "region_id", "unit_id")):
            found.setdefault(number, (region, unit))
    names = contributing.unit_facts({unit for _, unit in found.values()})
    return {n: [_place(region, names[unit]["name"])] for n, (region, unit) in found.items()}


def added_numbers(year: int) -> list:
    """The added people's identity numbers of ``year``, as one one-column queryset."""
    return [_added_in(year).values_list("id_number", flat=True).order_by()]
