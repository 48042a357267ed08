"""Policy questions over the API: the same engine the services use, answered as JSON."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yibao import clock
from yibao.access.permissions import user_can
from yibao.http import responds
from yibao.policy import get_engine

router = Router(tags=["政策"])


def _need(request) -> None:
    if not user_can(request.user, "policy.ask"):
        raise HttpError(403, "您的角色无权使用此接口。")


class AskIn(Schema):
    region: str
    question: str
    input: dict[str, Any] = {}


class QuestionsOut(Schema):
    regions: list[dict[str, Any]]
    questions: list[dict[str, Any]]


class AnswerOut(Schema):
    ok: bool
    region: str
    question: str
    values: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    explanation: list[Any] | None = None


@router.get("/questions", response=responds(QuestionsOut))
def questions(request):
    _need(request)
    engine = get_engine()
    return {"regions": engine.regions(), "questions": engine.questions()}


@router.post("/ask", response=responds(AnswerOut))
def ask(request, payload: AskIn):
    """Answer one policy question; a refusal (not_configured, out_of_range …) is a normal answer
    with ``ok: false`` and its explanation, not an HTTP error."""
    _need(request)
    return get_engine().ask(payload.region, payload.question, payload.input).to_json()


class GapOut(Schema):
    region: str
    region_name: str
    question: str
    title: str
    message: str
    missing: list[str]


class GapsOut(Schema):
    year: int
    region: str | None
    gaps: list[GapOut]


@router.get("/gaps", response=responds(GapsOut))
def gaps(request, region: str | None = Query(None, max_length=12), year: int | None = Query(None, ge=1990, le=2200)):
    """各统筹区某年度尚不能回答（not_configured）的问题及缺少的参数（管理员）；与政策缺口页、
    ``yibao policy gaps`` 同一查询。``year`` 默认为业务日期所在年度。"""
    from yibao.policy.gaps import gaps as find_gaps

    if not user_can(request.user, "policy.gaps"):
        raise HttpError(403, "您的角色无权使用此接口。")
    engine = get_engine()
    names = {r["code"]: r["name"] for r in engine.regions()}
    if region and region not in names:
        raise HttpError(404, "统筹区不存在或没有政策文件。")
    year = year or clock.today().year
    return {"year": year, "region": region or None,
            "gaps": [{**g.__dict__, "region_name": names[g.region]} for g in find_gaps(engine, year, region or None)]}
