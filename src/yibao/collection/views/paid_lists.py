"""已缴费人员清册 pages: the villages of the reader's area (one township's) with how many stand
paid, and each village's list to download as xlsx or printable PDF (numbers masked)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from yibao.access.permissions import require
from yibao.errors import AppError
from yibao.http import attachment

from ..selectors import work as selectors
from ..services import paid_lists

CAPABILITY = "collection.paid_list"


def _year(request, user) -> int:
    text = request.GET.get("year", "").strip()
    if len(text) == 4 and text.isascii() and text.isdecimal():
        return int(text)
    return selectors.latest_year(user)


@require(CAPABILITY)
def villages(request):
    year = _year(request, request.user)
    township = request.GET.get("township", "").strip()
    rows = selectors.villages_for(request.user, year, township=township)
    return render(request, "collection/paid_lists.html", {
        "year": year, "township": township, "rows": rows, "townships": selectors.townships_for(request.user),
        "total": sum(r.paid for r in rows)})


@require(CAPABILITY)
def download(request, village, ext):
    found = selectors.village_for(request.user, village)
    if found is None:
        raise Http404("村（社区）不存在。")
    try:
        result = paid_lists.export(found, _year(request, request.user), ext, actor=request.user)
    except AppError as exc:
        raise Http404(str(exc)) from exc
    return attachment(result.content, result.filename, result.content_type)


urlpatterns = [
    path("collection/paid-lists/", villages, name="collection_paid_lists"),
    path("collection/paid-lists/<str:village>.<str:ext>", download, name="collection_paid_list_download"),
]
