"""Unit operators: the account a unit signs in with (its 单位编号), linked to its unit."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.db import transaction

from yibao.access.roles import Role
from yibao.accounts.services import AccountError, create_user
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


@dataclass
class OpenedAccount:
    """A unit's new sign-in account and its first password, shown once to the clerk who opened
    it and never stored in clear."""

    user: object
    password: str   # one-time: the account must change it at first sign-in


def temporary_password() -> str:
    """A random first password (12 characters of letters and digits, at least one of each)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@transaction.atomic
def open_account(unit: Unit, *, actor, full_name: str = "") -> OpenedAccount:
    """开户 (聊城 notice: 没有开户的单位首先联系医保部门进行开户): the agency clerk opens the login a
    unit signs in with (its 单位编号), with a random first password handed over once."""
    from ..errors import Conflict, UnitError
    from ..models import UnitStatus

    unit = Unit.objects.select_for_update().select_related("division").get(pk=unit.pk)
    if unit.status != UnitStatus.NORMAL:
        raise UnitError(f"单位已{unit.get_status_display()}，不能开户。", code="unit_inactive")
    if unit.operators.exists():
        raise Conflict(f"单位 {unit.unit_number} 已开户。", code="account_exists")
    password = temporary_password()
    try:
        user = create_unit_operator(unit, password=password, full_name=full_name or unit.contact_name,
                                    phone=unit.contact_phone[:20], actor=actor)
    except AccountError as exc:
        raise Conflict(str(exc), code="account_exists") from None
    # the one-time password must be changed at first sign-in, before anything else
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    record_event(actor, "unit.account.open", "unit", unit.pk, after={"unit_number": unit.unit_number,
                                                                     "user": user.pk},
                 division_path=unit.division.path)
    return OpenedAccount(user, password)
