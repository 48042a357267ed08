"""退费 pages: the applications of the reader's area with the application form (identity number,
year, reason, date, evidence), one application with its evidence and the review form. Thin."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from yibao.access.permissions import require, user_can
from yibao.documents.scans import sniff_type
from yibao.errors import AppError

from ..models import RefundReason, RefundStatus
from ..selectors import work as selectors
from ..services import refunds as services

CAPABILITY = "collection.refund"


@require(CAPABILITY)
def refunds(request):
    status = request.GET.get("status", "pending")
    qs = selectors.refunds_for(request.user)
    if status in RefundStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "collection/refunds.html", {
        "page": page, "status": status, "statuses": RefundStatus.choices, "reasons": RefundReason.choices,
        "year": selectors.latest_year(request.user)})


@require(CAPABILITY)
@require_POST
def apply(request):
    back = reverse("collection_refunds")
    number = request.POST.get("id_number", "").strip().upper()
    try:
        year = int(request.POST.get("insurance_year", ""))
        event = dt.date.fromisoformat(request.POST.get("event_date", "").strip())
    except ValueError:
        messages.error(request, "请填写保险年度和事由发生日期（如 2023-12-10）。")
        return redirect(back)
    upload = request.FILES.get("evidence")
    evidence = services.Evidence(upload.name, upload.read(services.MAX_EVIDENCE_BYTES + 1)) if upload else None
    try:
        refund = services.apply(number, year, selectors.payments_of(request.user, number, year),
                                request.POST.get("reason", ""), event, evidence, actor=request.user)
    except AppError as exc:
        messages.error(request, f"未提交：{exc}")
        return redirect(back)
    messages.success(request, "已提交退费申请，请另一名经办人员审核。")
    return redirect("collection_refund", pk=refund.pk)


def _refund_or_404(request, pk):
    refund = selectors.refund_for(request.user, pk)
    if refund is None:
        raise Http404("退费申请不存在。")
    return refund


@require(CAPABILITY)
def detail(request, pk):
    refund = _refund_or_404(request, pk)
    return render(request, "collection/refund.html", {
        "refund": refund, "payment": refund.payment,
        "eligibility": services.explain(refund) if refund.status == RefundStatus.PENDING else "",
        "can_review": refund.status == RefundStatus.PENDING and refund.maker_id != request.user.pk,
        "sees_evidence": user_can(request.user, "person.view_id_number")})


# A death certificate or an insurance record carries a whole identity number: the scan is shown only
# to reviewers who may see numbers whole (as the employer's signed materials and the change
# requests' documents); the others review the application from its masked details.
@require(CAPABILITY, "person.view_id_number")
def evidence(request, pk):
    refund = _refund_or_404(request, pk)
    if not refund.evidence:
        raise Http404("没有证明材料。")
    # the type is the one the stored bytes were checked to be (check_scan: PDF, JPEG or PNG), never
    # one guessed from the name the uploader gave
    data = refund.evidence.open("rb").read()
    content_type = sniff_type(data[:16]) or "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(False, refund.evidence_name or "evidence")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(CAPABILITY)
@require_POST
def review(request, pk):
    refund = _refund_or_404(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        refund = services.review(refund, approve=approve, note=request.POST.get("note", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未审核：{exc}")
    else:
        if refund.refund_payment_id:
            messages.success(request, f"已同意退费：{-refund.refund_payment.amount} 元退回"
                                      f"{refund.payment.get_payer_display()}，参保状态为已退费。")
        else:
            messages.success(request, "已驳回退费申请。")
    return redirect("collection_refund", pk=refund.pk)


urlpatterns = [
    path("collection/refunds/", refunds, name="collection_refunds"),
    path("collection/refunds/apply/", apply, name="collection_refund_apply"),
    path("collection/refunds/<int:pk>/", detail, name="collection_refund"),
    path("collection/refunds/<int:pk>/evidence/", evidence, name="collection_refund_evidence"),
    path("collection/refunds/<int:pk>/review/", review, name="collection_refund_review"),
]
