"""Unit operators: the account a unit signs in with (its 单位编号), linked to its unit."""

from __future__ import annotations

from django.db import transaction

from yibao.access.roles import Role
from yibao.accounts.services import create_user
from yibao.audit.services import record_event

from ..models import Unit, UnitOperator


@transaction.atomic
def create_unit_operator(unit: Unit, *, password: str, full_name: str = "", phone: str = "", actor=None,
                         check_password: bool = True, update_existing: bool = False):
    user = create_user(role=Role.UNIT_OPERATOR, username=unit.unit_number, password=password,
                       full_name=full_name, phone=phone, actor=actor, check_password=check_password,
                       update_existing=update_existing, division_path=unit.division.path)
    _, created = UnitOperator.objects.update_or_create(user=user, defaults={"unit": unit})
    if created:
        record_event(actor, "unit_operator.link", "user", user.pk, after={"unit": unit.unit_number},
                     division_path=unit.division.path)
    return user
