"""The auditor's pages: cases by status and region with counts and filters, running the
self-inspection list and the risk checks, one case with its timeline and actions, the export;
the clerks' page for complaints and material flags; the unit's self-inspection answer. Thin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.errors import AppError
from yibao.http import XLSX, attachment

from . import exports, selectors, services
from .models import CaseKind, CaseStatus

VIEW, MANAGE, REPORT, SELF = "inspection.view", "inspection.manage", "inspection.report", "inspection.self"


@require(VIEW)
def cases(request):
    f = selectors.CaseFilter.parse(request.GET)
    qs = f.apply(selectors.cases_for(request.user), request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    runs, scheduled = selectors.last_runs(request.user)
    return render(request, "inspection/cases.html", {
        "runs": runs, "scheduled": scheduled, "checks_at": settings.INSPECTION_CHECKS_AT,
        "page": page, "filter": f, "query": f.query(), "counts": selectors.counts(request.user),
        "statuses": CaseStatus.choices, "kinds": CaseKind.choices, "regions": selectors.regions_for(request.user),
        "year": clock.today().year, "can_manage": user_can(request.user, MANAGE)})


def _run(request, run, label):
    region, year = request.POST.get("region", ""), request.POST.get("year", "")
    try:
        report = run(region, year, actor=request.user)
    except AppError as exc:
        messages.error(request, f"未完成：{exc}")
    else:
        for r in report.results:
            (messages.warning if r.not_configured else messages.success)(request, f"{label}：{r.message}")
    return redirect(f"{reverse('inspection')}?region={region[:12]}")


@require(MANAGE)
@require_POST
def self_inspection(request):
    return _run(request, services.open_self_inspections, "自查自纠名单")


@require(MANAGE)
@require_POST
def risk_checks(request):
    return _run(request, services.run_risk_checks, "风险检查")


@require(VIEW)
def export(request):
    data, name = exports.cases_workbook(request.user, selectors.CaseFilter.parse(request.GET))
    return attachment(data, name, XLSX)


def _case_or_404(request, pk):
    case = selectors.case_for(request.user, pk)
    if case is None:
        raise Http404("稽核案件不存在。")
    return case


@require(VIEW)
def case(request, pk):
    c = _case_or_404(request, pk)
    return render(request, "inspection/case.html", {
        "case": c, "events": c.events.select_related("actor"), "corrections": c.corrections.select_related("employee"),
        "can_manage": user_can(request.user, MANAGE), "auditors": selectors.auditors_for(c),
        "year": c.year})


def _act(request, pk, action, done: str):
    c = _case_or_404(request, pk)
    try:
        action(c)
    except AppError as exc:
        messages.error(request, f"未完成：{exc}")
    else:
        messages.success(request, done)
    return redirect("inspection_case", pk=c.pk)


@require(MANAGE)
@require_POST
def assign(request, pk):
    c = _case_or_404(request, pk)
    owner = next((u for u in selectors.auditors_for(c) if u.username == request.POST.get("owner", "")), None)
    return _act(request, pk, lambda case: services.assign(case, owner, actor=request.user), "已指定承办人。")


@require(MANAGE)
@require_POST
def investigate(request, pk):
    return _act(request, pk, lambda case: services.start_investigation(case, actor=request.user), "已开始稽核。")


@require(MANAGE)
@require_POST
def conclude(request, pk):
    return _act(request, pk, lambda case: services.conclude(case, findings=request.POST.get("findings", ""),
                                                             actor=request.user), "案件已办结。")


@require(MANAGE)
@require_POST
def correct(request, pk):
    p = request.POST
    return _act(request, pk, lambda case: services.correct_base(
        case, id_number=p.get("id_number", ""), wage=p.get("wage", ""), month_from=p.get("month_from", ""),
        note=p.get("note", ""), actor=request.user), "已更正缴费基数，调整后的缴费单据随之生成。")


@require(REPORT)
def report(request):
    """Record a complaint, or flag a declaration's materials (GET: the forms)."""
    if request.method == "POST":
        try:
            if request.POST.get("what") == "material":
                declaration = selectors.declaration_for(request.user, request.POST.get("declaration", ""))
                if declaration is None:
                    raise AppError("申报不存在。", code="not_found")
                c = services.flag_false_materials(declaration, note=request.POST.get("note", ""),
                                                  material_code=request.POST.get("material_code", ""),
                                                  actor=request.user)
            else:
                unit = selectors.unit_for(request.user, request.POST.get("unit_number", ""))
                if unit is None:
                    raise AppError("参保单位不存在。", code="not_found")
                c = services.record_complaint(unit, content=request.POST.get("content", ""),
                                              source=request.POST.get("source", ""), actor=request.user)
        except AppError as exc:
            messages.error(request, f"未登记：{exc}")
        else:
            messages.success(request, f"已立案：稽核案件 {c.pk}（{c.get_kind_display()}），由稽核人员跟进。")
            if user_can(request.user, VIEW):
                return redirect("inspection_case", pk=c.pk)
        return redirect("inspection_report")
    return render(request, "inspection/report.html", {})


@require(SELF)
@require_POST
def respond(request, pk):
    c = _case_or_404(request, pk)
    try:
        services.respond(c, note=request.POST.get("note", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未提交：{exc}")
    else:
        messages.success(request, "已提交自查自纠情况，稽核人员将审核。")
    return redirect("home")


urlpatterns = [
    path("inspection/", cases, name="inspection"),
    path("inspection/self-inspection/", self_inspection, name="inspection_self_inspection"),
    path("inspection/risk-checks/", risk_checks, name="inspection_risk_checks"),
    path("inspection/export/", export, name="inspection_export"),
    path("inspection/report/", report, name="inspection_report"),
    path("inspection/cases/<int:pk>/", case, name="inspection_case"),
    path("inspection/cases/<int:pk>/assign/", assign, name="inspection_case_assign"),
    path("inspection/cases/<int:pk>/investigate/", investigate, name="inspection_case_investigate"),
    path("inspection/cases/<int:pk>/conclude/", conclude, name="inspection_case_conclude"),
    path("inspection/cases/<int:pk>/bases/", correct, name="inspection_case_correct"),
    path("inspection/mine/<int:pk>/response/", respond, name="inspection_respond"),
]
