"""What a region cannot answer yet: every question of the schemes the region runs, asked with
representative inputs for a year, and the ones answering ``not_configured`` with what is missing."""

from __future__ import annotations

from dataclasses import dataclass


#: Representative inputs by input type (a month, a day, a year of the asked year; an ordinary wage).
def _sample(inp, year: int):
    return {"month": f"{year}-01", "date": f"{year}-01-15", "year": year, "money": "5000", "int": 10,
            "bool": False, "categories": [], "text": "制造业",
            "choice": inp.choices[0] if inp.choices else ""}.get(inp.type)


@dataclass
class Gap:
    region: str
    question: str
    title: str
    message: str
    missing: list[str]


def gaps(engine, year: int, region: str | None = None) -> list[Gap]:
    out = []
    for info in engine.regions():
        if region and info["code"] != region:
            continue
        for q in engine._questions.values():
            if q.scheme not in info["schemes"]:
                continue
            inputs = {i.name: _sample(i, year) for i in q.inputs if i.required or i.type in ("month", "year")}
            if "month" in inputs and "year" in inputs:
                inputs.pop("month")
            if q.name == "resident.benefit_start":
                inputs["kind"] = "ordinary"
            answer = engine.ask(info["code"], q.name, inputs)
            if not answer.ok and answer.error["code"] == "not_configured":
                out.append(Gap(info["code"], q.name, q.title, answer.error["message"], answer.error.get("missing", [])))
    return out
