"""Object-level access, decided here and nowhere else.

Every selector passes its queryset through ``scope_of(user).filter(qs)``. How a model reaches a
division, a unit or a person is registered by the app that owns the model (``reaches``, called
from its ``AppConfig.ready``), so this module imports no domain model. A scope that cannot
reach the model sees nothing. Views answer 404 for anything a selector does not return, so an
object outside the scope is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .roles import ScopeKind, scope_kind


@dataclass(frozen=True)
class Reach:
    """How rows of a model reach a scope: ``division`` is the lookup to a Division ("" for
    Division itself), ``unit`` the lookup to a unit's primary key, ``person`` the lookup to an
    identity number. ``None`` where the model cannot be reached that way."""

    division: str | None = None
    unit: str | None = None
    person: str | None = None


_REACH: dict[str, Reach] = {}
_UNIT_RESOLVERS: list[Callable[[object], int | None]] = []


def _label(model) -> str:
    return model._meta.label_lower


def reaches(model, *, division: str | None = None, unit: str | None = None, person: str | None = None) -> None:
    """Register how ``model`` reaches a division, a unit or a person (its app calls this)."""
    _REACH[_label(model)] = Reach(division=division, unit=unit, person=person)


def reach_of(model) -> Reach:
    try:
        return _REACH[_label(model)]
    except KeyError:
        raise LookupError(f"{_label(model)} has no registered reach; its app must call access.scoping.reaches") from None


def unit_of_user(resolver: Callable[[object], int | None]) -> Callable[[object], int | None]:
    """Register how a unit operator reaches its unit (the app that owns units does this): the
    resolver takes a user and returns the unit's primary key, or None."""
    _UNIT_RESOLVERS.append(resolver)
    return resolver


def user_unit_id(user) -> int | None:
    cached = getattr(user, "_access_unit_id", False)
    if cached is not False:
        return cached
    unit_id = None
    for resolver in _UNIT_RESOLVERS:
        unit_id = resolver(user)
        if unit_id is not None:
            break
    try:
        user._access_unit_id = unit_id
    except AttributeError:
        pass
    return unit_id


@dataclass(frozen=True)
class Scope:
    kind: str
    division_path: str = ""
    unit_id: int | None = None
    id_number: str = ""

    @property
    def sees_everything(self) -> bool:
        return self.kind == ScopeKind.ALL

    def filter(self, qs: QuerySet, reach: Reach | None = None) -> QuerySet:
        """Restrict ``qs`` to this scope, through the reach its model registered (or ``reach``)."""
        if self.kind == ScopeKind.ALL:
            return qs
        reach = reach or reach_of(qs.model)
        if self.kind == ScopeKind.DIVISION and reach.division is not None and self.division_path:
            prefix = f"{reach.division}__path" if reach.division else "path"
            return qs.filter(**{f"{prefix}__startswith": self.division_path})
        if self.kind == ScopeKind.UNIT and reach.unit is not None and self.unit_id is not None:
            return qs.filter(**{reach.unit: self.unit_id})
        if self.kind == ScopeKind.PERSON and reach.person is not None and self.id_number:
            return qs.filter(**{reach.person: self.id_number})
        return qs.none()

    def holds(self, division_path: str) -> bool:
        """Whether the whole of a division (its path) lies in this scope: what acting on all of a
        pooling region at once (generating its bills, running its checks) asks, where reaching a
        part of it is not enough."""
        if self.kind == ScopeKind.ALL:
            return True
        return self.kind == ScopeKind.DIVISION and bool(self.division_path) and \
            division_path.startswith(self.division_path)

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
        return Scope(kind=kind, unit_id=user_unit_id(user))
    if kind == ScopeKind.PERSON:
        return Scope(kind=kind, id_number=user.id_number)
    return Scope(kind=kind)
