"""The contract tax and bank systems call: ``POST /api/v1/collection/payments`` (one payment) and
``/payments/batch`` (up to 1,000), authenticated by the channel's bearer token. Idempotent on
channel + transaction id (a unique constraint): a replay with the same content answers 200 with
the first answer, with other content 409 ``conflict``; a refusal answers 422 with its code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from yibao.audit.services import client_ip
from yibao.channels import auth as channel_auth
from yibao.http import ErrorOut

from ..registrations import SCHEME
from ..services import payments

router = Router(tags=["城乡居民医保征收"])


def ChannelToken() -> channel_auth.ChannelToken:  # noqa: N802  (reads as the class it was)
    """``Authorization: Bearer <渠道令牌>`` of a channel that may post to the resident scheme."""
    return channel_auth.ChannelToken(SCHEME)


class ChannelPaymentIn(Schema):
    transaction_id: str = Field(..., description="渠道的交易流水号（同一渠道内唯一，重发时不变）")
    id_number: str = Field(..., description="参保人身份证号码")
    region: str = Field(..., description="统筹区代码，如 371728、140500")
    insurance_year: int = Field(..., ge=1900, le=2200, description="保险年度")
    amount: Decimal = Field(..., description="金额（元，到分）")
    paid_at: dt.datetime = Field(..., description="缴费时间，ISO 8601，带时区，如 2023-11-20T10:30:00+08:00")


class PayerPersonOut(Schema):
    id_number: str
    name: str


class PaymentPremiumOut(Schema):
    standard: Decimal
    subsidy: Decimal
    payable: Decimal


class PaymentOut(Schema):
    payment_id: int
    transaction_id: str
    status: str
    region: str
    insurance_year: int
    person: PayerPersonOut
    amount: Decimal
    premium: PaymentPremiumOut
    paid_at: dt.datetime


class PaymentBatchIn(Schema):
    payments: list[ChannelPaymentIn] = Field(..., min_length=1, max_length=payments.BATCH_LIMIT)


class PaymentBatchItemOut(Schema):
    index: int
    transaction_id: str
    status: int
    payment: PaymentOut | None = None
    error: ErrorOut | None = None


class PaymentBatchOut(Schema):
    recorded: int
    replayed: int
    refused: int
    results: list[PaymentBatchItemOut]


def _item(p: ChannelPaymentIn) -> payments.PaymentIn:
    return payments.PaymentIn(id_number=p.id_number, region=p.region, insurance_year=p.insurance_year,
                              amount=p.amount, paid_at=p.paid_at, transaction_id=p.transaction_id)


@router.post("/payments", auth=ChannelToken(), url_name="collection_payment",
             response={201: PaymentOut, 200: PaymentOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def record_payment(request, payload: ChannelPaymentIn):
    """记录一笔缴费。201 已记录；200 同一渠道以相同内容重发同一交易（返回首次的应答）；409 交易流水号已以
    不同内容记录（code=conflict）；422 拒绝（code 为 wrong_region、wrong_year、not_registered、
    outside_window、not_configured、amount_mismatch、already_paid 等）；401 令牌缺失、错误、已吊销或其渠道不可缴城乡居民医保。"""
    outcome = payments.channel_payment(request.auth, _item(payload), ip=client_ip(request))
    return Status(outcome.status, outcome.body)


@router.post("/payments/batch", auth=ChannelToken(), url_name="collection_payment_batch",
             response={200: PaymentBatchOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut})
def record_payments(request, payload: PaymentBatchIn):
    """一次提交至多 1000 笔缴费（渠道的日推送），逐笔应答，与单笔接口的应答相同。"""
    outcomes = payments.record_channel_payments(request.auth, [_item(p) for p in payload.payments],
                                                ip=client_ip(request))
    results = []
    for n, (p, o) in enumerate(zip(payload.payments, outcomes, strict=True)):
        ok = o.status in (200, 201)
        results.append({"index": n, "transaction_id": p.transaction_id, "status": o.status,
                        "payment": o.body if ok else None, "error": None if ok else o.body})
    return {"recorded": sum(o.status == 201 for o in outcomes), "replayed": sum(o.status == 200 for o in outcomes),
            "refused": sum(o.status not in (200, 201) for o in outcomes), "results": results}
