"""Values a notice sets for one year hold for that year only: a question reads them for the year
(or month) it is asked about and never falls back to the newest entry of another year."""

from decimal import Decimal

import pytest

from yibao.policy import Engine
from yibao.policy.explain import Context

TIME_TYPES = {"month", "date", "year"}


def test_no_question_reads_a_latest_entry_regardless_of_validity():
    assert not hasattr(Context, "latest")


def test_every_question_needs_a_point_in_time(engine):
    """Each question has a required time input, except the ones whose year or month are
    alternatives; those refuse when neither is given."""
    alternatives = set()
    for q in engine.questions():
        times = [i for i in q["inputs"] if i["type"] in TIME_TYPES]
        assert times, q["name"]
        if not any(i["required"] for i in times):
            alternatives.add(q["name"])
    assert alternatives == {"employee.self_inspection"}


@pytest.mark.parametrize("region", ["370700", "371500"])
def test_self_inspection_without_year_or_month_is_invalid_input(engine, region):
    answer = engine.ask(region, "employee.self_inspection", {"contributors": 10, "at_floor": 9})
    assert answer.error["code"] == "invalid_input"
    assert "year" in answer.error["message"] and "month" in answer.error["message"]


def test_self_inspection_for_a_year_no_file_covers_is_not_configured(engine):
    assert engine.ask("370700", "employee.self_inspection",
                      {"contributors": 10, "at_floor": 8, "year": 2024}).values["required"] is True
    for when in ({"year": 2025}, {"month": "2025-01"}, {"year": 2023}):
        answer = engine.ask("370700", "employee.self_inspection", {"contributors": 10, "at_floor": 8, **when})
        assert answer.error["code"] == "not_configured", when
        assert answer.error["missing"] == ["employee.self_inspection_threshold"]


def test_self_inspection_reads_the_threshold_of_the_year_asked(policy_copy):
    path = policy_copy / "370700.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  employee.self_inspection_threshold:\n",
        "  employee.self_inspection_threshold:\n    - valid_from: \"2025-01\"\n      valid_to: \"2025-12\"\n"
        "      value: 0.8\n      source: wf_2024_base\n      section: x\n", 1), encoding="utf-8")
    engine = Engine.from_folder(policy_copy)

    def ask(**when):
        return engine.ask("370700", "employee.self_inspection", {"contributors": 10, "at_floor": 8, **when})

    assert ask(year=2024).values["threshold"] == Decimal("0.7") and ask(year=2024).values["required"] is True
    assert ask(year=2025).values["threshold"] == Decimal("0.8") and ask(year=2025).values["required"] is False
    assert ask(month="2025-06").values["threshold"] == Decimal("0.8")
    assert ask().error["code"] == "invalid_input"
    assert ask(year=2026).error["code"] == "not_configured"


@pytest.mark.parametrize("region", ["370700", "371500"])
@pytest.mark.parametrize(("chosen", "code"), [
    (0, "invalid_input"), (-1, "invalid_input"), (-0.01, "invalid_input"), ("-4242", "invalid_input"),
    (0.01, "out_of_range"), (4241.99, "out_of_range"), (21207.01, "out_of_range"), (10 ** 9, "out_of_range"),
    (4242, None), (21207, None),
])
def test_flexible_base_refuses_non_positive_amounts_as_invalid_input(engine, region, chosen, code):
    answer = engine.ask(region, "employee.flexible_base", {"month": "2024-01", "chosen_base": chosen})
    assert (answer.error or {}).get("code") == code
    if code == "invalid_input":
        assert "应大于 0" in answer.error["message"]
