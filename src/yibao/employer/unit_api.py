"""Units over the JSON API (`/api/v1/employer/units…`): registration, account opening, changes,
status, counter service and the online-service notice; the same selectors and services as the
pages."""

from __future__ import annotations

import datetime as dt

from ninja import File, Form, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.http import ErrorOut, responds
from yibao.jobs.models import Job
from yibao.jobs.schemas import JobStartedOut, job_started

from . import rules, selectors, services
from .api import DeclarationOut, ImportOut, MaterialOut, _get, _out, router
from .models import DeclarationKind


class UnitOut(Schema):
    id: int
    unit_number: str
    uscc: str
    name: str
    region: str
    division: str
    nature: str
    industry: str
    address: str
    postcode: str
    contact_name: str
    contact_phone: str
    civil_servant_subsidy: bool
    status: str
    status_display: str
    status_from: dt.date | None
    status_reason: str
    has_account: bool


def _unit_out(u) -> dict:
    return {"id": u.pk, "unit_number": u.unit_number, "uscc": u.uscc, "name": u.name, "region": u.region_id,
            "division": u.division_id, "nature": u.nature, "industry": u.industry, "address": u.address,
            "postcode": u.postcode, "contact_name": u.contact_name, "contact_phone": u.contact_phone,
            "civil_servant_subsidy": u.civil_servant_subsidy, "status": u.status,
            "status_display": u.get_status_display(), "status_from": u.status_from, "status_reason": u.status_reason,
            "has_account": u.operators.exists()}


def _unit(request, pk: int, capability: str = "employer.view_units"):
    require_capability(request.user, capability)
    u = selectors.unit_for(request.user, pk)
    if u is None:
        raise HttpError(404, "单位不存在。")
    return u


class UnitIn(Schema):
    name: str
    uscc: str
    division: str
    nature: str
    address: str
    postcode: str
    contact_name: str
    contact_phone: str
    civil_servant_subsidy: bool = False
    industry: str = ""


@router.get("/units", response=responds(list[UnitOut]))
def list_units(request, q: str = "", status: str = ""):
    require_capability(request.user, "employer.view_units")
    return [_unit_out(u) for u in selectors.search_units(request.user, q, status)[:500]]


@router.post("/units", response={201: UnitOut, **responds(UnitOut)})
def register_unit(request, payload: UnitIn):
    """单位参保登记: the 单位编号 is assigned by the region's rule (region code + 6-digit sequence)."""
    require_capability(request.user, "employer.register_unit")
    return Status(201, _unit_out(services.register_unit(actor=request.user, **payload.dict())))


@router.get("/units/{pk}", response=responds(UnitOut))
def get_unit(request, pk: int):
    return _unit_out(_unit(request, pk))


class UnitAccountIn(Schema):
    full_name: str = ""


class UnitAccountOut(Schema):
    username: str
    password: str
    note: str


@router.post("/units/{pk}/account", response={201: UnitAccountOut, **responds(UnitAccountOut)})
def open_account(request, pk: int, payload: UnitAccountIn):
    """开户: the unit's login (its 单位编号) with a random first password, answered once."""
    u = _unit(request, pk, "employer.register_unit")
    opened = services.open_account(u, actor=request.user, full_name=payload.full_name)
    return Status(201, {"username": opened.user.username, "password": opened.password,
                        "note": "初始密码只显示这一次，系统不保存明文。"})


class UnitChangeIn(Schema):
    changes: dict
    reason: str = ""


class UnitChangeOut(Schema):
    id: int
    unit_number: str
    changes: dict
    before: dict
    reason: str
    status: str
    filed_by: str
    filed_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    note: str


def _change_out(c) -> dict:
    return {"id": c.pk, "unit_number": c.unit.unit_number, "changes": c.changes, "before": c.before,
            "reason": c.reason, "status": c.status, "filed_by": c.filed_by.username, "filed_at": c.filed_at,
            "reviewed_by": c.reviewed_by.username if c.reviewed_by else None, "reviewed_at": c.reviewed_at,
            "note": c.note}


@router.post("/units/{pk}/changes", response={201: UnitChangeOut, **responds(UnitChangeOut)})
def file_change(request, pk: int, payload: UnitChangeIn):
    u = _unit(request, pk, "employer.register_unit")
    return Status(201, _change_out(services.file_change(u, payload.changes, actor=request.user, reason=payload.reason)))


