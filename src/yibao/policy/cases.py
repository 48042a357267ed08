"""Case files: YAML lists of questions with the answers a policy officer expects.

::

    - name: 东明 低保对象 2024
      region: "371728"
      question: resident.premium
      input: {insurance_year: 2024, categories: [低保对象]}
      expect: {subsidy: 114, payable: 266}

Every key in ``expect`` must match; other values are ignored. Besides the question's outputs,
``expect`` may hold ``error`` (the refusal code, or null for an answer), ``missing`` (a
parameter name the refusal must list, or the whole list), ``message`` (text the refusal message
must contain) and ``cites`` (text, or a list of texts, the explanation's rules or citations must
contain, e.g. a document number and section). A case may name ``overlays`` (e.g. ``[demo-rates]``):
it is then asked of the same policy folder with those overlay files loaded. Numbers compare as decimals (5 equals 5.00);
dates and months compare as "YYYY-MM-DD" / "YYYY-MM" strings.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import PolicyFileError
from .values import json_safe

CASE_KEYS = {"name", "region", "question", "input", "expect", "overlays"}
SPECIAL = ("error", "missing", "message", "cites")


@dataclass
class Case:
    file: str
    index: int
    name: str
    region: str
    question: str
    input: dict
    expect: dict
    overlays: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.file}#{self.index + 1} {self.name}"


def load_cases(path: str | Path) -> list[Case]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyFileError(str(path), "", f"无法读取：{exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyFileError(path.name, f"第 {mark.line + 1} 行" if mark else "",
                              f"不是有效的 YAML：{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, list) or not data:
        raise PolicyFileError(path.name, "", "案例文件应为非空列表（每项含 name、region、question、input、expect）")
    cases = []
    for i, raw in enumerate(data):
        key = f"[{i}]"
        if not isinstance(raw, dict):
            raise PolicyFileError(path.name, key, "每个案例应为键值对")
        unknown = sorted(set(raw) - CASE_KEYS)
        if unknown:
            raise PolicyFileError(path.name, f"{key}.{unknown[0]}", f"未知的键；允许的键：{'、'.join(sorted(CASE_KEYS))}")
        for k in ("name", "region", "question", "expect"):
            if raw.get(k) in (None, ""):
                raise PolicyFileError(path.name, f"{key}.{k}", "缺少此项")
        if not isinstance(raw["expect"], dict) or not raw["expect"]:
            raise PolicyFileError(path.name, f"{key}.expect", "应为非空键值对")
        inputs = raw.get("input") or {}
        if not isinstance(inputs, dict):
            raise PolicyFileError(path.name, f"{key}.input", "应为键值对")
        if not isinstance(raw["region"], (str, int)) or isinstance(raw["region"], bool):
            raise PolicyFileError(path.name, f"{key}.region", "应为统筹区代码，如 \"370700\"")
        overlays = raw.get("overlays") or []
        if not isinstance(overlays, list) or not all(isinstance(o, str) for o in overlays):
            raise PolicyFileError(path.name, f"{key}.overlays", "应为叠加配置名的列表，如 [demo-rates]")
        cases.append(Case(path.name, i, str(raw["name"]), str(raw["region"]), str(raw["question"]),
                          dict(inputs), dict(raw["expect"]), tuple(overlays)))
    return cases


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def matches(expected: Any, actual: Any) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, (int, float, Decimal)):
        number = _number(actual)
        return number is not None and number == Decimal(str(expected))
    if isinstance(expected, (dt.date, dt.datetime)):
        return isinstance(actual, str) and actual == expected.isoformat()
    if isinstance(expected, str):
        if isinstance(actual, Decimal):
            return _number(expected) == actual
        return isinstance(actual, str) and actual == expected
    if isinstance(expected, list):
        return isinstance(actual, (list, tuple)) and len(actual) == len(expected) and all(
            matches(e, a) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    return expected == actual


def _explanation_text(answer) -> str:
    parts = []
    for step in answer.explanation:
        parts.append(step.get("rule", ""))
        for c in step.get("citations", []):
            parts.append(c.get("text", ""))
            parts.append(c.get("note", ""))
    return "\n".join(parts)


def check(case: Case, answer) -> tuple[bool, dict]:
    """Whether the answer meets the case, and the actual values of the expected keys."""
    actual: dict = {}
    ok = True
    error = answer.error or {}
    for key, expected in case.expect.items():
        if key == "error":
            got = error.get("code")
            good = matches(expected, got)
        elif key == "missing":
            got = error.get("missing")
            good = (isinstance(got, list) and expected in got) if isinstance(expected, str) else matches(expected, got)
        elif key == "message":
            got = error.get("message")
            good = isinstance(got, str) and str(expected) in got
        elif key == "cites":
            text = _explanation_text(answer)
            wanted = expected if isinstance(expected, list) else [expected]
            missing = [w for w in wanted if str(w) not in text]
            got = "说明中缺少：" + "、".join(map(str, missing)) if missing else expected
            good = not missing
        else:
            if not answer.ok:
                got = f"（拒答 {error.get('code')}：{error.get('message')}）"
                good = False
            elif key not in answer.values:
                got = "（无此输出）"
                good = False
            else:
                got = answer.values[key]
                good = matches(expected, got)
        actual[key] = got
        ok = ok and good
    return ok, actual


def _show(mapping: dict) -> str:
    return json.dumps(json_safe(mapping), ensure_ascii=False)


def run_files(engine, paths: list[str], out) -> tuple[int, int, int]:
    """Run case files, printing one line per failing case and the final tally line.
    Returns (passed, failed, malformed files)."""
    passed = failed = malformed = 0
    engines = {tuple(o.name for o in engine.policies.overlays): engine}
    for path in paths:
        try:
            cases = load_cases(path)
        except PolicyFileError as exc:
            malformed += 1
            print(f"ERROR {exc}", file=out)
            continue
        for case in cases:
            if case.overlays not in engines:
                try:
                    engines[case.overlays] = type(engine).from_folder(engine.policies.folder, overlays=case.overlays)
                except PolicyFileError as exc:
                    failed += 1
                    print(f"FAIL {case.label}: {exc}", file=out)
                    continue
            answer = engines[case.overlays].ask(case.region, case.question, case.input)
            good, actual = check(case, answer)
            if good:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {case.label}: expected {_show(case.expect)}, actual {_show(actual)}", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return passed, failed, malformed
