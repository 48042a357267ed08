"""Approved bases and the recorded average wages with the bounds the engine derives from them."""

from __future__ import annotations

from django.db.models import QuerySet

from yibao.access.scoping import scope_of

from ..models import ApprovedBase, Unit


def approved_bases_for(user, *, unit: Unit, year: int) -> QuerySet[ApprovedBase]:
    qs = scope_of(user).filter(ApprovedBase.objects.select_related("employee"))
    return qs.filter(unit=unit, year=year).order_by("employee__employee_number", "employee_id", "month_from")


def average_wages() -> list[tuple]:
    """Every recorded average wage with the bounds the engine derives from it (None where the
    region's policy cannot say), newest first. Published figures: every administrator sees all."""
    from .. import rules
    from ..models import AverageWage

    out = []
    for wage in AverageWage.objects.select_related("region").order_by("-published_on"):
        try:
            out.append((wage, rules.wage_effect(wage.region_id, wage)))
        except rules.RuleRefused:
            out.append((wage, None))
    return out
