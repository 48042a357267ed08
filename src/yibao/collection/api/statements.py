"""Daily reconciliation (对账) over the JSON API: upload a channel's statement for a day, list the
statements, read one with its differences, resolve a difference with a note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from yibao.access.permissions import require_capability
from yibao.http import responds
from yibao.identity import mask_id_number

from ..models import DifferenceStatus, Statement
from ..selectors import work as selectors
from ..services import reconcile

router = Router(tags=["城乡居民医保征收"])
CAPABILITY = "collection.reconcile"


class DifferenceOut(Schema):
    id: int
    kind: str
    kind_display: str
    transaction_id: str
    id_number: str
    statement_id_number: str = ""  # kind "person": the one the statement names, masked
    statement_amount: Decimal | None
    recorded_amount: Decimal | None
    payment_id: int | None
    status: str
    resolution: str
    resolved_at: dt.datetime | None


class StatementOut(Schema):
    id: int
    region: str
    channel: int
    channel_name: str
    day: dt.date
    filename: str
    lines: int
    amount: Decimal
    recorded: int
    recorded_amount: Decimal
    status: str
    status_display: str
    open_differences: int
    created_at: dt.datetime


class StatementDetailOut(StatementOut):
    differences: list[DifferenceOut]


def _difference(d) -> dict:
    return {"id": d.pk, "kind": d.kind, "kind_display": d.get_kind_display(), "transaction_id": d.transaction_id,
            "id_number": mask_id_number(d.id_number),
            "statement_id_number": mask_id_number(d.statement_id_number) if d.statement_id_number else "",
            "statement_amount": d.statement_amount,
            "recorded_amount": d.recorded_amount, "payment_id": d.payment_id, "status": d.status,
            "resolution": d.resolution, "resolved_at": d.resolved_at}


def _out(s: Statement, *, differences: bool = False) -> dict:
    out = {"id": s.pk, "region": s.region_id, "channel": s.channel_id, "channel_name": s.channel.name, "day": s.day,
           "filename": s.filename, "lines": s.lines, "amount": s.amount, "recorded": s.recorded,
           "recorded_amount": s.recorded_amount, "status": s.status, "status_display": s.get_status_display(),
           "open_differences": s.differences.filter(status=DifferenceStatus.OPEN).count(), "created_at": s.created_at}
    if differences:
        out["differences"] = [_difference(d) for d in s.differences.order_by("status", "kind", "id")[:1000]]
    return out


def _get(request, pk: int) -> Statement:
    require_capability(request.user, CAPABILITY)
    statement = selectors.statement_for(request.user, pk)
    if statement is None:
        raise HttpError(404, "对账单不存在。")
    return statement


class StatementIn(Schema):
    day: dt.date


@router.post("/channels/{channel}/statements", response=responds(StatementDetailOut))
def upload_statement(request, channel: int, payload: Form[StatementIn], file: File[UploadedFile]):
    """Upload a channel's statement of a day (multipart: ``day``, ``file``: csv in UTF-8 or GBK with
    the columns transaction_id, id_number, amount, paid_at). It is compared with the payments the
    channel recorded that day; the differences are listed (at most 1,000 here)."""
    require_capability(request.user, CAPABILITY)
    channel = selectors.channel_for(request.user, channel)
    if channel is None:
        raise HttpError(404, "缴费渠道不存在。")
    data = file.read(reconcile.MAX_BYTES + 1)
    statement = reconcile.reconcile(channel, payload.day, data, file.name or "statement.csv", actor=request.user)
    return _out(statement, differences=True)


@router.get("/statements", response=responds(list[StatementOut]))
def list_statements(request, status: str = Query("", pattern="^(|open|reconciled)$"),
                    offset: int = Query(0, ge=0, le=1_000_000), limit: int = Query(50, ge=1, le=500)):
    """The statements of the caller's area, newest day first (``status``: open or reconciled)."""
    require_capability(request.user, CAPABILITY)
    qs = selectors.statements_for(request.user)
    if status:
        qs = qs.filter(status=status)
    return [_out(s) for s in qs[offset:offset + limit]]


@router.get("/statements/{pk}", response=responds(StatementDetailOut))
def get_statement(request, pk: int):
    return _out(_get(request, pk), differences=True)


class ResolveIn(Schema):
    note: str


@router.post("/statements/{pk}/differences/{difference}/resolve", response=responds(StatementDetailOut))
def resolve_difference(request, pk: int, difference: int, payload: ResolveIn):
    """Resolve one difference with a note (required); the statement is reconciled when none is open."""
    statement = _get(request, pk)
    found = selectors.difference_for(request.user, statement, difference)
    if found is None:
        raise HttpError(404, "差异不存在。")
    reconcile.resolve(found, payload.note, actor=request.user)
    statement.refresh_from_db()
    return _out(statement, differences=True)
