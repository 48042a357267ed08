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
