"""Background jobs of the audit log: ids in, one service call, the outcome out."""

from __future__ import annotations

from yibao.jobs.services import Outcome, Run, handler

from . import services


@handler("audit.export")
def export_entries(run: Run) -> Outcome:
    path, rows = services.write_export(run.owner, run.params, run.id, progress=run.advance, start=run.start)
    return Outcome(message=f"已导出 {rows} 条记录", result={"rows": rows}, result_file=str(path))
