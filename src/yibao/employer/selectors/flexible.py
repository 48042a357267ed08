"""Flexible workers' registrations."""

from __future__ import annotations

from yibao.access.scoping import scope_of

from ..models import FlexibleWorker


def flexible_worker_for(user) -> FlexibleWorker | None:
    """The signed-in person's own registration as a flexible worker."""
    if not getattr(user, "id_number", ""):
        return None
    return scope_of(user).filter(FlexibleWorker.objects.select_related("region")
                                 .filter(id_number=user.id_number)).first()
