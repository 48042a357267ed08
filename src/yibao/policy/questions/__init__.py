"""The questions the engine answers. Each is a function of a ``Context`` and coerced inputs,
registered with its name, Chinese title, inputs and outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

#: Input types and how they are written.
INPUT_TYPES = {
    "month": "月份 YYYY-MM",
    "date": "日期 YYYY-MM-DD",
    "money": "金额（元）",
    "int": "整数",
    "year": "年份",
    "bool": "是/否（true/false）",
    "text": "文字",
    "categories": "困难群体类别列表（可为空）",
    "choice": "以下之一",
}


@dataclass
class Input:
    name: str
    type: str
    title: str
    required: bool = True
    choices: tuple[str, ...] = ()

    def describe(self) -> dict:
        out = {"name": self.name, "type": self.type, "title": self.title, "required": self.required}
        if self.choices:
            out["choices"] = list(self.choices)
        return out


@dataclass
class Question:
    name: str
    title: str
    scheme: str
    inputs: list[Input]
    outputs: dict[str, str]
    func: Callable = field(repr=False)

    def describe(self) -> dict:
        return {"name": self.name, "title": self.title, "scheme": self.scheme,
                "inputs": [i.describe() for i in self.inputs],
                "outputs": [{"name": k, "title": v} for k, v in self.outputs.items()]}


REGISTRY: dict[str, Question] = {}


def question(name: str, title: str, inputs: list[Input], outputs: dict[str, str]):
    def register(func):
        REGISTRY[name] = Question(name, title, name.split(".")[0], inputs, outputs, func)
        return func

    return register


def load_all() -> dict[str, Question]:
    from . import employee, resident  # noqa: F401  (registration)

    return REGISTRY
