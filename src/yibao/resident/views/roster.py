"""续保人员名册 pages: the villages of the reader's area with their roster for a year (the tax
clerk builds and confirms from here), one roster (the village agent posts it from here), the
downloads (PDF for posting, xlsx). Thin: one selector or service each."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from yibao.access.permissions import require, user_can
from yibao.http import attachment

from .. import rules
from ..errors import AppError
from ..models import RosterStatus
from ..selectors import roster as selectors
from ..selectors.places import region_of
from ..services import roster as services


def _year(text) -> int | None:
    text = (text or "").strip()
    if len(text) == 4 and text.isascii() and text.isdecimal():
        return int(text)
    return None


def _year_asked(request) -> int:
    """The year of ``?year=``, else the coming insurance year (``selectors.roster.roster_year``)."""
    return _year(request.GET.get("year")) or selectors.roster_year(request.user)


def _no_year(request, exc: AppError):
    return render(request, "resident/no_region.html", {"message": str(exc)})


def _roster_or_404(request, pk):
    roster = selectors.roster_for(request.user, pk)
    if roster is None:
        raise Http404("名册不存在。")
    return roster


@require("resident.view")
def rosters(request):
    try:
        year = _year_asked(request)
    except AppError as exc:
        return _no_year(request, exc)
    township = request.GET.get("township", "").strip()
    q = request.GET.get("q", "").strip()
    rows = selectors.villages_for(request.user, year, township=township, q=q)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = {s: sum(1 for r in rows if r.roster and r.roster.status == s) for s in RosterStatus.values}
    return render(request, "resident/roster/list.html", {
        "year": year, "township": township, "q": q, "page": page, "townships": selectors.townships_for(request.user),
        "counts": [(label, counts[value]) for value, label in RosterStatus.choices],
        "unbuilt": sum(1 for r in rows if r.roster is None), "villages": len(rows),
        "can_build": user_can(request.user, "resident.roster"), "basis": _basis(request.user, year),
        "query": f"year={year}&township={township}&q={q}"})


def _basis(user, year: int) -> str:
    region = region_of(user)
    return rules.roster_basis(region.key, year) if region else ""


@require("resident.roster")
@require_POST
def build(request):
    year = _year(request.POST.get("year"))
    code = request.POST.get("village", "")
    village = selectors.village_for(request.user, code)
    if village is None or year is None:
        messages.error(request, "村（社区）不存在，或续保年度无效。" if year else "续保年度无效。")
        return redirect(reverse("resident_rosters"))
    try:
        roster = services.build(village, year, actor=request.user)
    except AppError as exc:
        messages.error(request, f"未生成：{exc}")
        return redirect(f"{reverse('resident_rosters')}?year={year}")
    messages.success(request, f"已生成{village.name} {year} 年度续保人员名册，共 {roster.people} 人。请核对后核准。")
    return redirect("resident_roster", pk=roster.pk)


def _detail(request, roster):
    page = Paginator(selectors.entries_of(roster), 100).get_page(request.GET.get("page"))
    return render(request, "resident/roster/detail.html", {
        "roster": roster, "page": page, "inline_pdf": not services.renders_in_background(roster, "pdf"),
        "can_build": user_can(request.user, "resident.roster") and roster.status == RosterStatus.BUILT,
        "can_post": user_can(request.user, "resident.roster_post") and roster.status == RosterStatus.CONFIRMED
        and request.user.division_id == roster.division_id})


@require("resident.view")
def detail(request, pk):
    return _detail(request, _roster_or_404(request, pk))


@require("resident.roster_post")
def mine(request):
    """The village agent's page: their village's roster for the coming year (or another year)."""
    try:
        year = _year_asked(request)
    except AppError as exc:
        return _no_year(request, exc)
    roster = selectors.roster_of_village(request.user, request.user.division_id or "", year)
    if roster is None:
        return render(request, "resident/roster/none.html", {"year": year, "village": request.user.division})
    return _detail(request, roster)


def _act(request, pk, action, done: str):
    roster = _roster_or_404(request, pk)
    try:
        action(roster, actor=request.user)
    except AppError as exc:
        messages.error(request, f"未完成：{exc}")
    else:
        messages.success(request, done)
    return redirect("resident_roster", pk=roster.pk)


@require("resident.roster")
@require_POST
def confirm(request, pk):
    return _act(request, pk, services.confirm, "已核准续保人员名册，交村居（社区）经办人员张贴公示。")


@require("resident.roster_post")
@require_POST
def post(request, pk):
    return _act(request, pk, services.post, "已登记张贴公示。")


@require("resident.view")
def download(request, pk, ext):
    roster = _roster_or_404(request, pk)
    try:
        result = services.export(roster, ext, actor=request.user, allow_job=True)
    except AppError as exc:
        raise Http404(str(exc)) from exc
    if result.job is not None:
        return redirect("job", job_id=result.job.id)
    return attachment(result.file.content, result.file.filename, result.file.content_type)


urlpatterns = [
    path("resident/rosters/", rosters, name="resident_rosters"),
    path("resident/rosters/build/", build, name="resident_roster_build"),
    path("resident/rosters/mine/", mine, name="resident_roster_mine"),
    path("resident/rosters/<int:pk>/", detail, name="resident_roster"),
    path("resident/rosters/<int:pk>/confirm/", confirm, name="resident_roster_confirm"),
    path("resident/rosters/<int:pk>/post/", post, name="resident_roster_post"),
    path("resident/rosters/<int:pk>/roster.<str:ext>", download, name="resident_roster_download"),
]
