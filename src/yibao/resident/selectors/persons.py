"""Persons, registrations and problems as the reader may see them."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from yibao.access.scoping import scope_of

from ..models import HISTORY_FIELDS, Person, PersonVersion, Problem, ProblemStatus, Registration


def persons_for(user) -> QuerySet[Person]:
    return scope_of(user).filter(Person.objects.all())


def person_for(user, id_number: str, region: str | None = None) -> Person | None:
    """The person with ``id_number`` in the reader's scope (in ``region`` when given; else the most
    recently registered record)."""
    qs = persons_for(user).filter(id_number=(id_number or "").strip().upper()).select_related(
        "division", "hukou_division", "residence_division", "region")
    if region:
        qs = qs.filter(region_id=region)
    return qs.order_by("-valid_from").first()


def person_as_of(person: Person, when: dt.datetime) -> dict | None:
    """What the person's record said at ``when``: the current values, a kept version, or None
    before the person was registered."""
    if when >= person.valid_from:
        return {f: getattr(person, Person._meta.get_field(f).attname) for f in HISTORY_FIELDS}
    version = (PersonVersion.objects.filter(person=person, valid_from__lte=when, valid_to__gt=when)
               .order_by("-valid_from").first())
    if version is None:
        return None
    return {f: getattr(version, PersonVersion._meta.get_field(f).attname) for f in HISTORY_FIELDS}


def registrations_for(user) -> QuerySet[Registration]:
    return scope_of(user).filter(Registration.objects.all()).select_related("division", "region")


def registration_for(user, pk: int) -> Registration | None:
    return registrations_for(user).filter(pk=pk).first()


def problems_for(user, *, status: str | None = ProblemStatus.OPEN) -> QuerySet[Problem]:
    qs = scope_of(user).filter(Problem.objects.all()).select_related("division", "registration")
    return qs.filter(status=status) if status else qs


def problem_for(user, pk: int) -> Problem | None:
    return problems_for(user, status=None).filter(pk=pk).first()


def registration_counts(user) -> dict[str, int]:
    from django.db.models import Count

    return dict(registrations_for(user).values_list("status").annotate(n=Count("id")).order_by())
