"""Pages: import an extract (a job with a progress bar), the villages of the latest comparison,
a village's 应保未保 list (and its xlsx), the flags to review, and the duplicates to resolve."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, sees_whole_id_numbers
from yibao.errors import AppError
from yibao.http import attachment

from . import exports, selectors, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or clock.today().year)
    except ValueError:
        return clock.today().year


@require("gaps.view")
def index(request):
    extracts = list(selectors.extracts_for(request.user)[:20])
    chosen = None
    if request.GET.get("extract"):
        chosen = next((e for e in extracts if str(e.pk) == request.GET["extract"]), None)
    chosen = chosen or (extracts[0] if extracts else None)
    return render(request, "gaps/index.html", {
        "extracts": extracts, "extract": chosen,
        "villages": selectors.villages(request.user, chosen) if chosen else [],
        "can_import": user_can(request.user, "gaps.import"), "regions": services.import_regions(request.user)
        if user_can(request.user, "gaps.import") else [], "year": clock.today().year})


@require("gaps.import")
@require_POST
def start_import(request):
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, "请选择户籍人口库文件。")
        return redirect("gaps")
    try:
        job = services.start_import(file, region=request.POST.get("region", ""),
                                    insurance_year=request.POST.get("insurance_year", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未导入：{exc}")
        return redirect("gaps")
    return redirect("job", job_id=job.id)


def _village(request, village: str):
    place = selectors.village_for(request.user, village)
    if place is None:
        raise Http404("村（社区）不存在，或不在您的管辖范围内。")
    return place, selectors.extract_covering(request.user, place, _year(request))


@require("gaps.view")
def village(request, village):
    place, extract = _village(request, village)
    people = list(selectors.uncovered_in(request.user, extract, place)[:2000]) if extract else []
    marked = list(selectors.marked_in(request.user, extract, place)[:500]) if extract else []
    record_whole_view(request.user, "village_uncovered", place.key, people=len(people) + len(marked),
                      division_path=place.path, what="应保未保名单")
    return render(request, "gaps/village.html", {"village": place, "extract": extract, "people": people,
                                                 "marked": marked, "year": _year(request),
                                                 "show_ids": sees_whole_id_numbers(request.user)})


@require("gaps.view")
def village_export(request, village):
    place, extract = _village(request, village)
    year = _year(request)
    people = list(selectors.uncovered_in(request.user, extract, place)) if extract else []
    record_whole_view(request.user, "village_uncovered", place.key, people=len(people), division_path=place.path,
                      what="应保未保名单（导出）")
    return attachment(exports.uncovered_xlsx(request.user, place, year, extract, people),
                      f"应保未保-{place.name}-{year}.xlsx", XLSX)


@require("gaps.view")
def flags(request):
    return render(request, "gaps/flags.html", {"flags": list(selectors.flags_for(request.user)[:500]),
                                               "can_clear": user_can(request.user, "gaps.resolve"),
                                               "show_ids": sees_whole_id_numbers(request.user)})


@require("gaps.resolve")
@require_POST
def flag_clear(request, pk):
    flag = selectors.flag_for(request.user, pk)
    if flag is None:
        raise Http404("标记不存在。")
    try:
        services.clear_flag(flag, note=request.POST.get("note", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未复核：{exc}")
    else:
        messages.success(request, f"{flag.name} 的待复核标记已清除。")
    return redirect("gaps_flags")


@require("gaps.view")
def duplicates(request):
    year = _year(request)
    return render(request, "gaps/duplicates.html", {"year": year, "rows": selectors.duplicates(request.user, year),
                                                    "can_resolve": user_can(request.user, "gaps.resolve"),
                                                    "show_ids": sees_whole_id_numbers(request.user)})


@require("gaps.resolve")
@require_POST
def resolve(request, id_number):
    import datetime as dt

    from yibao.collection.refunding import Evidence

    try:
        year = int(request.POST.get("year") or clock.today().year)
    except ValueError:
        year = clock.today().year
    upload = request.FILES.get("evidence")
    evidence = Evidence(upload.name, upload.read()) if upload else None
    try:
        event_date = dt.date.fromisoformat(request.POST["event_date"]) if request.POST.get("event_date") else None
    except ValueError:
        event_date = None
    try:
        r = services.resolve(id_number, year, kept=request.POST.get("kept", ""), note=request.POST.get("note", ""),
                             event_date=event_date, evidence=evidence, actor=request.user)
    except AppError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, f"未处理：{exc}")
    else:
        messages.success(request, f"已处理：{r.get_kept_display()}" + (f"，退费申请 {r.refund_id} 待审核" if r.refund_id
                                                                    else "，居民医保登记已注销" if r.cancelled else ""))
    return redirect(f"/gaps/duplicates/?year={year}")
