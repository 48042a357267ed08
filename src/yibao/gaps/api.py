"""/api/v1/gaps: the same services and selectors as the pages and the command line."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import record_whole_view, shown_id_number
from yibao.http import attachment, file_responses, responds
from yibao.jobs.schemas import JobStartedOut, job_started

from . import exports, selectors, services

router = Router(tags=["户籍比对与重复参保"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RegistryExtractOut(Schema):
    id: int
    region: str
    insurance_year: int
    filename: str
    rows: int
    uncovered: int
    deceased: int
    moved_out: int
    flagged: int
    created_at: dt.datetime


class RegistryPersonOut(Schema):
    id_number: str
    name: str
    village: str
    state: str


class VillageUncoveredOut(Schema):
    village: str
    extract: int | None
    people: list[RegistryPersonOut]


class EnrolmentFlagOut(Schema):
    id: int
    id_number: str
    name: str
    village: str
    insurance_year: int
    state: str
    changed_on: dt.date | None
    status: str


class DuplicateEnrolmentOut(Schema):
    id_number: str
    name: str
    insurance_year: int
    village: str
    resident_status: str
    paid: bool
    employee: list[str]


class DuplicateResolutionOut(Schema):
    id: int
    kept: str
    cancelled: bool
    refund: int | None


class FlagClearIn(Schema):
    note: str


def _extract(e) -> dict:
    return {"id": e.pk, "region": e.region_id, "insurance_year": e.insurance_year, "filename": e.filename,
            "rows": e.rows, "uncovered": e.uncovered, "deceased": e.deceased, "moved_out": e.moved_out,
            "flagged": e.flagged, "created_at": e.created_at}


@router.post("/imports", response={202: JobStartedOut, **responds(JobStartedOut, status=202)})
def import_registry(request, region: Form[str], insurance_year: Form[int], file: UploadedFile = File(...)):  # noqa: B008
    """Import a household registry extract (xlsx, or csv in UTF-8 or GBK; header cells 身份证号码, 姓名,
    户籍地区划代码, 状态 正常/死亡/迁出, 变动日期) and compare it with both schemes' insured of the year.
    A job: its result names the comparison, or carries the row errors and an xlsx error report
    (nothing written)."""
    require_capability(request.user, "gaps.import")
    return Status(202, job_started(services.start_import(file, region=region, insurance_year=insurance_year,
                                                         actor=request.user)))


@router.get("/extracts", response=responds(list[RegistryExtractOut]))
def extracts(request):
    """The comparisons of the regions the reader reaches, newest first."""
    require_capability(request.user, "gaps.view")
    return [_extract(e) for e in selectors.extracts_for(request.user)[:100]]


def _village(request, village: str, year: int | None):
    place = selectors.village_for(request.user, village)
    if place is None:
        raise Http404("村（社区）不存在，或不在您的管辖范围内。")
    year = year or clock.today().year
    return place, selectors.extract_covering(request.user, place, year)


@router.get("/villages/{village}/uncovered", response=responds(VillageUncoveredOut))
def uncovered(request, village: str, year: Query[int | None] = None):
    """应保未保 of a village in the latest comparison of the year (identity numbers masked for roles
    without the right)."""
    require_capability(request.user, "gaps.view")
    place, extract = _village(request, village, year)
    people = list(selectors.uncovered_in(request.user, extract, place)) if extract else []
    record_whole_view(request.user, "village_uncovered", place.key, people=len(people), division_path=place.path,
                      what="应保未保名单")
    return {"village": place.key, "extract": extract.pk if extract else None,
            "people": [{"id_number": shown_id_number(request.user, p.id_number), "name": p.name,
                        "village": p.division_id, "state": p.state} for p in people]}


@router.get("/villages/{village}/uncovered.xlsx", response=responds(None),
            openapi_extra=file_responses(XLSX, description="应保未保名单"))
def uncovered_xlsx(request, village: str, year: Query[int | None] = None):
    """The village's 应保未保 list as xlsx for the village agents' follow-up."""
    require_capability(request.user, "gaps.view")
    place, extract = _village(request, village, year)
    year = year or clock.today().year
    people = list(selectors.uncovered_in(request.user, extract, place)) if extract else []
    record_whole_view(request.user, "village_uncovered", place.key, people=len(people), division_path=place.path,
                      what="应保未保名单（导出）")
    return attachment(exports.uncovered_xlsx(request.user, place, year, extract, people),
                      f"uncovered-{place.key}-{year}.xlsx", XLSX)


def _flag(user, f) -> dict:
    return {"id": f.pk, "id_number": shown_id_number(user, f.id_number), "name": f.name, "village": f.division_id,
            "insurance_year": f.insurance_year, "state": f.state, "changed_on": f.changed_on, "status": f.status}


@router.get("/flags", response=responds(list[EnrolmentFlagOut]))
def flags(request):
    """Live enrolments of people the registry says died or moved away, waiting for review."""
    require_capability(request.user, "gaps.view")
    return [_flag(request.user, f) for f in selectors.flags_for(request.user)[:1000]]


@router.post("/flags/{pk}/clear", response=responds(EnrolmentFlagOut))
def clear_flag(request, pk: int, body: FlagClearIn):
    """Clear a flag with the review's note (the enrolment is changed, if at all, the usual way)."""
    require_capability(request.user, "gaps.resolve")
    flag = selectors.flag_for(request.user, pk)
    if flag is None:
        raise Http404("标记不存在。")
    return _flag(request.user, services.clear_flag(flag, note=body.note, actor=request.user))


@router.get("/duplicates", response=responds(list[DuplicateEnrolmentOut]))
def duplicates(request, year: Query[int | None] = None):
    """重复参保 of the year in the reader's area, not yet resolved, with both records."""
    require_capability(request.user, "gaps.view")
    return [{"id_number": shown_id_number(request.user, d.id_number), "name": d.name,
             "insurance_year": d.insurance_year, "village": d.village, "resident_status": d.status, "paid": d.paid,
             "employee": d.employee}
            for d in selectors.duplicates(request.user, year or clock.today().year)]


@router.post("/duplicates/{id_number}/resolve", response=responds(DuplicateResolutionOut))
def resolve(request, id_number: str, kept: Form[str], insurance_year: Form[int], note: Form[str] = "",
            event_date: Form[dt.date | None] = None, evidence: UploadedFile | None = File(None)):  # noqa: B008
    """Resolve a duplicate: ``kept`` = employee (an unpaid resident enrolment is cancelled; a paid
    one gets a refund application, with ``event_date`` and ``evidence``, reviewed by another clerk)
    or resident (a note needed)."""
    from yibao.collection.refunding import Evidence

    require_capability(request.user, "gaps.resolve")
    proof = Evidence(evidence.name, evidence.read()) if evidence is not None else None
    r = services.resolve(id_number, insurance_year, kept=kept, note=note, event_date=event_date, evidence=proof,
                         actor=request.user)
    return {"id": r.pk, "kept": r.kept, "cancelled": r.cancelled, "refund": r.refund_id}
