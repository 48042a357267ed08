"""The employee scheme's published face for contributions (缴费): what the contributions app may
read and the one write it may ask for, set-based for a city's people. ``yibao.contributions``
imports this module and ``yibao.employer.selectors`` only (import-linter contract
``contributions-reads-employer``); the employer app keeps its models and services to itself.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import BigIntegerField, F, Min
from django.db.models.functions import Cast, Round

from yibao.months import Month

from . import rules
from .models import ApprovedBase, DeclarationKind, Employee, Unit, UnitStatus, UnitStatusChange

__all__ = ["in_fen", "approved_people", "approved_starts", "bases_in_month", "employee_facts", "new_hire_base",
           "retiree_bases", "staff_change_month", "take_employee", "unit_facts",
           "unit_state", "units_not_open", "wage_preview_rows"]


def in_fen(field: str):
    """A money column as whole fen computed by the database (no Decimal per row on the way out)."""
    return Cast(Round(F(field) * 100), BigIntegerField())


def _covering(month: Month, **filters):
    return ApprovedBase.objects.filter(superseded=False, month_from__lte=month, month_to__gte=month, **filters)


def bases_in_month(region: str, month: Month, *, unit_ids: list[int] | None = None,
                   employee_ids: list[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The approved active bases of ``month`` in ``region``: (employee ids, bases in fen), both
    int64 and sorted by employee id, in one query."""
    qs = _covering(month, kind=DeclarationKind.ACTIVE, unit__region_id=region)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    rows = list(qs.order_by().annotate(fen=in_fen("base")).values_list("employee_id", "fen").iterator(chunk_size=50_000))
    table = np.array(rows, dtype=np.int64).reshape(-1, 2)
    ids_a, bases_a = table[:, 0], table[:, 1]
    order = np.argsort(ids_a, kind="stable")
    return ids_a[order], bases_a[order]


def approved_starts(region: str, year: int):
    """Each employee with approved active bases in ``year``: (unit id, employee id, identity
    number, name, first approved month), the seed of the insurance spans."""
    return (ApprovedBase.objects.filter(unit__region_id=region, year=year, kind=DeclarationKind.ACTIVE,
                                        superseded=False)
            .order_by().values("unit_id", "employee_id", "employee__id_number", "employee__name")
            .annotate(first=Min("month_from"))
            .values_list("unit_id", "employee_id", "employee__id_number", "employee__name", "first"))


def approved_people(region: str, year: int) -> int:
    """How many employees have approved active bases in ``year`` (one COUNT)."""
    return (ApprovedBase.objects.filter(unit__region_id=region, year=year, kind=DeclarationKind.ACTIVE,
                                        superseded=False).values("employee_id").distinct().count())


def retiree_bases(unit_id: int, month: Month) -> list[dict]:
    """A unit's retirees with the personal-account allotment base approved for ``month``."""
    return [{"employee_id": b.employee_id, "name": b.employee.name, "id_number": b.employee.id_number,
             "allotment_base": b.base}
            for b in _covering(month, kind=DeclarationKind.RETIREE, unit_id=unit_id).select_related("employee")
            .order_by("employee__employee_number", "employee_id")]


def new_hire_base(region: str, month: Month, wage: Decimal | None) -> tuple[Decimal, str]:
    """A new hire's base for the year: the declared wage clamped by the engine (保底封顶, with a
    recorded average wage governing the month), or without a wage what the policy files say
    (``employee.new_hire_base``: no notice says; the demo overlay reads it as the floor)."""
    return rules.new_hire_base(region, month, wage)


def staff_change_month(region: str, month: Month, today) -> dict | None:
    """The earliest month a staff change may take effect (``employee.staff_change_month``), or
    None where no policy file gives a limit."""
    return rules.staff_change_month(region, month, today)


def unit_facts(unit_ids) -> dict[int, dict]:
    return {u["id"]: u for u in Unit.objects.filter(pk__in=list(unit_ids))
            .values("id", "name", "unit_number", "region_id", "status", "civil_servant_subsidy", "division__path")}


def unit_state(unit_id: int) -> dict:
    """The unit's current status (正常、暂停、注销): ``open`` (True only when 正常), the status, its
    label, the date it took effect and the reason."""
    unit = Unit.objects.filter(pk=unit_id).values("status", "status_from", "status_reason").first() or {}
    status = unit.get("status", UnitStatus.CLOSED)
    return {"open": status == UnitStatus.NORMAL, "status": status, "label": UnitStatus(status).label,
            "since": unit.get("status_from"), "reason": unit.get("status_reason", "")}


def units_not_open(region: str, month: Month, unit_ids=None) -> set[int]:
    """The units of ``region`` not open (正常) on any day of ``month``: suspended or closed from
    its first day or earlier and not resumed within it. Read from the units' status history, so a
    month before a suspension is still billed after it; units never suspended cost nothing."""
    changes = UnitStatusChange.objects.filter(unit__region_id=region, effective_on__lte=month.last_day)
    if unit_ids is not None:
        changes = changes.filter(unit_id__in=list(unit_ids))
    history: dict[int, list[tuple]] = {}
    for unit_id, effective_on, status in changes.order_by("unit_id", "effective_on", "recorded_at", "id") \
            .values_list("unit_id", "effective_on", "status"):
        history.setdefault(unit_id, []).append((effective_on, status))
    first = month.first_day
    shut: set[int] = set()
    for unit_id, steps in history.items():
        at_start = UnitStatus.NORMAL
        for effective_on, status in steps:
            if effective_on <= first:
                at_start = status
        opened_within = any(first < effective_on and status == UnitStatus.NORMAL for effective_on, status in steps)
        if at_start != UnitStatus.NORMAL and not opened_within:
            shut.add(unit_id)
    # a status recorded on the unit without a history row (older data): from its date on
    rows = Unit.objects.filter(region_id=region).exclude(status=UnitStatus.NORMAL).exclude(pk__in=list(history))
    if unit_ids is not None:
        rows = rows.filter(pk__in=list(unit_ids))
    shut.update(pk for pk, since in rows.values_list("pk", "status_from") if since is None or since <= first)
    return shut


def employee_facts(employee_ids) -> dict[int, dict]:
    return {e["id"]: e for e in Employee.objects.filter(pk__in=list(employee_ids))
            .values("id", "unit_id", "id_number", "name", "employee_number")}


@transaction.atomic
def take_employee(unit_id: int, id_number: str, name: str) -> int:
    """The unit's employee record for a person added by a staff change (增员): the existing one,
    or a new one. Returns its id."""
    employee, _ = Employee.objects.get_or_create(unit_id=unit_id, id_number=id_number, defaults={"name": name})
    return employee.pk


def wage_preview_rows(region: str, month: Month) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a what-if: every approved active base of ``month`` in ``region`` as arrays (unit id,
    employee id, declared amount in fen, base in fen)."""
    rows = list(_covering(month, kind=DeclarationKind.ACTIVE, unit__region_id=region).order_by()
                .annotate(d=in_fen("declared_amount"), b=in_fen("base"))
                .values_list("unit_id", "employee_id", "d", "b").iterator(chunk_size=50_000))
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return table[:, 0].copy(), table[:, 1].copy(), table[:, 2].copy(), table[:, 3].copy()
