"""The enrolment side of the collection progress (征缴进度): per insured village, how many are
registered and how many have paid for an insurance year, as they stand now or as they stood at
the end of a day. One grouped statement over the region's enrolments (index
``enrolment_region_year_div``). Region-wide reads: the caller (``yibao.reporting``) passes only
villages its reader reaches."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone

from ..models import LIVE_ENROLMENT, Enrolment, EnrolmentStatus, EnrolmentTally


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the business time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def enrolment_counts(region_key: str, year: int, *, divisions: list[str] | None = None,
                     as_of: dt.date | None = None, then: dt.date | None = None) -> dict[str, dict[str, int]]:
    """``{village key: {"registered": n, "paid": n}}``. Registered: live enrolments (已登记 or
    已缴费); paid: 已缴费. With ``as_of``, as they stood at the end of that day: registered if made
    by then and still live then; paid if its payment day (``paid_on``, the day the payment reports)
    is on or before it and it was not refunded by then. A later refund or cancellation
    does not take them back out of that day's figures. ``divisions`` limits the villages
    (``None``: the whole region). With ``then`` (a day before), ``paid_then`` too: paid as the
    figures stood at the end of that day, counted in the same statement."""
    qs = Enrolment.objects.filter(region_id=region_key, insurance_year=year)
    if divisions is not None:
        qs = qs.filter(division_id__in=divisions)
    if as_of is None:
        registered = Q(status__in=LIVE_ENROLMENT)
        paid = Q(status=EnrolmentStatus.PAID)
    else:
        end = end_of_day(as_of)
        left_later = Q(status__in=[EnrolmentStatus.CANCELLED, EnrolmentStatus.REFUNDED], status_changed_at__gte=end)
        registered = Q(created_at__lt=end) & (Q(status__in=LIVE_ENROLMENT) | left_later)
        paid = _paid_by(as_of)
    counts = {"registered": Count("id", filter=registered), "paid": Count("id", filter=paid)}
    if then is not None:
        counts["paid_then"] = Count("id", filter=_paid_by(then))
    rows = qs.order_by().values("division_id").annotate(**counts)
    return {r.pop("division_id"): r for r in rows if r["registered"] or r["paid"] or r.get("paid_then")}


def _paid_by(day: dt.date) -> Q:
    """Paid as the enrolment stood at the end of ``day``: its payment day on or before it, and not
    refunded by then."""
    end = end_of_day(day)
    return Q(paid_on__lte=day) & (Q(status=EnrolmentStatus.PAID)
                                  | Q(status=EnrolmentStatus.REFUNDED, status_changed_at__gte=end))


def tallied_counts(region_key: str, year: int, divisions: list[str], *, as_of: dt.date | None = None,
                   then: dt.date | None = None) -> dict[str, dict[str, int]]:
    """What ``enrolment_counts`` gives, for whole divisions (each with everything below it) and
    read from the counters the writes keep (``yibao.resident.tallies``): one grouped statement
    over a few rows per division and day. ``{division: {"registered", "paid", "paid_then"}}``."""
    qs = EnrolmentTally.objects.filter(region_id=region_key, insurance_year=year, division_id__in=list(divisions))
    if as_of is not None:
        qs = qs.filter(day__lte=as_of)
    sums = {"n_registered": Sum("registered"), "n_paid": Sum("paid")}
    if then is not None:
        sums["n_paid_then"] = Sum("paid", filter=Q(day__lte=then), default=0)
    rows = qs.order_by().values("division_id").annotate(**sums)
    return {r["division_id"]: {k: r.get(f"n_{k}", 0) or 0 for k in ("registered", "paid", "paid_then")} for r in rows}
