"""Renewal rosters (续保人员名册) as the reader may see them: the villages of the reader's area with
their roster for a year, one roster, its entries (numbers masked, as posted)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from yibao import clock
from yibao.access.scoping import scope_of
from yibao.identity import mask_id_number
from yibao.regions.models import Division, Level

from .. import rules
from ..errors import RosterError
from ..models import Enrolment, EnrolmentStatus, Roster, RosterEntry
from .places import region_of

NO_REGION = "您所在地区未开展城乡居民医保（以政策文件为准），没有续保人员名册。"


def roster_year(user) -> int:
    """The insurance year the reader's rosters are made for unless another is asked for: the
    coming one of the reader's region, as its notices give it (``rules.renewal_year``).
    Refused where the reader's area runs no resident scheme, or the engine gives no collection
    period near the business date."""
    region = region_of(user)
    if region is None:
        raise RosterError(NO_REGION, code="no_region")
    return rules.renewal_year(region.key, clock.today())


def rosters_for(user) -> QuerySet[Roster]:
    return scope_of(user).filter(Roster.objects.all()).select_related("division", "division__parent")


def roster_for(user, pk: int) -> Roster | None:
    return rosters_for(user).filter(pk=pk).first()


def roster_of_village(user, code: str, year: int) -> Roster | None:
    return rosters_for(user).filter(division_id=(code or "").strip(), insurance_year=year).first()


def village_for(user, code: str) -> Division | None:
    """A village (12-digit code) in the reader's area."""
    return (scope_of(user).filter(Division.objects.filter(level=Level.VILLAGE, key=(code or "").strip()))
            .select_related("parent").first())


@dataclass
class VillageRow:
    village: Division
    roster: Roster | None
    insured: int  # paid for the year before, in the village


def villages_for(user, year: int, *, township: str = "", q: str = "") -> list[VillageRow]:
    """The villages of the reader's area (one township's, when given), each with its roster for
    ``year`` (or none yet) and how many people paid for the year before."""
    villages = scope_of(user).filter(Division.objects.filter(level=Level.VILLAGE)).select_related("parent")
    if township:
        villages = villages.filter(parent_id=township)
    if q:
        villages = villages.filter(name__contains=q.strip())
    villages = list(villages.order_by("path"))
    scope = scope_of(user)
    rosters = scope.filter(Roster.objects.filter(insurance_year=year))
    paid = scope.filter(Enrolment.objects.filter(insurance_year=year - 1, status=EnrolmentStatus.PAID))
    if township:
        rosters = rosters.filter(division__parent_id=township)
        paid = paid.filter(division__parent_id=township)
    by_village = {r.division_id: r for r in rosters}
    insured = dict(paid.values_list("division_id").annotate(n=Count("id")).values_list("division_id", "n"))
    return [VillageRow(v, by_village.get(v.key), insured.get(v.key, 0)) for v in villages]


def townships_for(user) -> QuerySet[Division]:
    return scope_of(user).filter(Division.objects.filter(level=Level.TOWNSHIP)).order_by("path")


@dataclass
class EntryRow:
    seq: int
    name: str
    sex: str
    id_number: str  # masked, as posted
    hukou: str
    phone: str      # masked, as posted


def entries_of(roster: Roster) -> list[EntryRow]:
    from yibao.accounts.personal_data import mask_phone

    rows = (RosterEntry.objects.filter(roster=roster).order_by("ordinal")
            .values_list("ordinal", "person__name", "person__sex", "person__id_number", "person__hukou_division__name",
                         "person__phone"))
    return [EntryRow(seq, name, sex, mask_id_number(number), hukou, mask_phone(phone))
            for seq, name, sex, number, hukou, phone in rows]
