"""The dashboards: the collection progress (charts, tables, drill-down, xlsx) and the employee
scheme's declaration progress per agency. Thin: one selector per page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from yibao import clock
from yibao.access.permissions import require
from yibao.access.scoping import scope_of
from yibao.errors import AppError, NotFound
from yibao.http import XLSX, attachment

from .. import exports, selectors
from ..errors import BAD_DATE, ReportError
from ..selectors import BELOW, LEVEL_LABELS

PROGRESS, DECLARATIONS = "reporting.view_progress", "reporting.view_declarations"


def _query(request) -> dict:
    start = selectors.default_view(request.user) or {}
    g = request.GET
    parent = g.get("parent", start.get("parent") or "") if "level" in g else (start.get("parent") or "")
    as_of, bad_date = None, False
    if g.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(g["as_of"])
        except ValueError:
            bad_date = True
    return {"region": g.get("region") or start.get("region", ""), "year": g.get("year") or start.get("year"),
            "level": g.get("level") or start.get("level", "township"), "parent": parent or None, "as_of": as_of,
            "bad_date": bad_date}


def _report(request):
    q = _query(request)
    if not q["region"]:
        raise Http404("您的管辖范围内没有统筹区。")
    if q["bad_date"]:
        raise ReportError("截至日期应为 YYYY-MM-DD 格式的日期。", code=BAD_DATE, fields={"as_of": request.GET["as_of"]})
    try:
        return selectors.progress(request.user, q["region"], q["year"], q["level"], q["parent"], q["as_of"])
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _chart_data(report, daily, mix) -> dict:
    return {
        "rows": [{"key": r.key, "name": r.name, "target": r.target, "paid": r.paid, "registered": r.registered,
                  "completion": float(r.completion) if r.completion is not None else None,
                  "drill": _drill(report, r)} for r in report.rows],
        "daily": [{"day": d["day"].isoformat(), "payments": d["payments"], "amount": float(d["amount"])} for d in daily],
        "mix": [{"name": f"{m['payer_label']}{('·' + m['channel']) if m['channel'] else ''}", "payments": m["payments"],
                 "amount": float(m["amount"])} for m in mix],
        "level": LEVEL_LABELS[report.level], "next": BELOW.get(report.level, ""),
    }


@require(PROGRESS)
def dashboard(request):
    try:
        report = _report(request)
    except AppError as exc:
        return render(request, "reporting/dashboard.html", {"error": exc.message, "regions": selectors.regions_for(request.user),
                                                            "query": _query(request), "levels": LEVEL_LABELS},
                      status=400)
    daily, mix = selectors.daily(report), selectors.channel_mix(report)
    drills = {r.key: _drill(report, r) for r in report.rows}
    return render(request, "reporting/dashboard.html", {
        "report": report, "lines": [(r, drills[r.key]) for r in report.rows], "daily": daily, "mix": mix, "chart": _chart_data(report, daily, mix),
        "regions": selectors.regions_for(request.user), "levels": LEVEL_LABELS, "next_level": BELOW.get(report.level),
        "query": _query(request), "up": _up(request.user, report), "here": _here(report, _query(request)["as_of"])})


def _drill(report, row) -> str:
    """The query of the drill-down into a row (its divisions one level below), or ""."""
    below = BELOW.get(row.level)
    if not below:
        return ""
    return urlencode({"region": report.region.key, "year": report.year, "level": below, "parent": row.key})


def _here(report, as_of) -> str:
    query = {"region": report.region.key, "year": report.year, "level": report.level}
    if report.parent:
        query["parent"] = report.parent.key
    if as_of:
        query["as_of"] = as_of.isoformat()
    return urlencode(query)


def _up(user, report) -> str | None:
    """The link one level up from a drill-down: the parent's level, inside the parent's parent
    (none where the parent is not wholly the reader's: a village agent stays in their village)."""
    if report.parent is None or not scope_of(user).holds(report.parent.path):
        return None
    above = report.parent.parent_id
    query = {"region": report.region.key, "year": report.year, "level": report.parent.level}
    if above != report.region.key:
        query["parent"] = above
    return urlencode(query)


@require(PROGRESS)
def progress_xlsx(request):
    try:
        report = _report(request)
    except AppError as exc:
        raise Http404(exc.message) from exc
    data, name = exports.progress_workbook(report, selectors.daily(report), selectors.channel_mix(report))
    return attachment(data, name, XLSX)


def _declarations(request):
    regions = selectors.regions_for(request.user)
    region = request.GET.get("region") or (regions[0].key if regions else "")
    year = request.GET.get("year") or clock.today().year
    if not region:
        raise Http404("您的管辖范围内没有统筹区。")
    try:
        return selectors.declarations(request.user, region, year), regions
    except NotFound as exc:
        raise Http404(exc.message) from exc


@require(DECLARATIONS)
def declarations(request):
    try:
        report, regions = _declarations(request)
    except AppError as exc:
        return render(request, "reporting/declarations.html", {"error": exc.message}, status=400)
    chart = {"rows": [{"name": r["agency"] or "未指定经办机构", "units": r["units"], "submitted": r["submitted"],
                       "confirmed": r["confirmed"], "overdue": r["overdue"]} for r in report.rows]}
    return render(request, "reporting/declarations.html", {"report": report, "regions": regions, "chart": chart})


@require(DECLARATIONS)
def declarations_xlsx(request):
    try:
        report, _ = _declarations(request)
    except AppError as exc:
        raise Http404(exc.message) from exc
    data, name = exports.declarations_workbook(report)
    return attachment(data, name, XLSX)


urlpatterns = [
    path("reporting/", dashboard, name="reporting"),
    path("reporting/progress.xlsx", progress_xlsx, name="reporting_progress_xlsx"),
    path("reporting/declarations/", declarations, name="reporting_declarations"),
    path("reporting/declarations.xlsx", declarations_xlsx, name="reporting_declarations_xlsx"),
]
