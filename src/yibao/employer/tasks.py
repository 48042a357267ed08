"""Background jobs of the employee scheme: each turns the ids in the job's parameters into
objects and calls one service; the job runner records the outcome and the progress."""

from __future__ import annotations

from pathlib import Path

from yibao.jobs.services import Outcome, Run, handler
from yibao.regions.models import Division

from . import services
from .models import Declaration


@handler("declaration.import")
def import_declaration(run: Run) -> Outcome:
    p = run.params
    declaration = Declaration.objects.get(pk=p["declaration"])
    file = Path(p["path"])
    run.start(declaration.line_count)
    try:
        outcome = services.run_import(declaration, file.read_bytes(), p["filename"], actor=run.owner,
                                      progress=run.advance, report_name=str(run.id),
                                      counter=bool(p.get("counter")))
    finally:
        file.unlink(missing_ok=True)
    return Outcome(message=outcome.message, result=outcome.public(), result_file=outcome.report)


@handler("average_wage.record")
def record_average_wage(run: Run) -> Outcome:
    p = run.params
    run.start(1)
    try:
        recorded = services.record_average_wage(
            region=Division.objects.get(key=p["region"]), wage_year=p["wage_year"],
            annual_amount=p["annual_amount"], published_on=p["published_on"], document=p.get("document", ""),
            actor=run.owner, progress=lambda done, total: run.advance(done, total, force=True))
    except services.DeclarationError as exc:
        return Outcome(message=f"未录入：{exc}", failed=True)
    except services.RuleRefused as exc:
        return Outcome(message=f"未录入：{exc}", failed=True)
    b = recorded.bounds
    return Outcome(message=recorded.message,
                   result={"effective_from": str(b.effective_from), "floor": str(b.floor), "ceiling": str(b.ceiling),
                           "changed": recorded.changed})


@handler("declaration.form")
def render_form(run: Run) -> Outcome:
    """A printed form too large to render within a page request (WeasyPrint lays out about 20
    lines of the 明细表 a second): rendered by the worker, page by page on the progress bar."""
    from .forms.export import render_form_file

    p = run.params
    path, file = render_form_file(Declaration.objects.get(pk=p["declaration"]), p["form"], p.get("format", "pdf"),
                                  actor=run.owner, name=str(run.id), start=run.start,
                                  progress=lambda page: run.advance(page, force=True))
    return Outcome(message=f"已生成 {file.filename}", result={"filename": file.filename}, result_file=str(path))
