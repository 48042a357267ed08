"""Reads of the reports' own records: the counties' weekly submissions and the stored weekly
reports, through the reader's scope."""

from __future__ import annotations

import datetime as dt

from yibao.access.scoping import scope_of
from yibao.regions.models import Division, Level

from ..models import WeeklyReport, WeeklySubmission


def submissions_for(user, region: str, *, weeks: int = 12) -> list[WeeklySubmission]:
    """The submissions of the counties the user holds whole, latest first."""
    scope = scope_of(user)
    qs = WeeklySubmission.objects.select_related("county").filter(region_id=region)
    if not scope.sees_everything:
        qs = qs.filter(county__path__startswith=scope.division_path) if scope.division_path else qs.none()
    return list(qs.order_by("-week_ending", "county_id")[: weeks * 20])


def counties_for(user, region: str) -> list[Division]:
    """The counties of the region the user may submit for (those they hold whole)."""
    scope = scope_of(user)
    reg = Division.objects.filter(key=region, is_pooling_region=True).first()
    if reg is None:
        return []
    qs = Division.objects.filter(level=Level.COUNTY, path__startswith=reg.path)
    return [c for c in qs.order_by("key") if scope.holds(c.path)]


def stored_reports(user, region: str, *, limit: int = 20) -> list[WeeklyReport]:
    """The weekly reports the Friday job (or a manager) stored for a region the reader reaches
    (the files are the whole region's: only readers holding the whole region see them)."""
    reg = Division.objects.filter(key=region, is_pooling_region=True).first()
    if reg is None or not scope_of(user).holds(reg.path):
        return []
    return list(WeeklyReport.objects.filter(region=reg).defer("xlsx", "pdf", "content").order_by("-week_ending")[:limit])


def stored_report(user, region: str, week_ending: dt.date) -> WeeklyReport | None:
    reg = Division.objects.filter(key=region, is_pooling_region=True).first()
    if reg is None or not scope_of(user).holds(reg.path):
        return None
    return WeeklyReport.objects.filter(region=reg, week_ending=week_ending).first()
