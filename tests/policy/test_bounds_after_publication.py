"""employee.bounds_after_publication gives the bounds in force in the month asked: the ones the
policy files set for that month until the new bounds apply (the month after publication), the
new ones from then on. The new bounds and their first month are outputs of their own."""

import datetime as dt
from decimal import Decimal

import pytest

from yibao.policy import Engine

WAGE = {"annual_average_wage": "100000", "published_on": "2024-06-20"}
OLD = (Decimal("4242.00"), Decimal("21207.00"))
NEW = (Decimal("5000.00"), Decimal("25000.00"))


def _ask(engine, region, month, **wage):
    return engine.ask(region, "employee.bounds_after_publication", {"month": month, **(wage or WAGE)})


@pytest.mark.parametrize("region", ["370700", "371500"])
@pytest.mark.parametrize(("month", "in_effect"), [
    ("2024-01", False), ("2024-05", False), ("2024-06", False), ("2024-07", True), ("2024-12", True)])
def test_floor_and_ceiling_are_the_bounds_in_force_in_the_month(engine, region, month, in_effect):
    answer = _ask(engine, region, month)
    assert answer.ok, answer.error
    v = answer.values
    assert (v["floor"], v["ceiling"]) == (NEW if in_effect else OLD)
    assert v["in_effect"] is in_effect
    assert (v["new_floor"], v["new_ceiling"], v["effective_from"]) == (*NEW, "2024-07")


@pytest.mark.parametrize("region", ["370700", "371500"])
def test_before_the_new_bounds_apply_the_answer_agrees_with_employee_bounds(engine, region):
    for month in ("2024-01", "2024-06"):
        bounds = engine.ask(region, "employee.bounds", {"month": month}).values
        v = _ask(engine, region, month).values
        assert (v["floor"], v["ceiling"]) == (bounds["floor"], bounds["ceiling"])
    with_wage = engine.ask(region, "employee.bounds", {"month": "2024-07", **WAGE}).values
    v = _ask(engine, region, "2024-07").values
    assert (v["floor"], v["ceiling"]) == (with_wage["floor"], with_wage["ceiling"])


@pytest.mark.parametrize(("published_on", "first"), [
    ("2024-06-01", "2024-07"), ("2024-06-30", "2024-07"), ("2024-01-01", "2024-02"), ("2024-12-01", "2025-01")])
def test_a_publication_on_any_day_applies_from_the_next_month(engine, published_on, first):
    day = dt.date.fromisoformat(published_on)
    v = _ask(engine, "370700", f"{day.year}-{day.month:02d}", annual_average_wage="100000",
             published_on=published_on).values
    assert v["effective_from"] == first and v["in_effect"] is False
    assert (v["floor"], v["ceiling"]) == OLD


def test_the_explanation_says_which_bounds_apply(engine):
    before = _ask(engine, "370700", "2024-06")
    rules = [s["rule"] for s in before.explanation]
    assert [s["code"] for s in before.explanation][-1] == "employee.bounds_after_publication.old"
    assert "本月仍按原上下限执行" in rules[-1] and "2024-07" in rules[-1] and "5000.00" in rules[-1]
    cited = [c["section"] for s in before.explanation for c in s["citations"]]
    assert "一、调整标准" in cited  # the old bounds are cited from the notice
    after = _ask(engine, "370700", "2024-07")
    assert after.explanation[-1]["code"] == "employee.bounds_after_publication.new"
    assert "按新上下限执行" in after.explanation[-1]["rule"]


def test_outputs_are_declared_with_chinese_titles(engine):
    q = engine.question("employee.bounds_after_publication")
    assert list(q.outputs) == ["floor", "ceiling", "in_effect", "new_floor", "new_ceiling", "effective_from"]
    for name, title in q.outputs.items():
        assert title and not title.isascii(), name
    assert set(_ask(engine, "370700", "2024-06").values) == set(q.outputs)


def test_old_bounds_from_a_wage_the_policy_file_already_records(policy_copy):
    """Where the file records an earlier published wage, the bounds before the new ones apply are
    those the file's wage gives (as employee.bounds answers), not the notice's provisional ones."""
    path = policy_copy / "370700.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  employee.flexible_base_range:\n",
        "  employee.average_wage_published:\n    - valid_from: \"2024-01\"\n      valid_to: \"2024-12\"\n"
        "      value: {wage_year: 2023, annual: 90000, published_on: 2024-03-10}\n"
        "      source: wf_2024_base\n      section: 一、调整标准\n"
        "  employee.flexible_base_range:\n", 1), encoding="utf-8")
    engine = Engine.from_folder(policy_copy)
    v = _ask(engine, "370700", "2024-06").values
    assert (v["floor"], v["ceiling"]) == (Decimal("4500.00"), Decimal("22500.00"))
    assert v["in_effect"] is False and (v["new_floor"], v["new_ceiling"]) == NEW
    assert (v["floor"], v["ceiling"]) == tuple(
        engine.ask("370700", "employee.bounds", {"month": "2024-06"}).values[k] for k in ("floor", "ceiling"))
    v = _ask(engine, "370700", "2024-02").values
    assert (v["floor"], v["ceiling"]) == OLD


def test_invalid_and_unconfigured_inputs_are_refused(engine):
    assert _ask(engine, "370700", "2024-06", annual_average_wage="0", published_on="2024-06-20"
                ).error["code"] == "invalid_input"
    missing = engine.ask("370700", "employee.bounds_after_publication", {"month": "2024-06", "annual_average_wage": 1})
    assert missing.error["code"] == "invalid_input"
    later = _ask(engine, "370700", "2025-03", annual_average_wage="100000", published_on="2025-03-01")
    assert later.error["code"] == "not_configured" and later.error["missing"] == ["employee.base_floor_ratio"]
