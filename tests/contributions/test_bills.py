"""Spans, staff changes, monthly bills, declaring and adjusting entries."""

from decimal import Decimal

import pytest
from django.db import connection  # noqa: F401  (the skip condition)

from contributions.factories import approved_unit
from factories import AdminFactory, AgencyClerkFactory
from yibao.audit.models import AuditEntry
from yibao.contributions import services
from yibao.contributions.models import Bill, BillKind, BillLine, BillStatus, InsuranceSpan
from yibao.errors import RuleRefused
from yibao.months import Month

JAN, FEB, MAR = Month(2024, 1), Month(2024, 2), Month(2024, 3)
pytestmark = pytest.mark.django_db


def _operator(unit):
    return unit.operators.get().user


def _bill(unit, month=JAN, kind=BillKind.REGULAR):
    return Bill.objects.filter(unit=unit, month=month, kind=kind).order_by("id").last()


def test_without_rates_the_bills_are_refused_as_not_configured():
    unit = approved_unit(["5000"])
    with pytest.raises(RuleRefused) as refused:
        services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    assert refused.value.code == "not_configured"
    assert not Bill.objects.filter(unit=unit).exists()


def test_a_month_bill_lists_each_person_with_named_rounding(rates):
    unit = approved_unit(["4242.25", "5000", "30000.10"])
    result = services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    assert result.bills == 1 and result.lines == 3
    bill = _bill(unit)
    lines = {line.base: line for line in bill.lines.all()}
    # 4242.25 × 6% = 254.535 → 254.54 (四舍五入到分); × 2% = 84.845 → 84.85
    assert (lines[Decimal("4242.25")].unit_share, lines[Decimal("4242.25")].individual_share) == \
        (Decimal("254.54"), Decimal("84.85"))
    assert lines[Decimal("30000.10")].unit_share == Decimal("1800.01")
    assert bill.base_total == Decimal("39242.35")
    assert bill.unit_total == sum(line.unit_share for line in lines.values())
    assert bill.amount_due == bill.unit_total + bill.individual_total and bill.balance == bill.amount_due
    assert bill.rounding == "half_up_to_fen" and bill.status == BillStatus.DRAFT
    # one span per employee from the first approved month
    assert InsuranceSpan.objects.filter(unit=unit, month_from=JAN, month_to__isnull=True).count() == 3


def test_regenerating_replaces_undeclared_bills_and_is_idempotent(rates):
    unit = approved_unit(["5000", "6000"])
    clerk = AgencyClerkFactory()
    services.generate_bills("370700", JAN, actor=clerk)
    first = _bill(unit)
    services.generate_bills("370700", JAN, actor=clerk)
    assert Bill.objects.filter(unit=unit, month=JAN).count() == 1
    again = _bill(unit)
    assert again.pk != first.pk and again.amount_due == first.amount_due
    assert BillLine.objects.filter(bill__unit=unit).count() == 2


def test_a_declared_bill_is_frozen_and_left_by_regeneration(rates):
    unit = approved_unit(["5000"])
    clerk = AgencyClerkFactory()
    services.generate_bills("370700", JAN, actor=clerk)
    bill = services.declare_bill(_bill(unit), actor=_operator(unit))
    assert bill.status == BillStatus.DECLARED and bill.declared_at
    with pytest.raises(services.ContributionError) as refused:
        services.declare_bill(bill, actor=_operator(unit))
    assert refused.value.code == "already_declared"
    result = services.generate_bills("370700", JAN, actor=clerk)
    assert result.frozen == 1 and _bill(unit).pk == bill.pk
    assert AuditEntry.objects.filter(action="contributions.bill_declare", object_id=str(bill.pk)).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_database_refuses_to_change_a_declared_bill(rates):
    from django.db import DatabaseError, transaction

    unit = approved_unit(["5000"])
    services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    bill = services.declare_bill(_bill(unit), actor=_operator(unit))
    with pytest.raises(DatabaseError), transaction.atomic():
        Bill.objects.filter(pk=bill.pk).update(amount_due=Decimal("1"))
    with pytest.raises(DatabaseError), transaction.atomic():
        BillLine.objects.filter(bill=bill).update(base=Decimal("1"))
    Bill.objects.filter(pk=bill.pk).update(amount_paid=Decimal("10"))   # a payment is allowed


