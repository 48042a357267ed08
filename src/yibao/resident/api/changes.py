"""Change requests (参保信息变更) and a person's history over the JSON API: the same selectors and
services as the pages. The resident files for themself (``/me/changes``); an agent or clerk files
on a person of their area; another clerk reviews."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import record_whole_view, shown_id_number
from yibao.http import PDF, file_responses, refusals, responds

from .. import selectors, services
from ..models import ChangeRequest, ChangeStatus
from ..selectors.changes import change_lines, open_problem, shown_value, shows_whole_numbers

router = Router(tags=["城乡居民医保"])
MAX_OFFSET = 10_000_000


class ChangeIn(Schema):
    """The new values (leave a field empty to keep it) and why."""

    name: str = ""
    id_number: str = ""
    hukou_division: str = ""
    residence_division: str = ""
    phone: str = ""
    reason: str = ""
    titles: list[str] = []


class ChangeLineOut(Schema):
    field: str
    label: str
    before: str
    after: str


class DocumentOut(Schema):
    id: int
    title: str
    original_name: str
    content_type: str


class ChangeOut(Schema):
    id: int
    person_name: str
    id_number: str
    region: str
    division: str
    status: str
    status_display: str
    changes: list[ChangeLineOut]
    reason: str
    filed_by: str
    filed_as_resident: bool
    created_at: dt.datetime
    reviewer: str
    reviewed_at: dt.datetime | None
    note: str
    problem: str | None
    documents: list[DocumentOut]


def _out(reader, change: ChangeRequest) -> dict:
    problem = open_problem(change) if change.status == ChangeStatus.PENDING else None
    return {"id": change.pk, "person_name": change.person.name,
            "id_number": shown_id_number(reader, change.person.id_number), "region": change.region_id,
            "division": change.division.name, "status": change.status, "status_display": change.get_status_display(),
            "changes": [vars(line) for line in change_lines(reader, change)], "reason": change.reason,
            "filed_by": change.filed_by_label, "filed_as_resident": change.filed_as_resident,
            "created_at": change.created_at, "reviewer": change.reviewer_label, "reviewed_at": change.reviewed_at,
            "note": change.note, "problem": problem.message if problem else None,
            "documents": [{"id": d.pk, "title": d.title, "original_name": d.original_name,
                           "content_type": d.content_type} for d in change.documents.all()]}


def _file(request, person, payload: ChangeIn, documents: list[UploadedFile]) -> dict:
    titles = list(payload.titles)
    docs = [services.DocumentIn(titles[i] if i < len(titles) else "", f) for i, f in enumerate(documents)]
    changes = {k: getattr(payload, k) for k in ("name", "id_number", "hukou_division", "residence_division", "phone")
               if getattr(payload, k).strip()}
    change = services.file_change(person, changes, actor=request.user, documents=docs, reason=payload.reason)
    return _out(request.user, selectors.change_for(request.user, change.pk) or change)


@router.post("/me/changes", response=responds(ChangeOut))
def file_own_change(request, payload: Form[ChangeIn], documents: File[list[UploadedFile]]):
    """The resident applies to change their own record (multipart: the new values, ``titles`` and
    ``documents`` in the same order). Refusals answer 400 (409 for a number another person holds)."""
    require_capability(request.user, "resident.self")
    person = selectors.person_for(request.user, request.user.id_number)
    if person is None:
        raise HttpError(404, "尚未查到您的城乡居民医保参保登记。")
    return _file(request, person, payload, documents)


@router.get("/me/changes", response=responds(list[ChangeOut]))
def list_own_changes(request):
    require_capability(request.user, "resident.self")
    return [_out(request.user, c) for c in selectors.changes_for(request.user)]


@router.post("/persons/{id_number}/changes", response=responds(ChangeOut))
def file_change(request, id_number: str, payload: Form[ChangeIn], documents: File[list[UploadedFile]]):
    """An agent or clerk files a change for a person of their area (multipart, as above)."""
    require_capability(request.user, "resident.register")
    person = selectors.person_for(request.user, id_number)
    if person is None:
        raise HttpError(404, "参保人员不存在。")
    return _file(request, person, payload, documents)


@router.get("/changes", response=responds(list[ChangeOut]))
def list_changes(request, status: str = Query(ChangeStatus.PENDING.value, pattern="^(pending|approved|rejected)$"),
                 offset: int = Query(0, ge=0, le=MAX_OFFSET),
                 limit: int = Query(50, ge=1, le=500)):
    """The review queue of the caller's area (``status``: pending, approved or rejected)."""
    require_capability(request.user, "resident.review")
    rows = list(selectors.changes_for(request.user, status=status).order_by("created_at", "id")[offset:offset + limit])
    record_whole_view(request.user, "change_request", "queue", people=len(rows), what="变更申请审核队列（接口）")
    return [_out(request.user, c) for c in rows]


