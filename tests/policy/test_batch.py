"""The batch path over numpy arrays gives the single-case path's results."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yibao.policy.batch import CLAMP_CODES, STATUS, category_mask, fen_array, mask_categories, to_fen

RESIDENT = ["371728", "140500"]


@pytest.fixture(scope="module")
def vocabulary(engine):
    return engine.hardship_categories


def single_premium(engine, region, year, categories):
    answer = engine.ask(region, "resident.premium", {"insurance_year": year, "categories": categories})
    if not answer.ok:
        return (0, 0, 0, STATUS.index(answer.error["code"]))
    v = answer.values
    return (to_fen(v["standard"]), to_fen(v["subsidy"]), to_fen(v["payable"]), 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=st.sampled_from(RESIDENT), year=st.sampled_from([2024, 2024, 2025]),
       people=st.lists(st.sets(st.integers(0, 5)), min_size=1, max_size=40))
def test_premium_batch_agrees_with_single(engine, vocabulary, region, year, people):
    lists = [[vocabulary[i] for i in sorted(p)] for p in people]
    masks = np.array([category_mask(vocabulary, cats) for cats in lists], dtype=np.uint8)
    result = engine.batch_resident_premium(region, year, masks)
    for i, cats in enumerate(lists):
        got = (int(result["standard"][i]), int(result["subsidy"][i]), int(result["payable"][i]), int(result.status[i]))
        assert got == single_premium(engine, region, year, cats), cats


def test_premium_batch_known_figures(engine, vocabulary):
    names = [[], ["特困人员"], ["低保对象"], ["返贫致贫人口"], ["易返贫致贫人口"], ["易返贫致贫人口", "低保对象"], ["重度残疾人"]]
    masks = np.array([category_mask(vocabulary, n) for n in names], dtype=np.int64)
    r = engine.batch_resident_premium("140500", 2024, masks)
    assert r["subsidy"].tolist() == [0, 38000, 30400, 34200, 28000, 30400, 0]
    assert r["payable"].tolist() == [38000, 0, 7600, 3800, 10000, 7600, 0]
    assert [STATUS[s] for s in r.status] == ["ok"] * 6 + ["not_configured"]
    assert r.constants["fiscal_subsidy"] is None and "not_configured" in r.errors
    d = engine.batch_resident_premium("371728", 2024, masks[:3])
    assert d["subsidy"].tolist() == [0, 38000, 11400] and d.constants["fiscal_subsidy"] == Decimal("640.00")
    assert d.ok


def test_premium_batch_rejects_out_of_range_masks(engine, vocabulary):
    r = engine.batch_resident_premium("371728", 2024, np.array([1, -1, 1 << len(vocabulary)], dtype=np.int64))
    assert [STATUS[s] for s in r.status] == ["ok", "invalid_input", "invalid_input"]
    with pytest.raises(TypeError):
        engine.batch_resident_premium("371728", 2024, np.array([0.5]))


def test_mask_helpers(vocabulary):
    assert mask_categories(vocabulary, category_mask(vocabulary, ["低保对象", "特困人员"])) == ["特困人员", "低保对象"]
    assert category_mask(vocabulary, []) == 0


def single_base(engine, region, month, fen, extra):
    answer = engine.ask(region, "employee.base", {"month": month, "wage": Decimal(fen) / 100, **extra})
    if not answer.ok:
        return (0, 0, STATUS.index(answer.error["code"]))
    return (to_fen(answer.values["base"]), CLAMP_CODES.index(answer.values["clamped"]), 0)


edges = st.sampled_from([424199, 424200, 424201, 2120699, 2120700, 2120701, 500000, 499999, 2500001, 1, 0, -100])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=st.sampled_from(["370700", "371500", "371728"]), month=st.sampled_from(["2024-01", "2024-08", "2025-01"]),
       published=st.booleans(),
       wages=st.lists(st.one_of(edges, st.integers(-10**6, 10**8)), min_size=1, max_size=40))
def test_employee_base_batch_agrees_with_single(engine, region, month, published, wages):
    extra = {"annual_average_wage": "100000", "published_on": "2024-06-20"} if published else {}
    result = engine.batch_employee_base(region, month, np.array(wages, dtype=np.int64), **extra)
    for i, fen in enumerate(wages):
        got = (int(result["base"][i]), int(result["clamp"][i]), int(result.status[i]))
        assert got == single_base(engine, region, month, fen, extra), fen


def test_employee_base_batch_codes(engine):
    r = engine.batch_employee_base("370700", "2024-01", np.array([300000, 424200, 3000050, 0], dtype=np.int64))
    assert r["base"].tolist() == [424200, 424200, 2120700, 0]
    assert [CLAMP_CODES[c] for c in r["clamp"]] == ["floor", "none", "ceiling", "none"]
    assert [STATUS[s] for s in r.status] == ["ok", "ok", "ok", "invalid_input"]
    assert r.constants == {"floor": Decimal("4242.00"), "ceiling": Decimal("21207.00")}
    assert fen_array(["4242", Decimal("0.01"), 5]).tolist() == [424200, 1, 500]
    with pytest.raises(TypeError):
        engine.batch_employee_base("370700", "2024-01", np.array([1.5]))
