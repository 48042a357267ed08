"""``yibao policy``: exit codes, the final tally line, and no Django."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from yibao.policy import DEFAULT_FOLDER
from yibao.policy.cli import main

from .conftest import CASES


def run(argv, capsys):
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_shipped_case_files_all_pass(capsys):
    rc, out, _ = run(["test", *map(str, CASES)], capsys)
    lines = out.strip().splitlines()
    assert rc == 0, out
    assert lines[-1].endswith(" passed, 0 failed") and len(lines) == 1
    assert int(lines[-1].split()[0]) >= 150


def test_failures_are_listed_with_expected_and_actual(tmp_path, capsys):
    cases = tmp_path / "c.yaml"
    cases.write_text(
        "- name: 错的期望\n  region: \"371728\"\n  question: resident.premium\n"
        "  input: {insurance_year: 2024, categories: [低保对象]}\n  expect: {subsidy: 115, payable: 266}\n"
        "- name: 对的期望\n  region: \"371728\"\n  question: resident.premium\n"
        "  input: {insurance_year: 2024, categories: [低保对象]}\n  expect: {subsidy: 114.00, payable: 266}\n",
        encoding="utf-8")
    rc, out, _ = run(["test", str(cases)], capsys)
    lines = out.strip().splitlines()
    assert rc == 1
    assert lines[0].startswith("FAIL c.yaml#1 错的期望") and '"subsidy": 115' in lines[0] and '"114.00"' in lines[0]
    assert lines[-1] == "1 passed, 1 failed"


@pytest.mark.parametrize("content", ["", "just text", "- name: x\n  region: \"370700\"\n", "- [1, 2\n",
                                     "- name: x\n  region: \"370700\"\n  question: employee.bounds\n  expect: {}\n",
                                     "- name: x\n  region: \"370700\"\n  question: q\n  expect: {a: 1}\n  extra: 1\n"])
def test_malformed_case_file_fails(tmp_path, capsys, content):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    rc, out, _ = run(["test", str(bad), str(CASES[0])], capsys)
    lines = out.strip().splitlines()
    assert rc != 0
    assert lines[0].startswith("ERROR bad.yaml")
    assert lines[-1].endswith(" passed, 0 failed")


def test_missing_case_file_fails(tmp_path, capsys):
    rc, out, _ = run(["test", str(tmp_path / "nope.yaml")], capsys)
    assert rc != 0 and out.strip().splitlines()[-1] == "0 passed, 0 failed"


def test_ask_prints_answer_and_citations_in_chinese(capsys):
    rc, out, _ = run(["ask", "371728", "resident.premium", "insurance_year=2024", "categories=低保对象"], capsys)
    assert rc == 0
    assert "subsidy = 114.00" in out and "payable = 266.00" in out
    assert "依据" in out and "东政办字〔2023〕26号" in out and "六、全面落实困难群体参保资助政策" in out


def test_ask_json_and_refusal_exit_code(capsys):
    rc, out, _ = run(["ask", "140500", "resident.premium", "insurance_year=2024", "categories=重度残疾人", "--json"],
                     capsys)
    data = json.loads(out)
    assert rc == 1 and data["ok"] is False and data["error"]["code"] == "not_configured"
    assert data["error"]["missing"] == ["resident.hardship_subsidy[重度残疾人]"]
    rc, out, _ = run(["ask", "370700", "employee.base", "month=2024-01", "wage=3000", "--json"], capsys)
    assert rc == 0 and json.loads(out)["values"] == {"base": "4242.00", "floor": "4242.00", "ceiling": "21207.00",
                                                     "clamped": "floor"}


def test_ask_usage_errors(capsys):
    assert run(["ask", "370700", "employee.base", "month"], capsys)[0] == 2
    assert run(["nonsense"], capsys)[0] == 2
    assert run([], capsys)[0] == 2


def test_list_and_check(capsys):
    rc, out, _ = run(["list"], capsys)
    assert rc == 0 and "370700" in out and "resident.benefit_start" in out
    rc, out, _ = run(["list", "--json"], capsys)
    assert rc == 0 and {r["code"] for r in json.loads(out)["regions"]} == {"370700", "371500", "371728", "140500"}
    rc, out, _ = run(["check", str(DEFAULT_FOLDER)], capsys)
    assert rc == 0 and "4 个统筹区" in out


def test_a_broken_policy_folder_is_reported(policy_copy, capsys, monkeypatch):
    path = policy_copy / "140500.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 380\n", "value: -380\n", 1), encoding="utf-8")
    rc, _, err = run(["check", str(policy_copy)], capsys)
    assert rc == 2 and "140500.yaml: parameters.resident.individual_premium[0].value" in err


def _clean_env():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    return env


def test_the_engine_and_its_cli_import_without_django():
    code = "import yibao.policy, yibao.policy.cli, yibao.policy.batch, sys; assert 'django' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], env=_clean_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_yibao_policy_test_runs_without_django():
    code = ("import sys; from yibao.cli import main; rc = main(['policy', 'test', *sys.argv[1:]]); "
            "assert 'django' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, *map(str, CASES)], env=_clean_env(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith(" passed, 0 failed")


def test_no_module_of_the_engine_imports_django():
    package = Path(__file__).resolve().parents[2] / "src" / "yibao" / "policy"
    pattern = re.compile(r"^\s*(import|from)\s+django\b|import_module\(['\"]django", re.M)
    for path in package.rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path
