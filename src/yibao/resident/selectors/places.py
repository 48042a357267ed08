"""Where a user registers: their pooling region and the villages (and townships) of their area."""

from __future__ import annotations

from django.db.models import QuerySet

from yibao import registry
from yibao.access.roles import Role
from yibao.access.scoping import scope_of
from yibao.regions.models import Division, Level

SCHEME = "resident"


def resident_regions() -> list[Division]:
    keys = [k for k, schemes in registry.schemes_by_region().items() if SCHEME in schemes]
    return list(Division.objects.filter(key__in=keys).order_by("key"))


def region_of(user) -> Division | None:
    """The pooling region (running the resident scheme) the user works or lives in."""
    regions = resident_regions()
    if user.role == Role.INDIVIDUAL:
        mine = registry.regions_of(user)
        return next((r for r in regions if mine == registry.ALL or r.key in mine), None)
    division = getattr(user, "division", None)
    if division is None:
        return regions[0] if scope_of(user).sees_everything and regions else None
    return next((r for r in regions if division.path.startswith(r.path) or r.path.startswith(division.path)), None)


def places_for(user, region: Division) -> QuerySet[Division]:
    """The townships and villages of ``region`` the user may register in (an individual: all)."""
    qs = Division.objects.filter(path__startswith=region.path, level__in=[Level.TOWNSHIP, Level.VILLAGE])
    scope = scope_of(user)
    if user.role != Role.INDIVIDUAL and scope.division_path and not scope.sees_everything:
        qs = qs.filter(path__startswith=scope.division_path)
    return qs.order_by("key")
