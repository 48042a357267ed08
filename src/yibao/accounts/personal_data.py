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


def sees_whole_phones(user) -> bool:
    return user_can(user, "person.view_phone")


def mask_phone(phone: str) -> str:
    """A phone with its middle digits hidden: 138****8000, 0530-****123."""
    digits = phone or ""
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 11 else max(1, len(digits) // 3)
    keep_tail = 4 if len(digits) >= 11 else 3
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


def shown_phone(user, phone: str) -> str:
    return phone if sees_whole_phones(user) else mask_phone(phone)
