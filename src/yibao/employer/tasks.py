"""Background jobs of the employee scheme: each turns the ids in the job's parameters into
objects and calls one service; the job runner records the outcome and the progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from huey.contrib.djhuey import db_task

from yibao.jobs import services as jobs
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
                                      progress=run.advance, report_name=str(run.id))
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


def exports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@db_task()
def render_form_task(job_id, declaration_id: int, user_id: int, form: str) -> None:
    """A printed form too large to render within a page request (WeasyPrint lays out about 20
    lines of the 明细表 a second): rendered by the worker, page by page on the progress bar."""
    from yibao.accounts.models import User
    from yibao.documents.declaration_forms import estimated_pages, filename_for, render_pdf

    from . import forms_data

    declaration = Declaration.objects.get(pk=declaration_id)
    actor = User.objects.get(pk=user_id)
    try:
        data = forms_data.build_form(declaration, form)
        total = estimated_pages(data)
        jobs.start(job_id, total)
        pdf = render_pdf(data, progress=lambda page: jobs.advance(job_id, min(page, total), force=True))
        path = exports_dir() / f"{job_id}.pdf"
        path.write_bytes(pdf)
        services.record_form_export(declaration, form, "pdf", actor=actor)
    except Exception as exc:
        jobs.fail(job_id, f"生成失败：{exc}")
        raise
    jobs.finish(job_id, result={"filename": filename_for(data, "pdf")}, result_file=str(path),
                message=f"已生成 {filename_for(data, 'pdf')}")
