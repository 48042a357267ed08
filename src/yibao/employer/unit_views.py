"""Pages of unit registration (单位参保登记), account opening (开户), changes reviewed by a second
clerk, suspension and closure, counter service (窗口办理) and the online-service notice. Thin:
each view reads through selectors, writes through one service call, and shows a refusal in
Chinese."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.jobs.models import Job

from . import rules, selectors, services
from .errors import AppError
from .models import ChangeStatus, DeclarationKind, UnitStatus

FIELDS = ("name", "uscc", "division", "nature", "address", "postcode", "contact_name", "contact_phone",
          "industry")


def _unit_or_404(request, pk):
    unit = selectors.unit_for(request.user, pk)
    if unit is None:
        raise Http404("单位不存在。")
    return unit


@require("employer.view_units")
def units(request):
    q, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    page = Paginator(selectors.search_units(request.user, q, status), 50).get_page(request.GET.get("page"))
    return render(request, "employer/units/list.html", {
        "page": page, "q": q, "status": status, "statuses": UnitStatus.choices,
        "can_register": user_can(request.user, "employer.register_unit"),
        "pending_changes": selectors.unit_changes_for(request.user, status=ChangeStatus.PENDING).count()})


@require("employer.register_unit")
def register(request):
    values = {f: request.POST.get(f, "") for f in FIELDS} if request.method == "POST" else {"nature": "企业"}
    errors = {}
    if request.method == "POST":
        try:
            unit = services.register_unit(actor=request.user, civil_servant_subsidy=bool(request.POST.get(
                "civil_servant_subsidy")), **values)
        except AppError as exc:
            messages.error(request, f"未登记：{exc}")
            errors = exc.fields
        else:
            messages.success(request, f"已登记：{unit.name}，单位编号 {unit.unit_number}。请为单位开户。")
            return redirect("unit", pk=unit.pk)
    return render(request, "employer/units/register.html", {
        "values": values, "errors": errors, "natures": services.NATURES,
        "subsidy": bool(request.POST.get("civil_servant_subsidy")),
        "places": selectors.unit_places(request.user)}, status=400 if errors else 200)


@require("employer.view_units")
def unit(request, pk):
    u = _unit_or_404(request, pk)
    year, _ = rules.current_declaration_year(u.region_id, clock.today())
    return render(request, "employer/units/detail.html", {
        "u": u, "operators": u.operators.select_related("user"), "history": selectors.status_history(u),
        "changes": u.changes.select_related("filed_by", "reviewed_by")[:20],
        "declarations": u.declarations.order_by("-year", "kind"), "year": year,
        "can_register": user_can(request.user, "employer.register_unit"),
        "can_counter": user_can(request.user, "employer.counter"),
        "statuses": [(s, label) for s, label in UnitStatus.choices if s != u.status],
        "changeable": services.CHANGEABLE, "natures": services.NATURES, "today": clock.today()})


@require("employer.register_unit")
@require_POST
def open_account(request, pk):
    u = _unit_or_404(request, pk)
    try:
        opened = services.open_account(u, actor=request.user, full_name=request.POST.get("full_name", ""))
    except AppError as exc:
        messages.error(request, f"未开户：{exc}")
        return redirect("unit", pk=pk)
    # shown once, in this answer only: never stored in clear, never put in a message or a session
    response = render(request, "employer/units/account.html", {"u": u, "opened": opened})
    response["Cache-Control"] = "no-store"
    return response


@require("employer.register_unit")
@require_POST
def file_change(request, pk):
    u = _unit_or_404(request, pk)
    changes = {}
    for field in services.CHANGEABLE:
        if field == "civil_servant_subsidy":
            if request.POST.get("subsidy_change"):
                changes[field] = bool(request.POST.get("civil_servant_subsidy"))
        elif request.POST.get(field, "").strip():
            changes[field] = request.POST[field]
    try:
        change = services.file_change(u, changes, actor=request.user, reason=request.POST.get("reason", ""))
    except AppError as exc:
        messages.error(request, f"未提交变更申请：{exc}")
    else:
        messages.success(request, f"已提交变更申请（第 {change.pk} 号），待另一名经办人员审核。")
    return redirect("unit", pk=pk)


@require("employer.register_unit")
def changes(request):
    status = request.GET.get("status", ChangeStatus.PENDING)
    page = Paginator(selectors.unit_changes_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "employer/units/changes.html", {
        "page": page, "status": status, "statuses": ChangeStatus.choices, "labels": services.CHANGEABLE})


@require("employer.register_unit")
@require_POST
def review_change(request, pk):
    change = selectors.unit_change_for(request.user, pk)
    if change is None:
        raise Http404("变更申请不存在。")
    approve = request.POST.get("decision") == "approve"
    try:
        services.review_change(change, actor=request.user, approve=approve, note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, f"未审核：{exc}")
    else:
        messages.success(request, "已通过，单位信息已变更。" if approve else "已驳回变更申请。")
    return redirect("unit_changes")


@require("employer.register_unit")
@require_POST
def set_status(request, pk):
    u = _unit_or_404(request, pk)
    try:
        record = services.set_status(u, request.POST.get("status", ""), effective_on=request.POST.get(
            "effective_on", ""), reason=request.POST.get("reason", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未办理：{exc}")
    else:
        messages.success(request, f"单位状态已改为“{record.get_status_display()}”，自 {record.effective_on} 起。")
    return redirect("unit", pk=pk)


# --- counter service (窗口办理) -------------------------------------------------------------------

@require("employer.counter")
@require_POST
def counter_open(request, pk):
    u = _unit_or_404(request, pk)
    kind = request.POST.get("kind", DeclarationKind.ACTIVE)
    year, _ = rules.current_declaration_year(u.region_id, clock.today())
    try:
        if year is None:
            raise AppError("本统筹区尚未配置任何年度的缴费基数政策，暂不能申报。", code="not_configured")
        declaration = services.open_declaration(u, year, kind, actor=request.user, counter=True)
    except AppError as exc:
        messages.error(request, str(exc))
        return redirect("unit", pk=pk)
    return redirect("declaration", pk=declaration.pk)


def _counter_declaration(request, pk):
    declaration = selectors.declaration_for(request.user, pk)
    if declaration is None:
        raise Http404("申报不存在。")
    return declaration


@require("employer.counter")
@require_POST
def counter_upload(request, pk):
    declaration = _counter_declaration(request, pk)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, "请选择要上传的报盘文件。")
        return redirect("declaration", pk=pk)
    outcome = services.start_import(declaration, file, actor=request.user, counter=True)
    if isinstance(outcome, Job):
        return redirect("job", job_id=outcome.id)
    if outcome.ok:
        messages.success(request, f"窗口办理：{outcome.message}")
        return redirect("declaration", pk=pk)
    if outcome.report:
        request.session[f"import-errors-{pk}"] = outcome.report
    return render(request, "employer/import_errors.html", {"d": declaration, "outcome": outcome}, status=400)


@require("employer.counter")
@require_POST
def counter_material(request, pk):
    declaration = _counter_declaration(request, pk)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, "请选择要上传的扫描件。")
    else:
        try:
            m = services.upload_material(declaration, request.POST.get("code", ""), file, actor=request.user,
                                         counter=True)
        except AppError as exc:
            messages.error(request, f"上传失败：{exc}")
        else:
            messages.success(request, f"窗口办理：已上传 {m.title}")
    return redirect("declaration", pk=pk)


@require("employer.counter")
@require_POST
def counter_submit(request, pk):
    declaration = _counter_declaration(request, pk)
    try:
        services.submit(declaration, actor=request.user, counter=True)
    except AppError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "窗口办理：已代单位提交，等待审核。")
    return redirect("declaration", pk=pk)


# --- the online-service notice (潍坊 二(一)1) ---------------------------------------------------

@require("employer.declare")
@require_POST
def confirm_notice(request, pk):
    declaration = selectors.declaration_for(request.user, pk)
    if declaration is None:
        raise Http404("申报不存在。")
    if not request.POST.get("read"):
        messages.error(request, "请勾选“我已阅读并确认”后再确认。")
        return redirect("declaration", pk=pk)
    try:
        c = services.confirm_notice(declaration.unit, declaration.year, actor=request.user)
    except AppError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已确认《{c.title}》（{c.confirmed_at:%Y-%m-%d %H:%M}）。")
    return redirect("declaration", pk=pk)
