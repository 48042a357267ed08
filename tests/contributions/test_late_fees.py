"""Late fees (滞纳金, 社会保险法 第八十六条) on the employee scheme's bills: charged by the engine
on the part of a payment that settles contributions after the due date (潍坊 2024-01: 2024-01-25),
carried on the unit's next bill as a unit-only item, accrued to date on what is unpaid."""

import datetime as dt
from decimal import Decimal

import pytest

from contributions.factories import approved_unit
from factories import AgencyClerkFactory
from yibao.audit.models import AuditEntry
from yibao.contributions import selectors, services
from yibao.contributions.models import Bill, BillLine, LateFee
from yibao.months import Month

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = Month(2024, 1), Month(2024, 2), Month(2024, 3)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2024, 3, 20)


@pytest.fixture
def clerk():
    return AgencyClerkFactory()


@pytest.fixture
def unit(rates):
    return approved_unit(["5000", "6000"])     # 880.00 a month at 6% + 2%


def january(clerk, unit) -> Bill:
    services.generate_bills("370700", JAN, actor=clerk, unit_ids=[unit.pk])
    return services.declare_bill(Bill.objects.get(unit=unit, month=JAN), actor=clerk, on=dt.date(2024, 1, 10))


def pay(bill, amount, day, clerk):
    return services.record_counter_payment(Bill.objects.get(pk=bill.pk), Decimal(amount), day, actor=clerk)


def test_a_payment_ten_days_late_is_charged_amount_times_rate_times_days(clerk, unit):
    bill = january(clerk, unit)
    assert bill.amount_due == Decimal("880.00")
    payment = pay(bill, "880.00", dt.date(2024, 2, 4), clerk)      # 2024-01-26 .. 2024-02-04: 10 days
    fee = LateFee.objects.get(payment=payment)
    assert (fee.amount, fee.due_date, fee.days, fee.daily_rate, fee.fee) == (
        Decimal("880.00"), dt.date(2024, 1, 25), 10, Decimal("0.0005"), Decimal("4.40"))
    assert fee.carried_on is None                                  # no February bill yet: waiting
    entry = AuditEntry.objects.filter(action="contributions.late_fee_charge").get()
    assert entry.after["late_fee"] == "4.40" and entry.after["days"] == 10


def test_paid_on_the_due_date_no_fee(clerk, unit):
    bill = january(clerk, unit)
    pay(bill, "880.00", dt.date(2024, 1, 25), clerk)
    assert not LateFee.objects.exists()


def test_partial_payments_each_charged_for_the_part_they_paid_late(clerk, unit):
    bill = january(clerk, unit)
    pay(bill, "300.00", dt.date(2024, 1, 20), clerk)               # on time: nothing
    pay(bill, "400.00", dt.date(2024, 2, 4), clerk)                # 400 × 0.0005 × 10 = 2.00
    pay(bill, "180.00", dt.date(2024, 2, 24), clerk)               # 180 × 0.0005 × 30 = 2.70
    assert [(f.amount, f.days, f.fee) for f in LateFee.objects.order_by("id")] == [
        (Decimal("400.00"), 10, Decimal("2.00")), (Decimal("180.00"), 30, Decimal("2.70"))]


def test_the_fee_goes_on_the_next_bill_never_in_a_persons_share(clerk, unit):
    bill = january(clerk, unit)
    pay(bill, "880.00", dt.date(2024, 2, 4), clerk)
    services.generate_bills("370700", FEB, actor=clerk, unit_ids=[unit.pk])
    feb = Bill.objects.get(unit=unit, month=FEB)
    assert feb.late_fee_total == Decimal("4.40")
    assert feb.amount_due == Decimal("884.40") and feb.contributions_due == Decimal("880.00")
    assert (feb.unit_total, feb.individual_total) == (Decimal("660.00"), Decimal("220.00"))
    lines = BillLine.objects.filter(bill=feb)
    assert sum(x.unit_share for x in lines) == feb.unit_total
    assert sum(x.individual_share for x in lines) == feb.individual_total
    assert [f.bill_id for f in selectors.carried_on(feb)] == [bill.pk]
    # regenerating February's draft keeps the fee on it, once
    services.generate_bills("370700", FEB, actor=clerk, unit_ids=[unit.pk])
    feb = Bill.objects.get(unit=unit, month=FEB)
    assert (feb.late_fee_total, feb.amount_due) == (Decimal("4.40"), Decimal("884.40"))
    # March's bill does not carry it again
    services.generate_bills("370700", MAR, actor=clerk, unit_ids=[unit.pk])
    assert Bill.objects.get(unit=unit, month=MAR).late_fee_total == 0


