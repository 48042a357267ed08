"""Daily reconciliation (对账): a channel's statement file for one day against the payments the
channel recorded that day.

Set-based: the day's recorded payments are read once into a dict (transaction id → amount, person,
payment), the file's lines are read into another, and only the differences are stored: a line
with no recorded payment (对账单有、系统无), a recorded payment with no line (系统有、对账单无), or
the two with different amounts. A million lines reconcile in a few seconds
(bench/collection_reconcile_bench.py). A clerk resolves each difference with a note; a statement
with no open difference is reconciled (已对平). Every upload, refusal and resolution is audited.

The file is csv in UTF-8 or GBK with a header naming the columns transaction_id, id_number, amount
and paid_at (or 交易流水号、身份证号码、金额、缴费时间), in any order."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.channels.models import Channel
from yibao.identity import mask_id_number
from yibao.money import FEN

from ..errors import AppError, CollectionError, Conflict
from ..models import (
    DifferenceKind,
    DifferenceStatus,
    Payment,
    Statement,
    StatementDifference,
    StatementStatus,
)

MAX_BYTES = 200 * 1024 * 1024     # a million lines take about 70 MB
COLUMNS = {"transaction_id": ("transaction_id", "交易流水号"), "id_number": ("id_number", "身份证号码"),
           "amount": ("amount", "金额"), "paid_at": ("paid_at", "缴费时间")}
SHOWN_PROBLEMS = 10   # lines named in a refusal


@dataclass(frozen=True)
class Line:
    id_number: str
    amount: Decimal


def _refuse(message: str, code: str = "invalid_file", **fields) -> CollectionError:
    exc = CollectionError(message, code=code, fields=fields or None)
    exc.status = 422
    return exc


def decode(data: bytes) -> str:
    """UTF-8 (with or without its mark), else GBK (read as GB 18030, its superset)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise _refuse("对账单不是 UTF-8 或 GBK 编码的 CSV 文件。")


def _header(row: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in row]
    where = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                where[key] = names.index(alias)
                break
    missing = [COLUMNS[k][0] for k in COLUMNS if k not in where]
    if missing:
        raise _refuse(f"对账单表头缺少列：{'、'.join(missing)}。表头应为 transaction_id,id_number,amount,paid_at"
                      "（或 交易流水号,身份证号码,金额,缴费时间，顺序不限）。", code="columns_missing")
    return where


def _local_day(text: str) -> dt.date | None:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.date()
    return timezone.localtime(when).date()


