"""The enrolments' progress counters (``models.EnrolmentTally``), kept in the write transactions.

Each write that makes or moves an enrolment (registration, the bulk import, refund through
``collecting``, cancellation through ``covering``) calls ``refresh`` (or ``refresh_enrolments``)
for the villages it touched, in its own transaction: their counters are recomputed from the
enrolments (one grouped statement) and the difference is added to the townships, counties and
region above (``yibao.regions.tallies``). A payment, which knows exactly what it moved (已登记 →
已缴费 on a day), adds that instead (``add_paid``): a channel's batch touches hundreds of villages,
whose recount would cost more than the payments themselves. ``rebuild`` recomputes a whole
region and year (migration of existing data, repair); ``differences`` compares without writing.

The counters are dated events, so a past day's figures are the sum up to it, exactly as
``selectors.progress.enrolment_counts`` counts them from the enrolments: registered +1 on the day
it was made, −1 on the day it left (cancelled or refunded); paid +1 on its payment day (paid_on),
−1 on the day it was refunded (never before its payment day)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count
from django.db.models.functions import TruncDate

from yibao.regions import tallies

from .models import LIVE_ENROLMENT, Enrolment, EnrolmentStatus, EnrolmentTally

LEFT = (EnrolmentStatus.CANCELLED, EnrolmentStatus.REFUNDED)
CHUNK = 50_000


def own_counts(region: str, year: int, divisions: Iterable[str] | None = None) -> dict[tuple, tuple]:
    """``{(division, day): (registered, paid)}`` recomputed from the enrolments."""
    qs = Enrolment.objects.filter(region_id=region, insurance_year=year)
    if divisions is not None:
        qs = qs.filter(division_id__in=sorted(set(divisions)))
    rows = (qs.order_by().annotate(made=TruncDate("created_at"), left=TruncDate("status_changed_at"))
            .values_list("division_id", "status", "made", "left", "paid_on").annotate(n=Count("id")))
    out: dict[tuple, list] = defaultdict(lambda: [0, 0])
    for division, status, made, left, paid_on, n in rows:
        if status in LIVE_ENROLMENT:
            out[(division, made)][0] += n
        elif left is not None:   # counted from the day it was made to the day it left
            out[(division, made)][0] += n
            out[(division, max(made, left))][0] -= n
        if status == EnrolmentStatus.PAID:
            out[(division, paid_on)][1] += n
        elif status == EnrolmentStatus.REFUNDED and left is not None and paid_on is not None:
            out[(division, paid_on)][1] += n
            out[(division, max(paid_on, left))][1] -= n
    return {k: tuple(v) for k, v in out.items() if any(v)}


def refresh(region: str, year: int, divisions: Iterable[str]) -> None:
    """Recompute the counters of ``divisions`` (villages a write touched), inside its transaction."""
    divisions = sorted(set(divisions))
    if divisions:
        tallies.replace(EnrolmentTally, region, year, lambda d: own_counts(region, year, d), divisions=divisions)


def add_paid(moved: Iterable[tuple[str, int, str, dt.date]]) -> None:
    """Enrolments just moved 已登记 → 已缴费 (region, year, village and payment day each): paid +1
    on the payment day of each, added without recounting the villages (their registered count is
    unchanged: a paid enrolment still counts as registered)."""
    change: dict[tuple[str, int], dict[tuple, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for region, year, division, day in moved:
        change[(region, year)][(division, day)][1] += 1
    for (region, year), counts in sorted(change.items()):
        tallies.add(EnrolmentTally, region, year, counts)


def refresh_enrolments(ids: Iterable[int]) -> None:
    """Recompute the counters of the villages of these enrolments."""
    ids = list(ids)
    touched: dict[tuple[str, int], set[str]] = defaultdict(set)
    for i in range(0, len(ids), CHUNK):
        for region, year, division in (Enrolment.objects.filter(pk__in=ids[i:i + CHUNK]).order_by()
                                       .values_list("region_id", "insurance_year", "division_id").distinct()):
            touched[(region, year)].add(division)
    for (region, year), divisions in sorted(touched.items()):
        refresh(region, year, divisions)


def rebuild(region: str, year: int) -> None:
    """Recompute every counter of the region and year from the enrolments (set-based)."""
    tallies.replace(EnrolmentTally, region, year, lambda d: own_counts(region, year, d), divisions=None)


def differences(region: str, year: int) -> list[str]:
    return tallies.differences(EnrolmentTally, region, year, own_counts(region, year))


def years() -> list[tuple[str, int]]:
    """The (region, insurance year) pairs with enrolments or counters."""
    pairs = set(Enrolment.objects.order_by().values_list("region_id", "insurance_year").distinct())
    pairs |= set(EnrolmentTally.objects.order_by().values_list("region_id", "insurance_year").distinct())
    return sorted(pairs)
