"""家庭共济账户缴费 over the JSON API (晋城 三(三)): the same service as the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from yibao.access.permissions import require_capability
from yibao.audit.services import client_ip
from yibao.http import responds
from yibao.identity import mask_id_number

from ..services import family as services
from .payments import PayerPersonOut, PaymentPremiumOut

router = Router(tags=["城乡居民医保征收"])


class FamilyPaymentIn(Schema):
    id_number: str = Field(..., description="参保人（家庭成员）身份证号码")
    region: str = Field(..., description="统筹区代码，如 140500")
    insurance_year: int = Field(..., ge=1900, le=2999, description="保险年度")
    amount: Decimal = Field(..., description="缴费金额（元，须等于个人应缴金额）")
    payer_id_number: str = Field(..., description="共济账户人（参加职工医保）身份证号码")
    payer_name: str = Field(..., max_length=50, description="共济账户人姓名")
    relationship: str = Field(..., description="与参保人关系：" + "、".join(services.RELATIONSHIPS))
    paid_on: dt.date | None = Field(None, description="扣款日期（默认今天）")


class FamilyPaymentOut(Schema):
    payment_id: int
    region: str
    insurance_year: int
    person: PayerPersonOut
    amount: Decimal
    premium: PaymentPremiumOut
    payer_id_number: str
    payer_name: str
    relationship: str
    paid_on: dt.date
    paid_at: dt.datetime


@router.post("/family-payments", response={201: FamilyPaymentOut, **responds(FamilyPaymentOut, status=201)})
def record(request, payload: FamilyPaymentIn):
    """记录一笔家庭共济账户缴费。通知未规定的统筹区答 422 not_configured；共济账户人没有当年职工医保参保记录答
    422 payer_not_employee；参保登记、缴费期、金额等与其他缴费相同（wrong_region、wrong_year、not_registered、
    outside_window、amount_mismatch、already_paid ……）。"""
    require_capability(request.user, "collection.family")
    p = services.record_family_payment(services.FamilyPaymentIn(**payload.dict()), actor=request.user,
                                       ip=client_ip(request))
    return Status(201, {"payment_id": p.pk, "region": p.region_id, "insurance_year": p.insurance_year,
                        "person": {"id_number": mask_id_number(p.id_number), "name": p.name}, "amount": p.amount,
                        "premium": {"standard": p.standard, "subsidy": p.subsidy, "payable": p.payable},
                        "payer_id_number": mask_id_number(p.payer_id_number), "payer_name": p.payer_name,
                        "relationship": p.relationship, "paid_on": p.paid_on, "paid_at": timezone.localtime(p.paid_at)})
