"""Background jobs: one way to run a long action, with its progress on the page and the command
line.

A service that decides an action is long calls ``enqueue(owner, kind, label, params)``; the
worker then runs the handler registered for ``kind`` (``@handler("declaration.import")`` in the
owning app's ``tasks.py``), which turns the ids in ``params`` into objects and calls a service.
The handler reports progress through the ``Run`` it is given and returns what the job page shows.
Jobs import nothing above them: the handler's app registers itself here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# Progress is written at most this often (rows), so a job of a million rows does not
# spend its time updating its own progress record.
PROGRESS_STEP = 500


@dataclass
class Outcome:
    """What a finished job shows: a message, a JSON result and optionally a file to download."""

    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    result_file: str = ""
    failed: bool = False


@dataclass
class Run:
    """The running job as its handler sees it."""

    job: Job

    @property
    def id(self):
        return self.job.id

    @property
    def params(self) -> dict:
        return self.job.params or {}

    @property
    def owner(self):
        from django.contrib.auth import get_user_model

        if self.job.owner_id is None:
            return None
        return get_user_model().objects.filter(pk=self.job.owner_id).first()

    def start(self, total: int) -> None:
        start(self.job.id, total)

    def advance(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        advance(self.job.id, done, total, force=force)


Handler = Callable[[Run], Outcome]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind`` (its app's ``tasks.py`` does this)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def create_job(owner, kind: str, label: str, params: dict | None = None) -> Job:
    return Job.objects.create(owner_id=owner.pk if getattr(owner, "is_authenticated", False) else None,
                              kind=kind, label=label, params=params or {})


def enqueue(owner, kind: str, label: str, params: dict | None = None, *, in_process: bool = False) -> Job:
    """Create the job record and hand it to the worker once the caller's transaction commits.
    ``in_process`` runs it here and now instead (the command line, which has no worker beside
    it, shows the same progress from the job record)."""
    if kind not in HANDLERS:
        raise LookupError(f"no job handler registered for {kind}")
    job = create_job(owner, kind, label, params)
    if in_process:
        return run(job.pk)
    from huey.contrib.djhuey import HUEY

    from .tasks import run_job

    if HUEY.immediate:  # the test suite's in-process mode: run now, inside the caller's transaction
        run_job(str(job.id))
    else:  # the worker must find the job record: hand it over once it is committed
        transaction.on_commit(lambda: run_job(str(job.id)))
    return job


def run(job_id) -> Job:
    """Run a queued job (the worker calls this): its handler's outcome, or its failure, is
    written to the job record."""
    job = Job.objects.get(pk=job_id)
    fn = HANDLERS.get(job.kind)
    if fn is None:
        fail(job.pk, f"未知的任务类型：{job.kind}")
        return job
    try:
        outcome = fn(Run(job))
    except Exception as exc:  # the job record tells the user; the traceback goes to the log
        fail(job.pk, f"任务失败：{exc}")
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return Job.objects.get(pk=job.pk)
    if outcome.failed:
        fail(job.pk, outcome.message)
    else:
        finish(job.pk, result=outcome.result, result_file=outcome.result_file, message=outcome.message)
    return Job.objects.get(pk=job.pk)


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
