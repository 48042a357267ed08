"""Bills and staff changes over the JSON API (``/api/v1/contributions``): the same selectors and
services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import shown_id_number
from yibao.audit.services import client_ip
from yibao.channels import auth as channel_auth
from yibao.employer import contributing
from yibao.employer import selectors as employer_selectors
from yibao.http import PDF, XLSX, ErrorOut, attachment, file_responses, refusals, responds
from yibao.jobs.schemas import JobStartedOut, job_started
from yibao.months import Month

from . import exports, rules, selectors, services
from .models import Bill, SpanStart, StaffChange
from .registrations import SCHEME
from .services import payments

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
    return Status(202, job_started(job))


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


# --- payments against bills (缴费): the tax channel's contract and the counter ----------------------

def ChannelToken() -> channel_auth.ChannelToken:  # noqa: N802  (reads as a class)
    """``Authorization: Bearer <渠道令牌>`` of a channel that may post to the employee scheme."""
    return channel_auth.ChannelToken(SCHEME)


class BillPaymentIn(Schema):
    transaction_id: str = Field(..., description="渠道的交易流水号（同一渠道内唯一，重发时不变）")
    unit_number: str = Field(..., description="单位编号")
    bill_id: int = Field(..., ge=1, le=2**63 - 1, description="缴费单据编号")
    amount: Decimal = Field(..., description="缴费金额（元，到分），不超过单据尚欠金额")
    paid_on: dt.date = Field(..., description="缴费日期 YYYY-MM-DD")


class BillPaymentOut(Schema):
    payment_id: int
    transaction_id: str
    status: str
    replayed: bool = Field(..., description="true：同一交易以相同内容重发，返回的是首次记录")
    bill_id: int
    unit_id: int
    region: str
    amount: Decimal
    paid_on: dt.date
    balance_after: Decimal = Field(..., description="本笔缴费后单据尚欠金额")
    counter: bool
    receipt_number: str = Field("", description="窗口缴费的收据号（统筹区-年度-六位顺序号）；渠道缴费为空")


class BillPaymentBatchIn(Schema):
    payments: list[BillPaymentIn] = Field(..., min_length=1, max_length=payments.BATCH_LIMIT)


class BillPaymentBatchItemOut(Schema):
    index: int
    transaction_id: str
    status: int
    payment: BillPaymentOut | None = None
    error: ErrorOut | None = None


class BillPaymentBatchOut(Schema):
    recorded: int
    replayed: int
    refused: int
    results: list[BillPaymentBatchItemOut]


def _payment_in(p: BillPaymentIn) -> payments.PaymentIn:
    return payments.PaymentIn(bill_id=p.bill_id, unit_number=p.unit_number, amount=p.amount, paid_on=p.paid_on,
                              transaction_id=p.transaction_id)


@router.post("/payments", auth=ChannelToken(), url_name="contributions_payment",
             response={201: BillPaymentOut, 200: BillPaymentOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def record_payment(request, payload: BillPaymentIn):
    """税务渠道记录一笔单位缴费（对已申报的缴费单据）。201 已记录；200 同一渠道以相同内容重发同一交易
    （返回首次的应答，replayed=true）；409 交易流水号已以不同内容记录（code=conflict，原记录保留）或正与
    其他请求同时处理（code=busy，稍后重发）；422 拒绝（code 为 unknown_bill、wrong_region、wrong_unit、
    bill_not_declared、before_declared（缴费日期早于单据申报日期）、nothing_due、already_paid、overpayment、invalid_amount、invalid_input）；401 令牌
    缺失、错误、已吊销或其渠道不可缴职工医保。"""
    outcome = payments.channel_payment(request.auth, _payment_in(payload), ip=client_ip(request))
    return Status(outcome.status, outcome.body)


@router.post("/payments/batch", auth=ChannelToken(), url_name="contributions_payment_batch",
             response={200: BillPaymentBatchOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut})
def record_payments(request, payload: BillPaymentBatchIn):
    """一次提交至多 1000 笔单位缴费，逐笔应答（与单笔接口的应答相同）；同一单据的多笔按顺序累计，超过尚欠金额的一笔拒绝。"""
    outcomes = payments.record_channel_payments(request.auth, [_payment_in(p) for p in payload.payments],
                                                ip=client_ip(request))
    results = []
    for n, (p, o) in enumerate(zip(payload.payments, outcomes, strict=True)):
        results.append({"index": n, "transaction_id": p.transaction_id, "status": o.status,
                        "payment": o.body if o.ok else None, "error": None if o.ok else o.body})
    return {"recorded": sum(o.status == 201 for o in outcomes), "replayed": sum(o.status == 200 for o in outcomes),
            "refused": sum(not o.ok for o in outcomes), "results": results}


class CounterPaymentIn(Schema):
    amount: Decimal = Field(..., description="缴费金额（元，到分），不超过单据尚欠金额")
    paid_on: dt.date | None = Field(None, description="缴费日期，缺省为今天")
    note: str = Field("", max_length=200, description="备注")


@router.get("/bills/{pk}/payments", response=responds(list[BillPaymentOut]))
def bill_payments(request, pk: int):
    """单据的缴费记录（渠道缴费和窗口缴费），按记录先后。"""
    bill = _bill(request, pk)
    return [payments.payment_body(p) for p in selectors.payments_of(bill)]


@router.post("/bills/{pk}/payments", response=responds(BillPaymentOut, status=201))
def counter_payment(request, pk: int, data: CounterPaymentIn):
    """窗口缴费：经办人员记录单位在窗口缴纳的款项（部分缴费留有欠费；多缴、未申报的单据拒绝）。422 拒绝的
    code 与渠道缴费相同（如 bill_not_declared、before_declared、overpayment、already_paid、invalid_amount）。"""
    require_capability(request.user, "contributions.pay")
    if selectors.bill_for(request.user, pk) is None:
        payments.refuse_unknown_bill(request.user, pk)
    bill = _bill(request, pk)
    payment = services.record_counter_payment(bill, data.amount, data.paid_on, actor=request.user, note=data.note)
    return Status(201, payments.payment_body(payment))


@router.get("/payments/{pk}/receipt", response=refusals(), openapi_extra=file_responses(PDF, description="缴费收据"))
def payment_receipt(request, pk: int):
    """窗口缴费的收据（PDF，A5）。渠道缴费没有收据（404）。"""
    require_capability(request.user, "contributions.view")
    found = selectors.counter_receipt_for(request.user, pk)
    if found is None:
        raise HttpError(404, "缴费收据不存在，或不在管辖范围内（渠道缴费没有收据）。")
    payment, bill = found
    unit = contributing.unit_facts([bill.unit_id])[bill.unit_id]
    return attachment(exports.receipt_pdf(payment, bill, unit), exports.receipt_filename(payment), PDF)


class UnitStatementFilter(Schema):
    unit: int | None = None
    month_from: str | None = Field(None, alias="from")
    month_to: str | None = Field(None, alias="to")


class UnitStatementPaymentOut(Schema):
    id: int
    paid_on: dt.date
    amount: Decimal
    counter: bool
    late_fee: Decimal | None
    late_days: int | None


class UnitStatementBillOut(BillOut):
    contributions_due: Decimal
    late_fee_total: Decimal
    due_date: dt.date | None
    due_missing: str
    late_fees_charged: Decimal
    late_fee_accrued: Decimal
    late_days_accrued: int
    payments: list[UnitStatementPaymentOut]


class UnitStatementOut(Schema):
    unit_id: int
    unit_number: str
    unit_name: str
    month_from: str
    month_to: str
    as_of: dt.date
    bills: list[UnitStatementBillOut]
    totals: dict[str, Decimal]


def _statement(request, f: UnitStatementFilter):
    require_capability(request.user, "contributions.view")
    unit = selectors.unit_for(request.user, f.unit) if f.unit else employer_selectors.unit_of(request.user)
    if unit is None:
        raise HttpError(404, "单位不存在。")
    today = clock.today()
    first, last = selectors.statement_period(f.month_from, f.month_to, today)
    return unit, selectors.statement(request.user, unit, first, last, today)


@router.get("/statement", response=responds(UnitStatementOut))
def statement(request, f: Query[UnitStatementFilter]):
    """对账单：单位某期间（from、to，YYYY-MM，默认本年度）的全部缴费单据、缴费、余额和滞纳金及合计。
    单位只能查本单位，经办人员以 ``unit`` 指明辖区内的单位。"""
    unit, st = _statement(request, f)
    bills = []
    for row in st.rows:
        fees = {fee.payment_id: fee for fee in row.late.charged}
        bills.append({**_out(row.bill), "contributions_due": row.bill.contributions_due,
                      "late_fee_total": row.bill.late_fee_total, "due_date": row.late.due_date,
                      "due_missing": row.late.due_missing, "late_fees_charged": row.late.charged_total,
                      "late_fee_accrued": row.late.accrued, "late_days_accrued": row.late.accrued_days,
                      "payments": [{"id": p.pk, "paid_on": p.paid_on, "amount": p.amount, "counter": p.counter,
                                    "late_fee": fees[p.pk].fee if p.pk in fees else None,
                                    "late_days": fees[p.pk].days if p.pk in fees else None} for p in row.payments]})
    return {"unit_id": unit.pk, "unit_number": unit.unit_number, "unit_name": unit.name, "month_from": str(st.first),
            "month_to": str(st.last), "as_of": st.today, "bills": bills, "totals": st.totals}


@router.get("/statement/download/{ext}", response=refusals(), openapi_extra=file_responses(XLSX, PDF, description="对账单"))
def download_statement(request, ext: str, f: Query[UnitStatementFilter]):
    """对账单下载（xlsx 或 pdf）。"""
    if ext not in ("xlsx", "pdf"):
        raise HttpError(404, "格式应为 xlsx 或 pdf。")
    unit, st = _statement(request, f)
    facts = contributing.unit_facts([unit.pk])[unit.pk]
    name = f"对账单-{facts['unit_number']}-{st.first}-{st.last}.{ext}"
    if ext == "xlsx":
        return attachment(exports.statement_xlsx(st, facts), name, XLSX)
    return attachment(exports.statement_pdf(st, facts), name, PDF)


class WhatIfUnitOut(Schema):
    unit_id: int
    unit_number: str
    name: str
    people: int
    change: Decimal


class WhatIfOut(Schema):
    region: str
    effective_from: str
    month: str
    floor: Decimal
    ceiling: Decimal
    bases: int
    changed: int
    total_change: Decimal
    units_changed: int
    units: list[WhatIfUnitOut]


class WhatIfQuery(Schema):
    """All three of region, annual_average_wage and published_on are needed: a missing one is
    refused with its own message (after the capability is checked)."""

    region: str = Field("", max_length=12)
    annual_average_wage: str = Field("", max_length=20)
    published_on: str = Field("", max_length=20)
    month: str | None = Field(None, max_length=10)


@router.get("/what-if", response=responds(WhatIfOut))
def what_if(request, q: Query[WhatIfQuery]):
    """新公布平均工资录入前的影响测算：自新上下限起始月份（或 ``month``）起改变的核定基数条数、各单位
    每月缴费变化（变化最大的 100 个单位）和全统筹区每月缴费变化。只测算，不写入。"""
    require_capability(request.user, "employer.set_average_wage")
    preview = selectors.what_if_for(employer_selectors.pooling_regions_for(request.user), q.region,
                                    q.annual_average_wage, q.published_on, q.month)
    return preview.public()


class StaffChangesQuery(Schema):
    month: str | None = Field(None, max_length=10)
    direction: str | None = Field(None, max_length=10)
    unit: int | None = None
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(500, ge=1, le=5000)


class StaffChangeRowOut(Schema):
    id: int
    unit_id: int
    unit_number: str
    unit_name: str
    direction: str
    reason: str
    month: str
    name: str
    id_number: str
    declared_wage: Decimal | None
    base: Decimal | None
    counter: bool
    created_at: dt.datetime


class StaffChangesPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[StaffChangeRowOut]


@router.get("/staff-changes", response=responds(StaffChangesPage))
def staff_changes(request, q: Query[StaffChangesQuery]):
    """管辖范围内各单位的增减员，按办理时间倒序；可按生效月份、增减（add/remove）、单位筛选。"""
    require_capability(request.user, "contributions.staff_changes")
    try:
        month = Month.coerce(q.month) if q.month else None
    except ValueError:
        raise HttpError(422, "月份应为 YYYY-MM 格式。") from None
    if q.direction and q.direction not in StaffChange.Direction.values:
        raise HttpError(422, "增减应为 add（增员）或 remove（减员）。")
    qs = selectors.staff_changes_across(request.user, month=month, direction=q.direction or "", unit_id=q.unit)
    rows = list(qs[q.offset:q.offset + q.limit])
    units = contributing.unit_facts({c.unit_id for c in rows})
    return {"total": qs.count(), "offset": q.offset, "limit": q.limit, "items": [
        {"id": c.pk, "unit_id": c.unit_id, "unit_number": units.get(c.unit_id, {}).get("unit_number", ""),
         "unit_name": units.get(c.unit_id, {}).get("name", ""), "direction": c.direction, "reason": c.reason,
         "month": str(c.month), "name": c.name, "id_number": shown_id_number(request.user, c.id_number),
         "declared_wage": c.declared_wage, "base": c.base, "counter": c.counter, "created_at": c.created_at}
        for c in rows]}
