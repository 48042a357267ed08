"""Pages of the contributions: thin; reads through selectors, one service per write, a refusal
shown in Chinese."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import sees_whole_id_numbers, shown_id_number
from yibao.employer import contributing
from yibao.employer import selectors as employer_selectors
from yibao.http import XLSX, attachment
from yibao.months import Month

from . import exports, rules, selectors, services
from .errors import AppError
from .models import BillStatus, SpanEnd, SpanStart, StaffChange


def _month(value, default=None) -> Month | None:
    try:
        return Month.coerce(value) if value else default
    except (ValueError, TypeError):
        return default


def _unit(request):
    """The unit a page is about: the one named by ``unit`` (in the reader's scope, else 404), or
    the operator's own."""
    pk = request.GET.get("unit") or request.POST.get("unit")
    if pk:
        unit = selectors.unit_for(request.user, int(pk)) if str(pk).isdigit() else None
        if unit is None:
            raise Http404
        return unit
    return employer_selectors.unit_of(request.user)


@require("contributions.view")
def bills(request):
    unit = _unit(request)
    month = _month(request.GET.get("month"))
    qs = selectors.bills_for(request.user, unit_id=unit.pk if unit else None, month=month)
    units = contributing.unit_facts({b.unit_id for b in qs[:200]})
    return render(request, "contributions/bills.html", {
        "unit": unit, "month": month, "bills": [(b, units.get(b.unit_id)) for b in qs[:200]],
        "can_generate": user_can(request.user, "contributions.generate"),
        "regions": employer_selectors.pooling_regions_for(request.user),
        "default_month": Month.of(clock.today())})


@require_POST
@require("contributions.generate")
def generate(request):
    region = request.POST.get("region", "")
    if region not in {r.key for r in employer_selectors.pooling_regions_for(request.user)}:
        messages.error(request, "请选择管辖范围内的统筹区。")
        return redirect("contributions_bills")
    month = _month(request.POST.get("month"))
    if month is None:
        messages.error(request, "月份应为 YYYY-MM 格式。")
        return redirect("contributions_bills")
    try:
        job = services.start_generation(region, month, actor=request.user)
    except services.AppError as exc:
        messages.error(request, exc.message)
        return redirect("contributions_bills")
    return redirect("job", job_id=job.id)


def _bill(request, pk):
    bill = selectors.bill_for(request.user, pk)
    if bill is None:
        raise Http404
    return bill


def _first_base(b):
    line = selectors.lines_of(b).first()
    return line.base if line else None


@require("contributions.view")
def bill(request, pk: int):
    b = _bill(request, pk)
    unit = selectors.unit_for(request.user, b.unit_id) or employer_selectors.unit_of(request.user)
    return render(request, "contributions/bill.html", {
        "bill": b, "unit": unit, "lines": selectors.lines_of(b)[:2000], "show_ids": sees_whole_id_numbers(request.user),
        "explanation": rules.explanation(b.region_id, b.month, _first_base(b)), "retirees": selectors.retirees_of(unit, b.month),
        "adjustments": b.adjustments.order_by("id"), "payments": selectors.payments_of(b)[:500],
        "can_pay": user_can(request.user, "contributions.pay") and b.status == BillStatus.DECLARED and b.balance > 0,
        "today": clock.today(),
        "late": selectors.late_state(b, clock.today()), "carried": selectors.carried_on(b),
        "terms": rules.late_fee_terms(b.region_id, clock.today()),
        "can_declare": user_can(request.user, "contributions.declare") and b.status == BillStatus.DRAFT})


@require("contributions.view")
def bill_download(request, pk: int, ext: str):
    b = _bill(request, pk)
    if ext not in ("xlsx", "pdf"):
        raise Http404
    unit = contributing.unit_facts([b.unit_id])[b.unit_id]
    lines = list(selectors.lines_of(b))
    show = lambda n: shown_id_number(request.user, n)  # noqa: E731
    name = f"缴费单据-{unit['unit_number']}-{b.month}-{b.pk}.{ext}"
    if ext == "xlsx":
        return attachment(exports.bill_xlsx(b, unit, lines, show), name, XLSX)
    return attachment(exports.bill_pdf(b, unit, lines, show, rules.explanation(b.region_id, b.month, lines[0].base if lines else None)), name,
                      "application/pdf")


@require_POST
@require("contributions.declare")
def declare(request, pk: int):
    b = _bill(request, pk)
    try:
        services.declare_bill(b, actor=request.user, counter=employer_selectors.unit_of(request.user) is None)
    except AppError as exc:
        messages.error(request, str(exc))
        if exc.code == "bill_regenerated":
            return redirect("contributions_bills")
    else:
        messages.success(request, f"{b.month} 缴费单据已申报。")
    return redirect("contributions_bill", pk=b.pk)


@require_POST
@require("contributions.pay")
def pay(request, pk: int):
    """窗口缴费: a clerk records money the unit paid at the counter."""
    if selectors.bill_for(request.user, pk) is None:
        services.refuse_unknown_bill(request.user, pk)
    b = _bill(request, pk)
    try:
        paid_on = dt.date.fromisoformat(request.POST.get("paid_on") or clock.today().isoformat())
    except ValueError:
        messages.error(request, "缴费日期应为 YYYY-MM-DD 格式。")
        return redirect("contributions_bill", pk=b.pk)
    try:
        payment = services.record_counter_payment(b, request.POST.get("amount", ""), paid_on, actor=request.user,
                                                  note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已记录缴费 {payment.amount} 元，单据尚欠 {payment.balance_after} 元，"
                                  f"收据号 {payment.receipt_number}。")
    return redirect("contributions_bill", pk=b.pk)


@require("contributions.view")
def receipt_pdf(request, pk: int):
    """A counter payment's receipt (收据) as PDF."""
    found = selectors.counter_receipt_for(request.user, pk)
    if found is None:
        raise Http404
    payment, b = found
    unit = contributing.unit_facts([b.unit_id])[b.unit_id]
    return attachment(exports.receipt_pdf(payment, b, unit), exports.receipt_filename(payment), "application/pdf")


@require("contributions.staff")
def staff(request):
    unit = _unit(request)
    month = _month(request.GET.get("month"), Month.of(clock.today()))
    context = {"unit": unit, "month": month, "starts": SpanStart.choices[1:], "ends": SpanEnd.choices}
    if unit is not None:
        context.update(spans=selectors.spans_of(request.user, unit, month)[:2000],
                       changes=selectors.staff_changes_of(request.user, unit)[:50],
                       show_ids=sees_whole_id_numbers(request.user))
    else:
        context["units"] = employer_selectors.units_for(request.user).order_by("unit_number")[:200]
    return render(request, "contributions/staff.html", context)


def _back(unit, month):
    return redirect(reverse("contributions_staff") + f"?unit={unit.pk}&month={month or ''}")


@require_POST
@require("contributions.staff")
def staff_add(request):
    unit = _unit(request)
    if unit is None:
        raise Http404
    p = request.POST
    try:
        change = services.add_person(unit, id_number=p.get("id_number", ""), name=p.get("name", ""),
                                     month=p.get("month", ""), reason=p.get("reason", SpanStart.NEW_HIRE),
                                     wage=p.get("wage") or None, actor=request.user,
                                     counter=employer_selectors.unit_of(request.user) is None)
    except AppError as exc:
        messages.error(request, f"未增员：{exc}")
    else:
        messages.success(request, f"已增员：{change.name}，{change.month} 起，缴费基数 {change.base} 元。")
    return _back(unit, p.get("month"))


@require_POST
@require("contributions.staff")
def staff_remove(request):
    unit = _unit(request)
    if unit is None:
        raise Http404
    p = request.POST
    try:
        span_id = int(p.get("span", ""))
    except ValueError:
        raise Http404 from None
    try:
        change = services.remove_person(unit, span_id=span_id, month=p.get("month", ""), reason=p.get("reason", ""),
                                        actor=request.user, counter=employer_selectors.unit_of(request.user) is None)
    except AppError as exc:
        messages.error(request, f"未减员：{exc}")
    else:
        messages.success(request, f"已减员：{change.name}，{change.month} 起不再参保。")
    return _back(unit, p.get("month"))


def _what_if(request, *, named=100):
    """The what-if the query string asks for (None before anything is asked) and its refusal."""
    q = request.GET
    if not q.get("annual_amount"):
        return None, None
    try:
        return selectors.what_if_for(employer_selectors.pooling_regions_for(request.user), q.get("region", ""),
                                     q.get("annual_amount"), q.get("published_on", ""), q.get("month") or None,
                                     named=named), None
    except AppError as exc:
        return None, str(exc)


@require("employer.set_average_wage")
def what_if(request):
    """Before recording a newly published average wage: its effect on the bases and the bills."""
    preview, error = _what_if(request)
    return render(request, "contributions/what_if.html", {
        "regions": employer_selectors.pooling_regions_for(request.user), "preview": preview, "error": error,
        "q": request.GET, "query": request.GET.urlencode()})


@require("employer.set_average_wage")
def what_if_xlsx(request):
    """The what-if as a workbook: every unit whose monthly bill changes."""
    preview, error = _what_if(request, named=None)
    if preview is None:
        messages.error(request, error or "请先填写统筹区、年平均工资和公布日期。")
        return redirect(reverse("contributions_what_if") + "?" + request.GET.urlencode())
    q = request.GET
    body = exports.what_if_xlsx(preview, wage=q.get("annual_amount"), published_on=q.get("published_on"))
    return attachment(body, f"上下限调整测算-{preview.region}-{preview.month}.xlsx", XLSX)


def _staff_filter(request):
    """The filters of the staff-change list: month, direction, unit (a unit out of scope is 404)."""
    q = request.GET
    direction = q.get("direction", "")
    if direction not in StaffChange.Direction.values:
        direction = ""
    unit = None
    if q.get("unit"):
        unit = selectors.unit_for(request.user, int(q["unit"])) if q["unit"].isdigit() else None
        if unit is None:
            raise Http404
    return _month(q.get("month")), direction, unit


@require("contributions.staff_changes")
def staff_changes(request):
    """增减员 of every unit in the reader's scope, filterable and exported as xlsx."""
    month, direction, unit = _staff_filter(request)
    qs = selectors.staff_changes_across(request.user, month=month, direction=direction,
                                        unit_id=unit.pk if unit else None)
    reasons = dict(SpanStart.choices) | dict(SpanEnd.choices)
    if request.GET.get("format") == "xlsx":
        rows = list(qs[:50000])
        units = contributing.unit_facts({c.unit_id for c in rows})
        body = exports.staff_changes_xlsx(rows, units, lambda n: shown_id_number(request.user, n), reasons)
        return attachment(body, f"增减员-{month or '全部'}.xlsx", XLSX)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    units = contributing.unit_facts({c.unit_id for c in page})
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "contributions/staff_changes.html", {
        "page": page, "rows": [(c, units.get(c.unit_id, {}), reasons.get(c.reason, c.reason)) for c in page],
        "month": month, "direction": direction, "unit": unit, "directions": StaffChange.Direction.choices,
        "units": employer_selectors.units_for(request.user).order_by("unit_number")[:500],
        "show_ids": sees_whole_id_numbers(request.user), "query": query.urlencode()})


