"""Whether a person is insured in the employee scheme in a year, and where: asked by the resident
scheme before it registers anyone (through ``yibao.registry.insured_elsewhere``), not scoped to a
reader: the caller masks what it shows."""

from __future__ import annotations

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
