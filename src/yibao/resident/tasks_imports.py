"""Job handlers of the bulk imports: ids → objects → one service; the runner records the
progress, the outcome and the error report."""

from __future__ import annotations

from pathlib import Path

from yibao.jobs.services import Outcome, Run, handler

from .models import BatchKind, ImportBatch
from .services import imports


def _import(run: Run, kind: str) -> Outcome:
    p = run.params
    file = Path(p["path"])
    run.start(0)
    try:
        outcome = imports.run_import(kind, file, p["filename"], region=p["region"], insurance_year=p["insurance_year"],
                                     source=p.get("source", ""), actor=run.owner,
                                     progress=lambda done, total: run.advance(done, total, force=True),
                                     report_name=str(run.id))
    finally:
        file.unlink(missing_ok=True)
    return Outcome(message=outcome.message, result=outcome.public(), result_file=outcome.report)


@handler("resident.import.registrations")
def import_registrations(run: Run) -> Outcome:
    return _import(run, BatchKind.REGISTRATIONS)


@handler("resident.import.hardship")
def import_hardship(run: Run) -> Outcome:
    return _import(run, BatchKind.HARDSHIP)


@handler("resident.import.review")
def review_batch(run: Run) -> Outcome:
    p = run.params
    run.start(5)
    try:
        outcome = imports.review_batch(ImportBatch.objects.get(pk=p["batch"]), actor=run.owner, approve=p["approve"],
                                       note=p.get("note", ""),
                                       progress=lambda done, total: run.advance(done, total, force=True))
    except imports.RegistrationError as exc:
        return Outcome(message=f"未审核：{exc}", failed=True)
    return Outcome(message=outcome.message, result=outcome.public())
