"""Creating jobs and reporting their progress."""

from __future__ import annotations

from django.db import transaction

from yibao.audit.services import record_event

from .models import Job, JobStatus

# Progress is written at most this often (rows), so a job of a million rows does not
# spend its time updating its own progress record.
PROGRESS_STEP = 500


def create_job(owner, kind: str, label: str, params: dict | None = None) -> Job:
    with transaction.atomic():
        job = Job.objects.create(owner=owner if getattr(owner, "is_authenticated", False) else None,
                                 kind=kind, label=label, params=params or {})
        record_event(owner, "job.create", "job", job.id, after={"kind": kind, "label": label})
    return job


def start(job_id, total: int) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, total=total, done=0)


def advance(job_id, done: int, total: int | None = None, *, force: bool = False) -> None:
    if force or done % PROGRESS_STEP == 0:
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=job_id).update(**fields)


def finish(job_id, *, result: dict | None = None, result_file: str = "", message: str = "") -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, done=job.total, result=result,
                                         result_file=result_file, message=message)


def fail(job_id, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message[:500])
