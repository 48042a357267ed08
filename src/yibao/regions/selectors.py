"""Reads of the division tree, always through the caller's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from yibao.access.scoping import scope_of

from .models import Agency, Division, EnrolmentTarget


def pooling_regions() -> QuerySet[Division]:
    return Division.objects.filter(is_pooling_region=True).order_by("key")


def divisions_for(user, *, parent_key: str | None = None) -> QuerySet[Division]:
    qs = scope_of(user).filter(Division.objects.all())
    if parent_key is not None:
        qs = qs.filter(parent_id=parent_key)
    return qs


def division_for(user, key: str) -> Division | None:
    return divisions_for(user).filter(key=key).first()


# Agencies' phones and the enrolment targets are published in the notices (此件主动公开),
# so every signed-in user may read them; they are filtered by region, not by scope.
def agencies(region_key: str | None = None) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("division", "region")
    return qs.filter(region_id=region_key) if region_key else qs


def targets(region_key: str | None = None, year: int | None = None) -> QuerySet[EnrolmentTarget]:
    qs = EnrolmentTarget.objects.select_related("division", "region")
    if region_key:
        qs = qs.filter(region_id=region_key)
    return qs.filter(year=year) if year else qs
