"""People a unit adds (增员) are insured in the employee scheme for their span's year, though no
declaration gave them an approved base: the resident scheme's duplicate check and the registry
comparison (through ``yibao.registry``) find them, one by one and in bulk; one removed before
the year began is not insured in it."""

import pytest

from contributions.factories import approved_unit
from yibao import registry
from yibao.contributions import services
from yibao.months import Month

pytestmark = pytest.mark.django_db
NEW, GONE = "370705199001011233", "370705198802024515"


def _numbers(year: int) -> set[str]:
    found = set()
    for qs in registry.insured_numbers(year, schemes=("employee",)):
        found |= set(qs)
    return found


def test_an_added_person_is_insured_in_the_employee_scheme(rates):
    unit = approved_unit(["5000"])
    operator = unit.operators.get().user
    services.add_person(unit, id_number=NEW, name="新职工", month=Month(2024, 2), actor=operator)
    [place] = registry.insured_elsewhere(NEW, 2024, schemes=("employee",))
    assert place["scheme"] == "employee" and unit.name in place["where"] and "增员" in place["where"]
    assert registry.insured_elsewhere_many([NEW, GONE], 2024, schemes=("employee",)) == {NEW: [place]}
    assert NEW in _numbers(2024) and NEW not in _numbers(2023)
    assert registry.insured_elsewhere(NEW, 2023, schemes=("employee",)) == []


def test_one_added_and_removed_the_same_month_is_not_insured(rates):
    unit = approved_unit(["5000"])
    operator = unit.operators.get().user
    change = services.add_person(unit, id_number=GONE, name="未到岗", month=Month(2024, 3), actor=operator)
    services.remove_person(unit, span_id=change.span_id, month=Month(2024, 3), reason="leave", actor=operator)
    assert registry.insured_elsewhere(GONE, 2024, schemes=("employee",)) == []
    assert GONE not in _numbers(2024)
