"""Registration, review and the problem queue in the JSON API: the same services as the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import (
    record_whole_view,
    sees_whole_id_numbers,
    shown_id_number,
    shown_phone,
)
from yibao.http import responds

from .. import rules, selectors, services
from ..errors import RegistrationError
from ..models import Basis, Kind, Problem, Registration, RegistrationStatus

router = Router(tags=["城乡居民参保登记"])

MAX_OFFSET = 10_000_000
YEARS = {"ge": 1900, "le": 2999}


class RegistrationIn(Schema):
    insurance_year: int | None = Field(None, ge=1900, le=2999)
    id_number: str
    name: str
    hukou_code: str
    residence_code: str = ""
    basis: Basis = Basis.HUKOU
    sex: str = ""
    birth_date: dt.date | None = None
    hk_id_number: str = ""
    hk_name: str = ""
    hk_sex: str = ""
    hk_birth_date: dt.date | None = None
    household_number: str = ""
    phone: str = ""
    kind: Kind = Kind.ORDINARY
    moved_in_on: dt.date | None = None
    paid_at_origin: bool | None = None


class TwoCertificatesMismatchOut(Schema):
    item: str
    id_card: str
    household_register: str


class RegistrationOut(Schema):
    id: int
    region: str
    insurance_year: int
    status: str
    status_display: str
    channel: str
    kind: str
    basis: str
    id_number: str
    name: str
    sex: str
    birth_date: dt.date | None  # hidden (null) from roles that see identity numbers masked
    household_number: str
    hukou_division: str
    residence_division: str
    division: str
    division_name: str
    phone: str
    maker: str
    checker: str
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    note: str
    mismatches: list[TwoCertificatesMismatchOut]
    problems: list[int]


def _registration_out(user, r: Registration) -> dict:
    return {"id": r.pk, "region": r.region_id, "insurance_year": r.insurance_year, "status": r.status,
            "status_display": r.get_status_display(), "channel": r.channel, "kind": r.kind, "basis": r.basis,
            "id_number": shown_id_number(user, r.id_number), "name": r.name, "sex": r.sex,
            "birth_date": r.birth_date if sees_whole_id_numbers(user) else None,
            "household_number": r.household_number, "hukou_division": r.hukou_division_id,
            "residence_division": r.residence_division_id, "division": r.division_id,
            "division_name": r.division.name, "phone": shown_phone(user, r.phone), "maker": r.maker_label,
            "checker": r.checker_label, "submitted_at": r.submitted_at, "reviewed_at": r.reviewed_at, "note": r.note,
            "mismatches": [{"item": w, "id_card": _shown_item(user, w, a), "household_register": _shown_item(user, w, b)}
                           for w, a, b in r.mismatches()],
            "problems": [p.pk for p in r.problems.all()]}


def _create(request, payload: RegistrationIn):
    region = selectors.region_of(request.user)
    if region is None:
        raise RegistrationError("您所在地区未开展城乡居民医保参保登记（以政策文件为准）。", code="no_region")
    values = payload.dict()
    if values["insurance_year"] is None:
        values["insurance_year"] = rules.default_insurance_year(region.key, clock.today())
    registration = services.register(services.RegistrationInput(**values), region=region.key, actor=request.user)
    return Status(201, _registration_out(request.user, registration))


def _shown_item(user, item: str, value: str) -> str:
    if item == "身份证号码":
        return shown_id_number(user, value)
    if item == "出生日期" and not sees_whole_id_numbers(user):
        return "已隐去"
    return value


@router.post("/registrations", response=responds(RegistrationOut, status=201))
def create_registration(request, payload: RegistrationIn):
    """Record a registration form (a village agent or clerk, for their own area). A 两证 mismatch
    is recorded and put in the problem queue (status ``problem``)."""
    require_capability(request.user, "resident.register")
    return _create(request, payload)


@router.post("/me/registration", response=responds(RegistrationOut, status=201))
def register_myself(request, payload: RegistrationIn):
    """A resident registers themself online, pending a clerk's review."""
    require_capability(request.user, "resident.self")
    return _create(request, payload)


@router.get("/registrations", response=responds(list[RegistrationOut]))
def list_registrations(request, status: RegistrationStatus | None = None,
                       insurance_year: int | None = Query(None, **YEARS), offset: int = Query(0, ge=0, le=MAX_OFFSET),
                       limit: int = Query(50, ge=1, le=500)):
    require_capability(request.user, "resident.view_registration")
    qs = selectors.registrations_for(request.user).prefetch_related("problems").order_by("submitted_at", "id")
    if status:
        qs = qs.filter(status=status)
    if insurance_year:
        qs = qs.filter(insurance_year=insurance_year)
    rows = list(qs[offset:offset + limit])
    record_whole_view(request.user, "registration", "list", people=len(rows), what="参保登记列表（接口）")
    return [_registration_out(request.user, r) for r in rows]


