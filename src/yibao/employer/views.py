"""Pages of the employee scheme. Thin: each view reads through selectors, writes through one
service call, and turns a refusal into a Chinese message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yibao import clock, registry
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, sees_whole_id_numbers
from yibao.http import XLSX, attachment
from yibao.jobs.models import Job
from yibao.months import Month
from yibao.regions.models import Division

from . import rules, selectors, services
from .errors import AppError, NotFound
from .forms import form_choices
from .forms.export import FormNotAvailable, export_form
from .models import DeclarationKind, DeclarationStatus


def _declaration_or_404(request, pk):
    declaration = selectors.declaration_for(request.user, pk)
    if declaration is None:
        raise Http404("申报不存在。")
    return declaration


def _year(text: str | None) -> int | None:
    """A year as typed in a form or query string: four ASCII digits, else None. (``str.isdigit``
    accepts "²" and other digits ``int`` refuses or reads differently, so it is not the test.)"""
    text = (text or "").strip()
    return int(text) if len(text) == 4 and text.isascii() and text.isdecimal() else None


# --- unit side ------------------------------------------------------------------------------

@require("employer.declare")
def unit_home(request):
    unit = selectors.unit_of(request.user)
    year, fallback = rules.current_declaration_year(unit.region_id, clock.today())
    kind = request.GET.get("kind", DeclarationKind.ACTIVE)
    if year is None:
        messages.error(request, "本统筹区尚未配置任何年度的缴费基数政策，暂不能申报。")
        return redirect("home")
    asked = _year(request.GET["year"]) if "year" in request.GET else year
    if asked is None:
        messages.error(request, "申报年度无效。")
        return redirect("home")
    try:
        declaration = services.open_declaration(unit, asked, kind, actor=request.user)
    except AppError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    if fallback:
        messages.info(request, f"{clock.today().year}年度的政策尚未配置，当前显示已配置的最近年度（{year}年度）。")
    return redirect("declaration", pk=declaration.pk)


@require("employer.view_declaration")
def declaration_view(request, pk):
    declaration = _declaration_or_404(request, pk)
    q = request.GET.get("q", "").strip()
    try:
        lines = selectors.lines_of(declaration, reader=request.user, q=q, only_clamped=bool(request.GET.get("clamped")))
    except AppError as exc:
        messages.error(request, str(exc))
        lines = declaration.lines.none()
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    region = declaration.unit.region_id
    context = {
        "d": declaration, "unit": declaration.unit, "page": page, "q": q,
        "materials": selectors.materials_of(declaration),
        "required": _safe(lambda: rules.required_materials(region, declaration.year,
                                                           retiree=declaration.kind == DeclarationKind.RETIREE)),
        "window": _safe(lambda: rules.declaration_window(region, clock.today(), declaration.year)),
        "bounds": _safe(lambda: rules.bounds(region, Month.first_of(declaration.year))) if declaration.kind == "active" else None,
        "can_edit": user_can(request.user, "employer.declare") and declaration.editable,
        # 窗口办理: an agency clerk carries out the unit's steps on its behalf, each recorded as such
        "counter": user_can(request.user, "employer.counter") and declaration.editable,
        "notice": _safe(lambda: services.notice_status(declaration.unit, declaration.year)),
        "timeline": selectors.declaration_timeline(declaration),
        "can_review": user_can(request.user, "employer.review") and declaration.status == DeclarationStatus.SUBMITTED,
        "checks": services.run_checks(declaration) if declaration.status in (
            DeclarationStatus.SUBMITTED, DeclarationStatus.DRAFT, DeclarationStatus.REJECTED) else declaration.checks,
        "forms": form_choices(declaration),
        "show_ids": sees_whole_id_numbers(request.user),
    }
    record_whole_view(request.user, "declaration", declaration.pk, people=len(page.object_list),
                      division_path=declaration.unit.division.path, what=f"申报明细第 {page.number} 页")
    return render(request, "employer/declaration.html", context)


def _safe(fn):
    """An engine answer for a page, or its refusal shown in place."""
    try:
        return fn()
    except (AppError, ValueError) as exc:
        return {"error": str(exc)}


@require("employer.declare")
@require_POST
def line_update(request, pk, line_id):
    declaration = _declaration_or_404(request, pk)
    try:
        line = services.set_amount(declaration, line_id, request.POST.get("amount", ""), actor=request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except AppError as exc:
        messages.error(request, f"未保存：{exc}")
    else:
        note = {"floor": "（低于下限，按下限核定）", "ceiling": "（高于上限，按上限核定）"}.get(line.clamp, "")
        messages.success(request, f"已保存 {line.name}：申报 {line.declared_amount} 元，缴费基数 {line.base} 元{note}")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("declaration", args=[pk])
    return redirect(target)


@require("employer.declare")
def template_download(request, pk):
    declaration = _declaration_or_404(request, pk)
    data, filename = services.template_file(declaration, actor=request.user)
    return attachment(data, filename, XLSX)


@require("employer.declare")
@require_POST
def upload(request, pk):
    declaration = _declaration_or_404(request, pk)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, "请选择要上传的报盘文件。")
        return redirect("declaration", pk=pk)
    outcome = services.start_import(declaration, file, actor=request.user)
    if isinstance(outcome, Job):
        return redirect("job", job_id=outcome.id)
    if outcome.ok:
        messages.success(request, outcome.message)
        return redirect("declaration", pk=pk)
    if outcome.report:
        request.session[f"import-errors-{pk}"] = outcome.report
    return render(request, "employer/import_errors.html", {"d": declaration, "outcome": outcome}, status=400)


@require("employer.declare")
def error_report(request, pk):
    declaration = _declaration_or_404(request, pk)
    path = request.session.get(f"import-errors-{declaration.pk}")
    if not path:
        raise Http404("没有错误清单。")
    return FileResponse(open(path, "rb"), as_attachment=True,  # noqa: SIM115
                        filename=f"错误清单-{declaration.unit.unit_number}.xlsx")


@require("employer.view_declaration")
def form_download(request, pk, form, ext):
    declaration = _declaration_or_404(request, pk)
    try:
        result = export_form(declaration, form, ext, actor=request.user, allow_job=True)
    except FormNotAvailable as exc:
        raise Http404("没有这种表格。") from exc
    if result.job is not None:
        return redirect("job", job_id=result.job.id)
    return attachment(result.file.content, result.file.filename, result.file.content_type)


@require("employer.declare")
@require_POST
def material_upload(request, pk):
    declaration = _declaration_or_404(request, pk)
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, "请选择要上传的扫描件。")
    else:
        try:
            m = services.upload_material(declaration, request.POST.get("code", ""), file, actor=request.user)
        except AppError as exc:
            messages.error(request, f"上传失败：{exc}")
        else:
            messages.success(request, f"已上传：{m.title}")
    return redirect("declaration", pk=pk)


# A scanned 明细表 carries the employees' whole identity numbers, and a scan cannot be masked:
# roles that see numbers masked are refused the file (the page lists the material without a link),
# and staff who download it are audited like any other view of whole numbers.
@require("employer.view_declaration", "person.view_id_number")
def material_download(request, material_id):
    material = selectors.material_for(request.user, material_id)
    if material is None:
        raise Http404("材料不存在。")
    declaration = material.declaration
    record_whole_view(request.user, "material", material.pk, people=declaration.lines.count(),
                      division_path=declaration.unit.division.path, what=f"材料扫描件：{material.title}")
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[material.content_type]
    return FileResponse(open(material.path, "rb"), content_type=material.content_type,  # noqa: SIM115
                        as_attachment=True, filename=f"{material.title}.{ext}")


def _transition(request, pk, action, ok_message):
    declaration = _declaration_or_404(request, pk)
    try:
        action(declaration)
    except AppError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok_message)
    return redirect("declaration", pk=pk)


@require("employer.declare")
@require_POST
def submit(request, pk):
    return _transition(request, pk, lambda d: services.submit(d, actor=request.user),
                       "已提交，等待医保经办机构审核。")


@require("employer.declare")
@require_POST
def confirm(request, pk):
    return _transition(request, pk, lambda d: services.confirm(d, actor=request.user), "已确认审核结果，申报完成。")


@require("employer.declare")
@require_POST
def reopen(request, pk):
    month_from = request.POST.get("month_from", "")
    return _transition(request, pk, lambda d: services.reopen_for_adjustment(d, month_from=month_from,
                                                                             actor=request.user),
                       "已重新打开申报：请按调整后的养老金修改后重新提交。")


# --- agency side ----------------------------------------------------------------------------

@require("employer.review")
@require_POST
def review(request, pk):
    approve = request.POST.get("decision") == "approve"
    return _transition(
        request, pk,
        lambda d: services.review(d, actor=request.user, approve=approve, reasons=request.POST.get("reasons", "")),
        "已审核通过，缴费基数已核定入库。" if approve else "已退回，单位将看到审核意见。")


@require("employer.view")
def queue(request):
    flt = selectors.QueueFilter(
        region=request.GET.get("region", ""),
        status=request.GET.get("status", DeclarationStatus.SUBMITTED),
        year=_year(request.GET.get("year")),
        flagged=bool(request.GET.get("flagged")), q=request.GET.get("q", "").strip())
    page = Paginator(selectors.review_queue(request.user, flt), 50).get_page(request.GET.get("page"))
    tally = selectors.declaration_tally(request.user)
    progress_year, progress = selectors.declaration_progress(request.user, flt.year, tally=tally)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "employer/queue.html", {
        "page": page, "flt": flt, "counts": selectors.status_counts(request.user, flt.year, tally=tally),
        "statuses": DeclarationStatus.choices, "regions": selectors.pooling_regions_for(request.user),
        "query": query.urlencode(), "progress": progress, "progress_year": progress_year,
    })


@require("employer.view_declaration")
def approved_bases(request, pk):
    declaration = _declaration_or_404(request, pk)
    bases = selectors.approved_bases_for(request.user, unit=declaration.unit, year=declaration.year)
    record_whole_view(request.user, "declaration", declaration.pk, people=len(bases),
                      division_path=declaration.unit.division.path, what="核定缴费基数")
    return render(request, "employer/bases.html", {"d": declaration, "bases": bases,
                                                   "show_ids": sees_whole_id_numbers(request.user)})


# --- flexible workers and the average wage ----------------------------------------------------

@require("flexible.declare")
def flexible(request):
    worker = selectors.flexible_worker_for(request.user)
    if worker is None:
        raise Http404("您尚未登记为灵活就业人员。")
    year, _ = rules.current_declaration_year(worker.region_id, clock.today())
    month = request.POST.get("month") or str(Month.first_of(year))
    if request.method == "POST":
        try:
            choice = services.choose_flexible_base(worker, month=month, value=request.POST.get("base", ""),
                                                   actor=request.user)
        except AppError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已选择自 {choice.month_from} 起月缴费基数 {choice.base} 元。")
            return redirect("flexible")
    return render(request, "employer/flexible.html", {
        "worker": worker, "month": month, "bounds": _safe(lambda: rules.bounds(worker.region_id, month)),
        "choices": worker.choices.all()[:20]})


@require("employer.set_average_wage")
def average_wage(request):
    regions = Division.objects.filter(key__in=rules.employee_regions())
    previews = None
    if request.method == "POST" and request.POST.get("action") == "preview":
        # 测算: what recording this figure would do (each app registered its summary); nothing is written
        p = request.POST
        previews = registry.wage_previews(request.user, region=p.get("region", ""),
                                          annual_amount=p.get("annual_amount", ""),
                                          published_on=p.get("published_on", ""))
    elif request.method == "POST":
        region = regions.filter(key=request.POST.get("region")).first()
        try:
            published_on = dt.date.fromisoformat(request.POST.get("published_on", ""))
            wage_year = _year(request.POST.get("wage_year"))
            if wage_year is None:
                raise ValueError("wage_year")
        except ValueError:
            messages.error(request, "请填写有效的工资年度和公布日期。")
        else:
            if region is None:
                messages.error(request, "请选择统筹区。")
            else:
                try:
                    job = services.publish_average_wage(
                        region=region, wage_year=wage_year, annual_amount=request.POST.get("annual_amount", ""),
                        published_on=published_on, document=request.POST.get("document", ""), actor=request.user)
                except AppError as exc:
                    messages.error(request, f"未录入：{exc}")
                else:
                    return redirect("job", job_id=job.id)
    return render(request, "employer/average_wage.html", {"regions": regions, "wages": selectors.average_wages(),
                                                          "previews": previews, "entered": request.POST})
