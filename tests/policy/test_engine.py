"""The engine's public contract as the applications use it."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from yibao.policy import Answer, get_engine
from yibao.policy.cases import load_cases

from .conftest import CASES

CONTRACT = {
    "employee.bounds": ({"month"}, {"floor", "ceiling"}),
    "employee.base": ({"month", "wage"}, {"base", "floor", "ceiling", "clamped"}),
    "employee.flexible_base": ({"month", "chosen_base"}, {"base"}),
    "employee.bounds_after_publication": ({"month", "annual_average_wage", "published_on"},
                                          {"floor", "ceiling", "in_effect", "new_floor", "new_ceiling",
                                           "effective_from"}),
    "employee.declaration_window": ({"date"}, {"open", "deadline"}),
    "employee.late_fee": ({"amount", "due_date", "paid_on"}, {"days", "late_fee"}),
    "employee.payment_due": ({"month", "kind", "generated_on"}, {"due_date", "source"}),
    "employee.self_inspection": ({"contributors", "at_floor"}, {"required"}),
    "resident.premium": ({"insurance_year", "categories"}, {"standard", "subsidy", "payable", "fiscal_subsidy"}),
    "resident.payment_window": ({"insurance_year", "date"}, {"open"}),
    "resident.benefit_start": ({"insurance_year", "kind", "paid_on", "birth_date", "moved_in_on", "paid_at_origin"},
                               {"benefit_start", "benefit_end"}),
    "resident.refund": ({"insurance_year", "reason", "event_date", "paid_on"}, {"eligible"}),
    "employee.required_materials": ({"year"}, {"materials"}),
    "employee.retiree_allotment_base": ({"month", "pension"}, {"base"}),
    "employee.industry_wage_guideline": ({"year", "industry"}, {"guideline"}),
    "resident.enrolment_targets": ({"insurance_year"}, {"targets", "total"}),
    "employee.commitment_letter": ({"year"}, {"title", "opening", "clauses", "signature_lines"}),
    "employee.base_report_form": ({"year"}, {"copies", "note"}),
}


def test_questions_keep_the_contract_names_and_fields(engine):
    described = {q["name"]: q for q in engine.questions()}
    for name, (inputs, outputs) in CONTRACT.items():
        assert name in described, name
        assert inputs <= {i["name"] for i in described[name]["inputs"]}, name
        assert outputs <= {o["name"] for o in described[name]["outputs"]}, name
        assert described[name]["title"]


def test_regions_list_the_four_pooling_regions(engine):
    regions = {r["code"]: r for r in engine.regions()}
    assert {code: r["name"] for code, r in regions.items()} == {
        "370700": "潍坊市", "371500": "聊城市", "371728": "东明县", "140500": "晋城市"}
    assert regions["371728"]["documents"][0]["number"] == "东政办字〔2023〕26号"
    assert regions["140500"]["documents"][0]["number"] == "晋市医保发〔2023〕10号"


def test_get_engine_is_cached_and_honours_the_folder_variable(monkeypatch, policy_copy):
    assert get_engine() is get_engine()
    monkeypatch.setenv("YIBAO_POLICY_DIR", str(policy_copy))
    other = get_engine()
    assert other.policies.folder == str(policy_copy.resolve())
    monkeypatch.delenv("YIBAO_POLICY_DIR")
    assert get_engine().policies.folder != str(policy_copy)


def test_inputs_as_decimal_int_float_str_and_dates_agree(engine):
    variants = [
        {"month": "2024-01", "wage": Decimal("3000")},
        {"month": "2024-01", "wage": 3000},
        {"month": "2024-01", "wage": 3000.0},
        {"month": "2024-01", "wage": "3,000.00"},
        {"month": dt.date(2024, 1, 15), "wage": "3000"},
    ]
    answers = [engine.ask("370700", "employee.base", v) for v in variants]
    assert all(a.ok for a in answers)
    assert {a.values["base"] for a in answers} == {Decimal("4242.00")}
    window = engine.ask("371500", "employee.declaration_window", {"date": dt.date(2024, 1, 31)})
    assert window.values["open"] is True and window.values["late_allowed"] is False


def test_money_values_are_decimal_and_json_money_is_two_decimal_strings(engine):
    answer = engine.ask("371728", "resident.premium", {"insurance_year": 2024, "categories": ["低保对象"]})
    assert isinstance(answer, Answer) and answer.ok and answer.error is None
    assert answer.values["subsidy"] == Decimal("114.00") and isinstance(answer.values["payable"], Decimal)
    data = answer.to_json()
    assert set(data) == {"ok", "region", "question", "values", "error", "explanation"}
    assert data["values"]["subsidy"] == "114.00" and data["values"]["fiscal_subsidy"] == "640.00"
    json.dumps(data, ensure_ascii=False)


def test_services_can_read_bounds_after_publication(engine):
    """A service recording a newly published wage asks in the publication month and reads the new
    bounds from their own fields; floor/ceiling are those still in force that month."""
    v = engine.ask("370700", "employee.bounds_after_publication",
                   {"month": "2024-06", "annual_average_wage": Decimal("100000.00"), "published_on": "2024-06-20"}).values
    assert (Decimal(v["new_floor"]), Decimal(v["new_ceiling"]), v["effective_from"]) == (
        Decimal("5000.00"), Decimal("25000.00"), "2024-07")
    assert (v["floor"], v["ceiling"], v["in_effect"]) == (Decimal("4242.00"), Decimal("21207.00"), False)


def test_refusals_carry_code_message_missing_and_explanation(engine):
    answer = engine.ask("140500", "resident.benefit_start",
                        {"insurance_year": 2024, "kind": "newborn", "birth_date": "2024-03-10", "paid_on": "2024-04-01"})
    assert not answer.ok
    assert answer.error["code"] == "not_configured"
    assert answer.error["missing"] == ["resident.newborn"]
    assert "晋城市" in answer.error["message"]
    assert answer.explanation and answer.explanation[-1]["citations"][0]["number"] == "晋市医保发〔2023〕10号"
    json.dumps(answer.to_json(), ensure_ascii=False)


@pytest.mark.parametrize("inputs", [{"month": "2024-01", "wage": "NaN"}, {"month": "2024-01", "wage": "1e400"},
                                    {"month": "2024-01", "wage": True}, {"month": "24-01", "wage": 5000},
                                    {"month": "2024-01", "wage": None}, {"month": "2024-01", "wage": ""}])
def test_malformed_inputs_are_invalid_input(engine, inputs):
    answer = engine.ask("370700", "employee.base", inputs)
    assert answer.error["code"] == "invalid_input" and answer.explanation


def test_industry_guideline_is_not_configured_even_without_industry(engine):
    for region in ("370700", "371500", "371728", "140500"):
        answer = engine.ask(region, "employee.industry_wage_guideline", {"year": 2024, "industry": ""})
        assert answer.error["code"] == "not_configured"
        assert answer.error["missing"] == ["employee.industry_wage_guideline"]


def test_declaration_window_gives_opening_and_late_rules(engine):
    w = engine.ask("370700", "employee.declaration_window", {"date": "2024-02-20"}).values
    assert w == {"open": False, "deadline": "2024-01-25", "opens_on": "2023-12-25", "late_allowed": True,
                 "late": True, "year": 2024}
    lc = engine.ask("371500", "employee.declaration_window", {"date": "2024-01-03"}).values
    assert lc["open"] is False and lc["opens_on"] == "2024-01-04" and lc["late_allowed"] is False


def test_required_materials_codes_are_stable(engine):
    wf = engine.ask("370700", "employee.required_materials", {"year": 2024}).values["materials"]
    assert [m["retiree"] for m in wf] == [False, False, True, True]
    assert all(m["code"].isascii() and m["title"] for m in wf)
    lc = [m["code"] for m in engine.ask("371500", "employee.required_materials", {"year": 2024}).values["materials"]]
    assert any("commitment" in c for c in lc) and any("base_report" in c for c in lc)


def test_form_wording_comes_from_the_policy_files(engine):
    letter = engine.ask("371500", "employee.commitment_letter", {"year": 2024})
    assert letter.ok and letter.values["title"] == "聊城市参保单位医疗保险缴费基数申报承诺书"
    assert len(letter.values["clauses"]) == 2 and all(letter.values["clauses"])
    assert "2024年度" in letter.values["opening"]
    assert "法定代表人或单位负责人（签名）" in letter.values["signature_lines"]
    assert any("附件1" in c["section"] for step in letter.explanation for c in step["citations"])
    form = engine.ask("371500", "employee.base_report_form", {"year": 2024})
    assert form.values["copies"] == len(form.values["holders"]) == 3 and "一式三份" in form.values["note"]
    assert any("附件2" in c["section"] for step in form.explanation for c in step["citations"])
    # 潍坊 requires a 诚信申报承诺书 inside the 汇总表 but gives no wording
    for question in ("employee.commitment_letter", "employee.base_report_form"):
        refused = engine.ask("370700", question, {"year": 2024})
        assert refused.error["code"] == "not_configured" and refused.error["missing"] == [question]
        assert engine.ask("371500", question, {"year": 2025}).error["code"] == "not_configured"
        assert engine.ask("371500", question, {}).error["code"] == "invalid_input"


def test_targets_are_the_single_source_for_reference_data(engine):
    jc = engine.ask("140500", "resident.enrolment_targets", {"insurance_year": 2024}).values
    assert jc["total"] == sum(t["target"] for t in jc["targets"]) == 1583685
    assert {t["division_code"] for t in jc["targets"]} == {"140502", "140525", "140581", "140522", "140524", "140521"}
    dm = engine.ask("371728", "resident.enrolment_targets", {"insurance_year": 2024}).values
    assert dm["total"] == sum(t["target"] for t in dm["targets"]) == 713138 and len(dm["targets"]) == 14
    assert {t["division_code"] for t in dm["targets"]} == {
        "371728001", "371728002", "371728101", "371728102", "371728103", "371728104", "371728105",
        "371728106", "371728107", "371728108", "371728109", "371728110", "371728204", "371728205"}


def test_every_shipped_case_answer_is_explained_with_a_citation(engine):
    for path in CASES:
        for case in load_cases(path):
            answer = engine.ask(case.region, case.question, case.input)
            assert answer.explanation, case.label
            if answer.ok or answer.error["code"] == "not_configured":
                cited = [c for step in answer.explanation for c in step["citations"]]
                assert cited, case.label
                assert all(c["document"] and c["issuer"] for c in cited), case.label


def test_shipped_cases_cover_every_question_and_region():
    seen = {(c.region, c.question) for path in CASES for c in load_cases(path)}
    questions = {q for _, q in seen}
    assert set(CONTRACT) <= questions
    assert {r for r, _ in seen} >= {"370700", "371500", "371728", "140500"}
