"""An auditor's corrected base reaches the bills: a case concluded with a correction leaves the
declared bill as it was and produces an adjusting bill (补差) for the months it corrects."""

from decimal import Decimal

import pytest

from contributions.factories import approved_unit
from factories import AgencyClerkFactory, AuditorFactory, division
from yibao.contributions import services
from yibao.contributions.models import Bill, BillKind, BillStatus
from yibao.inspection import services as inspection
from yibao.months import Month

pytestmark = pytest.mark.django_db
JAN, FEB = Month(2024, 1), Month(2024, 2)


def test_a_case_that_corrects_a_base_produces_an_adjusting_bill(rates):
    unit = approved_unit(["5000", "6000"])
    operator = unit.operators.get().user
    clerk = AgencyClerkFactory()
    for month in (JAN, FEB):
        services.generate_bills("370700", month, actor=clerk)
        services.declare_bill(Bill.objects.get(unit=unit, month=month, kind=BillKind.REGULAR), actor=operator)
    auditor = AuditorFactory(division=division("370700"))
    case = inspection.record_complaint(unit, content="举报工资少报", source="来信", year=2024, actor=auditor)
    case = inspection.start_investigation(case, actor=auditor)
    person = unit.employees.order_by("id").first()                      # approved 5000
    inspection.correct_base(case, id_number=person.id_number, wage="8000", month_from="2024-02", actor=auditor)
    inspection.conclude(case, findings="工资少报，已更正 2 月起的缴费基数", actor=auditor)

    assert not Bill.objects.filter(unit=unit, month=JAN, kind=BillKind.ADJUSTMENT).exists()
    adjustment = Bill.objects.get(unit=unit, month=FEB, kind=BillKind.ADJUSTMENT)
    line = adjustment.lines.get()
    assert (line.previous_base, line.base) == (Decimal("5000.00"), Decimal("8000.00"))
    assert (line.unit_share, line.individual_share) == (Decimal("180.00"), Decimal("60.00"))   # 3000 × 6% / 2%
    assert adjustment.status == BillStatus.DRAFT and adjustment.amount_due == Decimal("240.00")
    declared = Bill.objects.get(unit=unit, month=FEB, kind=BillKind.REGULAR)
    assert declared.status == BillStatus.DECLARED and declared.amount_due == Decimal("880.00")   # never edited


def test_only_staff_holding_the_whole_region_generate_its_bills_or_run_its_checks(rates):
    """A county's clerk or auditor reaches the city's pooling region (its own units), but acting on
    all of the region at once is for staff whose area holds the whole region."""
    from yibao.errors import AppError

    county_clerk = AgencyClerkFactory(division=division("370705"))
    with pytest.raises(AppError) as refused:
        services.start_generation("370700", JAN, actor=county_clerk, in_process=True)
    assert refused.value.code == "outside_area"
    county_auditor = AuditorFactory(division=division("370705"))
    for run in (inspection.open_self_inspections, inspection.run_risk_checks):
        with pytest.raises(AppError) as refused:
            run("370700", 2024, actor=county_auditor)
        assert refused.value.code == "outside_area"
    city_clerk = AgencyClerkFactory(division=division("370700"))
    unit = approved_unit(["5000"])
    services.start_generation("370700", JAN, actor=city_clerk, in_process=True)
    assert Bill.objects.filter(unit=unit, month=JAN).exists()
    assert inspection.open_self_inspections("370700", 2024, actor=AuditorFactory(division=division("370700")))


def test_the_second_year_s_seeding_gives_a_span_to_people_approved_only_that_year(rates):
    """Spans seeded in one year do not stand for the next year's approved people."""
    from employer.factories import EmployeeFactory
    from yibao.contributions.models import InsuranceSpan
    from yibao.employer.models import ApprovedBase, Declaration

    unit = approved_unit(["5000", "6000", "7000"])
    services.seed_spans("370700", 2024)
    assert InsuranceSpan.objects.filter(unit=unit).count() == 3
    stays = unit.employees.order_by("id").first()
    newcomer = EmployeeFactory(unit=unit)
    declaration = Declaration.objects.create(unit=unit, year=2025, kind="active", status="confirmed")
    for employee in (stays, newcomer):      # fewer people approved in 2025 than spans seeded in 2024
        ApprovedBase.objects.create(unit=unit, employee=employee, declaration=declaration, kind="active", year=2025,
                                    month_from=Month(2025, 1), month_to=Month(2025, 12), declared_amount=Decimal("7000"),
                                    base=Decimal("7000"), reason="核定入库")
    assert services.seed_spans("370700", 2025) == 1
    assert InsuranceSpan.objects.get(employee=newcomer).month_from == Month(2025, 1)
