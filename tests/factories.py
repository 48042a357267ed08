"""Factories of the platform's test data: accounts of every role, and the divisions they need.

The shipped reference data (divisions, agencies, enrolment targets) is loaded once for the test
database by ``django_db_setup`` and is looked up here, never made up; what the notices do not
name (villages) is created below a real township and labelled as test data.

Accounts are made through ``yibao.accounts.services.create_user``, as the application makes
them, so every one is audited and its password hashed; all share :data:`PASSWORD`. A unit
operator's account belongs to its unit and is made by the employer factories
(``employer.factories.UnitOperatorFactory``).
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from yibao.access.roles import Role, ScopeKind, scope_kind
from yibao.accounts.models import User
from yibao.accounts.services import create_user
from yibao.identity import resident_id_check_char
from yibao.regions.models import Division

PASSWORD = "Test-pass-1"

# The first digit of the three-digit sequence of the identity numbers of individual accounts
# (``resident_id``); the employer factories use others for employees and flexible workers.
INDIVIDUAL_SERIES = 5

# Keys of the reference data's divisions the tests use most: the four pooling regions and a
# township of 东明.
WEIFANG = "370700"
LIAOCHENG = "371500"
DONGMING = "371728"
JINCHENG = "140500"
CHENGGUAN = "371728001"  # 城关街道 (2023 statistical code)
LEIZHUANG = "371728001200"  # 雷庄村村民委员会, a village of 城关街道

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]


def division(key: str) -> Division:
    """A division of the reference data, by its key."""
    return Division.objects.get(key=key)


def village(key: str = LEIZHUANG) -> Division:
    """A real village of the reference data (the statistical division codes, 2023 release)."""
    return division(key)


def person_name(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[(n * 5) % len(GIVEN_NAMES)]


def resident_id(region_code: str, n: int, *, series: int = 0) -> str:
    """A valid 18-character identity number issued under ``region_code``. Its three-digit
    sequence starts with ``series`` (0–9, one per kind of person a factory makes); within a
    series the numbers of 2,100 consecutive ``n`` differ, as the birth date moves with ``n`` too."""
    birth = f"{1965 + n % 35}{n % 12 + 1:02d}{n % 28 + 1:02d}"
    first17 = f"{region_code}{birth}{series}{n % 100:02d}"
    return first17 + resident_id_check_char(first17)


def _default_division(role: str) -> Division | None:
    """潍坊 for the city's agency, audit and bureau staff; for the resident-scheme collectors
    东明's 城关街道 (township clerk), the county itself (tax clerk) and a village below the township
    (village agent); none for the roles whose scope is not a division."""
    if scope_kind(role) != ScopeKind.DIVISION:
        return None
    key = {Role.TOWNSHIP_CLERK: CHENGGUAN, Role.TAX_CLERK: DONGMING}.get(role)
    if role == Role.VILLAGE_AGENT:
        return village()
    return division(key or WEIFANG)


class UserFactory(DjangoModelFactory):
    """An account of any role but the unit operator's, e.g. ``UserFactory(role=Role.AUDITOR,
    division=division(LIAOCHENG))``; the subclasses below fix the role. A staff account gets a
    division when none is given (``_default_division``)."""

    class Meta:
        model = User

    class Params:
        issued_in = "370705"  # where an individual's identity number was issued: 潍坊奎文区

    role = Role.AGENCY_CLERK
    id_number = factory.LazyAttributeSequence(
        lambda o, n: resident_id(o.issued_in, n, series=INDIVIDUAL_SERIES) if o.role == Role.INDIVIDUAL else "")
    username = factory.LazyAttributeSequence(lambda o, n: o.id_number or f"user{n}")
    full_name = factory.LazyAttribute(lambda o: f"{Role(o.role).label}{o.username}")
    division = factory.LazyAttribute(lambda o: _default_division(o.role))
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, **kwargs):
        if kwargs["role"] == Role.UNIT_OPERATOR:
            raise TypeError("a unit operator belongs to a unit: use employer.factories.UnitOperatorFactory")
        return create_user(check_password=False, **kwargs)


class AdminFactory(UserFactory):
    role = Role.ADMIN
    username = factory.Sequence(lambda n: f"admin{n}")


class StaffFactory(UserFactory):
    """A staff account with a division: agency clerk by default, in 潍坊."""

    username = factory.Sequence(lambda n: f"staff{n}")


class AgencyClerkFactory(StaffFactory):
    role = Role.AGENCY_CLERK
    username = factory.Sequence(lambda n: f"clerk{n}")


class AuditorFactory(StaffFactory):
    role = Role.AUDITOR
    username = factory.Sequence(lambda n: f"auditor{n}")


class BureauManagerFactory(StaffFactory):
    role = Role.BUREAU_MANAGER
    username = factory.Sequence(lambda n: f"manager{n}")


class TownshipClerkFactory(StaffFactory):
    role = Role.TOWNSHIP_CLERK
    username = factory.Sequence(lambda n: f"township{n}")


class TaxClerkFactory(StaffFactory):
    role = Role.TAX_CLERK
    username = factory.Sequence(lambda n: f"tax{n}")


class VillageAgentFactory(StaffFactory):
    role = Role.VILLAGE_AGENT
    username = factory.Sequence(lambda n: f"agent{n}")


class IndividualFactory(UserFactory):
    """An individual (flexible worker or resident) who signs in with the identity number, issued
    in ``issued_in`` (a six-digit division code, 潍坊奎文区 by default)."""

    role = Role.INDIVIDUAL
    full_name = factory.Sequence(person_name)
