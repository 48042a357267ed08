"""对账 pages: the statements of the reader's area with the upload form (channel, day, csv file),
one statement with its differences and a form to resolve each. Thin: one selector or service each."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require
from yibao.errors import AppError

from ..models import DifferenceStatus
from ..selectors import work as selectors
from ..services import reconcile

CAPABILITY = "collection.reconcile"


@require(CAPABILITY)
def statements(request):
    status = request.GET.get("status", "")
    qs = selectors.statements_for(request.user)
    if status in ("open", "reconciled"):
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "collection/statements.html", {
        "page": page, "status": status, "channels": selectors.channels_for(request.user).filter(revoked_at__isnull=True),
        "yesterday": clock.today() - dt.timedelta(days=1)})


@require(CAPABILITY)
@require_POST
def upload(request):
    back = reverse("collection_statements")
    channel = selectors.channel_for(request.user, request.POST.get("channel"))
    try:
        day = dt.date.fromisoformat(request.POST.get("day", "").strip())
    except ValueError:
        day = None
    upload = request.FILES.get("file")
    if channel is None or day is None or upload is None:
        messages.error(request, "请选择缴费渠道、填写对账日期并选择对账单文件。")
        return redirect(back)
    try:
        statement = reconcile.reconcile(channel, day, upload.read(reconcile.MAX_BYTES + 1), upload.name,
                                        actor=request.user)
    except AppError as exc:
        messages.error(request, f"未对账：{exc}")
        return redirect(back)
    n = statement.differences.count()
    if n:
        messages.warning(request, f"已对账：{channel.name} {day}，发现差异 {n} 笔，请逐笔核实处理。")
    else:
        messages.success(request, f"已对账：{channel.name} {day}，对账单与系统记录一致，已对平。")
    return redirect("collection_statement", pk=statement.pk)


def _statement_or_404(request, pk):
    statement = selectors.statement_for(request.user, pk)
    if statement is None:
        raise Http404("对账单不存在。")
    return statement


@require(CAPABILITY)
def detail(request, pk):
    statement = _statement_or_404(request, pk)
    differences = statement.differences.order_by("status", "kind", "id")
    page = Paginator(differences, 100).get_page(request.GET.get("page"))
    return render(request, "collection/statement.html", {
        "statement": statement, "page": page,
        "open": statement.differences.filter(status=DifferenceStatus.OPEN).count()})


@require(CAPABILITY)
@require_POST
def resolve(request, pk, difference):
    statement = _statement_or_404(request, pk)
    found = selectors.difference_for(request.user, statement, difference)
    if found is None:
        raise Http404("差异不存在。")
    try:
        reconcile.resolve(found, request.POST.get("note", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未处理：{exc}")
    else:
        statement.refresh_from_db()
        done = "对账单已对平。" if statement.status == "reconciled" else ""
        messages.success(request, f"已处理差异（交易流水号 {found.transaction_id}）。{done}")
    return redirect("collection_statement", pk=statement.pk)


urlpatterns = [
    path("collection/statements/", statements, name="collection_statements"),
    path("collection/statements/upload/", upload, name="collection_statement_upload"),
    path("collection/statements/<int:pk>/", detail, name="collection_statement"),
    path("collection/statements/<int:pk>/differences/<int:difference>/resolve/", resolve,
         name="collection_difference_resolve"),
]
