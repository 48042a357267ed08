"""Background import of a large declaration file, with progress and an error report."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from huey.contrib.djhuey import db_task

from yibao.accounts.models import User
from yibao.jobs import services as jobs

from .exports import build_error_report
from .importing import import_file
from .models import Declaration
from .services import DeclarationError, ImportRejected

# Files larger than this are imported by the worker with a progress bar; smaller ones at once.
BACKGROUND_BYTES = 512 * 1024


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_import(declaration: Declaration, data: bytes, filename: str, *, actor, job_id=None, progress=None) -> dict:
    """Import and describe the outcome; on row errors the report is written beside the job.
    Progress goes to the job record (pages, ``yibao jobs ID --watch``) or to ``progress(done)``."""
    if job_id:
        progress = lambda done: jobs.advance(job_id, done)  # noqa: E731
    if job_id:
        jobs.start(job_id, declaration.line_count)
    try:
        applied = import_file(declaration, data, filename, actor=actor, progress=progress)
    except ImportRejected as exc:
        report = imports_dir() / f"errors-{job_id or declaration.pk}.xlsx"
        report.write_bytes(build_error_report(exc.header, exc.rows, exc.errors, exc.header_row))
        return {"ok": False, "message": str(exc), "errors": [e.__dict__ for e in exc.errors[:200]],
                "error_count": len(exc.errors), "report": str(report)}
    except DeclarationError as exc:
        return {"ok": False, "message": str(exc), "errors": [], "error_count": 0, "report": ""}
    return {"ok": True, "message": f"已导入 {applied} 人的申报数据。", "applied": applied}


@db_task()
def import_declaration_task(job_id, declaration_id: int, user_id: int, path: str, filename: str) -> None:
    declaration = Declaration.objects.get(pk=declaration_id)
    actor = User.objects.get(pk=user_id)
    file = Path(path)
    try:
        outcome = run_import(declaration, file.read_bytes(), filename, actor=actor, job_id=job_id)
    except Exception as exc:
        jobs.fail(job_id, f"导入失败：{exc}")
        raise
    finally:
        file.unlink(missing_ok=True)
    jobs.finish(job_id, result={k: v for k, v in outcome.items() if k != "report"},
                result_file=outcome.get("report", ""), message=outcome["message"])


@db_task()
def render_form_task(job_id, declaration_id: int, user_id: int, form: str, fmt: str = "pdf") -> None:
    """A printed form too large to render within a page request (WeasyPrint lays out about 20
    lines of the 明细表 a second): rendered by the worker, page by page on the progress bar."""
    from .forms.export import render_form_job

    render_form_job(job_id, Declaration.objects.get(pk=declaration_id), form, fmt,
                    actor=User.objects.get(pk=user_id))


@db_task()
def record_average_wage_task(job_id, region_key: str, wage_year: int, annual_amount: str, published_on: str,
                             document: str, user_id: int) -> None:
    """Recording a published average wage re-clamps a whole region's year of stored bases (a
    city holds over a million): the worker does it in one transaction while the page shows the job."""
    import datetime as dt

    from yibao.regions.models import Division

    from . import rules, services

    actor = User.objects.get(pk=user_id)
    region = Division.objects.get(key=region_key)
    jobs.start(job_id, 1)
    try:
        wage, changed = services.record_average_wage(
            region=region, wage_year=wage_year, annual_amount=annual_amount,
            published_on=dt.date.fromisoformat(published_on), document=document, actor=actor)
    except (services.DeclarationError, rules.RuleRefused) as exc:
        jobs.fail(job_id, f"未录入：{exc}")
        return
    jobs.finish(job_id, result={"effective_from": wage.effective_from, "floor": str(wage.floor),
                                "ceiling": str(wage.ceiling), "changed": changed},
                message=f"已录入。自 {wage.effective_from} 起缴费基数下限 {wage.floor} 元、上限 {wage.ceiling} 元；"
                        f"已调整 {changed} 条核定基数。")