def _registration(request, pk: int) -> Registration:
    require_capability(request.user, "resident.view_registration")
    r = selectors.registration_for(request.user, pk)
    if r is None:
        raise HttpError(404, "登记不存在。")
    return r


@router.get("/registrations/{pk}", response=responds(RegistrationOut))
def get_registration(request, pk: int):
    r = _registration(request, pk)
    record_whole_view(request.user, "registration", r.pk, people=1, division_path=r.division.path, what="参保登记表（接口）")
    return _registration_out(request.user, r)


class RegistrationReviewIn(Schema):
    approve: bool
    note: str = ""


@router.post("/registrations/{pk}/review", response=responds(RegistrationOut))
def review_registration(request, pk: int, payload: RegistrationReviewIn):
    """The second signature: approve (enrolled for the year) or return with a note. The reviewer
    must not be the form's maker."""
    require_capability(request.user, "resident.review")
    r = _registration(request, pk)
    return _registration_out(request.user, services.review(r, actor=request.user, approve=payload.approve,
                                                           note=payload.note))


class ProblemOut(Schema):
    id: int
    source: str
    code: str
    message: str
    actor: str
    status: str
    status_display: str
    instructions: str
    division: str
    registration: int | None
    change: int | None
    created_at: dt.datetime
    resolved_at: dt.datetime | None


def _problem_out(p: Problem) -> dict:
    return {"id": p.pk, "source": p.source, "code": p.code, "message": p.message, "actor": p.actor,
            "status": p.status, "status_display": p.get_status_display(), "instructions": p.instructions,
            "division": p.division_id, "registration": p.registration_id, "change": p.change_id,
            "created_at": p.created_at, "resolved_at": p.resolved_at}


@router.get("/problems", response=responds(list[ProblemOut]))
def list_problems(request, status: str = Query("open", pattern="^(open|returned|released|closed|all)$"),
                  offset: int = Query(0, ge=0, le=MAX_OFFSET), limit: int = Query(50, ge=1, le=500)):
    require_capability(request.user, "resident.view_problem")
    qs = selectors.problems_for(request.user, status=None if status == "all" else status).order_by("created_at", "id")
    return [_problem_out(p) for p in qs[offset:offset + limit]]


def _problem(request, pk: int) -> Problem:
    require_capability(request.user, "resident.view_problem")
    p = selectors.problem_for(request.user, pk)
    if p is None:
        raise HttpError(404, "待处理信息不存在。")
    return p


@router.get("/problems/{pk}", response=responds(ProblemOut))
def get_problem(request, pk: int):
    return _problem_out(_problem(request, pk))


class ProblemCorrections(Schema):
    id_number: str = ""
    name: str = ""
    sex: str = ""
    birth_date: dt.date | None = None
    hk_id_number: str = ""
    hk_name: str = ""
    hk_sex: str = ""
    hk_birth_date: dt.date | None = None


class ProblemResolveIn(Schema):
    corrections: ProblemCorrections = ProblemCorrections()
    note: str = ""


@router.post("/problems/{pk}/resolve", response=responds(ProblemOut))
def resolve_problem(request, pk: int, payload: ProblemResolveIn):
    """Fix the record and release it to review (clerks)."""
    require_capability(request.user, "resident.review")
    p = _problem(request, pk)
    return _problem_out(services.resolve(p, actor=request.user, corrections=payload.corrections.dict(),
                                         note=payload.note))


class ProblemSendBackIn(Schema):
    instructions: str


@router.post("/problems/{pk}/send-back", response=responds(ProblemOut))
def send_back_problem(request, pk: int, payload: ProblemSendBackIn):
    """The person must act: the problem waits for them with the instructions (clerks)."""
    require_capability(request.user, "resident.review")
    p = _problem(request, pk)
    return _problem_out(services.send_back(p, actor=request.user, instructions=payload.instructions))


class ProblemResubmitIn(Schema):
    corrections: ProblemCorrections = ProblemCorrections()


@router.post("/problems/{pk}/resubmit", response=responds(ProblemOut))
def resubmit_problem(request, pk: int, payload: ProblemResubmitIn):
    """The resident corrects a problem sent back to them."""
    require_capability(request.user, "resident.self")
    p = _problem(request, pk)
    return _problem_out(services.resubmit(p, actor=request.user, corrections=payload.corrections.dict()))
