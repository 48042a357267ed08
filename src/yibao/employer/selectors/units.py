"""Units and the pooling regions a reader reaches."""

from __future__ import annotations

from django.db.models import QuerySet

from yibao.access.scoping import scope_of, user_unit_id

from ..models import Unit


def units_for(user) -> QuerySet[Unit]:
    return scope_of(user).filter(Unit.objects.select_related("region", "division"))


def unit_of(user) -> Unit | None:
    """The unit a unit operator signs in for (None for every other account)."""
    unit_id = user_unit_id(user) if getattr(user, "is_authenticated", False) else None
    if unit_id is None:
        return None
    return Unit.objects.select_related("region", "division").filter(pk=unit_id).first()


def pooling_regions_for(user) -> list:
    """Pooling regions the reader's scope reaches (for filters): those inside the scope's
    division, or containing it; a unit's own region; all for an administrator."""
    from yibao.regions.models import Division

    regions = list(Division.objects.filter(is_pooling_region=True).order_by("key"))
    scope = scope_of(user)
    if scope.sees_everything:
        return regions
    if scope.kind == "division" and scope.division_path:
        return [r for r in regions if r.path.startswith(scope.division_path) or scope.division_path.startswith(r.path)]
    if scope.kind == "unit" and scope.unit_id is not None:
        region_id = Unit.objects.filter(pk=scope.unit_id).values_list("region_id", flat=True).first()
        return [r for r in regions if r.key == region_id]
    return []


def unit_for(user, pk) -> Unit | None:
    """A unit in the reader's scope (None for one outside it, exactly like a missing one)."""
    return units_for(user).select_related("agency", "registered_by").filter(pk=pk).first()


def search_units(user, q: str = "", status: str = ""):
    from django.db.models import Q

    qs = units_for(user)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(unit_number__startswith=q) | Q(uscc=q.upper()) | Q(name__contains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("unit_number")


def unit_changes_for(user, *, status: str = ""):
    from ..models import UnitChange

    qs = scope_of(user).filter(UnitChange.objects.select_related("unit", "filed_by", "reviewed_by"))
    return qs.filter(status=status) if status else qs


def unit_change_for(user, pk):
    return unit_changes_for(user).filter(pk=pk).first()


def status_history(unit: Unit):
    return unit.status_changes.select_related("actor").all()


def declaration_timeline(declaration) -> list[dict]:
    """What happened to a declaration, in order, from the audit log: each step with its time, who
    did it and whether it was done at the counter (窗口办理) by an agency clerk."""
    from yibao.audit.models import AuditEntry

    labels = {"declaration.open": "打开申报", "declaration.import": "上传报盘文件",
              "declaration.material.upload": "上传材料", "declaration.submit": "提交申报",
              "declaration.approve": "审核通过", "declaration.reject": "退回", "declaration.confirm": "确认完成",
              "declaration.reopen": "重新申报"}
    entries = (AuditEntry.objects.filter(object_type="declaration", object_id=str(declaration.pk),
                                         action__in=list(labels)).order_by("at", "id"))
    return [{"at": e.at, "action": e.action, "label": labels[e.action], "actor": e.actor_label,
             "counter": bool((e.after or {}).get("counter"))} for e in entries]


def unit_places(user) -> list:
    """The divisions a unit may be registered in by this reader: the cities and counties of the
    pooling regions running the employee scheme, within the reader's area."""
    from yibao.regions.models import Division, Level

    from .. import rules

    regions = list(Division.objects.filter(key__in=rules.employee_regions()))
    scope = scope_of(user)
    out = []
    for region in regions:
        qs = Division.objects.filter(path__startswith=region.path, level__in=[Level.CITY, Level.COUNTY])
        if not scope.sees_everything:
            if not scope.division_path:
                continue
            qs = qs.filter(path__startswith=scope.division_path)
        out.extend(qs.order_by("path"))
    return out
