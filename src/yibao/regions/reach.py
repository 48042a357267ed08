"""Which pooling region running a scheme a user may act in: one answer for every app.

A region code comes from a form, a query or a CLI argument; whatever it holds (blanks, control
characters, a NUL byte that PostgreSQL would refuse) it is looked up safely and either names a
region the actor reaches or fails with one of three codes: ``region_unknown``,
``region_not_resident`` and ``outside_area``.
"""

from __future__ import annotations

from yibao import registry
from yibao.access.scoping import scope_of
from yibao.errors import AppError

from .models import Division


def scheme_region(code, actor, *, error: type[AppError], scheme: str = "resident",
                  whole: bool = False) -> Division:
    """The pooling region ``code`` running ``scheme`` that ``actor`` reaches, else ``error``.

    Reaching means overlapping the actor's area (reads are then scoped by the selectors); with
    ``whole`` the actor's area must hold the region entirely (to act on all of it at once)."""
    key = str(code or "").strip()
    region = None
    if key and "\x00" not in key:
        region = Division.objects.filter(key=key, is_pooling_region=True).first()
    if region is None:
        shown = key.replace("\x00", "\ufffd")[:40]
        raise error(f"统筹区“{shown}”不存在。", code="region_unknown", fields={"region": "不存在"})
    if scheme not in registry.schemes_by_region().get(region.key, ()):
        label = {"resident": "城乡居民医保", "employee": "职工医保"}.get(scheme, scheme)
        raise error(f"{region.name}不经办{label}。", code=f"region_not_{scheme}",
                    fields={"region": f"不经办{label}"})
    scope = scope_of(actor)
    if not scope.sees_everything:
        path = scope.division_path
        holds = bool(path) and region.path.startswith(path)
        overlaps = holds or (bool(path) and path.startswith(region.path))
        if whole and overlaps and not holds:
            raise error(f"须由负责{region.name}全域的经办人员操作：您只负责其中一部分。", code="outside_area",
                        fields={"region": "只负责统筹区的一部分"})
        if not overlaps:
            raise error(f"{region.name}不在您负责的区域内。", code="outside_area", fields={"region": "不在负责区域内"})
    return region


def scheme_regions(actor, *, error: type[AppError], scheme: str = "resident") -> list[Division]:
    """The pooling regions running ``scheme`` that ``actor`` reaches, by code."""
    regions = []
    for code, schemes in sorted(registry.schemes_by_region().items()):
        if scheme in schemes:
            try:
                regions.append(scheme_region(code, actor, error=error, scheme=scheme))
            except error:
                continue
    return regions
