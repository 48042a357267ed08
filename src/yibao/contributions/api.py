"""Bills and staff changes over the JSON API (``/api/v1/contributions``): the same selectors and
services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import shown_id_number
from yibao.employer import contributing
from yibao.employer import selectors as employer_selectors
from yibao.http import PDF, XLSX, attachment, file_responses, refusals, responds
from yibao.jobs.schemas import JobStartedOut, job_started
from yibao.months import Month

from . import exports, rules, selectors, services
from .models import Bill, SpanStart

router = Router(tags=["职工医保缴费"])


class BillOut(Schema):
    id: int
    unit_id: int
    month: str
    kind: str
    status: str
    person_count: int
    base_total: Decimal
    unit_total: Decimal
    individual_total: Decimal
    amount_due: Decimal
    amount_paid: Decimal
    balance: Decimal
    rounding: str
    reason: str
    adjusts_id: int | None
    declared_at: dt.datetime | None


class BillLineOut(Schema):
    name: str
    id_number: str
    base: Decimal
    previous_base: Decimal | None
    unit_share: Decimal
    individual_share: Decimal


def _out(b: Bill) -> dict:
    return {"id": b.pk, "unit_id": b.unit_id, "month": str(b.month), "kind": b.kind, "status": b.status,
            "person_count": b.person_count, "base_total": b.base_total, "unit_total": b.unit_total,
            "individual_total": b.individual_total, "amount_due": b.amount_due, "amount_paid": b.amount_paid,
            "balance": b.balance, "rounding": b.rounding, "reason": b.reason, "adjusts_id": b.adjusts_id,
            "declared_at": b.declared_at}


def _bill(request, pk: int) -> Bill:
    require_capability(request.user, "contributions.view")
    bill = selectors.bill_for(request.user, pk)
    if bill is None:
        raise HttpError(404, "缴费单据不存在。")
    return bill


class BillsFilter(Schema):
    unit: int | None = None
    month: str | None = None


@router.get("/bills", response=responds(list[BillOut]))
def list_bills(request, f: Query[BillsFilter]):
    """缴费单据：单位只见本单位的，经办人员见辖区内的。"""
    require_capability(request.user, "contributions.view")
    try:
        month = Month.coerce(f.month) if f.month else None
    except ValueError:
        raise HttpError(422, "月份应为 YYYY-MM 格式。") from None
    return [_out(b) for b in selectors.bills_for(request.user, unit_id=f.unit, month=month)[:500]]


@router.get("/bills/{pk}", response=responds(BillOut))
def get_bill(request, pk: int):
    return _out(_bill(request, pk))


@router.get("/bills/{pk}/lines", response=responds(list[BillLineOut]))
def bill_lines(request, pk: int):
    bill = _bill(request, pk)
    return [{"name": line.name, "id_number": shown_id_number(request.user, line.id_number), "base": line.base,
             "previous_base": line.previous_base, "unit_share": line.unit_share,
             "individual_share": line.individual_share} for line in selectors.lines_of(bill)]


@router.get("/bills/{pk}/download/{ext}", response=refusals(), openapi_extra=file_responses(XLSX, PDF, description="缴费单据"))
def download_bill(request, pk: int, ext: str):
    bill = _bill(request, pk)
    if ext not in ("xlsx", "pdf"):
        raise HttpError(404, "格式应为 xlsx 或 pdf。")
    unit = contributing.unit_facts([bill.unit_id])[bill.unit_id]
    lines = list(selectors.lines_of(bill))

    def show(n):
        return shown_id_number(request.user, n)

    name = f"缴费单据-{unit['unit_number']}-{bill.month}-{bill.pk}.{ext}"
    if ext == "xlsx":
        return attachment(exports.bill_xlsx(bill, unit, lines, show), name, XLSX)
    return attachment(exports.bill_pdf(bill, unit, lines, show, rules.explanation(bill.region_id, bill.month, lines[0].base if lines else None)), name, PDF)


@router.post("/bills/{pk}/declare", response=responds(BillOut))
def declare_bill(request, pk: int):
    """申报：申报后单据冻结；更正以补差单据办理。"""
    require_capability(request.user, "contributions.declare")
    bill = _bill(request, pk)
    return _out(services.declare_bill(bill, actor=request.user,
                                      counter=employer_selectors.unit_of(request.user) is None))


class BillsGenerateIn(Schema):
    region: str
    month: str


@router.post("/generate", response={202: JobStartedOut, **responds(JobStartedOut)})
def generate_bills(request, data: BillsGenerateIn):
    """生成一个统筹区某月的缴费单据（后台任务，带进度）。"""
    require_capability(request.user, "contributions.generate")
    if data.region not in {r.key for r in employer_selectors.pooling_regions_for(request.user)}:
        raise HttpError(404, "统筹区不存在或不在管辖范围内。")
    try:
        month = Month.coerce(data.month)
    except ValueError:
        raise HttpError(422, "月份应为 YYYY-MM 格式。") from None
    job = services.start_generation(data.region, month, actor=request.user)
    return 202, job_started(job)


class StaffAddIn(Schema):
    id_number: str
    name: str
    month: str
    reason: str = SpanStart.NEW_HIRE
    wage: str | None = None


class StaffRemoveIn(Schema):
    span: int
    month: str
    reason: str


class StaffChangeOut(Schema):
    id: int
    direction: str
    reason: str
    month: str
    name: str
    base: Decimal | None


def _unit(request, pk: int | None):
    require_capability(request.user, "contributions.staff")
    unit = selectors.unit_for(request.user, pk) if pk else employer_selectors.unit_of(request.user)
    if unit is None:
        raise HttpError(404, "单位不存在。")
    return unit


def _change(c) -> dict:
    return {"id": c.pk, "direction": c.direction, "reason": c.reason, "month": str(c.month), "name": c.name,
            "base": c.base}


@router.post("/staff/add", response=responds(StaffChangeOut))
def staff_add(request, data: StaffAddIn, unit: int | None = None):
    """增员（新参保、转入）：同一人同一月份只能在一个单位参保。经办人员以 ``?unit=`` 指明单位（窗口代办）。"""
    unit = _unit(request, unit)
    return _change(services.add_person(unit, id_number=data.id_number, name=data.name, month=data.month,
                                       reason=data.reason, wage=data.wage, actor=request.user,
                                       counter=employer_selectors.unit_of(request.user) is None))


@router.post("/staff/remove", response=responds(StaffChangeOut))
def staff_remove(request, data: StaffRemoveIn, unit: int | None = None):
    """减员（离职、退休、死亡、转出），自生效月份起不再参保。"""
    unit = _unit(request, unit)
    return _change(services.remove_person(unit, span_id=data.span, month=data.month, reason=data.reason,
                                          actor=request.user, counter=employer_selectors.unit_of(request.user) is None))
