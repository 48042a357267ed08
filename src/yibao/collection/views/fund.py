"""资助参保 pages: the ledger of a region and year (per category, per township) with the agency
clerk's generation of the fund's payments (a job with a progress bar), the statement as a page and
as xlsx. Thin: one selector or service each."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, sees_whole_id_numbers, shown_id_number
from yibao.errors import AppError
from yibao.http import XLSX, attachment

from .. import rules
from ..printing import fund as printing
from ..selectors import fund as selectors
from ..services import fund as services


def _year(text, default: int) -> int:
    text = (text or "").strip()
    return int(text) if len(text) == 4 and text.isascii() and text.isdecimal() else default


def no_region(request):
    return render(request, "collection/no_region.html")


def _where(request):
    """The region and year asked for (the reader's first region and its current year by default);
    a region outside the reader's area is answered like a missing one; ``None`` when the reader's
    area has no region running the resident scheme."""
    regions = services.regions_for(request.user)
    code = (request.GET.get("region") or "").strip()
    if code:
        region = next((r for r in regions if r.key == code), None)
        if region is None:
            raise Http404("统筹区不存在。")
    elif regions:
        region = regions[0]
    else:
        return regions, None, None
    year = _year(request.GET.get("year"), rules.current_year(region.key, clock.today()))
    return regions, region, year


@require("collection.fund_view")
def ledger(request):
    regions, region, year = _where(request)
    if region is None:
        return no_region(request)
    return render(request, "collection/fund/index.html", {
        "regions": regions, "region": region, "year": year, "ledger": selectors.ledger(request.user, region, year),
        "can_generate": user_can(request.user, "collection.fund"), "today": clock.today()})


@require("collection.fund")
@require_POST
def generate(request):
    try:
        job = services.start_generation(request.POST.get("region", ""), request.POST.get("insurance_year", ""),
                                        on=request.POST.get("on", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未生成：{exc}")
        return redirect("collection_fund")
    return redirect("job", job_id=job.id)


@require("collection.fund_view")
def statement(request):
    regions, region, year = _where(request)
    if region is None:
        return no_region(request)
    lines = selectors.statement_lines(request.user, region.key, year)
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    rows = [(n, p, shown_id_number(request.user, p.id_number)) for n, p in enumerate(page, start=page.start_index())]
    record_whole_view(request.user, "fund_statement", f"{region.key}-{year}", people=len(rows),
                      division_path=region.path, what="医疗救助基金资助参保结算单")
    return render(request, "collection/fund/statement.html", {
        "region": region, "year": year, "page": page, "rows": rows, "ledger": selectors.ledger(request.user, region, year),
        "masked": not sees_whole_id_numbers(request.user), "query": f"region={region.key}&year={year}"})


@require("collection.fund_view")
def statement_file(request):
    _, region, year = _where(request)
    if region is None:
        return no_region(request)
    data, name = printing.render_statement(request.user, region, year)
    return attachment(data, name, XLSX)


urlpatterns = [
    path("collection/fund/", ledger, name="collection_fund"),
    path("collection/fund/generate/", generate, name="collection_fund_generate"),
    path("collection/fund/statement/", statement, name="collection_fund_statement"),
    path("collection/fund/statement.xlsx", statement_file, name="collection_fund_statement_file"),
]
