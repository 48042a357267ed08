"""已缴费人员清册 over the JSON API: the villages of the caller's area with how many stand paid,
and a village's list as xlsx or PDF (identity numbers masked)."""

from __future__ import annotations

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yibao.access.permissions import require_capability
from yibao.http import PDF, XLSX, attachment, file_responses, refusals, responds

from ..selectors import work as selectors
from ..services import paid_lists

router = Router(tags=["城乡居民医保征收"])
CAPABILITY = "collection.paid_list"
YEARS = {"ge": 2000, "le": 2100}


class PaidVillageOut(Schema):
    village: str
    village_name: str
    township: str
    township_name: str
    paid: int


@router.get("/paid-lists", response=responds(list[PaidVillageOut]))
def list_paid_villages(request, year: int | None = Query(None, **YEARS), township: str = ""):
    """The villages of the caller's area (of one township, when given) with how many people stand
    paid for ``year`` (default: the latest insurance year paid for in the caller's area)."""
    require_capability(request.user, CAPABILITY)
    year = year or selectors.latest_year(request.user)
    return [{"village": r.village.key, "village_name": r.village.name, "township": r.village.parent_id or "",
             "township_name": r.village.parent.name if r.village.parent else "", "paid": r.paid}
            for r in selectors.villages_for(request.user, year, township=township)]


@router.get("/paid-lists/{village}/file", response=refusals(), openapi_extra=file_responses(PDF, XLSX))
def paid_list_file(request, village: str, year: int | None = Query(None, **YEARS),
                   format: str = "xlsx"):  # noqa: A002
    """A village's 已缴费人员清册 for ``year`` (default as above) as xlsx or printable PDF
    (``format``: xlsx or pdf), identity numbers masked."""
    require_capability(request.user, CAPABILITY)
    year = year or selectors.latest_year(request.user)
    found = selectors.village_for(request.user, village)
    if found is None:
        raise HttpError(404, "村（社区）不存在。")
    result = paid_lists.export(found, year, format, actor=request.user)
    return attachment(result.content, result.filename, result.content_type)