def _change(request, pk: int) -> ChangeRequest:
    require_capability(request.user, "resident.review")
    change = selectors.change_for(request.user, pk)
    if change is None:
        raise HttpError(404, "变更申请不存在。")
    return change


@router.get("/changes/{pk}", response=responds(ChangeOut))
def get_change(request, pk: int):
    change = _change(request, pk)
    record_whole_view(request.user, "change_request", change.pk, people=shows_whole_numbers(change),
                      division_path=change.division.path, what="变更申请（接口）")
    return _out(request.user, change)


class ChangeReviewIn(Schema):
    approve: bool
    note: str = ""


@router.post("/changes/{pk}/review", response=responds(ChangeOut))
def review_change(request, pk: int, payload: ChangeReviewIn):
    """Approve (the change is applied; a conflicting one waits in the problem queue, the answer
    naming it in ``problem``) or reject (``note`` required). The filer may not review."""
    change = _change(request, pk)
    change = services.review_change(change, actor=request.user, approve=payload.approve, note=payload.note)
    return _out(request.user, selectors.change_for(request.user, change.pk) or change)


@router.get("/changes/{pk}/documents/{document_id}", response=refusals(),
            openapi_extra=file_responses(PDF, "image/jpeg", "image/png", description="证明材料"))
def get_document(request, pk: int, document_id: int):
    """A supporting document (it carries whole identity numbers: only for roles that see them)."""
    require_capability(request.user, "resident.review", "person.view_id_number")
    doc = selectors.document_for(request.user, document_id)
    if doc is None or doc.change_id != pk:
        raise HttpError(404, "材料不存在。")
    record_whole_view(request.user, "change_document", doc.pk, people=1, division_path=doc.change.division.path,
                      what=f"变更证明材料（接口）：{doc.title}")
    return FileResponse(open(doc.path, "rb"), content_type=doc.content_type)  # noqa: SIM115


class VersionOut(Schema):
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    values: dict[str, str]
    changed: list[str]
    change_id: int | None


class HistoryOut(Schema):
    id_number: str
    name: str
    on: dt.date | None
    record: dict[str, str] | None
    versions: list[VersionOut]


@router.get("/persons/{id_number}/history", response=responds(HistoryOut))
def person_history(request, id_number: str, on: dt.date | None = None):
    """The record's versions (from when to when each held, what changed, which change request
    brought it) and, with ``on=YYYY-MM-DD``, what the record said on that date (at its end);
    ``record`` is null before the person was registered."""
    require_capability(request.user, "resident.view")
    person = selectors.person_for(request.user, id_number)
    if person is None:
        raise HttpError(404, "参保人员不存在。")
    record = None
    if on is not None:
        values = selectors.person_on(person, on)
        record = {k: shown_value(request.user, k, v) for k, v in values.items()} if values is not None else None
    versions = selectors.history_of(request.user, person)
    record_whole_view(request.user, "person", person.pk, people=1, division_path=person.division.path,
                      what="参保信息历史（接口）")
    return {"id_number": shown_id_number(request.user, person.id_number), "name": person.name, "on": on,
            "record": record, "versions": [{"valid_from": v.valid_from, "valid_to": v.valid_to, "values": v.values,
                                            "changed": v.changed, "change_id": v.change_id} for v in versions]}
