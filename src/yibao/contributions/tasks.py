"""Background jobs of the contributions: ids → one service, progress to the job record."""

from __future__ import annotations

from yibao.jobs.services import Outcome, Run, handler

from . import services


@handler("contributions.generate")
def generate(run: Run) -> Outcome:
    p = run.params
    run.start(4)
    try:
        result = services.generate_bills(p["region"], p["month"], actor=run.owner,
                                         progress=lambda done, total: run.advance(done, total, force=True))
    except services.AppError as exc:
        return Outcome(message=f"未生成：{exc}", failed=True)
    return Outcome(message=result.message, result=result.public())
