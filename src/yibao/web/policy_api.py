"""Policy questions over the API: the same engine the services use, answered as JSON."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

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
