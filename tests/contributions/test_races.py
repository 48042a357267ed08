"""Two units insuring the same person from the same month at the same moment, on PostgreSQL:
both pass the service's check (neither has written), the exclusion constraint lets exactly one
span in and the other gets the refusal naming the first unit, never a server error. Threads use
their own connections, so this test commits for real."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from employer.factories import UnitFactory, UnitOperatorFactory
from employer.fresh import QUICK_HASHERS, reference_data
from factories import AgencyClerkFactory
from races import ON_POSTGRES, together
from yibao.contributions.models import Bill, InsuranceSpan
from yibao.contributions.services import ContributionError, add_person, declare_bill, generate_bills
from yibao.employer import contributing
from yibao.errors import Conflict

pytestmark = ON_POSTGRES

PERSON = "370705199001011233"


@pytest.fixture(autouse=True)
def postgres(settings):
    assert connection.vendor == "postgresql"
    settings.PASSWORD_HASHERS = QUICK_HASHERS
    reference_data()


def test_two_units_racing_to_insure_one_person_get_one_span(monkeypatch, rates):
    units = [UnitFactory(county="370705"), UnitFactory(county="370705")]
    for unit in units:
        UnitOperatorFactory(unit=unit)
    clerk = AgencyClerkFactory()
    checked = threading.Barrier(2)
    base = contributing.new_hire_base

    def after_the_check(*args, **kwargs):       # both have passed the service's check
        try:
            checked.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        return base(*args, **kwargs)

    monkeypatch.setattr(contributing, "new_hire_base", after_the_check)
    results = together(2, lambda i: add_person(units[i], id_number=PERSON, name="争抢", month="2024-03",
                                               actor=clerk))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ContributionError), results
    assert refused[0].code == "insured_elsewhere"
    assert InsuranceSpan.objects.filter(id_number=PERSON).count() == 1
    winner = InsuranceSpan.objects.get(id_number=PERSON).unit
    assert winner.name in refused[0].message


def _declaring_unit(rates):
    from contributions.factories import approved_unit
    from yibao.contributions.services import generate_bills

    unit = approved_unit(["5000", "6000"])
    generate_bills("370700", "2024-01", actor=AgencyClerkFactory())
    return unit, Bill.objects.get(unit=unit, month="2024-01", kind="regular")


def test_a_bill_declared_while_its_month_is_generated_never_fails_the_generation(rates, monkeypatch):
    """The unit declares just after the generation has read which bills are declared: the
    generation has locked the month's bills, so the declaring waits, and is then told the draft
    was replaced; the generation completes (it used to meet the unique constraint)."""
    from yibao.contributions import rules

    unit, bill = _declaring_unit(rates)
    operator = unit.operators.get().user
    read, done = threading.Event(), threading.Event()
    shares_many = rules.shares_many

    def after_the_read(*args, **kwargs):     # the generation has read the declared bills
        if threading.current_thread().name != "declaring":
            read.set()
            done.wait(timeout=2)             # give the declaring its chance to commit first
        return shares_many(*args, **kwargs)

    monkeypatch.setattr(rules, "shares_many", after_the_read)

    def act(i):
        if i == 0:
            threading.current_thread().name = "declaring"
            read.wait(timeout=10)
            try:
                return declare_bill(bill, actor=operator)
            finally:
                done.set()
        return generate_bills("370700", "2024-01", actor=AgencyClerkFactory())

    outcome = together(2, act)
    assert not isinstance(outcome[1], Exception), outcome
    assert isinstance(outcome[0], Conflict) and outcome[0].code == "bill_regenerated", outcome
    assert outcome[1].bills == 1
    assert list(Bill.objects.filter(unit=unit, month="2024-01").values_list("status", flat=True)) == ["draft"]


def test_declaring_while_the_month_is_regenerated_waits_and_is_told_the_draft_was_replaced(rates):
    unit, bill = _declaring_unit(rates)
    operator = unit.operators.get().user
    generating = threading.Event()

    def hold(step, steps):      # the generation has locked and replaced the drafts: hold its transaction
        if step == steps:
            generating.set()
            time.sleep(1)

    def act(i):
        if i == 0:
            return generate_bills("370700", "2024-01", actor=AgencyClerkFactory(), progress=hold)
        generating.wait(timeout=10)
        return declare_bill(bill, actor=operator)

    outcome = together(2, act)
    assert isinstance(outcome[1], Conflict) and outcome[1].code == "bill_regenerated", outcome
    assert Bill.objects.get(unit=unit, month="2024-01").status == "draft"
