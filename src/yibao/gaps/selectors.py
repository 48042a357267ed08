"""Reads of the gaps app, always through the reader's scope (``access.scoping``): a township clerk
sees the villages of their township only; out of scope answers like missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from yibao import registry
from yibao.access.scoping import scope_of
from yibao.collection import refunding
from yibao.regions.models import Division, Level
from yibao.resident import covering

from .models import EnrolmentFlag, Extract, FlagStatus, RegistryPerson, RegistryState, Resolution

UNCOVERED = Q(state=RegistryState.NORMAL, resident=False, employee=False)


def extracts_for(user) -> QuerySet[Extract]:
    """Extracts the reader reaches: those of their region or of their own part of it."""
    scope = scope_of(user)
    qs = Extract.objects.select_related("region", "area")
    if scope.sees_everything:
        return qs
    path = scope.division_path or "\0"
    # the extracts whose area (else region) overlaps the reader's: another township's is not theirs
    places = Extract.objects.select_related("region", "area").only("pk", "region__path", "area__path")
    return qs.filter(pk__in=[e.pk for e in places
                             if path.startswith(e.place.path) or e.place.path.startswith(path)])


def extract_for(user, pk: int) -> Extract | None:
    return extracts_for(user).filter(pk=pk).first()


def extract_covering(user, place: Division, year: int) -> Extract | None:
    """The latest extract of ``year`` the reader reaches whose area holds ``place``."""
    for extract in extracts_for(user).filter(insurance_year=year).select_related("area"):
        if extract.covers(place):
            return extract
    return None


@dataclass(frozen=True)
class VillageRow:
    key: str
    name: str
    township: str
    people: int
    uncovered: int
    deceased: int
    moved_out: int


def villages(user, extract: Extract) -> list[VillageRow]:
    """Per village of the extract in the reader's area: people, 应保未保, died, moved away."""
    rows = (scope_of(user).filter(RegistryPerson.objects.filter(extract=extract))
            .values("division_id").annotate(people=Count("id"), uncovered=Count("id", filter=UNCOVERED),
                                            deceased=Count("id", filter=Q(state=RegistryState.DECEASED)),
                                            moved_out=Count("id", filter=Q(state=RegistryState.MOVED_OUT))))
    rows = {r["division_id"]: r for r in rows}
    places = {d.key: d for d in Division.objects.filter(key__in=list(rows)).select_related("parent")}
    out = []
    for key, r in rows.items():
        d = places.get(key)
        out.append(VillageRow(key, d.name if d else key, d.parent.name if d and d.parent else "", r["people"],
                              r["uncovered"], r["deceased"], r["moved_out"]))
    return sorted(out, key=lambda v: v.key)


def village_for(user, key: str) -> Division | None:
    return scope_of(user).filter(Division.objects.filter(level=Level.VILLAGE, key=(key or "").strip())).first()


def uncovered_in(user, extract: Extract, village: Division) -> QuerySet[RegistryPerson]:
    """应保未保 of a village: in the registry (正常), enrolled in neither scheme."""
    return (scope_of(user).filter(RegistryPerson.objects.filter(extract=extract, division=village))
            .filter(UNCOVERED).order_by("id_number"))


def marked_in(user, extract: Extract, village: Division) -> QuerySet[RegistryPerson]:
    """Those of a village the registry says died or moved away."""
    return (scope_of(user).filter(RegistryPerson.objects.filter(extract=extract, division=village))
            .exclude(state=RegistryState.NORMAL).order_by("state", "id_number"))


def flags_for(user, *, status: str | None = FlagStatus.OPEN) -> QuerySet[EnrolmentFlag]:
    qs = scope_of(user).filter(EnrolmentFlag.objects.select_related("division"))
    return qs.filter(status=status) if status else qs


def flag_for(user, pk: int) -> EnrolmentFlag | None:
    return flags_for(user, status=None).filter(pk=pk).first()


@dataclass(frozen=True)
class Duplicate:
    id_number: str
    name: str
    insurance_year: int
    enrolment_id: int
    region: str
    village: str
    status: str          # the resident enrolment's, in words
    paid: bool
    employee: list[str]  # where the employee scheme has them


def settled(year: int) -> QuerySet[Resolution]:
    """The resolutions of ``year`` that still stand: all but those whose refund application the
    reviewing clerk rejected (the person is then paid in both schemes again, and listed again)."""
    resolved = Resolution.objects.filter(insurance_year=year)
    rejected = refunding.rejected(resolved.exclude(refund_id=None).values_list("refund_id", flat=True))
    return resolved.exclude(refund_id__in=rejected)


def duplicates(user, year: int, *, limit: int = 500) -> list[Duplicate]:
    """重复参保 of ``year`` in the reader's area, not yet resolved: a live resident enrolment of a
    person insured in the employee scheme the same year, with both records; one resolved stays off the list unless its refund was rejected. (Two live resident
    enrolments of one person and year cannot exist: the database refuses them,
    ``enrolment_unique_live_year``.)"""
    insured = Q()
    for qs in registry.insured_numbers(year, schemes=("employee",)):
        insured |= Q(id_number__in=qs)
    enrolments = list(covering.enrolments_in_scope(user, year).filter(insured)
                      .exclude(pk__in=settled(year).values("enrolment_id")).order_by("division_id", "id_number")
                      [:limit])
    where = registry.insured_elsewhere_many([e.id_number for e in enrolments], year, schemes=("employee",))
    return [Duplicate(e.id_number, e.person.name, year, e.pk, e.region_id, e.division.name, e.get_status_display(),
                      e.status == covering.EnrolmentStatus.PAID, [p["where"] for p in where.get(e.id_number, [])])
            for e in enrolments]


def resolutions_for(user) -> QuerySet[Resolution]:
    return scope_of(user).filter(Resolution.objects.select_related("division"))
