"""Refunds (东明 二(三)) over the JSON API: apply for a paid person (multipart with the scanned
evidence), list and read applications, review one (another clerk: approve or reject)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yibao.access.permissions import require_capability
from yibao.http import responds
from yibao.identity import mask_id_number

from ..models import Refund, RefundReason
from ..selectors import work as selectors
from ..services import refunds as services

router = Router(tags=["城乡居民医保征收"])
CAPABILITY = "collection.refund"
REASONS = "^(" + "|".join(RefundReason.values) + ")$"


class RefundOut(Schema):
    id: int
    region: str
    id_number: str
    name: str
    insurance_year: int
    payment_id: int
    payer: str
    payer_display: str
    amount: Decimal
    paid_on: dt.date
    reason: str
    reason_display: str
    event_date: dt.date
    evidence_name: str
    status: str
    status_display: str
    maker: str
    checker: str
    note: str
    refund_payment_id: int | None
    refund_amount: Decimal | None
    created_at: dt.datetime
    reviewed_at: dt.datetime | None


def _out(r: Refund) -> dict:
    p = r.payment
    return {"id": r.pk, "region": r.region_id, "id_number": mask_id_number(p.id_number), "name": p.name,
            "insurance_year": p.insurance_year, "payment_id": p.pk, "payer": p.payer,
            "payer_display": p.get_payer_display(), "amount": p.amount, "paid_on": p.paid_on, "reason": r.reason,
            "reason_display": r.get_reason_display(), "event_date": r.event_date, "evidence_name": r.evidence_name,
            "status": r.status, "status_display": r.get_status_display(), "maker": r.maker_label,
            "checker": r.checker_label, "note": r.note, "refund_payment_id": r.refund_payment_id,
            "refund_amount": r.refund_payment.amount if r.refund_payment_id else None, "created_at": r.created_at,
            "reviewed_at": r.reviewed_at}


class RefundIn(Schema):
    id_number: str
    insurance_year: int
    reason: str
    event_date: dt.date


@router.post("/refunds", response=responds(RefundOut))
def apply_refund(request, payload: Form[RefundIn], evidence: File[UploadedFile]):
    """Apply for a refund of a paid person's premium (multipart: ``id_number``, ``insurance_year``,
    ``reason``: death, employee_scheme or insured_elsewhere, ``event_date``, ``evidence``: a scan,
    PDF, JPEG or PNG). Refusals: never_paid, already_refunded, application_pending, not_eligible,
    not_configured (the notice says nothing of refunds, e.g. 晋城)."""
    require_capability(request.user, CAPABILITY)
    payments = selectors.payments_of(request.user, payload.id_number, payload.insurance_year)
    data = evidence.read(services.MAX_EVIDENCE_BYTES + 1)
    refund = services.apply(payload.id_number, payload.insurance_year, payments, payload.reason, payload.event_date,
                            services.Evidence(evidence.name or "evidence", data), actor=request.user)
    return _out(selectors.refund_for(request.user, refund.pk))


@router.get("/refunds", response=responds(list[RefundOut]))
def list_refunds(request, status: str = Query("", pattern="^(|pending|approved|rejected)$"),
                 offset: int = Query(0, ge=0, le=1_000_000), limit: int = Query(50, ge=1, le=500)):
    """The refund applications of the caller's area, newest first."""
    require_capability(request.user, CAPABILITY)
    qs = selectors.refunds_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_out(r) for r in qs[offset:offset + limit]]


def _get(request, pk: int) -> Refund:
    require_capability(request.user, CAPABILITY)
    refund = selectors.refund_for(request.user, pk)
    if refund is None:
        raise HttpError(404, "退费申请不存在。")
    return refund


@router.get("/refunds/{pk}", response=responds(RefundOut))
def get_refund(request, pk: int):
    return _out(_get(request, pk))


class RefundReviewIn(Schema):
    approve: bool
    note: str = ""


@router.post("/refunds/{pk}/review", response=responds(RefundOut))
def review_refund(request, pk: int, payload: RefundReviewIn):
    """Another clerk than the applicant approves (the negative payment to the original payer is
    recorded, the enrolment becomes 已退费) or rejects with a note."""
    refund = _get(request, pk)
    services.review(refund, approve=payload.approve, note=payload.note, actor=request.user)
    return _out(selectors.refund_for(request.user, pk))
