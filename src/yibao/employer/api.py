"""The employee-scheme declaration over the JSON API: the same selectors and services as the
pages, so the two cannot drift apart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import record_whole_view, shown_id_number
from yibao.http import PDF, XLSX, ErrorOut, attachment, file_responses, refusals, responds
from yibao.jobs.models import Job
from yibao.jobs.schemas import JobStartedOut, job_started
from yibao.regions.models import Division

from . import rules, selectors, services
from .forms.export import FormNotAvailable, export_form
from .models import Declaration, DeclarationKind

router = Router(tags=["职工医保缴费基数申报"])

# Bounds of the list operations' numbers: outside them the API answers 422, never 500.
MAX_OFFSET = 10_000_000
YEARS = {"ge": 1900, "le": 2999}


def _get(request, pk: int) -> Declaration:
    require_capability(request.user, "employer.view_declaration")
    declaration = selectors.declaration_for(request.user, pk)
    if declaration is None:
        raise HttpError(404, "申报不存在。")
    return declaration


class DeclarationOut(Schema):
    id: int
    unit_number: str
    unit_name: str
    region: str
    year: int
    kind: str
    status: str
    status_display: str
    late: bool
    flagged: bool
    revision: int
    line_count: int
    wage_total: Decimal
    base_total: Decimal
    at_floor_count: int
    submitted_at: dt.datetime | None
    review_reasons: str
    checks: Any = None


def _out(d: Declaration, checks: bool = False) -> dict:
    return {"id": d.pk, "unit_number": d.unit.unit_number, "unit_name": d.unit.name, "region": d.unit.region_id,
            "year": d.year, "kind": d.kind, "status": d.status, "status_display": d.get_status_display(),
            "late": d.late, "flagged": d.flagged, "revision": d.revision, "line_count": d.line_count,
            "wage_total": d.wage_total, "base_total": d.base_total, "at_floor_count": d.at_floor_count,
            "submitted_at": d.submitted_at, "review_reasons": d.review_reasons,
            "checks": services.run_checks(d) if checks else d.checks}


class OpenIn(Schema):
    year: int | None = None
    kind: str = DeclarationKind.ACTIVE


@router.post("/declarations", response=responds(DeclarationOut))
def open_declaration(request, payload: OpenIn):
    require_capability(request.user, "employer.declare")
    unit = selectors.unit_of(request.user)
    year = payload.year or rules.current_declaration_year(unit.region_id, clock.today())[0]
    if year is None:
        raise HttpError(400, "本统筹区尚未配置任何年度的缴费基数政策。")
    return _out(services.open_declaration(unit, year, payload.kind, actor=request.user))


@router.get("/declarations", response=responds(list[DeclarationOut]))
def list_declarations(request, status: str = "", region: str = "", year: int | None = Query(None, **YEARS),
                      flagged: bool = False, q: str = "", offset: int = Query(0, ge=0, le=MAX_OFFSET),
                      limit: int = Query(50, ge=1, le=500)):
    require_capability(request.user, "employer.view_declaration")
    flt = selectors.QueueFilter(region=region, status=status, year=year, flagged=flagged, q=q)
    qs = selectors.review_queue(request.user, flt)[offset:offset + limit]
    return [_out(d) for d in qs]


@router.get("/declarations/{pk}", response=responds(DeclarationOut))
def get_declaration(request, pk: int):
    return _out(_get(request, pk), checks=True)


class LineOut(Schema):
    id: int
    name: str
    id_number: str
    employee_number: str
    previous_base: Decimal | None
    declared_amount: Decimal | None
    base: Decimal | None
    clamp: str


def _line(x, user) -> dict:
    return {"id": x.pk, "name": x.name, "id_number": shown_id_number(user, x.id_number),
            "employee_number": x.employee_number,
            "previous_base": x.previous_base, "declared_amount": x.declared_amount, "base": x.base, "clamp": x.clamp}


@router.get("/declarations/{pk}/lines", response=responds(list[LineOut]))
def list_lines(request, pk: int, q: str = "", offset: int = Query(0, ge=0, le=MAX_OFFSET),
               limit: int = Query(100, ge=1, le=1000)):
    d = _get(request, pk)
    qs = list(selectors.lines_of(d, reader=request.user, q=q)[offset:offset + limit])
    record_whole_view(request.user, "declaration", d.pk, people=len(qs), division_path=d.unit.division.path,
                      what="申报明细（接口）")
    return [_line(x, request.user) for x in qs]


class AmountIn(Schema):
    amount: str


@router.put("/declarations/{pk}/lines/{line_id}", response=responds(LineOut))
def set_line(request, pk: int, line_id: int, payload: AmountIn):
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    return _line(services.set_amount(d, line_id, payload.amount, actor=request.user), request.user)


@router.get("/declarations/{pk}/template", response=refusals(), openapi_extra=file_responses(XLSX, description="报盘文件"))
def template(request, pk: int):
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    data, filename = services.template_file(d, actor=request.user)
    return attachment(data, filename, XLSX)


class ImportOut(Schema):
    ok: bool
    message: str
    detail: str | None = None
    code: str | None = None
    applied: int | None = None
    errors: list[dict] | None = None
    error_count: int | None = None


@router.post("/declarations/{pk}/upload", response={**responds(ImportOut), 202: JobStartedOut, 400: ImportOut | ErrorOut})
def upload(request, pk: int, file: UploadedFile = File(...)):
    """Import a filled template (xlsx or csv): every row is applied, or none and the row errors
    are returned (HTTP 400)."""
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    outcome = services.start_import(d, file, actor=request.user)
    if isinstance(outcome, Job):
        return Status(202, job_started(outcome))
    if not outcome.ok:
        return Status(400, outcome.public())
    return Status(200, outcome.public())


class MaterialOut(Schema):
    id: int
    code: str
    title: str
    content_type: str
    size: int
    sha256: str


@router.post("/declarations/{pk}/materials", response=responds(MaterialOut))
def upload_material(request, pk: int, code: Form[str], file: UploadedFile = File(...)):
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    m = services.upload_material(d, code, file, actor=request.user)
    return {"id": m.pk, "code": m.code, "title": m.title, "content_type": m.content_type, "size": m.size,
            "sha256": m.sha256, "current": m.current}


@router.get("/declarations/{pk}/forms/{form}", response=refusals(),
            openapi_extra=file_responses(PDF, XLSX, description="表格（format=pdf 或 xlsx）"))
def form(request, pk: int, form: str, format: str = "pdf"):  # noqa: A002
    d = _get(request, pk)
    try:
        file = export_form(d, form, format, actor=request.user).file
    except FormNotAvailable as exc:
        raise HttpError(404, "没有这种表格。") from exc
    return HttpResponse(file.content, content_type=file.content_type)


@router.post("/declarations/{pk}/submit", response=responds(DeclarationOut))
def submit(request, pk: int):
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    return _out(services.submit(d, actor=request.user))


class ReviewIn(Schema):
    approve: bool
    reasons: str = ""


@router.post("/declarations/{pk}/review", response=responds(DeclarationOut))
def review(request, pk: int, payload: ReviewIn):
    d = _get(request, pk)
    require_capability(request.user, "employer.review")
    return _out(services.review(d, actor=request.user, approve=payload.approve, reasons=payload.reasons))


@router.post("/declarations/{pk}/confirm", response=responds(DeclarationOut))
def confirm(request, pk: int):
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    return _out(services.confirm(d, actor=request.user))


class ReopenIn(Schema):
    month_from: str


@router.post("/declarations/{pk}/reopen", response=responds(DeclarationOut))
def reopen(request, pk: int, payload: ReopenIn):
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    return _out(services.reopen_for_adjustment(d, month_from=payload.month_from, actor=request.user))


class BaseOut(Schema):
    id_number: str
    name: str
    kind: str
    month_from: str
    month_to: str
    declared_amount: Decimal
    base: Decimal
    clamp: str
    reason: str
    superseded: bool


@router.get("/declarations/{pk}/bases", response=responds(list[BaseOut]))
def bases(request, pk: int):
    d = _get(request, pk)
    rows = list(selectors.approved_bases_for(request.user, unit=d.unit, year=d.year))
    record_whole_view(request.user, "declaration", d.pk, people=len(rows), division_path=d.unit.division.path,
                      what="核定缴费基数（接口）")
    return [{"id_number": shown_id_number(request.user, b.employee.id_number), "name": b.employee.name,
             "kind": b.kind, "month_from": str(b.month_from), "month_to": str(b.month_to), "declared_amount": b.declared_amount,
             "base": b.base, "clamp": b.clamp, "reason": b.reason, "superseded": b.superseded} for b in rows]


class FlexibleIn(Schema):
    month: str
    base: str


class FlexibleOut(Schema):
    month_from: str
    base: Decimal
    chosen_at: dt.datetime


@router.post("/flexible-base", response=responds(FlexibleOut))
def flexible_base(request, payload: FlexibleIn):
    require_capability(request.user, "flexible.declare")
    worker = selectors.flexible_worker_for(request.user)
    if worker is None:
        raise HttpError(404, "您尚未登记为灵活就业人员。")
    c = services.choose_flexible_base(worker, month=payload.month, value=payload.base, actor=request.user)
    return {"month_from": str(c.month_from), "base": c.base, "chosen_at": c.chosen_at}


class AverageWageIn(Schema):
    region: str
    wage_year: int
    annual_amount: str
    published_on: dt.date
    document: str = ""


@router.post("/average-wages", response={202: JobStartedOut, **responds(JobStartedOut)})
def average_wage(request, payload: AverageWageIn):
    require_capability(request.user, "employer.set_average_wage")
    region = Division.objects.filter(key=payload.region, is_pooling_region=True).first()
    if region is None:
        raise HttpError(404, "统筹区不存在。")
    job = services.publish_average_wage(
        region=region, wage_year=payload.wage_year, annual_amount=payload.annual_amount,
        published_on=payload.published_on, document=payload.document, actor=request.user)
    return Status(202, job_started(job))


from . import unit_api  # noqa: E402,F401  (registers the units operations on this router)
