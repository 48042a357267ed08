from __future__ import annotations

from django.db.models import QuerySet

from yibao.access.roles import Role

from .models import Job


def jobs_for(user) -> QuerySet[Job]:
    """A user sees the jobs they started; administrators see all."""
    if not user.is_authenticated:
        return Job.objects.none()
    if user.role == Role.ADMIN:
        return Job.objects.all()
    return Job.objects.filter(owner_id=user.pk)


def job_for(user, job_id) -> Job | None:
    return jobs_for(user).filter(pk=job_id).first()
