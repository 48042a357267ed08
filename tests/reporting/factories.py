"""A season of collection in 晋城 for the progress figures: enrolments in villages of two counties
in every state, and payments of every payer (channels, a village agent's cash, the assistance
fund, family accounts) with hardship categories and refunds, spread over the collection period.
Written directly (the figures read what the services leave behind; the services' own tests
cover how it gets there), from a seeded random generator so each run builds the same season."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from factories import JINCHENG, resident_id
from yibao.collection.models import Part, Payer, Payment
from yibao.regions.models import Division
from yibao.reporting.services import tallies
from yibao.resident.models import Enrolment, Person

YEAR = 2024
STANDARD = Decimal("380.00")
CATEGORIES = ["特困人员", "低保对象", "防止返贫监测对象"]


def villages_of(township: Division, n: int) -> list[Division]:
    return list(Division.objects.filter(parent=township, level="village").order_by("key")[:n])


def jincheng_places() -> dict[str, list[Division]]:
    """Three villages of each of two townships of 城区 (140502) and of one township of 泽州 (140525)."""
    townships = list(Division.objects.filter(parent_id="140502", level="township").order_by("key")[:2])
    townships += list(Division.objects.filter(parent_id="140525", level="township").order_by("key")[:1])
    return {t.key: villages_of(t, 3) for t in townships}


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class Season:
    enrolments: list[Enrolment] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    villages: list[Division] = field(default_factory=list)


def season(*, people: int = 90, seed: int = 7, channels=()) -> Season:
    """``people`` enrolments for 2024 across the villages of ``jincheng_places``, and their payments."""
    rng = random.Random(seed)
    villages = [v for vs in jincheng_places().values() for v in vs]
    out = Season(villages=villages)
    start = dt.date(2023, 9, 1)
    for n in range(1, people + 1):
        village = villages[n % len(villages)]
        number = resident_id(JINCHENG, n, series=8)
        person = Person.objects.create(region_id=JINCHENG, id_number=number, name=f"居民{n}", sex="1",
                                       birth_date=dt.date(1980, 1, 1), hukou_division=village,
                                       residence_division=village, division=village, valid_from=aware(start))
        created = start + dt.timedelta(days=rng.randrange(0, 60))
        status = rng.choices(["registered", "paid", "refunded", "cancelled"], [3, 8, 1, 1])[0]
        paid_on = created + dt.timedelta(days=rng.randrange(0, 40)) if status in ("paid", "refunded") else None
        changed = None
        if status in ("refunded", "cancelled"):
            changed = aware((paid_on or created) + dt.timedelta(days=rng.randrange(1, 20)), 15)
        elif status == "paid":
            changed = aware(paid_on)
        enrolment = Enrolment.objects.create(region_id=JINCHENG, person=person, id_number=number,
                                             insurance_year=YEAR, status=status, division=village,
                                             paid_on=paid_on, status_changed_at=changed)
        Enrolment.objects.filter(pk=enrolment.pk).update(created_at=aware(created, 9))
        enrolment.refresh_from_db()
        out.enrolments.append(enrolment)
        if paid_on is None:
            continue
        category = rng.choice(CATEGORIES) if rng.random() < 0.3 else ""
        subsidy = Decimal("114.00") if category else Decimal("0.00")
        payer = rng.choice([Payer.CHANNEL, Payer.CHANNEL, Payer.AGENT, Payer.FAMILY])
        channel = rng.choice(channels) if payer == Payer.CHANNEL and channels else None
        if payer == Payer.CHANNEL and channel is None:
            payer = Payer.AGENT
        own = _payment(enrolment, payer=payer, part=Part.OWN, amount=STANDARD - subsidy, subsidy=subsidy,
                       category=category, day=paid_on, channel=channel, n=n)
        out.payments.append(own)
        if category:
            fund_day = paid_on + dt.timedelta(days=rng.randrange(0, 5))
            out.payments.append(_payment(enrolment, payer=Payer.FUND, part=Part.FUND, amount=subsidy, subsidy=subsidy,
                                         category=category, day=fund_day, channel=None, n=n))
        if status == "refunded":
            out.payments.append(_payment(enrolment, payer=own.payer, part=Part.OWN, amount=-own.amount, subsidy=subsidy,
                                         category=category, day=changed.date(), channel=channel, n=n, refund_of=own))
    # written directly, as existing data is: the progress counters are rebuilt as after a migration
    tallies.rebuild(JINCHENG, YEAR)
    return out


def _payment(enrolment, *, payer, part, amount, subsidy, category, day, channel, n, refund_of=None) -> Payment:
    return Payment.objects.create(
        region_id=JINCHENG, insurance_year=YEAR, enrolment=enrolment, id_number=enrolment.id_number,
        name=f"居民{n}", division_id=enrolment.division_id, payer=payer, part=part, amount=amount,
        standard=STANDARD, subsidy=subsidy, payable=STANDARD - subsidy, category=category, channel=channel,
        transaction_id=f"T{n}-{part}-{'R' if refund_of else 'P'}" if channel else "",
        paid_at=aware(day), paid_on=day, refund_of=refund_of)
