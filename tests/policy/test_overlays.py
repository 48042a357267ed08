"""Overlay policy files: values no local notice gives (the demo's rates), loaded only when named,
labelled in every explanation, refused where they would override a notice."""

import shutil
from decimal import Decimal

import numpy as np
import pytest

from yibao.policy import DEFAULT_FOLDER, Engine, PolicyFileError, get_engine
from yibao.policy.cli import main as policy_cli


@pytest.fixture(scope="module")
def with_rates() -> Engine:
    return Engine.from_folder(DEFAULT_FOLDER, overlays=["demo-rates"])


def test_rates_are_not_configured_without_the_overlay(engine):
    answer = engine.ask("370700", "employee.contribution", {"month": "2024-01", "base": "5000"})
    assert answer.error["code"] == "not_configured"
    assert answer.error["missing"] == ["employee.contribution_rate[unit]"]
    assert engine.policies.overlays == ()


def test_the_environment_names_the_overlays(monkeypatch):
    monkeypatch.setenv("YIBAO_POLICY_OVERLAYS", "demo-rates")
    try:
        answer = get_engine().ask("371500", "employee.contribution", {"month": "2024-06", "base": "5000"})
        assert answer.ok and answer.values["unit_share"] == Decimal("300.00")
        regions = {r["code"]: r for r in get_engine().regions()}
        assert regions["371500"]["overlays"] == [{"name": "demo-rates", "label": "演示配置，非本地通知"}]
    finally:
        monkeypatch.delenv("YIBAO_POLICY_OVERLAYS")
    assert not get_engine().ask("371500", "employee.contribution", {"month": "2024-06", "base": "5000"}).ok


def test_every_citation_of_an_overlay_value_carries_its_label(with_rates):
    answer = with_rates.ask("370700", "employee.contribution", {"month": "2024-01", "base": "4242"})
    cited = [c for step in answer.explanation for c in step["citations"]]
    assert cited and all(c["overlay"] == "演示配置，非本地通知" and c["text"].startswith("【演示配置") for c in cited)
    assert "演示配置，非本地通知" in answer.explanation[-1]["rule"]
    # a notice's own value is not labelled
    bounds = with_rates.ask("370700", "employee.bounds", {"month": "2024-01"})
    assert all("overlay" not in c for step in bounds.explanation for c in step["citations"])


def test_an_unknown_overlay_is_refused():
    with pytest.raises(PolicyFileError, match="叠加配置不存在"):
        Engine.from_folder(DEFAULT_FOLDER, overlays=["no-such"])


def _copy(tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(DEFAULT_FOLDER, folder, ignore=shutil.ignore_patterns("cases"))
    return folder


def test_an_overlay_may_not_override_a_notice(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "overlays" / "demo-rates.yaml"
    text = path.read_text(encoding="utf-8").replace("employee.contribution_rounding:", "employee.base_clamp:\n"
        "    - valid_from: \"2024-01\"\n      value: false\n      source: gf_1998_44\n      section: 三\n"
        "  employee.contribution_rounding:")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError, match="不覆盖通知"):
        Engine.from_folder(folder, overlays=["demo-rates"])


def test_policy_check_validates_every_overlay(tmp_path, capsys):
    folder = _copy(tmp_path)
    assert policy_cli(["check", str(folder)]) == 0
    assert "叠加配置有效：demo-rates" in capsys.readouterr().out
    path = folder / "overlays" / "demo-rates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rate: 0.06", "rate: 6"), encoding="utf-8")
    assert policy_cli(["check", str(folder)]) == 2
    assert "demo-rates.yaml" in capsys.readouterr().err


def test_the_batch_shares_equal_the_single_case_answers(with_rates):
    rng = np.random.default_rng(7)
    bases = np.concatenate([rng.integers(1, 5_000_000, 2000), np.array([424225, 424250, 1, 0, 99])]).astype(np.int64)
    result = with_rates.batch_employee_contribution("370700", "2024-01", bases)
    assert result.ok
    for i in list(range(0, len(bases), 97)) + list(range(len(bases) - 5, len(bases))):
        one = with_rates.ask("370700", "employee.contribution",
                             {"month": "2024-01", "base": str(Decimal(int(bases[i])).scaleb(-2))}).values
        assert result["unit_share"][i] == int(one["unit_share"] * 100)
        assert result["individual_share"][i] == int(one["individual_share"] * 100)


def test_the_batch_refuses_without_rates(engine):
    result = engine.batch_employee_contribution("370700", "2024-01", np.array([100, 200], dtype=np.int64))
    assert not result.ok and "not_configured" in result.errors


def test_gaps_list_what_each_region_cannot_answer_yet(capsys, monkeypatch):
    from yibao.policy.gaps import gaps

    without = {(g.region, g.question): g.missing for g in gaps(Engine.from_folder(DEFAULT_FOLDER), 2024)}
    assert without[("370700", "employee.contribution")] == ["employee.contribution_rate[unit]"]
    assert without[("371500", "employee.retiree_allotment_base")] == ["employee.retiree_allotment_base_rule"]
    assert ("370700", "employee.base") not in without                   # answered from the notice
    assert not any(r == "370700" and q.startswith("resident.") for r, q in without)   # schemes it runs only
    with_rates = {(g.region, g.question) for g in gaps(Engine.from_folder(DEFAULT_FOLDER, overlays=["demo-rates"]), 2024)}
    assert ("370700", "employee.contribution") not in with_rates
    monkeypatch.delenv("YIBAO_POLICY_OVERLAYS", raising=False)
    assert policy_cli(["gaps", "--region", "371500", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    assert "聊城市（371500）" in out and "employee.contribution_rate[unit]" in out and "潍坊" not in out
