"""Bills only for open months, staff changes and declaring refused for a suspended or closed unit;
adjusting entries against what was charged; money exact end to end; the bill declared while its
month is generated; the other unit masked in a staff-change refusal."""

import datetime as dt
import importlib
import io
import shutil
from decimal import Decimal

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from contributions.factories import approved_unit
from factories import AgencyClerkFactory, division
from yibao.contributions import exports, services
from yibao.contributions.models import Bill, BillKind, BillLine, InsuranceSpan
from yibao.employer import contributing
from yibao.employer import services as employer_services
from yibao.errors import Conflict
from yibao.money import cents, fen_text
from yibao.months import Month

JAN, FEB, MAR, APR, MAY = (Month(2024, m) for m in range(1, 6))
pytestmark = pytest.mark.django_db


def _operator(unit):
    return unit.operators.get().user


def _bill(unit, month=JAN, kind=BillKind.REGULAR):
    return Bill.objects.filter(unit=unit, month=month, kind=kind).order_by("id").last()


def _status(unit, status, on, clerk):
    employer_services.set_status(unit, status, effective_on=on, reason="测试", actor=clerk, today=dt.date(2024, 12, 31))


# --- 1. unit status -----------------------------------------------------------------------------

def test_a_unit_is_billed_only_for_months_it_is_open(rates):
    unit = approved_unit(["5000"])
    other = approved_unit(["6000"])
    clerk = AgencyClerkFactory()
    _status(unit, "suspended", dt.date(2024, 2, 10), clerk)   # February: open for nine days, billed
    _status(unit, "normal", dt.date(2024, 4, 15), clerk)      # March suspended whole; April resumed within
    _status(other, "closed", dt.date(2024, 3, 1), clerk)      # closed from March's first day
    billed = {}
    for month in (JAN, FEB, MAR, APR, MAY):
        result = services.generate_bills("370700", month, actor=clerk)
        billed[month] = {u for u in (unit, other) if _bill(u, month)}
        if month == MAR:
            assert result.not_open == 2 and "2 个单位当月暂停或注销" in result.message
    assert billed == {JAN: {unit, other}, FEB: {unit, other}, MAR: set(), APR: {unit}, MAY: {unit}}
    assert contributing.units_not_open("370700", MAR) == {unit.pk, other.pk}
    assert contributing.units_not_open("370700", MAR, [other.pk]) == {other.pk}


def test_a_stale_draft_of_a_unit_closed_since_is_removed_on_regeneration(rates):
    unit = approved_unit(["5000"])
    clerk = AgencyClerkFactory()
    services.generate_bills("370700", MAR, actor=clerk)
    assert _bill(unit, MAR)
    _status(unit, "closed", dt.date(2024, 3, 1), clerk)
    services.generate_bills("370700", MAR, actor=clerk)
    assert _bill(unit, MAR) is None


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_staff_changes_and_declaring_are_refused_for_a_unit_not_open(rates, status):
    unit = approved_unit(["5000"])
    clerk = AgencyClerkFactory()
    operator = _operator(unit)
    services.generate_bills("370700", JAN, actor=clerk)
    bill = _bill(unit)
    span = InsuranceSpan.objects.get(unit=unit)
    _status(unit, status, dt.date(2024, 2, 1), clerk)
    unit.refresh_from_db()
    label = "暂停" if status == "suspended" else "注销"
    for attempt in (lambda: services.add_person(unit, id_number="370705199001011233", name="新职工", month=FEB,
                                                actor=operator),
                    lambda: services.remove_person(unit, span_id=span.pk, month=FEB, reason="leave", actor=clerk)):
        with pytest.raises(services.ContributionError) as refused:
            attempt()
        assert refused.value.code == "unit_inactive"
        assert f"单位自 2024-02-01 起已{label}" in refused.value.message
    assert InsuranceSpan.objects.filter(unit=unit).count() == 1 and not InsuranceSpan.objects.get().month_to
    # January, when the unit was open, is still declared (at the counter), so its arrears can be paid
    assert _bill(unit).status == "draft"
    assert services.declare_bill(bill, actor=clerk, counter=True).status == "declared"


def test_a_bill_of_a_month_the_unit_was_not_open_is_not_declared(rates):
    unit = approved_unit(["5000"])
    clerk = AgencyClerkFactory()
    services.generate_bills("370700", MAR, actor=clerk)
    bill = _bill(unit, MAR)
    _status(unit, "suspended", dt.date(2024, 3, 1), clerk)   # suspended from March's first day: a stale draft
    with pytest.raises(services.ContributionError) as refused:
        services.declare_bill(bill, actor=clerk, counter=True)
    assert refused.value.code == "unit_inactive" and _bill(unit, MAR).status == "draft"


