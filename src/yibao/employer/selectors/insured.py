"""Whether a person is insured in the employee scheme in a year, and where: asked by the resident
scheme before it registers anyone (through ``yibao.registry.insured_elsewhere``), not scoped to a
reader: the caller masks what it shows."""

from __future__ import annotations

from django.db.models import F

from yibao.dbutil import text_values

from ..models import ApprovedBase, FlexibleBaseChoice


def insured_in_year(id_number: str, year: int) -> list[dict]:
    found = []
    base = (ApprovedBase.objects.filter(employee__id_number=id_number, year=year, superseded=False)
            .select_related("unit").order_by("month_from").first())
    if base is not None:
        found.append({"scheme": "employee", "region": base.unit.region_id,
                      "where": f"职工医保：{base.unit.name}（{base.unit.region_id}）在职职工/退休人员"})
    choice = (FlexibleBaseChoice.objects.filter(worker__id_number=id_number, year=year)
              .select_related("worker").first())
    if choice is not None:
        found.append({"scheme": "employee", "region": choice.worker.region_id,
                      "where": f"职工医保：灵活就业人员（{choice.worker.region_id}）"})
    return found


def insured_in_year_many(id_numbers: list[str], year: int) -> dict[str, list[dict]]:
    """``insured_in_year`` for many numbers: two queries per 50,000 numbers."""
    found: dict[str, list[dict]] = {}
    for start in range(0, len(id_numbers), 50_000):
        chunk = text_values(id_numbers[start:start + 50_000])
        seen = set()
        for number, region, name in (ApprovedBase.objects.filter(employee__id_number__in=chunk, year=year,
                                                                  superseded=False)
                                     .order_by("month_from").values_list("employee__id_number", "unit__region_id",
                                                                         "unit__name")):
            if number not in seen:
                seen.add(number)
                found.setdefault(number, []).append(
                    {"scheme": "employee", "region": region, "where": f"职工医保：{name}（{region}）在职职工/退休人员"})
        for number, region in (FlexibleBaseChoice.objects.filter(worker__id_number__in=chunk, year=year)
                               .values_list("worker__id_number", "worker__region_id").distinct()):
            found.setdefault(number, []).append(
                {"scheme": "employee", "region": region, "where": f"职工医保：灵活就业人员（{region}）"})
    return found


def insured_numbers(year: int) -> list:
    """The identity numbers insured in the employee scheme in ``year``, as querysets of one column
    (``id_number``) to be used set-wise by a caller's join: employees with an approved base of the
    year, and flexible workers who chose a base for it. A number may appear more than once."""
    return [ApprovedBase.objects.filter(year=year, superseded=False).annotate(id_number=F("employee__id_number"))
            .values_list("id_number", flat=True).order_by(),
            FlexibleBaseChoice.objects.filter(year=year).annotate(id_number=F("worker__id_number"))
            .values_list("id_number", flat=True).order_by()]
