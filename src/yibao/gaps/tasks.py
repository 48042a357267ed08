"""Job handlers: ids → objects → one service; the runner records progress, outcome and report."""

from __future__ import annotations

from pathlib import Path

from yibao.jobs.services import Outcome, Run, handler

from .services import extracts


@handler("gaps.import.registry")
def import_registry(run: Run) -> Outcome:
    p = run.params
    file = Path(p["path"])
    run.start(0)
    try:
        outcome = extracts.run_import(file, p["filename"], region=p["region"], insurance_year=p["insurance_year"],
                                      actor=run.owner, progress=lambda done, total: run.advance(done, total, force=True),
                                      report_name=str(run.id))
    finally:
        file.unlink(missing_ok=True)
    return Outcome(message=outcome.message, result=outcome.public(), result_file=outcome.report)
