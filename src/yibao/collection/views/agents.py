"""代收 pages: the village agent's collection page (look a person up, see the payable amount,
record the cash, print the receipt), the villages' money table with the deposits (the agent makes
a deposit there, the township clerk records transfers), one deposit with its 申报清单 (the agent
corrects and submits, the tax clerk checks against the bank's record). Thin: one selector or
service each; refusals are shown with their message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, shown_id_number
from yibao.errors import AppError
from yibao.http import PDF, attachment

from ..models import DepositStatus
from ..printing import agents as printing
from ..selectors import deposits as selectors
from ..services import agents as services


def _year(text) -> int | None:
    text = (text or "").strip()
    return int(text) if len(text) == 4 and text.isdecimal() else None


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).strip().isdecimal() and 0 < int(v) < 2**31]


# --- the agent's collection page ---------------------------------------------------------------------

@require("collection.collect")
def collect_page(request):
    number = request.GET.get("id_number", "").strip().upper()
    year = _year(request.GET.get("insurance_year"))
    on = _date(request.GET.get("collected_on")) or clock.today()
    quote, refusal = None, None
    if number:
        try:
            quote = services.look_up(request.user, number, insurance_year=year, on=on)
        except AppError as exc:
            refusal = exc
    village = request.user.division
    recent = selectors.collections_for(request.user).order_by("-created_at", "-id")[:10]
    waiting = services.undeposited(village) if village else None
    return render(request, "collection/agents/collect.html", {
        "number": number, "quote": quote, "refusal": refusal, "village": village, "today": clock.today(), "on": on,
        "recent": recent, "waiting": waiting.count() if waiting is not None else 0,
        "waiting_amount": sum(p.amount for p in waiting) if waiting is not None else 0})


@require("collection.collect")
@require_POST
def collect(request):
    number = request.POST.get("id_number", "").strip()
    try:
        payment = services.collect(request.user, number, request.POST.get("amount", ""),
                                   collected_on=request.POST.get("collected_on") or None,
                                   insurance_year=_year(request.POST.get("insurance_year")))
    except AppError as exc:
        messages.error(request, f"未收款：{exc}")
        return redirect(f"{reverse('collection_collect')}?{urlencode({'id_number': number, 'collected_on': request.POST.get('collected_on', '')})}")
    messages.success(request, f"已收款 {payment.amount} 元，收据编号 {payment.receipt_number}。")
    return redirect("collection_receipt", pk=payment.pk)


def _payment_or_404(request, pk):
    payment = selectors.collection_for(request.user, pk)
    if payment is None:
        raise Http404("收款记录不存在。")
    return payment


@require("collection.view_deposits")
def receipt(request, pk):
    payment = _payment_or_404(request, pk)
    return render(request, "collection/agents/receipt.html", {
        "p": payment, "id_number": shown_id_number(request.user, payment.id_number),
        "words": printing.capital_yuan(payment.amount), "can_collect": user_can(request.user, "collection.collect")})


@require("collection.view_deposits")
def receipt_pdf(request, pk):
    payment = _payment_or_404(request, pk)
    return attachment(printing.receipt_pdf(payment), printing.receipt_filename(payment), PDF)


# --- villages and deposits ---------------------------------------------------------------------------

@require("collection.view_deposits")
def deposits(request):
    year = _year(request.GET.get("insurance_year"))
    township = request.GET.get("township", "").strip()
    rows = selectors.village_money(request.user, year, township=township)
    agent = user_can(request.user, "collection.collect") and request.user.division is not None
    waiting = list(services.undeposited(request.user.division, year)) if agent else []
    counts = selectors.counts_by_status(request.user, year)
    return render(request, "collection/agents/deposits.html", {
        "rows": rows, "total": selectors.totals(rows), "year": year or "", "township": township,
        "waiting": [(p, shown_id_number(request.user, p.id_number)) for p in waiting],
        "waiting_amount": sum(p.amount for p in waiting), "today": clock.today(), "can_collect": agent,
        "can_transfer": user_can(request.user, "collection.transfer"),
        "can_declare": user_can(request.user, "collection.declare"),
        "counts": [(label, counts[value]) for value, label in DepositStatus.choices]})


@require("collection.collect")
@require_POST
def make_deposit(request):
    try:
        deposit = services.deposit(request.user, deposited_on=request.POST.get("deposited_on", ""),
                                   bank_reference=request.POST.get("bank_reference", ""),
                                   payment_ids=_ids(request.POST.getlist("payments")))
    except AppError as exc:
        messages.error(request, f"未缴存：{exc}")
        return redirect("collection_deposits")
    messages.success(request, f"已登记缴存 {deposit.number}：{deposit.people} 人，{deposit.amount} 元。核对无误后请报送申报清单。")
    return redirect("collection_deposit", pk=deposit.pk)


def _deposit_or_404(request, pk):
    deposit = selectors.deposit_for(request.user, pk)
    if deposit is None:
        raise Http404("申报清单不存在。")
    return deposit


@require("collection.view_deposits")
def deposit(request, pk):
    d = _deposit_or_404(request, pk)
    lines = list(selectors.lines_of(d))
    record_whole_view(request.user, "deposit", d.pk, people=len(lines), division_path=d.division.path,
                      what="申报清单")
    editable = d.status in (DepositStatus.OPEN, DepositStatus.RETURNED)
    own = user_can(request.user, "collection.collect")
    addable = list(services.undeposited(d.division, d.insurance_year)) if own and editable else []
    return render(request, "collection/agents/deposit.html", {
        "d": d, "lines": [(p, shown_id_number(request.user, p.id_number)) for p in lines],
        "addable": [(p, shown_id_number(request.user, p.id_number)) for p in addable],
        "can_edit": own and editable, "today": clock.today(),
        "can_check": user_can(request.user, "collection.declare") and d.status == DepositStatus.SUBMITTED,
        "can_transfer": user_can(request.user, "collection.transfer") and d.status == DepositStatus.DECLARED})


def _act(request, pk, action, done: str, **kwargs):
    d = _deposit_or_404(request, pk)
    try:
        d = action(request.user, d, **kwargs)
    except AppError as exc:
        messages.error(request, f"未完成：{exc}")
    else:
        messages.success(request, done.format(d=d))
    return redirect("collection_deposit", pk=pk)


@require("collection.collect")
@require_POST
def submit(request, pk):
    return _act(request, pk, services.submit, "已报送申报清单 {d.number}，等待税务分局核对申报。")


@require("collection.collect")
@require_POST
def correct(request, pk):
    return _act(request, pk, services.correct, "已更正 {d.number}：{d.people} 人，{d.amount} 元。请重新报送。",
                deposited_on=request.POST.get("deposited_on") or None,
                bank_reference=request.POST.get("bank_reference") if "bank_reference" in request.POST else None,
                add=_ids(request.POST.getlist("add")), remove=_ids(request.POST.getlist("remove")))


@require("collection.declare")
@require_POST
def check(request, pk):
    d = _deposit_or_404(request, pk)
    try:
        d = services.check(request.user, d, bank_amount=request.POST.get("bank_amount", ""),
                           bank_date=request.POST.get("bank_date", ""),
                           bank_reference=request.POST.get("bank_reference", ""))
    except AppError as exc:
        messages.error(request, f"未完成：{exc}")
    else:
        if d.status == DepositStatus.DECLARED:
            messages.success(request, f"申报清单 {d.number} 与银行到账记录一致，已申报。")
        else:
            messages.error(request, f"申报清单 {d.number} 与银行到账记录不一致，已退回村（社区）更正：{d.note}")
    return redirect("collection_deposit", pk=pk)


@require("collection.transfer")
@require_POST
def transfer(request):
    ids = _ids(request.POST.getlist("deposits"))
    found = selectors.deposits_by_pk(request.user, ids)
    back = request.POST.get("back") == "deposit" and len(ids) == 1
    if not ids:
        messages.error(request, "请选择要登记划缴的申报清单。")
        return redirect("collection_deposits")
    if len(found) != len(set(ids)):
        raise Http404("申报清单不存在。")
    try:
        done = services.transfer(request.user, found, transferred_on=request.POST.get("transferred_on", ""),
                                 reference=request.POST.get("reference", ""))
    except AppError as exc:
        messages.error(request, f"未登记划缴：{exc}")
    else:
        messages.success(request, f"已登记划缴 {len(done)} 份申报清单，共 {sum(d.amount for d in done)} 元。")
    return redirect("collection_deposit", pk=ids[0]) if back else redirect("collection_deposits")


@require("collection.view_deposits")
def deposit_file(request, pk, ext):
    d = _deposit_or_404(request, pk)
    if ext not in printing.FORMATS:
        raise Http404("没有这种格式。")
    content, filename, content_type = printing.declaration_file(d, ext)
    return attachment(content, filename, content_type)


urlpatterns = [
    path("collection/collect/", collect_page, name="collection_collect"),
    path("collection/collect/record/", collect, name="collection_collect_record"),
    path("collection/receipts/<int:pk>/", receipt, name="collection_receipt"),
    path("collection/receipts/<int:pk>/receipt.pdf", receipt_pdf, name="collection_receipt_pdf"),
    path("collection/deposits/", deposits, name="collection_deposits"),
    path("collection/deposits/new/", make_deposit, name="collection_deposit_create"),
    path("collection/deposits/transfer/", transfer, name="collection_transfer"),
    path("collection/deposits/<int:pk>/", deposit, name="collection_deposit"),
    path("collection/deposits/<int:pk>/submit/", submit, name="collection_deposit_submit"),
    path("collection/deposits/<int:pk>/correct/", correct, name="collection_deposit_correct"),
    path("collection/deposits/<int:pk>/check/", check, name="collection_deposit_check"),
    path("collection/deposits/<int:pk>/list.<str:ext>", deposit_file, name="collection_deposit_file"),
]