def test_staff_addition_and_removal_change_the_next_bill(rates):
    unit = approved_unit(["5000", "6000"])
    clerk = AgencyClerkFactory()
    operator = _operator(unit)
    services.generate_bills("370700", JAN, actor=clerk)
    services.declare_bill(_bill(unit), actor=operator)
    # a new hire without a declared wage: the floor (潍坊 2024: 4242)
    added = services.add_person(unit, id_number="370705199001011233", name="新职工", month=FEB, actor=operator)
    assert added.base == Decimal("4242.00")
    span = InsuranceSpan.objects.filter(unit=unit, start_reason="approved").order_by("id").first()
    services.remove_person(unit, span_id=span.pk, month=FEB, reason="leave", actor=operator)
    services.generate_bills("370700", FEB, actor=clerk)
    feb = _bill(unit, FEB)
    assert sorted(line.base for line in feb.lines.all()) == [Decimal("4242.00"), Decimal("6000.00")]
    assert _bill(unit).person_count == 2     # January stays as declared
    assert not Bill.objects.filter(unit=unit, kind=BillKind.ADJUSTMENT).exists()


def test_a_new_hire_s_declared_wage_is_clamped_by_the_engine(rates):
    unit = approved_unit(["5000"])
    change = services.add_person(unit, id_number="370705199001011233", name="高薪", month=FEB, wage="99999",
                                 actor=_operator(unit))
    assert change.base == Decimal("21207.00")    # 潍坊 2024 上限


def test_a_backdated_change_to_a_declared_month_makes_an_adjusting_entry(rates):
    unit = approved_unit(["5000", "6000"])
    operator = _operator(unit)
    services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    declared = services.declare_bill(_bill(unit), actor=operator)
    span = InsuranceSpan.objects.filter(unit=unit).order_by("id").first()
    services.remove_person(unit, span_id=span.pk, month=JAN, reason="death", actor=operator)
    adjustment = _bill(unit, JAN, BillKind.ADJUSTMENT)
    assert adjustment.adjusts_id == declared.pk and adjustment.status == BillStatus.DRAFT
    line = adjustment.lines.get()
    assert (line.previous_base, line.base, line.unit_share, line.individual_share) == \
        (Decimal("5000.00"), Decimal("0.00"), Decimal("-300.00"), Decimal("-100.00"))
    assert adjustment.amount_due == Decimal("-400.00")
    declared.refresh_from_db()
    assert declared.amount_due == Decimal("880.00") and declared.person_count == 2   # never edited
    # adding the person again the same way makes no further difference
    assert services.adjust(unit_id=unit.pk, employee_ids=[span.employee_id], from_month=JAN, reason="再算",
                           actor=operator) == []


def test_a_person_is_not_insured_by_two_units_in_one_month(rates):
    first = approved_unit(["5000"], name="潍坊第一测试有限公司")
    second = approved_unit(["5000"])
    services.seed_spans("370700", 2024)
    taken = InsuranceSpan.objects.get(unit=first)
    with pytest.raises(services.ContributionError) as refused:
        services.add_person(second, id_number=taken.id_number, name=taken.name, month=MAR, actor=_operator(second))
    assert refused.value.code == "insured_elsewhere"
    assert "潍坊第一测试有限公司" not in refused.value.message and "潍坊" in refused.value.message   # masked
    clerk = AgencyClerkFactory()
    with pytest.raises(services.ContributionError) as refused:
        services.add_person(second, id_number=taken.id_number, name=taken.name, month=MAR, actor=clerk)
    assert "潍坊第一测试有限公司" in refused.value.message          # whole for the clerk
    assert InsuranceSpan.objects.filter(id_number=taken.id_number).count() == 1
    # once the first unit removes the person from March, the second may add them from March
    services.remove_person(first, span_id=taken.pk, month=MAR, reason="leave", actor=_operator(first))
    services.add_person(second, id_number=taken.id_number, name=taken.name, month=MAR, actor=clerk, counter=True)
    assert InsuranceSpan.objects.filter(id_number=taken.id_number).count() == 2


