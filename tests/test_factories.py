"""The test data the factories make is valid as the application sees it: real divisions, check
characters that verify, accounts in the scope their role needs."""

import pytest

from employer.factories import EmployeeFactory, FlexibleWorkerFactory, UnitFactory, UnitOperatorFactory
from factories import PASSWORD, UserFactory, division
from people import CIVIL_EMPLOYEES, CIVIL_RETIREES, LIAOCHENG_EMPLOYEES, WEIFANG_EMPLOYEES
from yibao.access.roles import Role, ScopeKind, scope_kind
from yibao.identity import parse_resident_id, parse_uscc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("county", ["370705", "370700-gaoxin", "371502", "371728001", "140581"])
def test_units_are_valid_in_their_division_and_region(county):
    unit = UnitFactory(county=county, employees=3, retirees=1)
    place = division(county)
    assert unit.division == place and unit.region.is_pooling_region and unit.region.contains(place)
    assert parse_uscc(unit.uscc).code == unit.uscc
    assert len(unit.unit_number) == 11 and unit.unit_number.isdigit()
    assert unit.agency is None or unit.agency.region == unit.region
    people = list(unit.employees.all())
    assert [p.retired for p in people].count(True) == 1 and len(people) == 4
    for person in people:
        assert parse_resident_id(person.id_number).number == person.id_number


def test_a_civil_servant_subsidy_unit_is_a_public_institution():
    unit = UnitFactory(civil_servant=True)
    assert unit.civil_servant_subsidy and unit.nature == "事业单位"
    assert parse_uscc(unit.uscc).org_type == "事业单位"


def test_numbers_made_in_one_test_do_not_repeat():
    units = UnitFactory.create_batch(5)
    assert len({u.unit_number for u in units}) == len({u.uscc for u in units}) == 5
    employees = EmployeeFactory.create_batch(200, unit=units[0])
    assert len({e.id_number for e in employees}) == 200


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.UNIT_OPERATOR])
def test_every_role_gets_the_scope_it_needs(role):
    user = UserFactory(role=role)
    assert user.check_password(PASSWORD)
    assert (user.division is not None) == (scope_kind(role) == ScopeKind.DIVISION)
    if role == Role.INDIVIDUAL:
        assert user.username == parse_resident_id(user.id_number).number


def test_a_unit_operator_signs_in_for_its_unit():
    operator = UnitOperatorFactory()
    assert operator.role == Role.UNIT_OPERATOR and operator.check_password(PASSWORD)
    assert operator.unit_link.unit.unit_number == operator.username
    with pytest.raises(TypeError):
        UserFactory(role=Role.UNIT_OPERATOR)  # an operator needs its unit


def test_a_flexible_worker_with_an_account():
    worker = FlexibleWorkerFactory(account=True)
    assert worker.region_id == "370700"
    assert worker.account.role == Role.INDIVIDUAL and worker.account.id_number == worker.id_number
    assert FlexibleWorkerFactory().account is None


def test_people(people):
    assert {u.role for u in people.users} == set(Role.values)
    assert len({u.username for u in people.users}) == len(people.users)
    assert (people.weifang_unit.region_id, people.civil_unit.region_id, people.liaocheng_unit.region_id) == (
        "370700", "370700", "371500")
    assert people.civil_unit.civil_servant_subsidy and not people.weifang_unit.civil_servant_subsidy
    counts = [(u.employees.filter(retired=False).count(), u.employees.filter(retired=True).count())
              for u in (people.weifang_unit, people.civil_unit, people.liaocheng_unit)]
    assert counts == [(WEIFANG_EMPLOYEES, 0), (CIVIL_EMPLOYEES, CIVIL_RETIREES), (LIAOCHENG_EMPLOYEES, 0)]
    assert people.flexible_individual.id_number == people.flexible_worker.id_number
    assert people.resident.id_number.startswith("371728")
    assert people.dongming_village_agent.division.level == "village"
    assert people.dongming_township_clerk.division.name == "城关街道"
    for user in (people.weifang_clerk, people.weifang_auditor, people.weifang_manager):
        assert user.division_id == "370700"
    assert (people.liaocheng_clerk.division_id, people.jincheng_manager.division_id,
            people.dongming_tax_clerk.division_id) == ("371500", "140500", "371728")
