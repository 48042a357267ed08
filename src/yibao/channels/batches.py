"""The outer flow of a channel's payment batch, shared by both schemes (the resident scheme's
premiums, the employee scheme's bills): each scheme judges and writes its own payments, this
module runs them.

1. Clean each payment; a payment that cannot be read is answered with its refusal at once.
2. Judge and write the rest in one transaction, with the requests' audit entries.
3. If a concurrent request won a race meanwhile (took a transaction id first, or the database
   broke a deadlock with it), start again in a new transaction: each payment alone, in its own
   savepoint, read afresh and answered as its replay, its conflict or a new payment, tried again
   while it keeps losing races (``dbutil.until_won``), and answered ``busy`` (409, resend later
   with the same content) if it still does.

Several requests (each a list of payments and the caller's address) go through as one batch, so
that the group commit (``group_commit``) can write concurrent single payments together; each
request gets its own answers back, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, OperationalError, transaction

from yibao.dbutil import lost_race, until_won
from yibao.errors import AppError
from yibao.http import error_body

BUSY = "busy"  # still losing races after RETRIES tries: resend later (idempotent)
RETRIES = 3

Requests = list[tuple[list[Any], str | None]]


def record_requests(requests: Requests, *, clean: Callable[[Any], Any],
                    record: Callable[[dict[int, Any], list, bool], None],
                    audit: Callable[[list, dict[int, Any], list], None],
                    outcome: Callable[..., Any], refusal: type[AppError]) -> list[list]:
    """The answers of each request's payments.

    ``clean(raw)`` returns the payment to judge or raises ``refusal``; ``record(cleaned, outcomes,
    again)`` judges and writes the payments ``cleaned`` (their index → payment) and puts each one's
    answer at its index in ``outcomes`` (``again``: after a lost race, so the payments the channel
    already sent must be looked up first); ``audit(items, cleaned, outcomes)`` writes the requests'
    audit entries; ``outcome(status, body, payment, error)`` makes an answer."""
    items = [item for request_items, _ in requests for item in request_items]
    outcomes: list = [None] * len(items)
    cleaned: dict[int, Any] = {}
    for n, raw in enumerate(items):
        try:
            cleaned[n] = clean(raw)
        except refusal as exc:
            outcomes[n] = outcome(exc.status, error_body(exc), None, exc)
    try:
        with transaction.atomic():
            record(cleaned, outcomes, False)
            audit(items, cleaned, outcomes)
    except (IntegrityError, OperationalError) as exc:
        if not lost_race(exc):
            raise
        for n in cleaned:
            outcomes[n] = None
        with transaction.atomic():
            for n, item in cleaned.items():
                if outcomes[n] is None:
                    _alone(n, item, outcomes, record, outcome, refusal)
            audit(items, cleaned, outcomes)
    answers, at = [], 0
    for request_items, _ in requests:
        answers.append(outcomes[at:at + len(request_items)])
        at += len(request_items)
    return answers


def _alone(n: int, item, outcomes: list, record, outcome, refusal: type[AppError]) -> None:
    def attempt() -> None:
        outcomes[n] = None   # a lost try answers nothing
        record({n: item}, outcomes, True)

    if until_won(attempt, RETRIES):
        return
    busy = refusal(f"交易 {item.transaction_id} 正与其他请求同时处理，本次未记录，请稍后以相同内容重发。", code=BUSY,
                   fields={"transaction_id": item.transaction_id})
    busy.status = 409
    outcomes[n] = outcome(409, error_body(busy), None, busy)