@router.get("/unit-changes", response=responds(list[UnitChangeOut]))
def list_changes(request, status: str = ""):
    require_capability(request.user, "employer.register_unit")
    return [_change_out(c) for c in selectors.unit_changes_for(request.user, status=status)[:500]]


class UnitChangeReviewIn(Schema):
    approve: bool
    note: str = ""


@router.post("/unit-changes/{pk}/review", response=responds(UnitChangeOut))
def review_change(request, pk: int, payload: UnitChangeReviewIn):
    require_capability(request.user, "employer.register_unit")
    change = selectors.unit_change_for(request.user, pk)
    if change is None:
        raise HttpError(404, "变更申请不存在。")
    return _change_out(services.review_change(change, actor=request.user, approve=payload.approve,
                                              note=payload.note))


class UnitStatusIn(Schema):
    status: str
    effective_on: str
    reason: str


@router.post("/units/{pk}/status", response=responds(UnitOut))
def set_status(request, pk: int, payload: UnitStatusIn):
    u = _unit(request, pk, "employer.register_unit")
    services.set_status(u, payload.status, effective_on=payload.effective_on, reason=payload.reason,
                        actor=request.user)
    return _unit_out(selectors.unit_for(request.user, pk))


# --- counter service (窗口办理) -------------------------------------------------------------------

class CounterOpenIn(Schema):
    year: int | None = None
    kind: str = DeclarationKind.ACTIVE


@router.post("/units/{pk}/counter/declarations", response=responds(DeclarationOut))
def counter_open(request, pk: int, payload: CounterOpenIn):
    u = _unit(request, pk, "employer.counter")
    year = payload.year or rules.current_declaration_year(u.region_id, clock.today())[0]
    if year is None:
        raise HttpError(400, "本统筹区尚未配置任何年度的缴费基数政策。")
    return _out(services.open_declaration(u, year, payload.kind, actor=request.user, counter=True))


@router.post("/counter/declarations/{pk}/upload",
             response={**responds(ImportOut), 202: JobStartedOut, 400: ImportOut | ErrorOut})
def counter_upload(request, pk: int, file: UploadedFile = File(...)):  # noqa: B008
    require_capability(request.user, "employer.counter")
    d = _get(request, pk)
    outcome = services.start_import(d, file, actor=request.user, counter=True)
    if isinstance(outcome, Job):
        return Status(202, job_started(outcome))
    return Status(200 if outcome.ok else 400, outcome.public())


@router.post("/counter/declarations/{pk}/materials", response=responds(MaterialOut))
def counter_material(request, pk: int, code: Form[str], file: UploadedFile = File(...)):  # noqa: B008
    require_capability(request.user, "employer.counter")
    d = _get(request, pk)
    m = services.upload_material(d, code, file, actor=request.user, counter=True)
    return {"id": m.pk, "code": m.code, "title": m.title, "content_type": m.content_type, "size": m.size,
            "sha256": m.sha256}


@router.post("/counter/declarations/{pk}/submit", response=responds(DeclarationOut))
def counter_submit(request, pk: int):
    require_capability(request.user, "employer.counter")
    d = _get(request, pk)
    return _out(services.submit(d, actor=request.user, counter=True))


class DeclarationStepOut(Schema):
    at: dt.datetime
    action: str
    label: str
    actor: str
    counter: bool


@router.get("/declarations/{pk}/timeline", response=responds(list[DeclarationStepOut]))
def timeline(request, pk: int):
    return selectors.declaration_timeline(_get(request, pk))


# --- the online-service notice (潍坊 二(一)1) ---------------------------------------------------

class OnlineNoticeOut(Schema):
    required: bool
    year: int
    title: str = ""
    points: list[str] = []
    confirmed_at: dt.datetime | None = None


def _notice_out(unit, year: int) -> dict:
    status = services.notice_status(unit, year)
    if status is None:
        return {"required": False, "year": year}
    c = status["confirmation"]
    return {"required": True, "year": year, "title": status["title"], "points": status["points"],
            "confirmed_at": c.confirmed_at if c else None}


@router.get("/declarations/{pk}/notice", response=responds(OnlineNoticeOut))
def notice(request, pk: int):
    d = _get(request, pk)
    return _notice_out(d.unit, d.year)


@router.post("/declarations/{pk}/notice", response=responds(OnlineNoticeOut))
def confirm_notice(request, pk: int):
    """The unit confirms it has read the online-service notice of the declaration's year."""
    d = _get(request, pk)
    require_capability(request.user, "employer.declare")
    services.confirm_notice(d.unit, d.year, actor=request.user)
    return _notice_out(d.unit, d.year)