def test_a_published_average_wage_adjusts_declared_bills_through_the_registry(rates):
    from yibao.employer import services as employer_services
    from yibao.regions.models import Division

    unit = approved_unit(["4000", "9000"])
    clerk = AgencyClerkFactory()
    for month in (JAN, Month(2024, 8)):
        services.generate_bills("370700", month, actor=clerk)
        services.declare_bill(_bill(unit, month), actor=_operator(unit))
    # published 2024-06-30: new bounds from July; floor 7600 × 0.6 = 4560
    employer_services.record_average_wage(region=Division.objects.get(key="370700"), wage_year=2023,
                                          annual_amount="91200", published_on="2024-06-30", actor=AdminFactory())
    assert not Bill.objects.filter(unit=unit, month=JAN, kind=BillKind.ADJUSTMENT).exists()
    adjustment = _bill(unit, Month(2024, 8), BillKind.ADJUSTMENT)
    line = adjustment.lines.get()
    assert (line.previous_base, line.base) == (Decimal("4000.00"), Decimal("4560.00"))
    assert line.unit_share == Decimal("33.60") and line.individual_share == Decimal("11.20")


def test_what_if_for_a_new_average_wage_before_it_is_recorded(rates):
    import datetime as dt

    from yibao.contributions.selectors import what_if

    unit = approved_unit(["4000", "9000", "4300"])
    other = approved_unit(["20000"])
    # 91200 a year published 2024-06-30: from July the floor is 4560 and the ceiling 22800
    preview = what_if("370700", "91200", dt.date(2024, 6, 30))
    assert str(preview.effective_from) == "2024-07" and preview.floor == Decimal("4560.00")
    assert preview.bases == 4 and preview.changed == 2   # 4000 and 4300 go up to the floor; 20000 stays
    change = {u["unit_id"]: u["change"] for u in preview.units}
    # (560 + 260) × 8% = 65.60 a month for the first unit; the other unchanged
    assert change == {unit.pk: Decimal("65.60")} and preview.total_change == Decimal("65.60")
    assert other.pk not in change
    assert not Bill.objects.exists()   # nothing written


def test_the_what_if_page_shows_the_effect_before_anything_is_recorded(rates, client):
    unit = approved_unit(["4000", "9000"])
    client.force_login(AdminFactory())
    page = client.get("/contributions/what-if/", {"region": "370700", "annual_amount": "91200",
                                                 "published_on": "2024-06-30"}).content.decode()
    assert "自 2024-07 起缴费基数下限 4560.00 元" in page and unit.unit_number in page and "44.80" in page
    refused = client.get("/contributions/what-if/", {"region": "370700", "annual_amount": "91200",
                                                    "published_on": "2024-13-01"}).content.decode()
    assert "公布日期应为" in refused


def test_a_refused_staff_change_writes_nothing_and_is_audited(rates):
    from yibao.audit.models import AuditEntry as Entry

    first, second = approved_unit(["5000"]), approved_unit(["6000"])
    services.seed_spans("370700", 2024)
    taken = InsuranceSpan.objects.get(unit=first)
    with pytest.raises(services.ContributionError) as refused:
        services.add_person(second, id_number=taken.id_number, name=taken.name, month=MAR, actor=_operator(second))
    entry = Entry.objects.filter(action="contributions.staff_add_refuse").get()
    assert entry.object_id == str(second.pk) and entry.after["code"] == refused.value.code == "insured_elsewhere"
    assert entry.after["month"] == "2024-03" and entry.after["id_number"] != taken.id_number   # masked
    assert InsuranceSpan.objects.filter(id_number=taken.id_number).count() == 1
    with pytest.raises(services.ContributionError):
        services.remove_person(first, span_id=taken.pk, month=MAR, reason="nonsense", actor=_operator(first))
    assert Entry.objects.filter(action="contributions.staff_remove_refuse", object_id=str(first.pk)).exists()
