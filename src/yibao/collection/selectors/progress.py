"""The money side of the collection progress (征缴进度) for ``yibao.reporting``: per insured
village, the amounts collected by payer (the person's own part, the assistance fund, family
accounts) and the people paid with a subsidy by hardship category (their enrolment paid); per day, what was paid; the
mix of payers and channels. Each is one grouped statement over the region's payments of a year
(index ``payment_region_year_div``); refunds, negative rows, count against what they return.

Region-wide reads: the caller passes only villages its reader reaches (``divisions``; ``None``:
the whole region). ``as_of`` gives the figures as they stood at the end of that day (payments and
refunds recorded on or before it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from yibao.channels.models import Channel

from ..models import CollectionTally, Part, Payer, Payment

ZERO = Decimal("0.00")


def _payments(region_key: str, year: int, divisions: list[str] | None, as_of: dt.date | None):
    qs = Payment.objects.filter(region_id=region_key, insurance_year=year)
    if divisions is not None:
        qs = qs.filter(division_id__in=divisions)
    if as_of is not None:
        qs = qs.filter(paid_on__lte=as_of)
    return qs.order_by()


def amounts(region_key: str, year: int, *, divisions: list[str] | None = None,
            as_of: dt.date | None = None) -> dict[str, dict[str, Decimal]]:
    """``{village key: {"individual", "fund", "family"}}``: the own part paid by the person
    (any channel or a village agent), the assistance fund's part (资助), and own parts paid
    from a family mutual-aid account (家庭共济), net of refunds."""
    rows = (_payments(region_key, year, divisions, as_of).values_list("division_id")
            .annotate(individual=Sum("amount", filter=Q(part=Part.OWN) & ~Q(payer=Payer.FAMILY)),
                      fund=Sum("amount", filter=Q(part=Part.FUND)),
                      family=Sum("amount", filter=Q(part=Part.OWN, payer=Payer.FAMILY))))
    return {key: {"individual": i or ZERO, "fund": f or ZERO, "family": fa or ZERO} for key, i, f, fa in rows}


def subsidised(region_key: str, year: int, *, divisions: list[str] | None = None,
               as_of: dt.date | None = None) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """People paid with a subsidy (资助参保): paid enrolments (as they stood at the end of
    ``as_of``) with a payment that names a hardship category (the own part paid at the
    subsidised rate, or the fund's part). Returns (``{village: people}``,
    ``{(village, category): people}``); a person counts once per village and once per category."""
    qs = _payments(region_key, year, divisions, as_of).filter(refund_of__isnull=True).exclude(category="")
    if as_of is None:
        qs = qs.filter(enrolment__status="paid")
    else:
        end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
        qs = qs.filter(Q(enrolment__status="paid") | Q(enrolment__status="refunded",
                                                       enrolment__status_changed_at__gte=end),
                       enrolment__paid_on__lte=as_of)
    per_village = dict(qs.values_list("division_id").annotate(n=Count("enrolment_id", distinct=True)))
    per_category = {(v, c): n for v, c, n in qs.values_list("division_id", "category")
                    .annotate(n=Count("enrolment_id", distinct=True))}
    return per_village, per_category


def daily_and_channels(region_key: str, year: int, *, divisions: list[str] | None = None,
                       as_of: dt.date | None = None) -> tuple[list[dict], list[dict]]:
    """In one grouped statement: per day with payments, ``day``, ``payments`` (payments recorded,
    refunds not counted) and ``amount`` (net of the refunds recorded that day), in date order;
    and per payer and channel, ``payer`` (its code and label), ``channel`` (the channel's name, ""
    for a village agent, the fund or a family account), ``payments`` and net ``amount``, largest
    amount first."""
    rows = (_payments(region_key, year, divisions, as_of).values_list("paid_on", "payer", "channel_id")
            .annotate(n=Count("id", filter=Q(refund_of__isnull=True)), amount=Sum("amount")))
    return _days_and_mix(region_key, rows)


def _days_and_mix(region_key: str, rows) -> tuple[list[dict], list[dict]]:
    """Rows of (day, payer, channel id, payments, amount) as the per-day list and the mix."""
    labels = dict(Payer.choices)
    names = dict(Channel.objects.filter(region_id=region_key).values_list("pk", "name"))
    days: dict[dt.date, dict] = {}
    mix: dict[tuple[str, str], dict] = {}
    for day, payer, channel, n, amount in rows:
        amount = amount or ZERO
        d = days.setdefault(day, {"day": day, "payments": 0, "amount": ZERO})
        d["payments"] += n
        d["amount"] += amount
        name = names.get(channel, "") if channel else ""
        m = mix.setdefault((payer, name), {"payer": payer, "payer_label": labels.get(payer, payer), "channel": name,
                                           "payments": 0, "amount": ZERO})
        m["payments"] += n
        m["amount"] += amount
    return ([days[d] for d in sorted(days)],
            sorted(mix.values(), key=lambda r: (-r["amount"], r["payer"], r["channel"])))


# --- the same figures from the counters the writes keep (``yibao.collection.tallies``) ------------

def _tallies(region_key: str, year: int, divisions: list[str], as_of: dt.date | None):
    qs = CollectionTally.objects.filter(region_id=region_key, insurance_year=year, division_id__in=list(divisions))
    if as_of is not None:
        qs = qs.filter(day__lte=as_of)
    return qs.order_by()


def _yuan(fen) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def tallied(region_key: str, year: int, divisions: list[str], *, as_of: dt.date | None = None):
    """What ``amounts`` and ``subsidised`` give, for whole divisions (each with everything below
    it), read from the counters: ``({division: {"individual", "fund", "family"}},
    {division: people}, {(division, category): people})``."""
    money: dict[str, dict[str, Decimal]] = {}
    people: dict[str, int] = {}
    by_category: dict[tuple[str, str], int] = {}
    rows = (_tallies(region_key, year, divisions, as_of).values_list("division_id", "payer", "part", "category")
            .annotate(fen=Sum("amount_fen"), n=Sum("people")))
    for division, payer, part, category, fen, n in rows:
        if payer:
            m = money.setdefault(division, {"individual": ZERO, "fund": ZERO, "family": ZERO})
            which = "fund" if part == Part.FUND else "family" if payer == Payer.FAMILY else "individual"
            m[which] += _yuan(fen)
        elif n:
            if category:
                by_category[(division, category)] = n
            else:
                people[division] = n
    return money, people, by_category


def tallied_daily_and_channels(region_key: str, year: int, divisions: list[str], *,
                               as_of: dt.date | None = None) -> tuple[list[dict], list[dict]]:
    """What ``daily_and_channels`` gives, for whole divisions, read from the counters."""
    rows = (_tallies(region_key, year, divisions, as_of).exclude(payer="")
            .values_list("day", "payer", "channel").annotate(n=Sum("payments"), fen=Sum("amount_fen")))
    return _days_and_mix(region_key, ((day, payer, channel, n, _yuan(fen)) for day, payer, channel, n, fen in rows))
