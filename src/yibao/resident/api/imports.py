"""Bulk imports over the JSON API: the same services as the page and the command line. A file
is imported by a background job (202, followed at ``/api/v1/jobs/{job_id}``); its batch is then
reviewed by another clerk."""

from __future__ import annotations

import datetime as dt

from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yibao.access.permissions import require_capability
from yibao.http import responds
from yibao.jobs.models import Job
from yibao.jobs.schemas import JobStartedOut, job_started

from .. import selectors, services
from ..models import ImportBatch

router = Router(tags=["城乡居民医保"])
YEARS = {"ge": 2000, "le": 2999}


class BatchOut(Schema):
    id: int
    region: str
    insurance_year: int
    kind: str
    kind_display: str
    source: str
    filename: str
    rows: int
    created_at: dt.datetime
    counts: dict[str, int]


def _out(batch: ImportBatch) -> dict:
    return {"id": batch.pk, "region": batch.region_id, "insurance_year": batch.insurance_year, "kind": batch.kind,
            "kind_display": batch.get_kind_display(), "source": batch.source, "filename": batch.filename,
            "rows": batch.rows, "created_at": batch.created_at, "counts": selectors.batch_counts(batch)}


@router.post("/imports/registrations", response={202: JobStartedOut, **responds(JobStartedOut, status=202)})
def import_registrations(request, region: Form[str], insurance_year: Form[int], file: UploadedFile = File(...)):  # noqa: B008
    """Import registrations (xlsx, or csv in UTF-8 or GBK; header cells 身份证号码, 姓名, 户籍地区划代码,
    居住地区划代码, 户口簿编号, 联系电话, 参保类型 in any order). The job's result names the batch,
    or carries the row errors and an xlsx error report: the whole file goes in, or nothing does."""
    require_capability(request.user, "resident.import")
    job = services.start_import("registrations", file, region=region, insurance_year=insurance_year,
                                actor=request.user)
    return Status(202, job_started(job))


@router.post("/imports/hardship", response={202: JobStartedOut, **responds(JobStartedOut, status=202)})
def import_hardship(request, region: Form[str], insurance_year: Form[int], source: Form[str],
                    file: UploadedFile = File(...)):  # noqa: B008
    """Import a hardship list (columns 身份证号码, 姓名, 困难类别, 认定日期, 终止日期; several categories
    separated by 、), from 民政 or 乡村振兴 (``source``)."""
    require_capability(request.user, "resident.import")
    job = services.start_import("hardship", file, region=region, insurance_year=insurance_year, source=source,
                                actor=request.user)
    return Status(202, job_started(job))


@router.get("/imports", response=responds(list[BatchOut]))
def list_batches(request, limit: Query[int] = 50, offset: Query[int] = 0):
    require_capability(request.user, "resident.import")
    limit, offset = max(1, min(limit, 200)), max(0, min(offset, 10_000_000))
    return [_out(b) for b in selectors.batches_for(request.user)[offset:offset + limit]]


def _batch(request, batch_id: int) -> ImportBatch:
    batch = selectors.batch_for(request.user, batch_id)
    if batch is None:
        raise HttpError(404, "导入批次不存在。")
    return batch


@router.get("/imports/{batch_id}", response=responds(BatchOut))
def get_batch(request, batch_id: int):
    require_capability(request.user, "resident.import")
    return _out(_batch(request, batch_id))


class BatchReviewIn(Schema):
    approve: bool
    note: str = ""


class ReviewOut(Schema):
    batch_id: int
    approved: int
    rejected: int
    problems: int
    message: str


@router.post("/imports/{batch_id}/review", response={**responds(ReviewOut), 202: JobStartedOut})
def review_batch(request, batch_id: int, payload: BatchReviewIn):
    """The second signature for a whole imported batch, by a clerk other than the importer:
    approve (persons recorded, enrolled for the year) or return with a note. A large batch is
    reviewed by a job (202)."""
    require_capability(request.user, "resident.review")
    batch = _batch(request, batch_id)
    outcome = services.start_review(batch, actor=request.user, approve=payload.approve, note=payload.note)
    if isinstance(outcome, Job):
        return Status(202, job_started(outcome))
    return Status(200, outcome.public())
