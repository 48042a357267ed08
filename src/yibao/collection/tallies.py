"""The payments' progress counters (``models.CollectionTally``), kept in the write transactions.

Every write of a payment or a refund (channels, village agents, family accounts, the assistance
fund's generation, refunds) updates the counters of the villages it touched after its writes and
the enrolments' moves (``yibao.resident.collecting``), in its own transaction: a new payment adds
its flow (``add_new``); otherwise (refunds, the fund's generation, a subsidised person) the
villages are recounted from the payments (``refresh``: two grouped statements) and the difference
is added to the townships, counties and region above (``yibao.regions.tallies``). ``rebuild``
recomputes a whole region and year; ``differences`` compares without writing.

The counters are what ``selectors.progress`` counts from the payments, as dated events: a flow
on its payment day; a subsidised person +1 on the later of their enrolment's payment day and
their first payment naming a hardship category (per village of those payments, and per
category), −1 on the day the enrolment was refunded (never before)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate

from yibao.regions import tallies

from .models import CollectionTally, Payment

FEN = Decimal("0.01")


def _fen(amount) -> int:
    return int((Decimal(amount or 0).quantize(FEN)) * 100)


def own_counts(region: str, year: int, divisions: Iterable[str] | None = None) -> dict[tuple, tuple]:
    """``{(division, day, payer, channel, part, category): (payments, amount_fen, people)}``."""
    qs = Payment.objects.filter(region_id=region, insurance_year=year)
    if divisions is not None:
        qs = qs.filter(division_id__in=sorted(set(divisions)))
    qs = qs.order_by()
    out: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    for division, day, payer, channel, part, n, amount in (
            qs.values_list("division_id", "paid_on", "payer", "channel_id", "part")
            .annotate(n=Count("id", filter=Q(refund_of__isnull=True)), amount=Sum("amount"))):
        row = out[(division, day, payer, channel or 0, part, "")]
        row[0] += n
        row[1] += _fen(amount)
    firsts: dict[tuple, tuple] = {}      # (division, enrolment, category) → (first day, status, paid_on, left)
    for division, enrolment, category, status, paid_on, left, first in (
            qs.filter(refund_of__isnull=True, enrolment__status__in=["paid", "refunded"]).exclude(category="")
            .annotate(left=TruncDate("enrolment__status_changed_at"))
            .values_list("division_id", "enrolment_id", "category", "enrolment__status", "enrolment__paid_on", "left")
            .annotate(first=Min("paid_on"))):
        for key in ((division, enrolment, category), (division, enrolment, "")):
            seen = firsts.get(key)
            if seen is None or first < seen[0]:
                firsts[key] = (first, status, paid_on, left)
    for (division, _enrolment, category), (first, status, paid_on, left) in firsts.items():
        if paid_on is None or (status == "refunded" and left is None):
            continue
        enters = max(first, paid_on)
        out[(division, enters, "", 0, "", category)][2] += 1
        if status == "refunded":
            out[(division, max(enters, left), "", 0, "", category)][2] -= 1
    return {k: tuple(v) for k, v in out.items() if any(v)}


def refresh(region: str, year: int, divisions: Iterable[str]) -> None:
    """Recompute the counters of ``divisions`` (villages a write touched), inside its transaction."""
    divisions = sorted(set(divisions))
    if divisions:
        tallies.replace(CollectionTally, region, year, lambda d: own_counts(region, year, d), divisions=divisions)


def refresh_payments(payments: Iterable) -> None:
    """Recompute the counters of the villages of these payments (model instances or rows with
    ``region_id``, ``insurance_year``, ``division_id``)."""
    touched: dict[tuple[str, int], set[str]] = defaultdict(set)
    for p in payments:
        touched[(p.region_id, p.insurance_year)].add(p.division_id)
    for (region, year), divisions in sorted(touched.items()):
        refresh(region, year, divisions)


def add_new(payments: Iterable[Payment]) -> None:
    """New payments just written (none a refund), after their enrolments' moves: each one's flow
    (+1 payment, its amount) is added to its village's counters without recounting. Where a
    subsidised person may have entered (the payment names a hardship category, or its enrolment
    has a payment that does) the village is recounted instead (``refresh``)."""
    payments = list(payments)
    by_year: dict[tuple[str, int], list[Payment]] = defaultdict(list)
    for p in payments:
        by_year[(p.region_id, p.insurance_year)].append(p)
    for (region, year), some in sorted(by_year.items()):
        # the payments' villages are locked before the payments naming a category are looked up,
        # so that one committed meanwhile (the fund's, say) is seen here or counted by its writer
        paths = tallies.lock({p.division_id for p in some})
        named = (Payment.objects.filter(enrolment_id__in=sorted({p.enrolment_id for p in some}),
                                        refund_of__isnull=True).exclude(category="")
                 .order_by().values_list("enrolment_id", "division_id").distinct())
        recount = {p.division_id for p in some if p.category}
        for enrolment, division in named:
            recount.add(division)
            recount.update(p.division_id for p in some if p.enrolment_id == enrolment)
        change: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
        for p in some:
            if p.division_id not in recount:
                row = change[(p.division_id, p.paid_on, p.payer, p.channel_id or 0, p.part, "")]
                row[0] += 1
                row[1] += _fen(p.amount)
        tallies.add(CollectionTally, region, year, change, paths=paths)
        if recount:
            refresh(region, year, recount)


def rebuild(region: str, year: int) -> None:
    tallies.replace(CollectionTally, region, year, lambda d: own_counts(region, year, d), divisions=None)


def differences(region: str, year: int) -> list[str]:
    return tallies.differences(CollectionTally, region, year, own_counts(region, year))


def years() -> list[tuple[str, int]]:
    pairs = set(Payment.objects.order_by().values_list("region_id", "insurance_year").distinct())
    pairs |= set(CollectionTally.objects.order_by().values_list("region_id", "insurance_year").distinct())
    return sorted(pairs)
