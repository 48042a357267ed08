"""续保人员名册 over the JSON API: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from yibao.access.permissions import require_capability
from yibao.http import PDF, XLSX, attachment, file_responses, refusals, responds
from yibao.jobs.schemas import JobStartedOut, job_started

from ..models import Roster
from ..selectors import roster as selectors
from ..services import roster as services

router = Router(tags=["城乡居民医保"])

YEARS = {"ge": 2000, "le": 2100}
MAX_OFFSET = 1_000_000


def _get(request, pk: int) -> Roster:
    require_capability(request.user, "resident.view")
    roster = selectors.roster_for(request.user, pk)
    if roster is None:
        raise HttpError(404, "名册不存在。")
    return roster


class RosterOut(Schema):
    id: int
    region: str
    village: str
    village_name: str
    township_name: str
    insurance_year: int
    status: str
    status_display: str
    people: int
    built_at: dt.datetime
    confirmed_at: dt.datetime | None
    posted_at: dt.datetime | None


def _out(r: Roster) -> dict:
    parent = r.division.parent
    return {"id": r.pk, "region": r.region_id, "village": r.division_id, "village_name": r.division.name,
            "township_name": parent.name if parent else "", "insurance_year": r.insurance_year, "status": r.status,
            "status_display": r.get_status_display(), "people": r.people, "built_at": r.built_at,
            "confirmed_at": r.confirmed_at, "posted_at": r.posted_at}


class VillageOut(Schema):
    village: str
    village_name: str
    township: str
    township_name: str
    insured_last_year: int
    roster: RosterOut | None


@router.get("/rosters", response=responds(list[VillageOut]))
def list_rosters(request, year: int | None = Query(None, **YEARS), township: str = "", q: str = "",
                 offset: int = Query(0, ge=0, le=MAX_OFFSET), limit: int = Query(100, ge=1, le=1000)):
    """The villages of the caller's area with their roster for ``year`` (default: the coming
    insurance year) and how many people paid for the year before."""
    require_capability(request.user, "resident.view")
    year = year or selectors.roster_year(request.user)
    rows = selectors.villages_for(request.user, year, township=township, q=q)[offset:offset + limit]
    return [{"village": r.village.key, "village_name": r.village.name, "township": r.village.parent_id or "",
             "township_name": r.village.parent.name if r.village.parent else "", "insured_last_year": r.insured,
             "roster": _out(r.roster) if r.roster else None} for r in rows]


class BuildIn(Schema):
    village: str
    year: int


@router.post("/rosters", response=responds(RosterOut))
def build(request, payload: BuildIn):
    """Build (before confirmation: rebuild) a village's roster for the year."""
    require_capability(request.user, "resident.roster")
    village = selectors.village_for(request.user, payload.village)
    if village is None:
        raise HttpError(404, "村（社区）不存在。")
    return _out(services.build(village, payload.year, actor=request.user))


class EntryOut(Schema):
    seq: int
    name: str
    sex: str
    id_number: str
    hukou: str
    phone: str


class RosterDetailOut(RosterOut):
    entries: list[EntryOut]


@router.get("/rosters/{pk}", response=responds(RosterDetailOut))
def get_roster(request, pk: int):
    """The roster and its people, as posted (identity numbers and phones masked)."""
    roster = _get(request, pk)
    return {**_out(roster), "entries": [e.__dict__ for e in selectors.entries_of(roster)]}


@router.post("/rosters/{pk}/confirm", response=responds(RosterOut))
def confirm(request, pk: int):
    roster = _get(request, pk)
    require_capability(request.user, "resident.roster")
    return _out(services.confirm(roster, actor=request.user))


@router.post("/rosters/{pk}/post", response=responds(RosterOut))
def post(request, pk: int):
    roster = _get(request, pk)
    require_capability(request.user, "resident.roster_post")
    return _out(services.post(roster, actor=request.user))


@router.get("/rosters/{pk}/file", response={**refusals(), 202: JobStartedOut},
            openapi_extra=file_responses(PDF, XLSX, description="续保人员名册（format=pdf 或 xlsx）"))
def download(request, pk: int, format: str = "pdf"):  # noqa: A002
    """The roster as PDF (for posting) or xlsx; a PDF of a large village is made by a background
    job (202, follow the job)."""
    roster = _get(request, pk)
    if format not in services.FORMATS:
        raise HttpError(404, "没有这种格式。")
    result = services.export(roster, format, actor=request.user, allow_job=True)
    if result.job is not None:
        return Status(202, job_started(result.job))
    return attachment(result.file.content, result.file.filename, result.file.content_type)
