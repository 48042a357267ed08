"""What the collection app may read of and do to the resident scheme: the facts a payment is
judged on (the person's enrolments, birth date, hardship categories) and the enrolment's
transitions that payment and refund make (已登记 → 已缴费 → 已退费). Collection imports this
module and the selectors, never the models or the services (import-linter checks it).

Reads take many identity numbers at once (one parameter each query, ``dbutil.text_values``), so
a channel's batch of a thousand payments costs a few queries, not thousands."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from yibao.dbutil import text_values

from . import tallies
from .models import Enrolment, EnrolmentStatus, HardshipGrant, Kind, LifeStatus, Person

__all__ = ["EnrolmentFacts", "EnrolmentStatus", "Kind", "PaidEnrolment", "Subsidised", "categories_many",
           "enrolment_facts", "mark_paid", "mark_refunded", "paid_counts", "paid_in_village", "persons_known",
           "subsidised_enrolments"]

_CHUNK = 900  # enrolments per UPDATE


@dataclass(frozen=True)
class EnrolmentFacts:
    enrolment_id: int
    region: str
    insurance_year: int
    status: str
    kind: str
    division_id: str
    division_path: str
    id_number: str
    name: str
    birth_date: dt.date
    moved_in_on: dt.date | None
    paid_at_origin: bool | None
    deceased_on: dt.date | None


def enrolment_facts(id_numbers) -> dict[str, list[EnrolmentFacts]]:
    """Every enrolment (any region, any year) of each identity number, newest year first; a number
    with no enrolment anywhere is absent."""
    numbers = sorted(set(id_numbers))
    out: dict[str, list[EnrolmentFacts]] = defaultdict(list)
    rows = (Enrolment.objects.filter(id_number__in=text_values(numbers))
            .values_list("id", "region_id", "insurance_year", "status", "kind", "division_id",
                         "division__path", "id_number", "person__name", "person__birth_date", "moved_in_on",
                         "paid_at_origin", "person__life_status", "person__life_status_on")
            .order_by("id_number", "-insurance_year", "id"))
    for (pk, region, year, status, kind, division, path, number, name, birth, moved, origin, life,
         life_on) in rows:
        out[number].append(EnrolmentFacts(pk, region, year, status, kind, division, path, number, name, birth,
                                          moved, origin, life_on if life == LifeStatus.DECEASED else None))
    return dict(out)


def persons_known(id_numbers) -> set[str]:
    """The identity numbers that have a person record somewhere in the system."""
    numbers = sorted(set(id_numbers))
    return set(Person.objects.filter(id_number__in=text_values(numbers)).values_list("id_number", flat=True))


def categories_many(region: str, id_numbers, on: dt.date) -> dict[str, list[str]]:
    """Each person's hardship categories valid on ``on`` (认定日期 ≤ on ≤ 终止日期), sorted."""
    numbers = sorted(set(id_numbers))
    out: dict[str, set[str]] = defaultdict(set)
    grants = (HardshipGrant.objects.filter(region_id=region, id_number__in=text_values(numbers), valid_from__lte=on)
              .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)).values_list("id_number", "category"))
    for number, category in grants:
        out[number].add(category)
    return {number: sorted(cats) for number, cats in out.items()}


@dataclass(frozen=True)
class Subsidised:
    """An enrolment of a person on a hardship list: what the assistance fund's payment needs."""

    enrolment_id: int
    id_number: str
    name: str
    division_id: str
    status: str
    categories: tuple[str, ...]


def subsidised_enrolments(region: str, insurance_year: int, on: dt.date) -> list[Subsidised]:
    """Every enrolment of ``region`` for ``insurance_year`` still open to payment (已登记 or 已缴费)
    whose person holds a hardship category valid on ``on``, with those categories: two queries
    whatever the region's size (the enrolments are matched to the lists in the database)."""
    grants = (HardshipGrant.objects.filter(region_id=region, valid_from__lte=on)
              .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))
    categories: dict[str, set[str]] = defaultdict(set)
    for number, category in grants.values_list("id_number", "category"):
        categories[number].add(category)
    if not categories:
        return []
    rows = (Enrolment.objects.filter(region_id=region, insurance_year=insurance_year,
                                     status__in=[EnrolmentStatus.REGISTERED, EnrolmentStatus.PAID],
                                     id_number__in=grants.values("id_number"))
            .values_list("id", "id_number", "person__name", "division_id", "status").order_by("division_id", "id"))
    return [Subsidised(pk, number, name, division, status, tuple(sorted(categories[number])))
            for pk, number, name, division, status in rows]


def mark_paid(paid_on: dict[int, dt.date]) -> int:
    """已登记 → 已缴费 for each enrolment id with its payment date; enrolments no longer 已登记 are
    left alone. Returns how many moved. Called inside the collection service's transaction."""
    now = timezone.now()
    moved: list[tuple[str, int, str, dt.date]] = []
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for pk, day in paid_on.items():
        by_day[day].append(pk)
    for day, ids in sorted(by_day.items()):
        ids.sort()
        for i in range(0, len(ids), _CHUNK):
            # the rows that move, locked as the update would lock them: their villages' counters
            # take exactly this change (``tallies.add_paid``)
            rows = list(Enrolment.objects.select_for_update(no_key=True)
                        .filter(pk__in=ids[i:i + _CHUNK], status=EnrolmentStatus.REGISTERED).order_by("pk")
                        .values_list("pk", "region_id", "insurance_year", "division_id"))
            if rows:
                Enrolment.objects.filter(pk__in=[r[0] for r in rows]).update(
                    status=EnrolmentStatus.PAID, paid_on=day, status_changed_at=now)
            moved += [(region, year, division, day) for _pk, region, year, division in rows]
    tallies.add_paid(moved)
    return len(moved)


def mark_refunded(enrolment_id: int) -> bool:
    """已缴费 → 已退费 (the refund of the person's own part was recorded)."""
    moved = bool(Enrolment.objects.filter(pk=enrolment_id, status=EnrolmentStatus.PAID)
                 .update(status=EnrolmentStatus.REFUNDED, status_changed_at=timezone.now()))
    if moved:
        tallies.refresh_enrolments([enrolment_id])
    return moved


@dataclass(frozen=True)
class PaidEnrolment:
    enrolment_id: int
    id_number: str
    name: str
    sex: str
    paid_on: dt.date


def paid_in_village(division_id: str, insurance_year: int) -> list[PaidEnrolment]:
    """The village's enrolments of the year that stand paid (已缴费), by household and number: the
    已缴费人员清册's people."""
    rows = (Enrolment.objects.filter(division_id=division_id, insurance_year=insurance_year,
                                     status=EnrolmentStatus.PAID)
            .order_by("person__household_number", "id_number")
            .values_list("id", "id_number", "person__name", "person__sex", "paid_on"))
    return [PaidEnrolment(*row) for row in rows]


def paid_counts(division_ids, insurance_year: int) -> dict[str, int]:
    """How many enrolments of the year stand paid in each of the villages."""
    from django.db.models import Count

    return dict(Enrolment.objects.filter(division_id__in=text_values(sorted(set(division_ids))),
                                         insurance_year=insurance_year, status=EnrolmentStatus.PAID)
                .values_list("division_id").annotate(n=Count("id")).values_list("division_id", "n"))
