"""家庭共济账户缴费 page (晋城 三(三)): the clerk looks up the family member's payable amount, then
records the deduction from the employee-scheme member's account. Thin: one service each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from yibao import clock
from yibao.access.permissions import require
from yibao.accounts.personal_data import shown_id_number
from yibao.audit.services import client_ip
from yibao.errors import AppError

from .. import rules
from ..selectors import payments as selectors
from ..services import family as services
from ..services import fund


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _amount(text: str):
    try:
        return Decimal((text or "").strip())
    except InvalidOperation:
        return text


@require("collection.family")
def family(request):
    regions = fund.regions_for(request.user)
    if not regions:
        return render(request, "collection/no_region.html")
    values = request.POST if request.method == "POST" else request.GET
    code = (values.get("region") or regions[0].key).strip()
    region = next((r for r in regions if r.key == code), None)
    if region is None:
        raise Http404("统筹区不存在。")
    year_text = (values.get("insurance_year") or "").strip()
    year = int(year_text) if year_text.isascii() and year_text.isdecimal() and len(year_text) == 4 else \
        rules.current_year(region.key, clock.today())
    context = {"regions": regions, "region": region, "year": year, "values": values,
               "relationships": services.RELATIONSHIPS, "today": clock.today()}
    try:
        context["channels"] = services.allowed(region.key, year).get("channels", [])
    except AppError as exc:
        context["not_allowed"] = exc
    if request.method == "POST":
        data = services.FamilyPaymentIn(
            id_number=values.get("id_number", ""), region=region.key, insurance_year=year,
            amount=_amount(values.get("amount", "")), payer_id_number=values.get("payer_id_number", ""),
            payer_name=values.get("payer_name", ""), relationship=values.get("relationship", ""),
            paid_on=_date(values.get("paid_on", "")))
        try:
            payment = services.record_family_payment(data, actor=request.user, ip=client_ip(request))
        except AppError as exc:
            messages.error(request, f"未记录：{exc}")
            context["error"] = exc
            return render(request, "collection/family/index.html", context, status=200)
        messages.success(request, f"已记录家庭共济账户缴费 {payment.amount} 元。")
        return redirect(reverse("collection_family") + f"?done={payment.pk}")
    if values.get("id_number"):
        try:
            context["preview"] = services.preview(request.user, values["id_number"], region.key, year,
                                                  _date(values.get("paid_on", "")) or clock.today())
        except AppError as exc:
            context["error"] = exc
    done = (values.get("done") or "").strip()
    if done.isdecimal():
        context["done"] = selectors.payments_for(request.user).filter(pk=int(done), payer="family").first()
        if context["done"] is not None:
            context["done_id_number"] = shown_id_number(request.user, context["done"].id_number)
    return render(request, "collection/family/index.html", context)


urlpatterns = [path("collection/family/", family, name="collection_family")]
