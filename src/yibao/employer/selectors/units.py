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
