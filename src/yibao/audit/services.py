"""Appending to the audit log. Every service write calls ``record_event`` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import uuid
from typing import Any

from yibao.errors import AppError
from yibao.months import Month

from .models import AuditEntry

EXPORT_HEADER = ["时间", "操作人", "角色", "操作", "对象类型", "对象标识", "变更前", "变更后", "来源地址"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Month):
        return str(value)
    return value


def _actor_fields(actor) -> dict:
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return {"actor_id": real_actor.pk if real_actor else None,
            "actor_label": real_actor.username if real_actor else "系统",
            "actor_role": real_actor.role if real_actor else ""}


def record_event(actor, action: str, object_type: str, object_id: Any, *, before: Any = None,
                 after: Any = None, division_path: str = "", ip: str | None = None) -> AuditEntry:
    """Append one entry to its region's hash chain. ``actor`` is a user or None for the system
    itself. Called inside the service's transaction, the chain's head stays locked until that
    transaction ends: call it once the action's own writes are done."""
    entry = AuditEntry(**_actor_fields(actor), action=action, object_type=object_type,
                       object_id=str(object_id) if object_id is not None else "", division_path=division_path,
                       before=_jsonable(before), after=_jsonable(after), ip=ip)
    AuditEntry.objects.bulk_create([entry])
    return entry


def record_events(actor, entries: list[dict]) -> int:
    """Append many entries at once (one INSERT per thousand), e.g. one per re-clamped base, each
    chained like ``record_event``'s. Each dict holds ``action``, ``object_type``, ``object_id``
    and optionally ``before``, ``after`` and ``division_path``."""
    who = _actor_fields(actor)
    rows = [AuditEntry(**who, action=e["action"], object_type=e["object_type"], object_id=str(e["object_id"]),
                       division_path=e.get("division_path", ""), before=_jsonable(e.get("before")),
                       after=_jsonable(e.get("after")))
            for e in entries]
    AuditEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def export(actor, filters: dict):
    """Export the entries matching ``filters`` (within the actor's scope) as xlsx: a background
    job with a progress bar, whatever the size. Returns the job."""
    from yibao.jobs.services import enqueue

    clean = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    return enqueue(actor, "audit.export", "导出审计日志", clean)


def write_export(actor, filters: dict, name, *, progress=None, start=None):
    """Write the xlsx of an export (the job's handler calls this). Returns (path, rows)."""
    import json
    from pathlib import Path

    import xlsxwriter
    from django.conf import settings
    from django.utils import timezone

    from yibao.documents.xlsx import write_table

    from .selectors import AuditFilter, audit_entries

    flt = AuditFilter(**{**filters,
                         "date_from": dt.date.fromisoformat(filters["date_from"]) if filters.get("date_from") else None,
                         "date_to": dt.date.fromisoformat(filters["date_to"]) if filters.get("date_to") else None})
    qs = audit_entries(actor, flt)
    if start:
        start(qs.count())
    path = Path(settings.VAR_DIR) / "exports" / f"audit-{name}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    tz = timezone.get_current_timezone()

    def text(value) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False)

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("审计日志")
    bold = wb.add_format({"bold": True})
    rows = ([e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_label, e.actor_role, e.action,
             e.object_type, e.object_id, text(e.before), text(e.after), e.ip or ""]
            for e in qs.iterator(chunk_size=2000))
    n = write_table(ws, EXPORT_HEADER, rows, header_format=bold, on_row=progress)
    wb.close()
    return path, n


def refusals_audited(action: str, object_type: str, *, path=None, facts=None):
    """Decorate a service ``fn(obj, …, actor=…)`` so that its refusal (an ``AppError``) leaves the
    audit entry ``action`` (code, message and ``facts(obj, kwargs)``) before it is raised. Put it
    above ``transaction.atomic``: the entry is written after the refused transaction rolled back."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(obj, *args, actor, **kwargs):
            try:
                return fn(obj, *args, actor=actor, **kwargs)
            except AppError as exc:
                after = {"code": exc.code, "message": exc.message[:500], **(facts(obj, kwargs) if facts else {})}
                record_event(actor, action, object_type, obj.pk, after=after,
                             division_path=path(obj) if path else "")
                raise

        return wrapper

    return decorator
