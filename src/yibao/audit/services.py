"""Appending to the audit log. Every service write calls ``record_event`` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from .models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def record_event(actor, action: str, object_type: str, object_id: Any, *, before: Any = None,
                 after: Any = None, division_path: str = "", ip: str | None = None) -> AuditEntry:
    """Append one entry. ``actor`` is a user or None for the system itself."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=real_actor,
        actor_label=(real_actor.username if real_actor else "系统"),
        actor_role=(real_actor.role if real_actor else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        division_path=division_path,
        before=_jsonable(before),
        after=_jsonable(after),
        ip=ip,
    )


def record_events(actor, entries: list[dict]) -> int:
    """Append many entries at once (one INSERT per thousand), e.g. one per re-clamped base.
    Each dict holds ``action``, ``object_type``, ``object_id`` and optionally ``before``,
    ``after`` and ``division_path``."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    rows = [AuditEntry(actor=real_actor, actor_label=(real_actor.username if real_actor else "系统"),
                       actor_role=(real_actor.role if real_actor else ""), action=e["action"],
                       object_type=e["object_type"], object_id=str(e["object_id"]),
                       division_path=e.get("division_path", ""), before=_jsonable(e.get("before")),
                       after=_jsonable(e.get("after")))
            for e in entries]
    AuditEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None
