"""What an API answers when it starts a background job (202): the job to follow at
``GET /api/v1/jobs/{job_id}``. Every app that starts jobs answers with this one schema."""

from __future__ import annotations

from ninja import Schema

from .models import Job


class JobStartedOut(Schema):
    job_id: str
    status: str
    label: str
    url: str


def job_started(job: Job) -> dict:
    return {"job_id": str(job.id), "status": job.status, "label": job.label, "url": f"/api/v1/jobs/{job.id}"}
