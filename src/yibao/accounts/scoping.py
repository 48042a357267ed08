"""Object-level access, decided here and nowhere else.

Every selector passes its queryset through ``scope_of(user)``, naming how its model reaches a
division, a unit or a person. A scope that cannot reach the model sees nothing. Views answer
404 for anything a selector does not return, so an object outside the scope is
indistinguishable from one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .roles import ScopeKind, scope_kind


@dataclass(frozen=True)
class Scope:
    kind: str
    division_path: str = ""
    unit_id: int | None = None
    id_number: str = ""

    @property
    def sees_everything(self) -> bool:
        return self.kind == ScopeKind.ALL

    def filter(self, qs: QuerySet, *, division: str | None = None, unit: str | None = None,
               person: str | None = None) -> QuerySet:
        """Restrict ``qs`` to this scope.

        ``division``: lookup from the model to a Division (e.g. "division", "unit__division"; "" for
        Division itself); ``unit``: lookup to the Unit's primary key (e.g. "unit_id", "pk");
        ``person``: lookup to an identity number (e.g. "id_number").
        """
        if self.kind == ScopeKind.ALL:
            return qs
        if self.kind == ScopeKind.DIVISION and division is not None and self.division_path:
            prefix = f"{division}__path" if division else "path"
            return qs.filter(**{f"{prefix}__startswith": self.division_path})
        if self.kind == ScopeKind.UNIT and unit is not None and self.unit_id is not None:
            return qs.filter(**{unit: self.unit_id})
        if self.kind == ScopeKind.PERSON and person is not None and self.id_number:
            return qs.filter(**{person: self.id_number})
        return qs.none()

    def divisions(self, qs: QuerySet) -> QuerySet:
        return self.filter(qs, division="")

    def by_division(self, qs: QuerySet, field: str) -> QuerySet:
        return self.filter(qs, division=field)

    def q_division(self, field: str) -> Q:
        if self.kind == ScopeKind.ALL:
            return Q()
        if self.kind == ScopeKind.DIVISION and self.division_path:
            return Q(**{f"{field}__path__startswith": self.division_path})
        return Q(pk__in=[])


NOBODY = Scope(kind="none")


def scope_of(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    kind = scope_kind(user.role)
    if kind == ScopeKind.DIVISION:
        division = user.division
        return Scope(kind=kind, division_path=division.path if division else "")
    if kind == ScopeKind.UNIT:
        return Scope(kind=kind, unit_id=user.unit_id)
    if kind == ScopeKind.PERSON:
        return Scope(kind=kind, id_number=user.id_number)
    return Scope(kind=kind)