def parse(text: str, day: dt.date) -> dict[str, Line]:
    """The statement's lines by transaction id; a file with a malformed line, a repeated
    transaction id or a line of another day is refused whole, naming the first lines."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise _refuse("对账单是空文件。")
    where = _header(header)
    t, n, a, p = where["transaction_id"], where["id_number"], where["amount"], where["paid_at"]
    width = max(where.values()) + 1
    lines: dict[str, Line] = {}
    problems: list[str] = []
    day_text = day.isoformat()
    offset = timezone.make_aware(dt.datetime.combine(day, dt.time(12))).isoformat()[-6:]  # e.g. +08:00
    for number, row in enumerate(reader, start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) < width:
            problems.append(f"第 {number} 行列数不足")
            continue
        tid = row[t].strip()
        try:
            amount = Decimal(row[a].strip())
            if not amount.is_finite() or amount != amount.quantize(FEN):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(f"第 {number} 行金额“{row[a][:20]}”无效")
            continue
        paid = row[p].strip()
        # the common case, a time with the local offset, needs no parsing to know its day
        if not (paid[:10] == day_text and paid.endswith(offset)) and _local_day(paid) != day:
            problems.append(f"第 {number} 行缴费时间“{paid[:32]}”不是对账日期 {day_text}")
            continue
        if not tid or len(tid) > 64:
            problems.append(f"第 {number} 行交易流水号为空或超过 64 个字符")
            continue
        if tid in lines:
            problems.append(f"第 {number} 行交易流水号 {tid} 重复")
            continue
        lines[tid] = Line(row[n].strip().upper(), amount.quantize(FEN))
        if len(problems) >= SHOWN_PROBLEMS:
            break
    if problems:
        raise _refuse("对账单未导入：" + "；".join(problems[:SHOWN_PROBLEMS]) + "。请渠道方核对后重新提供。",
                      lines=len(problems))
    return lines


def recorded(channel: Channel, day: dt.date) -> dict[str, tuple[Decimal, str, int]]:
    """The channel's payments recorded for ``day``: transaction id → (amount, identity number, pk).
    Read with one plain query (a million rows through the ORM's row objects and decimal
    converters take ten times as long); SQLite hands back amounts as numbers, made exact here."""
    table = connection.ops.quote_name(Payment._meta.db_table)
    sql = (f"SELECT transaction_id, amount, id_number, id FROM {table} "  # noqa: S608 (our own table name)
           "WHERE region_id = %s AND paid_on = %s AND channel_id = %s AND refund_of_id IS NULL")
    out: dict[str, tuple[Decimal, str, int]] = {}
    exact = connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute(sql, [channel.region_id, day.isoformat() if connection.vendor == "sqlite" else day, channel.pk])
        while rows := cur.fetchmany(50_000):
            if exact:
                for tid, amount, number, pk in rows:
                    out[tid] = (amount, number, pk)
            else:
                for tid, amount, number, pk in rows:
                    out[tid] = (_money(amount), number, pk)
    return out


_MONEY_CACHE: dict = {}


def _money(value) -> Decimal:
    """A stored amount as exact yuan (SQLite keeps 125.00 as the number 125)."""
    found = _MONEY_CACHE.get(value)
    if found is None:
        found = Decimal(str(value)).quantize(FEN)
        if len(_MONEY_CACHE) < 10_000:
            _MONEY_CACHE[value] = found
    return found


def differences(lines: dict[str, Line], ours: dict[str, tuple[Decimal, str, int]]) -> list[StatementDifference]:
    out = []
    for tid in lines.keys() - ours.keys():
        line = lines[tid]
        out.append(StatementDifference(kind=DifferenceKind.MISSING_HERE, transaction_id=tid,
                                       id_number=line.id_number[:18], statement_amount=line.amount))
    for tid in ours.keys() - lines.keys():
        amount, number, pk = ours[tid]
        out.append(StatementDifference(kind=DifferenceKind.MISSING_THERE, transaction_id=tid, id_number=number,
                                       recorded_amount=amount, payment_id=pk))
    for tid in lines.keys() & ours.keys():
        line, (amount, number, pk) = lines[tid], ours[tid]
        if line.amount != amount:
            out.append(StatementDifference(kind=DifferenceKind.AMOUNT, transaction_id=tid, id_number=number,
                                           statement_amount=line.amount, recorded_amount=amount, payment_id=pk))
        if line.id_number.upper() != number.upper():  # the channel says it paid for someone else
            out.append(StatementDifference(kind=DifferenceKind.PERSON, transaction_id=tid, id_number=number,
                                           statement_id_number=line.id_number[:18], statement_amount=line.amount,
                                           recorded_amount=amount, payment_id=pk))
    out.sort(key=lambda d: (d.kind, d.transaction_id))
    return out



def reconcile(channel: Channel, day: dt.date, data: bytes, filename: str, *, actor) -> Statement:
    """Compare a channel's statement of ``day`` with what it recorded; store the statement and its
    differences (one transaction). A refusal (a second statement of the day, a malformed file)
    writes nothing but its audit entry."""
    try:
        return _reconcile(channel, day, data, filename, actor=actor)
    except AppError as exc:
        record_event(actor, "collection.statement.refuse", "statement", "",
                     after={"channel": channel.pk, "day": day.isoformat(), "filename": filename[:200],
                            "code": exc.code, "message": exc.message[:500]},
                     division_path=channel.region.path)
        raise


def _reconcile(channel, day, data, filename, *, actor) -> Statement:
    if day > clock.today():
        raise _refuse(f"对账日期 {day.isoformat()} 晚于今天。", code="invalid_input", day=day.isoformat())
    if len(data) > MAX_BYTES:
        raise _refuse(f"对账单过大：不能超过 {MAX_BYTES // 1024 // 1024} MB。", code="too_large")
    if Statement.objects.filter(channel=channel, day=day).exists():
        raise Conflict(f"渠道“{channel.name}” {day.isoformat()} 的对账单已上传，不能重复对账。", code="statement_exists",
                       fields={"day": day.isoformat()})
    lines = parse(decode(data), day)
    with transaction.atomic():
        ours = recorded(channel, day)
        found = differences(lines, ours)
        statement = Statement(region_id=channel.region_id, channel=channel, day=day,
                              digest=hashlib.sha256(data).hexdigest(), filename=filename[:200], lines=len(lines),
                              amount=sum((x.amount for x in lines.values()), Decimal("0.00")), recorded=len(ours),
                              recorded_amount=sum((x[0] for x in ours.values()), Decimal("0.00")),
                              status=StatementStatus.OPEN if found else StatementStatus.RECONCILED,
                              actor_id=getattr(actor, "pk", None))
        try:
            with transaction.atomic():
                statement.save()
        except IntegrityError:
            raise Conflict(f"渠道“{channel.name}” {day.isoformat()} 的对账单已上传，不能重复对账。",
                           code="statement_exists", fields={"day": day.isoformat()}) from None
        for d in found:
            d.statement = statement
        StatementDifference.objects.bulk_create(found, batch_size=2000)
        kinds = {k: sum(1 for d in found if d.kind == k) for k in DifferenceKind.values}
        record_event(actor, "collection.statement.reconcile", "statement", statement.pk,
                     after={"channel": channel.pk, "channel_name": channel.name, "day": day.isoformat(),
                            "filename": statement.filename, "digest": statement.digest, "lines": statement.lines,
                            "amount": statement.amount, "recorded": statement.recorded,
                            "recorded_amount": statement.recorded_amount, "differences": kinds,
                            "status": statement.status},
                     division_path=channel.region.path)
    return statement


@transaction.atomic
def resolve(difference: StatementDifference, note: str, *, actor) -> StatementDifference:
    """A clerk resolves one difference with a note; the statement is reconciled when none is open."""
    note = (note or "").strip()
    if not note:
        raise _refuse("请填写处理说明（如：已补记、渠道已冲正、已与渠道核实）。", code="note_required", note="必填")
    if len(note) > 500:
        raise _refuse("处理说明不能超过 500 个字。", code="invalid_input", note="过长")
    statement = Statement.objects.select_for_update().get(pk=difference.statement_id)
    difference = StatementDifference.objects.select_for_update().get(pk=difference.pk)
    if difference.status != DifferenceStatus.OPEN:
        raise Conflict(f"此差异已于 {timezone.localtime(difference.resolved_at):%Y-%m-%d %H:%M} 处理，不能重复处理。",
                       code="already_resolved")
    difference.status = DifferenceStatus.RESOLVED
    difference.resolution = note
    difference.resolved_by_id = getattr(actor, "pk", None)
    difference.resolved_at = timezone.now()
    difference.save(update_fields=["status", "resolution", "resolved_by_id", "resolved_at"])
    if not statement.differences.filter(status=DifferenceStatus.OPEN).exists():
        statement.status = StatementStatus.RECONCILED
        statement.save(update_fields=["status"])
    record_event(actor, "collection.statement.resolve", "statement_difference", difference.pk,
                 before={"status": DifferenceStatus.OPEN},
                 after={"statement": statement.pk, "kind": difference.kind, "transaction_id": difference.transaction_id,
                        "id_number": mask_id_number(difference.id_number), "statement_amount": difference.statement_amount,
                        "recorded_amount": difference.recorded_amount, "resolution": note,
                        "statement_status": statement.status},
                 division_path=statement.region.path if statement.region_id else "")
    return difference
