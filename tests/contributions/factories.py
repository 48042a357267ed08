"""Units with approved bases (核定入库) for the contributions' tests, and the demo rates on."""

from __future__ import annotations

from decimal import Decimal

from employer.factories import UnitFactory, UnitOperatorFactory
from yibao.employer.models import ApprovedBase, Declaration
from yibao.months import Month

YEAR = 2024


def approved_unit(bases: list[str], *, county: str = "370705", retirees: list[str] = (), operator: bool = True,
                  **unit_kwargs):
    """A unit whose employees have the year's approved bases (one per amount), January to December."""
    unit = UnitFactory(county=county, employees=len(bases), retirees=len(retirees), **unit_kwargs)
    if operator:
        UnitOperatorFactory(unit=unit)
    for kind, amounts, retired in (("active", bases, False), ("retiree", retirees, True)):
        if not amounts:
            continue
        declaration = Declaration.objects.create(unit=unit, year=YEAR, kind=kind, status="confirmed")
        for employee, amount in zip(unit.employees.filter(retired=retired).order_by("id"), amounts, strict=True):
            ApprovedBase.objects.create(unit=unit, employee=employee, declaration=declaration, kind=kind, year=YEAR,
                                        month_from=Month.first_of(YEAR), month_to=Month.last_of(YEAR),
                                        declared_amount=Decimal(amount), base=Decimal(amount), reason="核定入库")
    return unit
