"""The weekly report (周报), the monthly bulletin (月通报) and the counties' weekly submissions
(一周一上报) as pages and downloads. Thin: parse the query, call one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from yibao.access.permissions import require, user_can
from yibao.documents.charts import ChartError, render_svgs
from yibao.errors import AppError, NotFound
from yibao.http import PDF, XLSX, attachment

from .. import errors, selectors
from ..services import reports, submissions

VIEW, SUBMIT = "reporting.view", "reporting.submit"


def _start(request) -> dict:
    start = selectors.default_view(request.user) or {}
    region = request.GET.get("region") or start.get("region") or ""
    if not region:
        raise Http404("您的管辖范围内没有统筹区。")
    year = request.GET.get("year") or start.get("year")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Http404("保险年度无效。") from None
    return {"region": region, "year": year}


def _weekly(request):
    q = _start(request)
    return reports.weekly(request.user, q["region"], q["year"], reports.parse_week(request.GET.get("week")))


def _bulletin(request):
    q = _start(request)
    return reports.bulletin(request.user, q["region"], q["year"], reports.parse_month(request.GET.get("month")))


def _svgs(charts):
    try:
        return render_svgs(charts), ""
    except ChartError as exc:
        return [], str(exc)


def _built(request, build, template):
    """(the report ``build`` makes for the request, None), or (None, the page with the refusal,
    400); what the reader does not reach is 404."""
    try:
        return build(request), None
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except AppError as exc:
        return None, render(request, template, {"error": exc.message, "regions": selectors.regions_for(request.user)},
                            status=400)


@require(VIEW)
def weekly(request):
    report, refused = _built(request, _weekly, "reporting/report_weekly.html")
    if refused is not None:
        return refused
    svgs, chart_error = _svgs(report.charts())
    return render(request, "reporting/report_weekly.html", {
        "report": report, "svgs": svgs, "chart_error": chart_error, "regions": selectors.regions_for(request.user),
        "columns": reports.COLUMNS, "deadline_text": reports._deadline_text(report),
        "paid_lists": user_can(request.user, "collection.paid_list"),
        "stored": selectors.stored_reports(request.user, report.region.key, limit=8)})


def _download(build, render_file, request, ext):
    if ext not in ("xlsx", "pdf"):
        raise Http404(errors.bad_format(ext).message)
    try:
        report = build(request)
        data = render_file[ext](report)
    except (AppError, ChartError) as exc:
        raise Http404(str(exc)) from exc
    return data, report


@require(VIEW)
def weekly_file(request, ext):
    """The weekly report as a file: generated now, or (``stored=1``) as the Friday job stored it."""
    if request.GET.get("stored"):
        return _stored_file(request, ext)
    data, report = _download(_weekly, {"xlsx": reports.weekly_xlsx, "pdf": reports.weekly_pdf}, request, ext)
    name = reports.weekly_file_name(report.region.name, report.week_ending, ext)
    return attachment(data, name, XLSX if ext == "xlsx" else PDF)


def _stored_file(request, ext):
    week = request.GET.get("week", "")
    try:
        day = reports.parse_week(week)
    except AppError as exc:
        raise Http404(exc.message) from exc
    stored = selectors.stored_report(request.user, request.GET.get("region", ""), day)
    if stored is None or ext not in ("xlsx", "pdf"):
        raise Http404(errors.report_not_found(week).message)
    data = bytes(stored.xlsx if ext == "xlsx" else stored.pdf)
    return attachment(data, reports.weekly_file_name(stored.region.name, day, ext), XLSX if ext == "xlsx" else PDF)


@require(VIEW)
def monthly(request):
    b, refused = _built(request, _bulletin, "reporting/report_monthly.html")
    if refused is not None:
        return refused
    svgs, chart_error = _svgs(b.charts())
    return render(request, "reporting/report_monthly.html", {
        "b": b, "svgs": svgs, "chart_error": chart_error, "regions": selectors.regions_for(request.user)})


@require(VIEW)
def monthly_file(request, ext):
    data, b = _download(_bulletin, {"xlsx": reports.bulletin_xlsx, "pdf": reports.bulletin_pdf}, request, ext)
    name = reports.bulletin_file_name(b, ext)
    return attachment(data, name, XLSX if ext == "xlsx" else PDF)


@require(SUBMIT)
def submissions_page(request):
    q = _start(request)
    if q["region"] not in {r.key for r in selectors.regions_for(request.user)}:
        raise Http404(f"统筹区“{q['region']}”不存在或不在您的管辖范围内。")
    week = submissions.week_of(submissions.business_now().date())
    deadline, note = reports.rules.weekly_deadline_or_none(q["region"], q["year"], week)
    return render(request, "reporting/report_submissions.html", {
        "region": q["region"], "year": q["year"], "week": week, "deadline": deadline, "deadline_note": note,
        "counties": selectors.counties_for(request.user, q["region"]),
        "rows": selectors.submissions_for(request.user, q["region"])})


@require_POST
@require(SUBMIT)
def submit(request):
    q = _start(request)
    try:
        done = submissions.submit_week(request.user, q["region"], request.POST.get("county", ""),
                                       year=q["year"], note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{done.county.name} 本周筹资进展已报送"
                                  + ("（按时）" if done.on_time else "（逾期）" if done.on_time is False else "") + "。")
    return redirect(f"{reverse('reporting_submissions')}?region={q['region']}&year={q['year']}")


urlpatterns = [
    path("reporting/weekly/", weekly, name="reporting_weekly"),
    path("reporting/weekly.<str:ext>", weekly_file, name="reporting_weekly_file"),
    path("reporting/monthly/", monthly, name="reporting_monthly"),
    path("reporting/monthly.<str:ext>", monthly_file, name="reporting_monthly_file"),
    path("reporting/submissions/", submissions_page, name="reporting_submissions"),
    path("reporting/submissions/submit", submit, name="reporting_submit"),
]
