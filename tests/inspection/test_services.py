"""Audit cases: the self-inspection list (潍坊 三(二)) and risk checks (聊城 五) opening cases once,
the case's state machine, the refusal of closing without findings, corrected bases and scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from employer.factories import EmployeeFactory, UnitFactory, UnitOperatorFactory
from yibao.audit.models import AuditEntry
from yibao.employer.models import ApprovedBase, Declaration
from yibao.errors import AppError, NotFound
from yibao.inspection import selectors, services
from yibao.inspection.models import Case, CaseKind, CaseStatus, EventKind
from yibao.months import Month

from .factories import confirmed

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor_unit(people, business_date):
    """A 潍坊 unit of 10, 8 declaring below the floor: 0.8 of its contributors at the floor."""
    unit = UnitFactory(county="370705", employees=10)
    UnitOperatorFactory(unit=unit)
    confirmed(unit, at_floor=8, reviewer=people.weifang_clerk)
    return unit


def test_self_inspection_opens_one_case_per_unit_over_the_engines_threshold(people, floor_unit):
    # the 潍坊 unit of the people: 7 of 10 at the floor is exactly 0.7, "超过" is not met (三(二))
    exact = UnitFactory(county="370705", employees=10)
    UnitOperatorFactory(unit=exact)
    confirmed(exact, at_floor=7, reviewer=people.weifang_clerk)

    report = services.open_self_inspections("370700", 2024, actor=people.weifang_auditor)

    assert report.opened == 1
    case = Case.objects.get(kind=CaseKind.SELF_INSPECTION)
    assert case.unit_id == floor_unit.pk and case.status == CaseStatus.OPEN and case.year == 2024
    assert case.facts == {"contributors": 10, "at_floor": 8, "share": "0.8000", "threshold": "0.7"}
    assert case.events.get().kind == EventKind.OPENED
    assert AuditEntry.objects.filter(action="inspection.case.open", object_id=str(case.pk)).exists()
    assert AuditEntry.objects.filter(action="inspection.self_inspection.run").count() == 1

    again = services.open_self_inspections("370700", 2024, actor=people.weifang_auditor)
    assert again.opened == 0 and again.results[0].existing == 1
    assert Case.objects.count() == 1


def test_self_inspection_in_a_region_without_the_rule_is_not_configured(people, business_date):
    unit = people.liaocheng_unit
    confirmed(unit, at_floor=8, reviewer=people.liaocheng_clerk)
    auditor = _auditor("371500")
    report = services.open_self_inspections("371500", 2024, actor=auditor)
    result = report.results[0]
    assert report.opened == 0 and "employee.self_inspection_threshold" in result.missing
    assert "未检查" in result.message
    assert not Case.objects.exists()


def test_a_region_outside_the_auditors_area_is_not_found(people):
    with pytest.raises(NotFound):
        services.open_self_inspections("371500", 2024, actor=people.weifang_auditor)


@pytest.fixture
def demo_overlay(monkeypatch):
    """The demo overlay: among its labelled values, a headcount falling at all is flagged."""
    from yibao.policy import get_engine

    monkeypatch.setenv("YIBAO_POLICY_OVERLAYS", "demo-rates")
    get_engine.cache_clear()
    yield
    monkeypatch.delenv("YIBAO_POLICY_OVERLAYS")
    get_engine.cache_clear()


def test_without_a_configured_limit_fewer_people_is_reported_as_not_configured(people, business_date):
    unit = UnitFactory(county="370705", employees=6)
    UnitOperatorFactory(unit=unit)
    confirmed(unit, at_floor=0, year=2024, reviewer=people.weifang_clerk)
    Declaration.objects.create(unit=unit, year=2023, status="confirmed", line_count=7, wage_total=Decimal("42000"),
                               base_total=Decimal("42000"))
    report = services.run_risk_checks("370700", 2024, actor=people.weifang_auditor)
    result = {r.kind: r for r in report.results}[CaseKind.HEADCOUNT_DROP]
    assert result.opened == 0 and "employee.headcount_drop_threshold" in result.missing
    assert not Case.objects.filter(kind=CaseKind.HEADCOUNT_DROP).exists()


def test_risk_checks_flag_mismatched_summaries_and_fewer_people_than_last_year(people, business_date, demo_overlay):
    unit = UnitFactory(county="370705", employees=6)
    UnitOperatorFactory(unit=unit)
    this_year = confirmed(unit, at_floor=0, year=2024, reviewer=people.weifang_clerk)
    # last year's confirmed declaration counted 7 people (kept as figures, as a past year is)
    Declaration.objects.create(unit=unit, year=2023, status="confirmed", line_count=7, wage_total=Decimal("42000"),
                               base_total=Decimal("42000"))
    # the summary of another unit's declaration no longer matches its lines
    other = UnitFactory(county="370705", employees=3)
    UnitOperatorFactory(unit=other)
    mismatched = confirmed(other, at_floor=0, year=2024, reviewer=people.weifang_clerk)
    Declaration.objects.filter(pk=mismatched.pk).update(wage_total=Decimal("1.00"))

    report = services.run_risk_checks("370700", 2024, actor=people.weifang_auditor)
    by_kind = {r.kind: r for r in report.results}
    assert by_kind[CaseKind.SUMMARY_MISMATCH].opened == 1
    case = Case.objects.get(kind=CaseKind.SUMMARY_MISMATCH)
    assert case.unit_id == other.pk and case.facts["summary"]["wage_total"] == "1.00"
    assert case.facts["lines"]["wage_total"] == "18000.00"
    assert by_kind[CaseKind.HEADCOUNT_DROP].opened == 1
    drop = Case.objects.get(kind=CaseKind.HEADCOUNT_DROP)
    assert drop.unit_id == unit.pk and drop.facts["people"] == 6 and drop.facts["previous_people"] == 7
    assert drop.facts["declaration"] == this_year.pk and drop.facts["threshold"] == "0"
    # no notice gives a guideline, nor how far a wage total may fall: the engine's not_configured
    for kind, missing in ((CaseKind.BELOW_GUIDELINE, "employee.industry_wage_guideline"),
                          (CaseKind.WAGE_TOTAL_DROP, "employee.wage_total_drop_threshold")):
        assert by_kind[kind].opened == 0 and missing in by_kind[kind].missing
    assert not Case.objects.filter(kind__in=[CaseKind.BELOW_GUIDELINE, CaseKind.WAGE_TOTAL_DROP]).exists()
    # run again: nothing opened twice
    assert services.run_risk_checks("370700", 2024, actor=people.weifang_auditor).opened == 0
    assert Case.objects.count() == 2


def _auditor(region: str):
    from factories import AuditorFactory, division

    return AuditorFactory(division=division(region))


# --- complaints and materials --------------------------------------------------------------------

def test_a_clerk_records_a_complaint(people):
    case = services.record_complaint(people.weifang_unit, content="单位按最低基数为全体职工申报，实发工资更高。",
                                     source="来信", actor=people.weifang_clerk)
    assert case.kind == CaseKind.COMPLAINT and case.status == CaseStatus.OPEN and case.source == "来信"
    with pytest.raises(AppError) as refused:
        services.record_complaint(people.weifang_unit, content=" ", source="来信", actor=people.weifang_clerk)
    assert refused.value.code == "invalid_input"
    assert Case.objects.count() == 1


def test_a_declarations_materials_flagged_once_while_the_case_is_open(people, floor_unit):
    declaration = Declaration.objects.get(unit=floor_unit)
    case = services.flag_false_materials(declaration, note="工资表与个税记录不符", actor=people.weifang_clerk)
    assert case.kind == CaseKind.FALSE_MATERIALS and case.facts["declaration"] == declaration.pk
    with pytest.raises(AppError) as refused:
        services.flag_false_materials(declaration, note="再次标记", actor=people.weifang_clerk)
    assert refused.value.code == "already_open"


# --- the state machine ---------------------------------------------------------------------------

def test_open_investigating_concluded_each_audited(people):
    auditor = people.weifang_auditor
    case = services.record_complaint(people.weifang_unit, content="举报内容", source="电话", actor=auditor)
    with pytest.raises(AppError) as early:
        services.conclude(case, findings="未发现问题", actor=auditor)
    assert early.value.code == "not_investigating"
    case = services.start_investigation(case, actor=auditor)
    assert case.status == CaseStatus.INVESTIGATING and case.owner == auditor
    with pytest.raises(AppError) as twice:
        services.start_investigation(case, actor=auditor)
    assert twice.value.code == "already_investigating"
    case = services.conclude(case, findings="查实少报 2 人工资，已更正。", actor=auditor)
    assert case.status == CaseStatus.CONCLUDED and case.concluded_by == auditor
    assert [e.kind for e in case.events.all()] == [EventKind.OPENED, EventKind.INVESTIGATING, EventKind.CONCLUDED]
    actions = set(AuditEntry.objects.filter(object_type="inspection_case", object_id=str(case.pk))
                  .values_list("action", flat=True))
    assert {"inspection.case.open", "inspection.case.investigate", "inspection.case.conclude"} <= actions
    with pytest.raises(AppError) as after:
        services.start_investigation(case, actor=auditor)
    assert after.value.code == "already_concluded"


def test_closing_without_findings_is_refused_and_the_attempt_audited(people):
    auditor = people.weifang_auditor
    case = services.record_complaint(people.weifang_unit, content="举报内容", source="电话", actor=auditor)
    case = services.start_investigation(case, actor=auditor)
    with pytest.raises(AppError) as refused:
        services.conclude(case, findings="   ", actor=auditor)
    assert refused.value.code == "findings_required" and "稽核结论" in refused.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING and case.findings == "" and case.concluded_at is None
    entry = AuditEntry.objects.get(action="inspection.case.conclude.refused", object_id=str(case.pk))
    assert entry.after["code"] == "findings_required"


def test_the_owner_is_an_auditor_of_the_units_area(people):
    case = services.record_complaint(people.weifang_unit, content="举报内容", source="电话", actor=people.weifang_clerk)
    with pytest.raises(AppError) as refused:
        services.assign(case, people.weifang_clerk, actor=people.weifang_auditor)
    assert refused.value.code == "not_an_auditor"
    with pytest.raises(AppError):
        services.assign(case, _auditor("371500"), actor=people.weifang_auditor)
    case = services.assign(case, people.weifang_auditor, actor=people.weifang_auditor)
    assert case.owner == people.weifang_auditor
    assert selectors.auditors_for(case) == [people.weifang_auditor]


# --- corrected bases -----------------------------------------------------------------------------

def test_a_corrected_base_closes_the_span_opens_a_new_one_and_tells_the_listeners(people, floor_unit,
                                                                                 bases_changed):
    auditor = people.weifang_auditor
    services.open_self_inspections("370700", 2024, actor=auditor)
    case = services.start_investigation(Case.objects.get(), actor=auditor)
    person = floor_unit.employees.order_by("id").first()
    correction = services.correct_base(case, id_number=person.id_number, wage="5200", month_from="2024-04",
                                       note="核实工资条", actor=auditor)
    assert correction.base == Decimal("5200.00") and correction.previous_base == Decimal("4242.00")
    spans = list(ApprovedBase.objects.filter(employee=person, superseded=False).order_by("month_from"))
    assert [(str(s.month_from), str(s.month_to), s.base) for s in spans] == [
        ("2024-01", "2024-03", Decimal("4242.00")), ("2024-04", "2024-12", Decimal("5200.00"))]
    assert spans[1].reason == f"稽核更正：案件 {case.pk}"
    assert bases_changed == [{"unit_id": floor_unit.pk, "employee_ids": [person.pk], "from_month": Month(2024, 4),
                              "reason": f"稽核更正：案件 {case.pk}", "actor": auditor}]
    assert AuditEntry.objects.filter(action="approved_base.correct", object_id=str(person.pk)).exists()
    assert case.events.filter(kind=EventKind.BASE_CORRECTED).exists()


def test_a_corrected_wage_below_the_floor_is_clamped_by_the_engine(people, floor_unit, bases_changed):
    auditor = people.weifang_auditor
    case = services.record_complaint(floor_unit, content="举报", source="来信", actor=auditor)
    case = services.start_investigation(case, actor=auditor)
    person = floor_unit.employees.order_by("-id").first()   # declared 6000
    correction = services.correct_base(case, id_number=person.id_number, wage="3500", month_from="2024-01",
                                       actor=auditor)
    assert correction.base == Decimal("4242.00") and correction.wage == Decimal("3500.00")
    span = ApprovedBase.objects.get(employee=person, superseded=False)
    assert span.clamp == "floor" and str(span.month_from) == "2024-01"


def test_a_correction_refused_changes_nothing_and_is_audited(people, floor_unit, bases_changed):
    auditor = people.weifang_auditor
    case = services.record_complaint(floor_unit, content="举报", source="来信", actor=auditor)
    person = floor_unit.employees.order_by("id").first()
    before = list(ApprovedBase.objects.values_list("pk", "month_to", "superseded"))
    with pytest.raises(AppError) as not_yet:
        services.correct_base(case, id_number=person.id_number, wage="5200", month_from="2024-04", actor=auditor)
    assert not_yet.value.code == "not_investigating"
    case = services.start_investigation(case, actor=auditor)
    for wage, month, code in (("-1", "2024-04", "invalid_input"), ("5200", "2024-13", "invalid_input"),
                              ("5200", "2023-04", "no_approved_base")):
        with pytest.raises(AppError) as refused:
            services.correct_base(case, id_number=person.id_number, wage=wage, month_from=month, actor=auditor)
        assert refused.value.code == code, (wage, month)
    stranger = EmployeeFactory(unit=people.weifang_unit)
    with pytest.raises(NotFound):
        services.correct_base(case, id_number=stranger.id_number, wage="5200", month_from="2024-04", actor=auditor)
    assert list(ApprovedBase.objects.values_list("pk", "month_to", "superseded")) == before
    assert bases_changed == []
    assert AuditEntry.objects.filter(action="inspection.case.correct_base.refused").count() == 5


# --- what each reader sees -----------------------------------------------------------------------

def test_a_unit_sees_its_own_self_inspection_only_and_answers_it(people, floor_unit):
    services.open_self_inspections("370700", 2024, actor=people.weifang_auditor)
    complaint = services.record_complaint(floor_unit, content="举报", source="来信", actor=people.weifang_clerk)
    operator = floor_unit.operators.get().user
    mine = selectors.my_self_inspections(operator)
    assert [c.kind for c in mine] == [CaseKind.SELF_INSPECTION]
    assert selectors.case_for(operator, complaint.pk) is None      # a complaint is never shown to the unit
    assert selectors.case_for(people.weifang_operator, mine[0].pk) is None  # another unit's: as missing
    case = services.respond(mine[0], note="已核对职工工资，3 人基数偏低，已补报。", actor=operator)
    assert case.unit_response.startswith("已核对") and case.responded_at is not None
    with pytest.raises(AppError) as refused:
        services.respond(complaint, note="说明", actor=operator)
    assert refused.value.code == "not_self_inspection"


def test_cases_outside_the_readers_area_are_not_found(people, business_date):
    confirmed(people.liaocheng_unit, at_floor=2, reviewer=people.liaocheng_clerk)
    case = services.record_complaint(people.liaocheng_unit, content="举报", source="来信", actor=people.liaocheng_clerk)
    assert selectors.case_for(people.weifang_auditor, case.pk) is None
    assert selectors.case_for(people.admin, case.pk) == case
    counts = selectors.counts(people.admin)
    assert counts["totals"][CaseStatus.OPEN] == 1 and counts["rows"][0][1] == "371500"
