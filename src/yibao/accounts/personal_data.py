"""Whole identity numbers: who may see them, and the audit entry when staff do."""

from __future__ import annotations

from yibao.access.permissions import user_can
from yibao.access.roles import Role
from yibao.audit.services import record_event
from yibao.identity import mask_id_number


def sees_whole_id_numbers(user) -> bool:
    return user_can(user, "person.view_id_number")


def shown_id_number(user, number: str) -> str:
    return number if sees_whole_id_numbers(user) else mask_id_number(number)


def record_whole_view(user, object_type: str, object_id, *, people: int, division_path: str = "",
                      what: str = "") -> None:
    """Staff viewing whole identity numbers of people outside their own unit is audited (a unit
    operator reading its own employees is not: that is the unit's own record)."""
    if people and sees_whole_id_numbers(user) and user.role not in (Role.UNIT_OPERATOR, Role.INDIVIDUAL):
        record_event(user, "person_data.view", object_type, object_id,
                     after={"people": people, "what": what}, division_path=division_path)
