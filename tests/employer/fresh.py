"""A unit, its operator, employees and declaration made afresh, for tests that rely on no demo
data: only the reference data (divisions, agencies) is assumed. Made with the employer factories
(``employer.factories``); what is added here is the business date in the declaration window, the
quick password hashers and the reference data loaded again for transactional tests."""

from __future__ import annotations

import datetime as dt

from factories import PASSWORD, WEIFANG
from yibao.employer.models import Declaration
from yibao.regions.models import Division
from yibao.regions.services import load_reference_data

from .factories import UnitFactory, UnitOperatorFactory, open_declaration

__all__ = ["IN_WINDOW", "PASSWORD", "QUICK_HASHERS", "make_declaration", "make_unit", "reference_data"]

# Accounts made here are hashed quickly (the project's hasher takes most of a second per account).
QUICK_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
IN_WINDOW = dt.date(2024, 1, 15)


def reference_data() -> None:
    """The divisions, loaded again where a transactional test before this one emptied the tables."""
    if not Division.objects.filter(key=WEIFANG).exists():
        load_reference_data()


def make_unit(number: str = "37070599001", *, people: int = 3):
    """A unit numbered ``number`` (its county's code and five digits) with ``people`` employees in
    service, and its operator's account: (unit, user)."""
    unit = UnitFactory(county=number[:6], serial=int(number[6:]), employees=people)
    return unit, UnitOperatorFactory(unit=unit)


def make_declaration(number: str = "37070599001", *, people: int = 3) -> tuple[Declaration, object]:
    """A fresh unit's 2024 declaration of active employees and its operator: (declaration, user)."""
    unit, user = make_unit(number, people=people)
    return open_declaration(unit, 2024, actor=user), user
