"""The engine: answers questions for a pooling region from the loaded policy files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import values as V
from .errors import Refusal
from .explain import Context
from .params import PolicySet, load_folder
from .questions import Input, Question, load_all


@dataclass
class Answer:
    ok: bool
    region: str
    question: str
    values: dict = field(default_factory=dict)
    error: dict | None = None
    explanation: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-safe: money as strings with two decimals ("1234.50"), dates "YYYY-MM-DD", months "YYYY-MM"."""
        return {"ok": self.ok, "region": self.region, "question": self.question,
                "values": V.json_safe(self.values), "error": V.json_safe(self.error),
                "explanation": V.json_safe(self.explanation)}


def _coerce(inp: Input, raw: Any):
    t = inp.type
    if t == "money":
        return V.to_money(raw)
    if t == "int":
        return V.to_int(raw)
    if t == "year":
        year = V.to_int(raw)
        if not 1900 <= year <= 2200:
            raise ValueError(f"年份 {raw!r} 无效")
        return year
    if t == "date":
        return V.to_date(raw)
    if t == "month":
        return V.to_month(raw)
    if t == "bool":
        return V.to_bool(raw)
    if t == "categories":
        return V.to_text_list(raw)
    if t == "choice":
        text = V.to_text(raw)
        if text not in inp.choices:
            raise ValueError(f"应为以下之一：{'、'.join(inp.choices)}，实际为 {raw!r}")
        return text
    return V.to_text(raw)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


class Engine:
    def __init__(self, policies: PolicySet):
        self.policies = policies
        self._questions: dict[str, Question] = load_all()
        self.batch_cache: dict = {}   # rule tables of the batch path (the policies never change once loaded)

    @classmethod
    def from_folder(cls, folder: str | Path, *, overlays: tuple[str, ...] | list[str] = ()) -> Engine:
        return cls(load_folder(folder, tuple(overlays)))

    # --- catalogue ----------------------------------------------------------------------------

    def regions(self) -> list[dict]:
        out = []
        for code, pf in sorted(self.policies.regions.items()):
            overlays = [{"name": o.name, "label": o.label} for o in self.policies.overlays if code in o.regions]
            out.append({
                "code": code, "name": pf.title, "province": pf.province, "schemes": list(pf.schemes),
                "documents": [{"id": s.id, "title": s.title, "number": s.number or "", "issuer": s.issuer,
                               "date": s.date.isoformat() if s.date else ""} for s in pf.notice_sources()],
                "overlays": overlays,
            })
        return out

    def questions(self) -> list[dict]:
        return [q.describe() for q in self._questions.values()]

    def question(self, name: str) -> Question | None:
        return self._questions.get(name)

    @property
    def hardship_categories(self) -> list[str]:
        return self.policies.hardship_categories

    # --- answering ------------------------------------------------------------------------------

    def ask(self, region: str, question: str, inputs: Mapping[str, Any] | None = None) -> Answer:
        region = str(region or "").strip()
        question = str(question or "").strip()
        if inputs is not None and not isinstance(inputs, Mapping):
            return self._bare(region, question, "invalid_input", "输入应为键值对（如 {\"month\": \"2024-01\"}）。")
        inputs = dict(inputs or {})
        q = self._questions.get(question)
        pf = self.policies.regions.get(region)
        if q is None:
            names = "、".join(self._questions)
            return self._bare(region, question, "invalid_input", f"未知的问题 {question!r}；可问的问题：{names}。")
        if pf is None:
            codes = "、".join(f"{p.code} {p.title}" for p in self.policies.regions.values())
            return self._bare(region, question, "invalid_input", f"未知的统筹区 {region!r}；已配置：{codes}。")
        ctx = Context(self.policies, pf)
        try:
            args = self._inputs(ctx, q, inputs)
            result = q.func(ctx, **args)
        except Refusal as refusal:
            return Answer(False, region, question, {}, refusal.to_error(), ctx.steps)
        return Answer(True, region, question, result, None, ctx.steps)

    def _inputs(self, ctx: Context, q: Question, inputs: dict) -> dict:
        known = {i.name for i in q.inputs}
        unknown = sorted(k for k in inputs if k not in known)
        if unknown:
            raise ctx.refuse("invalid_input", f"问题 {q.name} 没有输入 {'、'.join(unknown)}；"
                                              f"可用输入：{'、'.join(i.name for i in q.inputs)}。")
        args = {}
        for inp in q.inputs:
            raw = inputs.get(inp.name)
            if _blank(raw) and inp.type not in ("categories", "text"):
                if inp.required:
                    raise ctx.refuse("invalid_input", f"缺少输入 {inp.name}（{inp.title}）。")
                continue
            if raw is None:
                continue
            try:
                args[inp.name] = _coerce(inp, raw)
            except ValueError as exc:
                raise ctx.refuse("invalid_input", f"输入 {inp.name}（{inp.title}）无效：{exc}") from None
        return args

    def _bare(self, region: str, question: str, code: str, message: str) -> Answer:
        return Answer(False, region, question, {}, {"code": code, "message": message},
                      [{"code": code, "rule": message, "parameters": {}, "citations": []}])

    # --- batches ---------------------------------------------------------------------------------

    def batch_resident_premium(self, region: str, insurance_year: int, category_masks):
        from .batch import resident_premium

        return resident_premium(self, region, insurance_year, category_masks)

    def batch_employee_base(self, region: str, month: str, wages_fen, **average):
        from .batch import employee_base

        return employee_base(self, region, month, wages_fen, **average)

    def batch_employee_contribution(self, region: str, month: str, bases_fen):
        from .batch import employee_contribution

        return employee_contribution(self, region, month, bases_fen)
