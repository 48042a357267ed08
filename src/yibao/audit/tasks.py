"""Background export of an audit search to xlsx, with progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.utils import timezone
from huey.contrib.djhuey import db_task

from yibao.accounts.models import User
from yibao.documents.xlsx import write_table
from yibao.jobs import services as jobs

from .selectors import AuditFilter, audit_entries

HEADER = ["时间", "操作人", "角色", "操作", "对象类型", "对象标识", "变更前", "变更后", "来源地址"]


def export_path(job_id) -> Path:
    path = Path(settings.VAR_DIR) / "exports" / f"audit-{job_id}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_audit_export(job_id, user_id: int, flt: dict) -> None:
    user = User.objects.get(pk=user_id)
    f = AuditFilter(**{**flt, "date_from": dt.date.fromisoformat(flt["date_from"]) if flt.get("date_from") else None,
                       "date_to": dt.date.fromisoformat(flt["date_to"]) if flt.get("date_to") else None})
    qs = audit_entries(user, f)
    total = qs.count()
    jobs.start(job_id, total)
    path = export_path(job_id)
    tz = timezone.get_current_timezone()
    try:
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("审计日志")
        bold = wb.add_format({"bold": True})
        rows = (
            [e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_label, e.actor_role, e.action,
             e.object_type, e.object_id, _text(e.before), _text(e.after), e.ip or ""]
            for e in qs.iterator(chunk_size=2000)
        )
        n = write_table(ws, HEADER, rows, header_format=bold, on_row=lambda i: jobs.advance(job_id, i))
        wb.close()
    except Exception as exc:  # the job record tells the user; the traceback goes to the log
        jobs.fail(job_id, f"导出失败：{exc}")
        raise
    jobs.finish(job_id, result={"rows": n}, result_file=str(path), message=f"已导出 {n} 条记录")


def _text(value) -> str:
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False)


@db_task()
def audit_export_task(job_id, user_id: int, flt: dict) -> None:
    run_audit_export(job_id, user_id, flt)