def test_a_fee_charged_while_the_next_bill_is_a_draft_is_added_to_it_at_once(clerk, unit):
    bill = january(clerk, unit)
    services.generate_bills("370700", FEB, actor=clerk, unit_ids=[unit.pk])
    pay(bill, "880.00", dt.date(2024, 2, 4), clerk)
    feb = Bill.objects.get(unit=unit, month=FEB)
    assert (feb.late_fee_total, feb.amount_due) == (Decimal("4.40"), Decimal("884.40"))
    assert LateFee.objects.get().carried_on_id == feb.pk


def test_paying_a_carried_fee_late_charges_no_fee_on_the_fee(clerk, unit, settings):
    bill = january(clerk, unit)
    pay(bill, "880.00", dt.date(2024, 2, 4), clerk)
    services.generate_bills("370700", FEB, actor=clerk, unit_ids=[unit.pk])
    feb = services.declare_bill(Bill.objects.get(unit=unit, month=FEB), actor=clerk, on=dt.date(2024, 2, 10))
    pay(feb, "880.00", dt.date(2024, 2, 25), clerk)                # contributions on time (demo: 25th)
    pay(feb, "4.40", dt.date(2024, 3, 10), clerk)                  # only the carried fee, late
    assert LateFee.objects.count() == 1


def test_an_unpaid_balance_accrues_a_fee_to_date(clerk, unit):
    bill = january(clerk, unit)
    pay(bill, "280.00", dt.date(2024, 1, 20), clerk)
    state = selectors.late_state(Bill.objects.get(pk=bill.pk), dt.date(2024, 3, 20))
    # 600.00 unpaid from 2024-01-26 to 2024-03-20: 55 days × 0.0005 = 16.50
    assert (state.unpaid, state.accrued_days, state.accrued) == (Decimal("600.00"), 55, Decimal("16.50"))
    assert not LateFee.objects.exists()                            # accrual is shown, not charged


def test_a_bill_without_a_due_date_is_charged_nothing_and_says_so(clerk, unit, monkeypatch):
    from yibao.policy import get_engine

    services.generate_bills("370700", FEB, actor=clerk, unit_ids=[unit.pk])
    feb = Bill.objects.get(unit=unit, month=FEB)
    assert selectors.late_state(feb, dt.date(2024, 3, 20)).accrued == Decimal("10.56")   # from 02-26: 24 days
    monkeypatch.setenv("YIBAO_POLICY_OVERLAYS", "")               # no demo due day: the notice is silent on Feb
    get_engine.cache_clear()
    try:
        state = selectors.late_state(feb, dt.date(2024, 3, 20))
    finally:
        monkeypatch.setenv("YIBAO_POLICY_OVERLAYS", "demo-rates")
        get_engine.cache_clear()
    assert state.due_date is None and "employee.payment_due_date" in state.due_missing
    assert state.accrued == 0 and state.unpaid == Decimal("880.00")


def test_the_pages_print_the_late_fee_rate_and_law_the_engine_gives(rates, client):
    from yibao.contributions.rules import late_fee_terms

    terms = late_fee_terms("370700", dt.date(2024, 2, 10))
    assert terms == {"rate": "0.05%", "basis": "《中华人民共和国社会保险法》第八十六条"}
    clerk = AgencyClerkFactory()
    unit = approved_unit(["5000"])
    services.generate_bills("370700", Month(2024, 1), actor=clerk, unit_ids=[unit.pk])
    bill = Bill.objects.get(unit=unit)
    services.declare_bill(bill, actor=clerk, on=dt.date(2024, 1, 20))
    client.force_login(clerk)
    page = client.get(f"/contributions/bills/{bill.pk}/").content.decode()
    assert "逾期按日加收 0.05% 的滞纳金（《中华人民共和国社会保险法》第八十六条）" in page
