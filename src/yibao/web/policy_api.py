"""Policy questions over the API: the same engine the services use, answered as JSON."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from yibao.policy import get_engine

router = Router(tags=["政策"])


class AskIn(Schema):
    region: str
    question: str
    input: dict[str, Any] = {}


@router.get("/questions")
def questions(request):
    engine = get_engine()
    return {"regions": engine.regions(), "questions": engine.questions()}


@router.post("/ask")
def ask(request, payload: AskIn):
    """Answer one policy question; a refusal (not_configured, out_of_range …) is a normal answer
    with ``ok: false`` and its explanation, not an HTTP error."""
    return get_engine().ask(payload.region, payload.question, payload.input).to_json()
