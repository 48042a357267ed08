"""A county's weekly submission of its figures (一周一上报, 晋城 五（五）: 各县(市、区)集中征缴期内每周五
下午17:00前向市医保局报送筹资进展情况): a clerk of the county confirms the county's figures as they
stand, once a week; whether it came before the deadline (the engine's
``resident.progress_report_deadline``) is recorded with it. Where a region's notice gives no
deadline the submission is taken and recorded without an on-time judgement."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao import clock
from yibao.access.scoping import scope_of
from yibao.audit.services import record_event
from yibao.regions.models import Division, Level

from .. import errors, rules, selectors
from ..models import WeeklySubmission
from .reports import default_year


def business_now() -> dt.datetime:
    """Now, on the business date: the pinned date (YIBAO_TODAY) at the present time of day."""
    now = timezone.localtime()
    if getattr(settings, "YIBAO_TODAY", None):
        return timezone.make_aware(dt.datetime.combine(clock.today(), now.time().replace(tzinfo=None)))
    return now


def week_of(day: dt.date) -> dt.date:
    """The Friday of the week (Monday to Sunday) holding ``day``: the week a submission is for."""
    return day + dt.timedelta(days=5 - day.isoweekday())


def county_for(user, region: str, county: str) -> Division:
    """A county of the pooling region the user holds whole, else not found."""
    found = Division.objects.filter(key=county, level=Level.COUNTY).first()
    reg = Division.objects.filter(key=region, is_pooling_region=True).first()
    if found is None or reg is None or not found.path.startswith(reg.path) or not scope_of(user).holds(found.path):
        raise errors.county_not_found(county)
    return found


def _figures(row) -> dict:
    return {"target": row.target, "registered": row.registered, "paid": row.paid, "subsidised": row.subsidised,
            "amount_individual": str(row.amount_individual), "amount_fund": str(row.amount_fund),
            "amount_family": str(row.amount_family), "amount_total": str(row.amount_total),
            "completion": str(row.completion) if row.completion is not None else None,
            "paid_change": row.paid_change}


@transaction.atomic
def submit_week(user, region: str, county: str, *, year: int | None = None, note: str = "",
                now: dt.datetime | None = None) -> WeeklySubmission:
    """The county's figures for the current week, submitted by ``user`` (once a week)."""
    now = now or business_now()
    today = timezone.localtime(now).date()
    place = county_for(user, region, county)
    if year is None:
        year = default_year(region, today)   # the region's year being collected, not the reader's first
    week = week_of(today)
    deadline, _note = rules.weekly_deadline_or_none(region, int(year), week)
    if deadline is not None and not deadline.required:
        raise errors.ReportRequestError(
            f"{week.isoformat()} 所在周不在 {year} 保险年度的集中缴费期内，无须报送筹资进展。",
            code=errors.NOT_DUE, fields={"week": week.isoformat()})
    existing = WeeklySubmission.objects.filter(county=place, week_ending=week).first()
    if existing:
        raise errors.already_submitted(place.name, week.isoformat(), timezone.localtime(existing.submitted_at))
    figures = selectors.progress(user, region, int(year), Level.COUNTY, as_of=today)
    row = next((r for r in figures.rows if r.key == place.key), None)
    if row is None:
        raise errors.county_not_found(county)
    submission = WeeklySubmission(
        region_id=figures.region.key, county=place, insurance_year=int(year), week_ending=week, figures=_figures(row),
        submitted_at=now, submitted_by_id=user.pk, submitted_by_label=user.username,
        due=deadline.due if deadline else None, on_time=(now <= deadline.due) if deadline else None,
        note=note.strip()[:200])
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        raise errors.already_submitted(place.name, week.isoformat(), now) from None
    record_event(user, "reporting.weekly_submitted", "WeeklySubmission", submission.pk,
                 after={"county": place.key, "week_ending": week, "insurance_year": int(year),
                        "figures": submission.figures, "on_time": submission.on_time, "due": submission.due},
                 division_path=place.path)
    return submission

