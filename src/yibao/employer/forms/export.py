"""Exporting a printed form: the one place the pages, the API, the command line and the worker
go through.

``export_form`` checks that the declaration prints the form, records the export in the audit log
(printed forms carry whole identity numbers; a role that sees them masked gets them masked there
too) and returns the file; a form too long to render
within a page request (a 明细表 PDF of more than ``DetailForm.pdf_inline_lines`` people) is
handed to the background worker instead when the caller can show a job (``allow_job``), and the
result carries the job. The worker's job handler runs ``render_form_file``: the PDF laid out page
by page on the job's progress bar, written beside the job, audited when done.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from yibao.accounts.personal_data import sees_whole_id_numbers
from yibao.http import XLSX
from yibao.jobs import services as jobs
from yibao.jobs.models import Job

from .. import services
from ..models import Declaration
from .base import FormData, PrintedForm
from .registry import available_forms, get_form

PDF = "application/pdf"
CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}


class FormNotAvailable(LookupError):
    """The declaration does not print this form (unknown code, another region's form, or a
    format other than pdf and xlsx). ``available`` lists the codes it does print."""

    def __init__(self, code: str, fmt: str, available: list[str]):
        super().__init__("没有这种表格。")
        self.code = code
        self.fmt = fmt
        self.available = available


@dataclass(frozen=True)
class FormFile:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class ExportResult:
    """Either the file, or the background job that will produce it."""

    file: FormFile | None = None
    job: Job | None = None


def exports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def render_form(form: PrintedForm, data, fmt: str, *, progress=None) -> FormFile:
    """The form's data as a file; ``progress(page)`` follows the layout of a PDF."""
    if fmt == "pdf":
        content = form.render_pdf(data, progress)
    elif fmt == "xlsx":
        content = form.render_xlsx(data)
    else:
        raise ValueError(f"not a form format: {fmt!r}")
    return FormFile(content=content, filename=form.filename(data, fmt), content_type=CONTENT_TYPES[fmt])


def data_for(form: PrintedForm, declaration: Declaration, actor) -> FormData:
    """The form's data as ``actor`` may read it: identity numbers whole for a role that sees them
    whole (``person.view_id_number``), masked for any other."""
    data = form.data(declaration)
    return data if sees_whole_id_numbers(actor) else form.masked(data)


def form_of(declaration: Declaration, code: str, fmt: str) -> PrintedForm:
    """The form ``code`` if the declaration prints it in ``fmt``; else ``FormNotAvailable``."""
    forms = available_forms(declaration)
    form = next((f for f in forms if f.code == code), None)
    if form is None or fmt not in CONTENT_TYPES:
        raise FormNotAvailable(code, fmt, [f.code for f in forms])
    return form


def export_form(declaration: Declaration, code: str, fmt: str, *, actor, allow_job: bool = False) -> ExportResult:
    """The form ``code`` of ``declaration`` as ``fmt`` (pdf or xlsx), exported by ``actor``.

    With ``allow_job`` a form too long to render now is handed to the worker and the result
    carries the job (its page shows the progress and downloads the file); without it the form is
    always rendered at once. Raises ``FormNotAvailable``."""
    form = form_of(declaration, code, fmt)
    if allow_job and form.renders_in_background(declaration, fmt):
        job = jobs.enqueue(actor, "declaration.form", f"生成{form.title}（{declaration.line_count} 人）",
                           {"declaration": declaration.pk, "form": code, "format": fmt})
        return ExportResult(job=job)
    data = data_for(form, declaration, actor)
    services.record_form_export(declaration, code, fmt, actor=actor)
    return ExportResult(file=render_form(form, data, fmt))


def render_form_file(declaration: Declaration, code: str, fmt: str = "pdf", *, actor, name: str,
                     start=None, progress=None) -> tuple[Path, FormFile]:
    """The worker's part of a background export: progress by laid-out page (``start(total)``,
    ``progress(page)``), the file written beside the job as ``name``, the export audited once the
    file exists."""
    form = get_form(code)
    if form is None or fmt not in CONTENT_TYPES:
        raise FormNotAvailable(code, fmt, [])
    data = data_for(form, declaration, actor)
    total = form.estimated_pages(data)
    if start:
        start(total)
    file = render_form(form, data, fmt, progress=(lambda page: progress(min(page, total))) if progress else None)
    path = exports_dir() / f"{name}.{fmt}"
    path.write_bytes(file.content)
    services.record_form_export(declaration, code, fmt, actor=actor)
    return path, file