def test_the_api_refuses_a_staff_change_of_a_closed_unit_with_its_code(rates, client):
    unit = approved_unit(["5000"])
    _status(unit, "closed", dt.date(2024, 2, 1), AgencyClerkFactory())
    client.force_login(_operator(unit))
    answer = client.post("/api/v1/contributions/staff/add", {"id_number": "370705199001011233", "name": "新职工",
                                                              "month": "2024-03"}, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["code"] == "unit_inactive"


# --- 2. adjusting entries against what was charged ---------------------------------------------

@pytest.fixture
def other_rates(tmp_path, monkeypatch):
    """Switch to a policy folder whose rates overlay has another unit rate (8% instead of 6%)."""
    from yibao.policy import DEFAULT_FOLDER, get_engine

    def switch():
        folder = tmp_path / "policies"
        shutil.copytree(DEFAULT_FOLDER, folder)
        overlay = folder / "overlays" / "demo-rates.yaml"
        overlay.write_text(overlay.read_text(encoding="utf-8").replace("rate: 0.06}", "rate: 0.08}"), encoding="utf-8")
        monkeypatch.setenv("YIBAO_POLICY_DIR", str(folder))
        get_engine.cache_clear()

    yield switch
    get_engine.cache_clear()


def _charged(unit, month, employee_id):
    lines = BillLine.objects.filter(bill__unit=unit, bill__month=month, employee_id=employee_id)
    return sum(line.unit_share for line in lines), sum(line.individual_share for line in lines)


def test_an_adjustment_after_a_rate_change_charges_the_difference_to_what_was_billed(rates, other_rates):
    unit = approved_unit(["5000"])
    operator = _operator(unit)
    services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    services.declare_bill(_bill(unit), actor=operator)          # 5000 × 6% = 300.00, × 2% = 100.00
    span = InsuranceSpan.objects.get(unit=unit)
    other_rates()                                              # the month's unit rate is now 8%
    services.remove_person(unit, span_id=span.pk, month=JAN, reason="death", actor=operator)
    line = _bill(unit, JAN, BillKind.ADJUSTMENT).lines.get()
    # nothing is due for January now: the entry takes back exactly what was charged (not 5000 × 8%)
    assert (line.unit_share, line.individual_share) == (Decimal("-300.00"), Decimal("-100.00"))
    assert _charged(unit, JAN, span.employee_id) == (Decimal("0.00"), Decimal("0.00"))


def test_adjustments_after_a_rate_change_bring_the_month_to_the_new_base_at_the_month_s_rates(rates, other_rates):
    from yibao.employer.models import ApprovedBase

    unit = approved_unit(["5000"])
    operator = _operator(unit)
    services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    services.declare_bill(_bill(unit), actor=operator)          # 300.00 + 100.00 charged
    span = InsuranceSpan.objects.get(unit=unit)
    other_rates()                                              # the month's unit rate is now 8%
    for base, due in (("6000", ("480.00", "120.00")), ("7000", ("560.00", "140.00"))):
        ApprovedBase.objects.filter(unit=unit).update(base=Decimal(base))
        services.adjust(unit_id=unit.pk, employee_ids=[span.employee_id], from_month=JAN, reason=base, actor=operator)
        # regular + adjustments = the new base at the month's rates as they stand (not 300 + (480 − 400))
        assert _charged(unit, JAN, span.employee_id) == (Decimal(due[0]), Decimal(due[1]))
    assert Bill.objects.filter(unit=unit, month=JAN, kind=BillKind.ADJUSTMENT).count() == 2


# --- 3 and 4. money exact end to end ------------------------------------------------------------

def test_fen_text_is_exact_for_edge_and_large_amounts():
    assert [fen_text(f) for f in (0, 1, -1, 99, 100, -101, 99_999_999_999_999)] == \
        ["0.00", "0.01", "-0.01", "0.99", "1.00", "-1.01", "999999999999.99"]
    # the float way of the past: 2**53 + 1 fen cannot be held by a float
    assert fen_text(2**53 + 1) == "90071992547409.93" and f"{(2**53 + 1) / 100:.2f}" != "90071992547409.93"


def test_bill_amounts_are_stored_and_printed_exactly(rates):
    # 4242.25 × 6% = 254.535 → 254.54 (half up, exactly: a float product is 254.53499…)
    unit = approved_unit(["4242.25", "20000.05", "21207.00"])
    services.generate_bills("370700", JAN, actor=AgencyClerkFactory())
    bill = _bill(unit)
    lines = sorted(bill.lines.all(), key=lambda line: line.base)
    assert [(line.base, line.unit_share, line.individual_share) for line in lines] == [
        (Decimal("4242.25"), Decimal("254.54"), Decimal("84.85")),
        (Decimal("20000.05"), Decimal("1200.00"), Decimal("400.00")),
        (Decimal("21207.00"), Decimal("1272.42"), Decimal("424.14"))]
    assert bill.base_total == Decimal("45449.30") and bill.amount_due == Decimal("3635.95")
    rows = list(exports._rows(lines, str))
    assert all(isinstance(v, Decimal) for row in rows for v in row[4:])
    assert [str(v) for v in rows[0][3:]] == ["", "4242.25", "254.54", "84.85", "339.39"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(exports.bill_xlsx(bill, {"name": "测", "unit_number": "1"},
                                                                       lines, str)))
    sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[3][4:8] == [4242.25, 254.54, 84.85, 339.39]
    assert sheet[6][4:8] == [45449.3, 2726.96, 908.99, 3635.95]


def test_the_what_if_sums_whole_fen_as_integers(monkeypatch):
    # a region's change of more than 2**53 fen: a float bincount loses the odd fen, integers do not
    what_if = importlib.import_module("yibao.contributions.selectors.what_if")
    big = 2**53
    monkeypatch.setattr(contributing, "wage_preview_rows", lambda region, month: (
        np.array([1, 1, 2], dtype=np.int64), np.array([1, 2, 3], dtype=np.int64),
        np.array([1, 1, 1], dtype=np.int64), np.array([0, 0, 0], dtype=np.int64)))
    from yibao.contributions import rules

    class Answer:
        ok, constants = True, {"floor": "1", "ceiling": "2"}

        def __getitem__(self, key):
            return np.array([big, 1, 7], dtype=np.int64)

    class Engine:
        def ask(self, *a, **k):
            return type("A", (), {"ok": True, "values": {"effective_from": "2024-01"}})()

        def batch_employee_base(self, *a, **k):
            return Answer()

    monkeypatch.setattr(what_if, "get_engine", lambda: Engine())
    monkeypatch.setattr(rules, "shares_many", lambda region, month, bases: (np.asarray(bases, dtype=np.int64),
                                                                            np.zeros(len(bases), dtype=np.int64), {}))
    result = what_if.what_if("370700", "1", dt.date(2024, 1, 1))
    assert result.units[0]["change"] == Decimal(big + 1) / 100
    assert result.total_change == Decimal(big + 8) / 100


def test_person_lists_and_workbooks_round_money_by_one_rule():
    from yibao.documents import person_list

    # 0.125 and 0.135: half-even would print 0.12 and 0.14; the one rule (half up) 0.13 and 0.14
    for value, printed in ((Decimal("0.125"), "0.13"), (Decimal("0.135"), "0.14"), (Decimal("-0.005"), "-0.01")):
        assert person_list.money(value) == printed == str(cents(value))
    from yibao.documents.xlsx import cents as form_cents

    assert form_cents is cents


# --- 5. declaring a draft replaced meanwhile ---------------------------------------------------

def test_declaring_a_draft_replaced_by_regeneration_is_a_conflict(rates, client):
    unit = approved_unit(["5000"])
    clerk = AgencyClerkFactory()
    services.generate_bills("370700", JAN, actor=clerk)
    old = _bill(unit)
    services.generate_bills("370700", JAN, actor=clerk)
    with pytest.raises(Conflict) as refused:
        services.declare_bill(old, actor=_operator(unit))
    assert refused.value.code == "bill_regenerated" and refused.value.status == 409
    assert _bill(unit).status == "draft"
    client.force_login(_operator(unit))
    # the API finds the bill first: a vanished one is a 404, never a 500
    assert client.post(f"/api/v1/contributions/bills/{old.pk}/declare").status_code == 404


# --- 7. the other unit masked ------------------------------------------------------------------

def test_a_refusal_masks_the_other_unit_for_an_operator_and_a_clerk_of_another_area(rates, client):
    first = approved_unit(["5000"], name="潍坊五字")          # a short name: masked all but one character
    second = approved_unit(["5000"])
    services.seed_spans("370700", 2024)
    taken = InsuranceSpan.objects.get(unit=first)
    elsewhere = AgencyClerkFactory(division=division("370702"))   # another district of the city
    for actor in (_operator(second), elsewhere):
        with pytest.raises(services.ContributionError) as refused:
            services.add_person(second, id_number=taken.id_number, name=taken.name, month=MAR, actor=actor)
        assert "潍坊五字" not in refused.value.message and "潍坊五" not in refused.value.message
        assert first.unit_number not in refused.value.message and "潍***" in refused.value.message
    with pytest.raises(services.ContributionError) as refused:
        services.add_person(second, id_number=taken.id_number, name=taken.name, month=MAR, actor=AgencyClerkFactory())
    assert "潍坊五字" in refused.value.message and first.unit_number in refused.value.message
    client.force_login(_operator(second))
    answer = client.post("/api/v1/contributions/staff/add", {"id_number": taken.id_number, "name": taken.name,
                                                              "month": "2024-03"}, content_type="application/json")
    assert answer.status_code == 400 and "潍坊五字" not in answer.json()["message"]
    assert first.unit_number not in answer.content.decode()


# --- 10. rules the engine answers --------------------------------------------------------------

def test_a_new_hire_without_a_wage_has_the_base_the_policy_files_give():
    from yibao.errors import RuleRefused

    unit = approved_unit(["5000"])
    with pytest.raises(RuleRefused) as refused:      # no notice says: not_configured, nothing written
        services.add_person(unit, id_number="370705199001011233", name="新职工", month=FEB, actor=_operator(unit))
    assert refused.value.code == "not_configured" and "employee.new_hire_base_without_wage" in refused.value.missing
    assert not InsuranceSpan.objects.filter(unit=unit).exists()
    change = services.add_person(unit, id_number="370705199001011233", name="新职工", month=FEB, wage="3000",
                                 actor=_operator(unit))
    assert change.base == Decimal("4242.00")         # a declared wage is clamped as the notice says


@pytest.fixture
def backdating(tmp_path, monkeypatch, settings):
    """A policy folder whose overlay allows staff changes two months back; the business date
    2024-05-10."""
    from yibao.policy import DEFAULT_FOLDER, get_engine

    folder = tmp_path / "policies"
    shutil.copytree(DEFAULT_FOLDER, folder)
    overlay = folder / "overlays" / "demo-rates.yaml"
    overlay.write_text(overlay.read_text(encoding="utf-8") + """
  employee.staff_change_backdate_months:
    - valid_from: "2024-01"
      value: 2
      source: demo_settings
      section: 无
""", encoding="utf-8")
    monkeypatch.setenv("YIBAO_POLICY_DIR", str(folder))
    settings.YIBAO_TODAY = dt.date(2024, 5, 10)
    get_engine.cache_clear()
    yield
    get_engine.cache_clear()


def test_staff_changes_are_backdated_only_as_far_as_a_policy_file_allows(rates, backdating):
    unit = approved_unit(["5000"])
    operator = _operator(unit)
    with pytest.raises(services.ContributionError) as refused:
        services.add_person(unit, id_number="370705199001011233", name="新职工", month=FEB, actor=operator)
    assert refused.value.code == "backdated_too_far" and "2024-03" in refused.value.message
    change = services.add_person(unit, id_number="370705199001011233", name="新职工", month=MAR, actor=operator)
    from yibao.audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="contributions.staff_add", object_id=str(change.pk))
    assert entry.after["backdating"] == "可追溯 2 个月，最早 2024-03"


def test_without_a_configured_limit_backdating_is_not_limited_and_the_audit_says_so(rates):
    from yibao.audit.models import AuditEntry

    unit = approved_unit(["5000"])
    change = services.add_person(unit, id_number="370705199001011233", name="新职工", month=JAN,
                                 actor=_operator(unit))
    entry = AuditEntry.objects.get(action="contributions.staff_add", object_id=str(change.pk))
    assert "未配置" in entry.after["backdating"]


def test_the_years_an_inspection_run_accepts_are_a_setting(settings):
    from yibao.errors import AppError
    from yibao.inspection.services.checks import _checked_year

    settings.YIBAO_YEAR_RANGE = (2020, 2030)
    assert _checked_year("2024") == 2024
    with pytest.raises(AppError) as refused:
        _checked_year(2019)
    assert "2020 至 2030" in refused.value.message
