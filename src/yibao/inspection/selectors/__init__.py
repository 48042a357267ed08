"""Reads of the audit cases, through the reader's scope (``access.scoping``). A unit's operator
sees its own self-inspection cases only; a complaint about the unit is never shown to it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from yibao.access.roles import Role, ScopeKind
from yibao.access.scoping import scope_of
from yibao.employer import selectors as employer

from ..models import Case, CaseKind, CaseStatus


@dataclass
class CaseFilter:
    status: str = ""
    region: str = ""
    kind: str = ""
    year: int | None = None
    owner: str = ""  # "me": the reader's own

    @classmethod
    def parse(cls, data) -> CaseFilter:
        year = str(data.get("year", "") or "")
        return cls(status=data.get("status", "") if data.get("status", "") in CaseStatus.values else "",
                   region=str(data.get("region", "") or "")[:12],
                   kind=data.get("kind", "") if data.get("kind", "") in CaseKind.values else "",
                   year=int(year) if year.isdigit() and len(year) == 4 else None,
                   owner="me" if data.get("owner") == "me" else "")

    def apply(self, qs: QuerySet, user) -> QuerySet:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.region:
            qs = qs.filter(region_id=self.region)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.year:
            qs = qs.filter(year=self.year)
        if self.owner == "me":
            qs = qs.filter(owner=user)
        return qs

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in (("status", self.status), ("region", self.region), ("kind", self.kind),
                                             ("year", self.year or ""), ("owner", self.owner)) if v})


def cases_for(user) -> QuerySet[Case]:
    qs = scope_of(user).filter(Case.objects.select_related("unit", "unit__division", "region", "owner"))
    if scope_of(user).kind == ScopeKind.UNIT:
        qs = qs.filter(kind=CaseKind.SELF_INSPECTION)
    return qs


def case_for(user, pk) -> Case | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return cases_for(user).filter(pk=pk).first()


def counts(user, qs: QuerySet | None = None) -> dict:
    """Cases by region and status: {"rows": [(region name, key, {status: n}, total)], "totals": {status: n}}."""
    qs = cases_for(user) if qs is None else qs
    table: dict[str, dict] = {}
    names = {}
    for region, name, status, n in (qs.order_by().values_list("region_id", "region__name", "status")
                                    .annotate(n=Count("id"))):
        table.setdefault(region, {s: 0 for s in CaseStatus.values})[status] = n
        names[region] = name
    totals = {s: sum(row[s] for row in table.values()) for s in CaseStatus.values}
    rows = [(names[k], k, row, sum(row.values())) for k, row in sorted(table.items())]
    return {"rows": rows, "totals": totals, "total": sum(totals.values())}


def regions_for(user) -> list:
    """The pooling regions running the employee scheme that the reader reaches."""
    from yibao.registry import schemes_by_region

    table = schemes_by_region()
    return [r for r in employer.pooling_regions_for(user) if "employee" in table.get(r.key, ())]


def auditors_for(case: Case) -> list:
    """The auditors who may own the case: those whose area holds the unit."""
    from yibao.accounts.models import User

    path = case.unit.division.path
    return [u for u in User.objects.filter(role=Role.AUDITOR, is_active=True).select_related("division")
            .order_by("username") if u.division is not None and path.startswith(u.division.path)]


def my_self_inspections(user) -> list[Case]:
    """A unit operator's self-inspection cases, newest year first."""
    if scope_of(user).kind != ScopeKind.UNIT:
        return []
    return list(cases_for(user).order_by("-year", "-id")[:5])


def unit_for(user, unit_number: str):
    return employer.units_for(user).filter(unit_number=(unit_number or "").strip()).first()


def declaration_for(user, pk):
    return employer.declaration_for(user, pk)


RUN_ACTIONS = {"inspection.self_inspection.run": "self_inspection", "inspection.risk_checks.run": "risk_checks"}


def last_runs(user) -> tuple[list[dict], object]:
    """When the self-inspection list and the risk checks last ran in each region the reader
    reaches (from the audit log, where every run is recorded, on demand or scheduled), and the
    last scheduled job."""
    from yibao.audit.models import AuditEntry
    from yibao.jobs.models import Job

    out = []
    for region in regions_for(user):
        row = {"region": region, "self_inspection": None, "risk_checks": None}
        for action, key in RUN_ACTIONS.items():
            entry = (AuditEntry.objects.filter(action=action, object_type="region", object_id=region.key)
                     .order_by("-id").only("at", "actor_label", "after").first())
            if entry is not None:
                row[key] = {"at": entry.at, "by": entry.actor_label, "year": (entry.after or {}).get("year")}
        out.append(row)
    job = Job.objects.filter(kind="inspection.checks").order_by("-created_at").first() if out else None
    return out, job
