"""代收 over the JSON API (signed-in session): the village agent's look-up and collection, the
receipt, deposits and their 申报清单, the tax clerk's check, the township's transfer, and where
each village's money is. The same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import record_whole_view, shown_id_number
from yibao.http import PDF, XLSX, attachment, file_responses, refusals, responds

from ..errors import PaymentRefused
from ..models import Deposit, Payment
from ..printing import agents as printing
from ..selectors import deposits as selectors
from ..services import agents as services

router = Router(tags=["城乡居民医保代收"])

YEARS = {"ge": 2000, "le": 2100}
#: a row's id in a body (bounded, so a number no column holds is refused by the schema)
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


class AgentPremiumOut(Schema):
    standard: Decimal
    subsidy: Decimal
    payable: Decimal
    category: str


class AgentRefusalOut(Schema):
    code: str
    message: str
    missing: list[str] = []


class AgentQuoteOut(Schema):
    id_number: str
    name: str
    village: str
    region: str
    insurance_year: int
    status: str
    categories: list[str]
    on: dt.date
    premium: AgentPremiumOut | None
    collectable: bool
    refusal: AgentRefusalOut | None


@router.get("/agent/persons/{id_number}", response=responds(AgentQuoteOut), url_name="collection_agent_quote")
def quote(request, id_number: str, insurance_year: int | None = Query(None, **YEARS),
          on: dt.date | None = None):
    """代收员查询本村（社区）参保人员及其个人应缴金额（按收款日期 on，默认当天，的资助类别和缴费期由政策规则计算）。不是本村（社区）参保人员的，
    与不存在的身份证号码一样答 404（code=outside_village），并记入审计日志。"""
    require_capability(request.user, "collection.collect")
    try:
        q = services.look_up(request.user, id_number, insurance_year=insurance_year, on=on)
    except PaymentRefused as exc:
        if exc.code == services.OUTSIDE_VILLAGE:
            exc.status = 404
        raise
    p = q.premium
    return {"id_number": q.facts.id_number, "name": q.facts.name, "village": q.facts.division_id,
            "region": q.facts.region, "insurance_year": q.facts.insurance_year, "status": q.facts.status,
            "categories": q.categories, "on": q.on,
            "premium": {"standard": p.standard, "subsidy": p.subsidy, "payable": p.payable,
                        "category": p.category} if p else None,
            "collectable": q.collectable,
            "refusal": {"code": q.refusal.code, "message": q.refusal.message, "missing": q.refusal.missing}
            if q.refusal else None}


class AgentCollectIn(Schema):
    id_number: str = Field(..., description="缴费人身份证号码（本村（社区）的参保人员）")
    amount: Decimal = Field(..., description="实收金额（元），须等于个人应缴金额")
    collected_on: dt.date | None = Field(None, description="收款日期，默认为当天；可早于当天，不能晚于当天")
    insurance_year: int | None = Field(None, ge=2000, le=2100, description="保险年度，默认为此人在本村尚未缴费的最新年度")


class AgentCollectionOut(Schema):
    id: int
    receipt_number: str
    region: str
    village: str
    insurance_year: int
    id_number: str
    name: str
    amount: Decimal
    standard: Decimal
    subsidy: Decimal
    category: str
    paid_on: dt.date
    agent: str
    deposit: int | None
    deposit_number: str


def _collection(user, p: Payment) -> dict:
    return {"id": p.pk, "receipt_number": p.receipt_number, "region": p.region_id, "village": p.division_id,
            "insurance_year": p.insurance_year, "id_number": shown_id_number(user, p.id_number), "name": p.name,
            "amount": p.amount, "standard": p.standard, "subsidy": p.subsidy, "category": p.category,
            "paid_on": p.paid_on, "agent": p.actor_label, "deposit": p.deposit_id,
            "deposit_number": p.deposit.number if p.deposit_id else ""}


@router.post("/agent/collections", response=responds(AgentCollectionOut, status=201), url_name="collection_agent_collect")
def collect(request, payload: AgentCollectIn):
    """代收员记录向本村（社区）参保人员收取的现金：与各渠道的缴费同样判定（参保登记、状态、缴费期、应缴金额），
    按村（社区）和年度编号开具收据，参保登记即为已缴费。拒绝时答 422，code 为 outside_village、amount_mismatch、
    already_paid、outside_window、not_configured 等。"""
    require_capability(request.user, "collection.collect")
    payment = services.collect(request.user, payload.id_number, payload.amount, collected_on=payload.collected_on,
                               insurance_year=payload.insurance_year)
    return Status(201, _collection(request.user, payment))


@router.get("/collections", response=responds(list[AgentCollectionOut]))
def list_collections(request, insurance_year: int | None = Query(None, **YEARS), undeposited: bool = False,
                     offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    """村（社区）代收的收款，按读者的范围；undeposited=true 时仅列尚未缴存的。"""
    require_capability(request.user, "collection.view_deposits")
    qs = selectors.collections_for(request.user).order_by("-created_at", "-id")
    if insurance_year:
        qs = qs.filter(insurance_year=insurance_year)
    if undeposited:
        qs = qs.filter(deposit__isnull=True)
    return [_collection(request.user, p) for p in qs[offset:offset + limit]]


def _payment(request, pk: int) -> Payment:
    require_capability(request.user, "collection.view_deposits")
    payment = selectors.collection_for(request.user, pk)
    if payment is None:
        raise HttpError(404, "收款记录不存在。")
    return payment


@router.get("/collections/{pk}", response=responds(AgentCollectionOut))
def get_collection(request, pk: int):
    return _collection(request.user, _payment(request, pk))


@router.get("/collections/{pk}/receipt", response=refusals(),
            openapi_extra=file_responses(PDF, description="代收收据（PDF，身份证号码已部分隐藏）"))
def receipt(request, pk: int):
    """打印用的代收收据（PDF）。"""
    payment = _payment(request, pk)
    return attachment(printing.receipt_pdf(payment), printing.receipt_filename(payment), PDF)


# --- deposits -----------------------------------------------------------------------------------------

class DepositOut(Schema):
    id: int
    number: str
    region: str
    insurance_year: int
    village: str
    village_name: str
    township: str
    status: str
    status_display: str
    amount: Decimal
    people: int
    deposited_on: dt.date | None
    bank_reference: str
    agent: str
    submitted_at: dt.datetime | None
    bank_amount: Decimal | None
    bank_date: dt.date | None
    bank_record_reference: str
    checked_by: str
    note: str
    declared_at: dt.datetime | None
    transferred_on: dt.date | None
    transfer_reference: str


class DepositLineOut(Schema):
    payment: int
    receipt_number: str
    name: str
    id_number: str
    paid_on: dt.date
    category: str
    amount: Decimal


class DepositDetailOut(DepositOut):
    lines: list[DepositLineOut]


def _deposit_out(d: Deposit) -> dict:
    return {"id": d.pk, "number": d.number, "region": d.region_id, "insurance_year": d.insurance_year,
            "village": d.division_id, "village_name": d.division.name, "township": d.township_id,
            "status": d.status, "status_display": d.get_status_display(), "amount": d.amount, "people": d.people,
            "deposited_on": d.deposited_on, "bank_reference": d.bank_reference, "agent": d.agent_label,
            "submitted_at": d.submitted_at, "bank_amount": d.bank_amount, "bank_date": d.bank_date,
            "bank_record_reference": d.bank_record_reference, "checked_by": d.checked_by_label, "note": d.note,
            "declared_at": d.declared_at, "transferred_on": d.transferred_on,
            "transfer_reference": d.transfer_reference}


def _deposit(request, pk: int) -> Deposit:
    require_capability(request.user, "collection.view_deposits")
    deposit = selectors.deposit_for(request.user, pk)
    if deposit is None:
        raise HttpError(404, "申报清单不存在。")
    return deposit


def _detail(user, d: Deposit) -> dict:
    lines = list(selectors.lines_of(d))
    record_whole_view(user, "deposit", d.pk, people=len(lines), division_path=d.division.path, what="申报清单")
    return {**_deposit_out(d), "lines": [
        {"payment": p.pk, "receipt_number": p.receipt_number, "name": p.name,
         "id_number": shown_id_number(user, p.id_number), "paid_on": p.paid_on, "category": p.category,
         "amount": p.amount} for p in lines]}


class DepositIn(Schema):
    deposited_on: dt.date = Field(..., description="缴存日期（存入乡镇（街道）财政部门指定账户）")
    bank_reference: str = Field(..., description="银行回单号")
    payments: list[Id] | None = Field(None, max_length=5000, description="要缴存的收款编号；空为本村（社区）全部尚未缴存的")
    insurance_year: int | None = Field(None, ge=2000, le=2100)


@router.post("/deposits", response=responds(DepositDetailOut, status=201))
def make_deposit(request, payload: DepositIn):
    """代收员把尚未缴存的收款登记为一次缴存（同一村、同一年度），形成申报清单（待报送）。没有收款的缴存拒绝
    （code=empty_deposit）。"""
    require_capability(request.user, "collection.collect")
    d = services.deposit(request.user, deposited_on=payload.deposited_on, bank_reference=payload.bank_reference,
                         payment_ids=payload.payments, insurance_year=payload.insurance_year)
    return Status(201, _detail(request.user, d))


@router.get("/deposits", response=responds(list[DepositOut]))
def list_deposits(request, status: str = "", insurance_year: int | None = Query(None, **YEARS),
                  offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000)):
    require_capability(request.user, "collection.view_deposits")
    qs = selectors.deposits_for(request.user).order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if insurance_year:
        qs = qs.filter(insurance_year=insurance_year)
    return [_deposit_out(d) for d in qs[offset:offset + limit]]


@router.get("/deposits/{pk}", response=responds(DepositDetailOut))
def get_deposit(request, pk: int):
    """一次缴存及其申报清单（人员与金额）。"""
    return _detail(request.user, _deposit(request, pk))


class DepositCorrectIn(Schema):
    deposited_on: dt.date | None = None
    bank_reference: str | None = None
    add: list[Id] = Field([], max_length=5000)
    remove: list[Id] = Field([], max_length=5000)


@router.post("/deposits/{pk}/correct", response=responds(DepositDetailOut))
def correct(request, pk: int, payload: DepositCorrectIn):
    """报送前或被退回后更正：缴存日期、银行回单号，移出或加入收款。"""
    d = _deposit(request, pk)
    require_capability(request.user, "collection.collect")
    d = services.correct(request.user, d, deposited_on=payload.deposited_on, bank_reference=payload.bank_reference,
                         add=payload.add, remove=payload.remove)
    return _detail(request.user, d)


@router.post("/deposits/{pk}/submit", response=responds(DepositOut))
def submit(request, pk: int):
    """报送（或更正后重新报送）申报清单给税务分局。"""
    d = _deposit(request, pk)
    require_capability(request.user, "collection.collect")
    return _deposit_out(services.submit(request.user, d))


class DepositCheckIn(Schema):
    bank_amount: Decimal = Field(..., description="银行到账金额（元）")
    bank_date: dt.date = Field(..., description="银行到账日期")
    bank_reference: str = Field(..., description="银行流水号（回单号）")


@router.post("/deposits/{pk}/check", response=responds(DepositOut))
def check(request, pk: int, payload: DepositCheckIn):
    """税务人员按银行到账记录核对已报送的申报清单：一致则申报（status=declared），不一致则退回
    （status=returned，note 写明差异）。已申报的再申报拒绝（code=already_declared）。"""
    d = _deposit(request, pk)
    require_capability(request.user, "collection.declare")
    return _deposit_out(services.check(request.user, d, bank_amount=payload.bank_amount, bank_date=payload.bank_date,
                                       bank_reference=payload.bank_reference))


@router.get("/deposits/{pk}/file", response=refusals(),
            openapi_extra=file_responses(PDF, XLSX, description="申报清单（format=pdf 或 xlsx，身份证号码已部分隐藏）"))
def deposit_file(request, pk: int, format: str = "pdf"):  # noqa: A002
    d = _deposit(request, pk)
    if format not in printing.FORMATS:
        raise HttpError(404, "没有这种格式。")
    content, filename, content_type = printing.declaration_file(d, format)
    return attachment(content, filename, content_type)


class DepositTransferIn(Schema):
    deposits: list[Id] = Field(..., max_length=1000, description="已申报的申报清单编号")
    transferred_on: dt.date
    reference: str = Field(..., description="划缴凭证号")


@router.post("/transfers", response=responds(list[DepositOut]))
def transfer(request, payload: DepositTransferIn):
    """乡镇（街道）财政登记已申报清单的划缴。未申报的拒绝（code=not_declared），已划缴的再划缴拒绝
    （code=already_transferred），此时一份也不登记。"""
    require_capability(request.user, "collection.transfer")
    found = selectors.deposits_by_pk(request.user, payload.deposits)
    if len(found) != len(set(payload.deposits)):
        raise HttpError(404, "申报清单不存在。")
    return [_deposit_out(d) for d in services.transfer(request.user, found, transferred_on=payload.transferred_on,
                                                       reference=payload.reference)]


class VillageAmountOut(Schema):
    people: int
    amount: Decimal


class VillageMoneyOut(Schema):
    village: str
    village_name: str
    township: str
    township_name: str
    insurance_year: int | None
    collected: VillageAmountOut
    undeposited: VillageAmountOut
    deposited: VillageAmountOut
    returned: VillageAmountOut
    declared: VillageAmountOut
    transferred: VillageAmountOut
    where: str
    deposits: list[DepositOut]


@router.get("/villages", response=responds(list[VillageMoneyOut]))
def villages(request, insurance_year: int | None = Query(None, **YEARS), township: str = ""):
    """各村（社区）代收资金的去向：已收、待缴存、已缴存待申报（其中被退回的）、已申报待划缴、已划缴。"""
    require_capability(request.user, "collection.view_deposits")
    out = []
    for r in selectors.village_money(request.user, insurance_year, township=township):
        parent = r.village.parent
        money = {k: {"people": getattr(r, k).people, "amount": getattr(r, k).amount}
                 for k in ("collected", "undeposited", "deposited", "returned", "declared", "transferred")}
        out.append({"village": r.village.key, "village_name": r.village.name, "township": parent.key if parent else "",
                    "township_name": parent.name if parent else "", "insurance_year": r.insurance_year, **money,
                    "where": r.where, "deposits": [_deposit_out(d) for d in r.deposits]})
    return out
