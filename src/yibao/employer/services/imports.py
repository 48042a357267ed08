"""Importing a filled declaration file (报盘文件): all rows or none. The service decides whether
the import runs at once or as a background job with a progress bar; pages, API and command line
only hand it the file and show the outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from ..errors import DeclarationError, ImportRejected
from ..exports import build_error_report
from ..importing import check_file_size, parse_declaration_rows, read_table
from ..models import Declaration
from .declaration import apply_amounts

# Files larger than this are imported by the worker with a progress bar; smaller ones at once.
BACKGROUND_BYTES = 512 * 1024


@dataclass
class ImportOutcome:
    ok: bool
    message: str
    applied: int = 0
    errors: list[dict] = field(default_factory=list)   # the first 200 row errors
    error_count: int = 0
    report: str = ""   # path of the xlsx with each error beside its row

    def public(self) -> dict:
        """What a client is told (the report's path stays on the server)."""
        out = {"ok": self.ok, "message": self.message}
        if self.ok:
            out["applied"] = self.applied
        else:
            out.update(detail=self.message, code="import_rejected" if self.error_count else "refused",
                       errors=self.errors, error_count=self.error_count)
        return out


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_file(declaration: Declaration, data: bytes, filename: str, *, actor, progress=None,
                counter: bool = False) -> int:
    """Read, validate and apply an uploaded file: all rows or none. Returns rows applied;
    raises DeclarationError (file-level) or ImportRejected (row errors, with the rows)."""
    if not declaration.editable:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能修改。", code="wrong_status")
    rows = read_table(data, filename)
    people = dict(declaration.lines.values_list("id_number", "name"))
    parsed = parse_declaration_rows(rows, people=people, year=declaration.year,
                                    retiree=declaration.kind == "retiree", progress=progress)
    return apply_amounts(declaration, parsed.amounts, actor=actor, source=filename, counter=counter)


def run_import(declaration: Declaration, data: bytes, filename: str, *, actor, progress=None,
               report_name: str = "", counter: bool = False) -> ImportOutcome:
    """Import and describe the outcome; on row errors the error report is written."""
    try:
        applied = import_file(declaration, data, filename, actor=actor, progress=progress, counter=counter)
    except ImportRejected as exc:
        report = imports_dir() / f"errors-{report_name or declaration.pk}.xlsx"
        report.write_bytes(build_error_report(exc.header, exc.rows, exc.errors, exc.header_row))
        return ImportOutcome(False, str(exc), errors=[e.__dict__ for e in exc.errors[:200]],
                             error_count=len(exc.errors), report=str(report))
    except DeclarationError as exc:
        return ImportOutcome(False, str(exc))
    return ImportOutcome(True, f"已导入 {applied} 人的申报数据。", applied=applied)


def start_import(declaration: Declaration, file, *, actor, inline: bool | None = None, progress=None,
                 counter: bool = False):
    """Import an uploaded file (a Django ``File``: ``name``, ``size``, ``chunks()``). Small files
    (or ``inline``) are imported at once and give an ``ImportOutcome``; larger ones are handed
    to the worker and give the ``Job`` whose page shows the progress."""
    from yibao.jobs.services import enqueue

    name = Path(getattr(file, "name", "") or "upload").name
    try:
        check_file_size(file.size)
    except DeclarationError as exc:
        return ImportOutcome(False, str(exc))
    if inline is None:
        inline = file.size <= BACKGROUND_BYTES
    if inline:
        return run_import(declaration, b"".join(file.chunks()), name, actor=actor, progress=progress,
                          counter=counter)
    path = imports_dir() / f"upload-{uuid.uuid4().hex}"
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return enqueue(actor, "declaration.import", f"导入报盘文件 {name}",
                   {"declaration": declaration.pk, "path": str(path), "filename": name, "counter": counter})


def template_file(declaration: Declaration, *, actor) -> tuple[bytes, str]:
    """The xlsx to fill (报盘文件), pre-filled from the lines; it carries whole identity numbers,
    so every download is audited."""
    from yibao.audit.services import record_event

    from ..exports import build_template

    data = build_template(declaration, declaration.lines.order_by("id"))
    record_event(actor, "declaration.form.export", "declaration", declaration.pk,
                 after={"form": "template", "format": "xlsx"}, division_path=declaration.unit.division.path)
    return data, f"报盘文件-{declaration.unit.unit_number}-{declaration.year}-{declaration.kind}.xlsx"
