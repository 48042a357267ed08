"""The context a question runs in: it reads parameters, records what it read, and writes the
explanation (the rules applied, the values read and their citations) step by step."""

from __future__ import annotations

import datetime as dt

from .errors import Refusal
from .params import Entry, PolicyFile, PolicySet
from .schema import SPECS
from .values import json_safe


class Context:
    def __init__(self, policies: PolicySet, region: PolicyFile):
        self.policies = policies
        self.region = region
        self.steps: list[dict] = []
        self._params: dict[str, object] = {}
        self._citations: list[dict] = []

    # --- reading parameters ------------------------------------------------------------------

    def _files(self, name: str) -> list[PolicyFile]:
        scope = SPECS[name].scope
        if scope == "region":
            return [self.region]
        return [self.region, self.policies.national]

    def find(self, name: str, on: dt.date) -> list[Entry]:
        for pf in self._files(name):
            found = pf.find(name, on)
            if found:
                return found
        return []

    def _read(self, entry: Entry) -> Entry:
        value = entry.value
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v not in (None, [], "")}
        self._params[entry.label] = json_safe(value)
        citation = entry.citation()
        if citation not in self._citations:
            self._citations.append(citation)
        return entry

    def one(self, name: str, on: dt.date, *, key: str | None = None, period: str | None = None) -> Entry:
        """The entry of ``name`` holding on ``on``; refuses with not_configured when none does."""
        entry = self.maybe(name, on, key=key)
        if entry is None:
            raise self.not_configured(name, on, key=key, period=period)
        return entry

    def maybe(self, name: str, on: dt.date, *, key: str | None = None) -> Entry | None:
        entries = self.find(name, on)
        if key is not None:
            entries = [e for e in entries if e.key == key]
        return self._read(entries[0]) if entries else None

    def all(self, name: str, on: dt.date) -> list[Entry]:
        return [self._read(e) for e in self.find(name, on)]

    def cite(self, source_id: str, section: str, *, note: str | None = None, national: bool = False) -> None:
        """Cite a source directly (a rule applied by the engine rather than a value read)."""
        pf = self.policies.national if national else self.region
        citation = pf.sources[source_id].citation(section, note=note)
        if citation not in self._citations:
            self._citations.append(citation)

    def cite_law(self, source_id: str, section: str, note: str | None = None) -> None:
        self.cite(source_id, section, note=note, national=True)

    # --- explanation ------------------------------------------------------------------------------

    def step(self, code: str, text: str) -> None:
        """Close a step: the text, with every parameter read and every citation since the last step."""
        self.steps.append({"code": code, "rule": text, "parameters": self._params, "citations": self._citations})
        self._params, self._citations = {}, []

    # --- refusals ---------------------------------------------------------------------------------

    def region_label(self) -> str:
        return f"{self.region.title}（{self.region.code}）"

    def not_configured(self, name: str, on: dt.date | None = None, *, key: str | None = None,
                       period: str | None = None, detail: str = "") -> Refusal:
        spec = SPECS[name]
        label = f"{name}[{key}]" if key is not None else name
        if period is None and on is not None:
            period = f"{on.year} 保险年度" if spec.period == "insurance_year" else (
                f"{on.year}-{on.month:02d}" if spec.period == "month" else on.isoformat())
        what = spec.title + (f"（{key}）" if key is not None else "")
        message = f"{self.region_label()}的政策未规定{what}" + (f"（{period}）" if period else "") + \
            (f"：{detail}" if detail else "") + f"。缺少参数 {label}。"
        for source in self.region.notice_sources():
            citation = source.citation(note="通知未作规定")
            if citation not in self._citations:
                self._citations.append(citation)
        self.step("not_configured", message)
        return Refusal("not_configured", message, [label])

    def refuse(self, code: str, message: str, *, missing: list[str] | None = None) -> Refusal:
        self.step(code, message)
        return Refusal(code, message, missing)