@require("contributions.view")
def statement(request):
    """对账单: the unit's bills, payments, balances and late fees for a period."""
    unit = _unit(request)
    context = {"unit": unit, "first": request.GET.get("from", ""), "last": request.GET.get("to", "")}
    if unit is None or employer_selectors.unit_of(request.user) is None:
        context["units"] = employer_selectors.units_for(request.user).order_by("unit_number")[:200]
    if unit is not None:
        try:
            first, last = selectors.statement_period(request.GET.get("from"), request.GET.get("to"), clock.today())
        except AppError as exc:
            context["error"] = str(exc)
        else:
            context.update(first=first, last=last,
                           st=selectors.statement(request.user, unit, first, last, clock.today()))
    return render(request, "contributions/statement.html", context)


@require("contributions.view")
def statement_download(request, ext: str):
    if ext not in ("xlsx", "pdf"):
        raise Http404
    unit = _unit(request)
    if unit is None:
        raise Http404
    try:
        first, last = selectors.statement_period(request.GET.get("from"), request.GET.get("to"), clock.today())
    except AppError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("contributions_statement") + f"?unit={unit.pk}")
    st = selectors.statement(request.user, unit, first, last, clock.today())
    facts = contributing.unit_facts([unit.pk])[unit.pk]
    name = f"对账单-{facts['unit_number']}-{first}-{last}.{ext}"
    if ext == "xlsx":
        return attachment(exports.statement_xlsx(st, facts), name, XLSX)
    return attachment(exports.statement_pdf(st, facts), name, "application/pdf")
