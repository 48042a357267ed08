"""Searching the audit log, within the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from yibao.access.roles import ScopeKind
from yibao.access.scoping import scope_of

from .models import AuditEntry


@dataclass
class AuditFilter:
    q: str = ""
    action: str = ""
    object_type: str = ""
    actor: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_entries(user, flt: AuditFilter | None = None) -> QuerySet[AuditEntry]:
    scope = scope_of(user)
    qs = AuditEntry.objects.all()
    if scope.kind == ScopeKind.DIVISION:
        qs = qs.filter(division_path__startswith=scope.division_path)
    elif scope.kind != ScopeKind.ALL:
        return qs.none()
    flt = flt or AuditFilter()
    if flt.action:
        qs = qs.filter(action__startswith=flt.action)
    if flt.object_type:
        qs = qs.filter(object_type=flt.object_type)
    if flt.actor:
        qs = qs.filter(actor_label=flt.actor)
    if flt.q:
        qs = qs.filter(Q(object_id__icontains=flt.q) | Q(action__icontains=flt.q))
    if flt.date_from:
        qs = qs.filter(at__date__gte=flt.date_from)
    if flt.date_to:
        qs = qs.filter(at__date__lte=flt.date_to)
    return qs


def action_names() -> list[str]:
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct()[:200])
