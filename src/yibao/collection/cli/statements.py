"""``yibao collection --as USER reconcile --channel ID --day YYYY-MM-DD FILE`` compares a channel's
statement of a day with what it recorded and lists the differences; ``statements`` lists the
statements; ``resolve-difference ID --note TEXT`` resolves one difference."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from yibao.identity import mask_id_number

from ..models import DifferenceStatus
from ..selectors import work as selectors
from ..services import reconcile

CAPABILITY = "collection.reconcile"


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def configure(sub) -> None:
    p = sub.add_parser("reconcile", help="渠道对账：上传某日对账单（csv，UTF-8 或 GBK），与系统记录比对")
    p.add_argument("--channel", required=True, type=int, help="缴费渠道编号（见 channels）")
    p.add_argument("--day", required=True, type=_day, help="对账日期，如 2023-11-20")
    p.add_argument("file", help="对账单文件：transaction_id,id_number,amount,paid_at")
    p = sub.add_parser("statements", help="列出对账单")
    p.add_argument("--status", choices=["open", "reconciled"], help="open 待处理差异；reconciled 已对平")
    p = sub.add_parser("resolve-difference", help="处理一笔对账差异")
    p.add_argument("difference", type=int, help="差异编号（见 reconcile 的输出）")
    p.add_argument("--note", required=True, help="处理说明")


def _print_differences(statement) -> None:
    for d in statement.differences.order_by("status", "kind", "id"):
        amounts = f"对账单 {d.statement_amount if d.statement_amount is not None else '—'} / " \
                  f"系统 {d.recorded_amount if d.recorded_amount is not None else '—'}"
        state = "" if d.status == DifferenceStatus.OPEN else f"（已处理：{d.resolution}）"
        print(f"  差异 {d.pk}\t{d.get_kind_display()}\t{d.transaction_id}\t{mask_id_number(d.id_number)}\t{amounts}{state}")


def _reconcile(args, actor) -> int:
    channel = selectors.channel_for(actor, args.channel)
    if channel is None:
        print(f"操作未完成：缴费渠道 {args.channel} 不存在", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"操作未完成：找不到文件 {args.file}", file=sys.stderr)
        return 2
    statement = reconcile.reconcile(channel, args.day, path.read_bytes(), path.name, actor=actor)
    opened = statement.differences.count()
    print(f"对账单 {statement.pk}：{channel.name} {statement.day}，对账单 {statement.lines} 笔 {statement.amount} 元，"
          f"系统记录 {statement.recorded} 笔 {statement.recorded_amount} 元，差异 {opened} 笔，"
          f"状态：{statement.get_status_display()}")
    _print_differences(statement)
    return 0


def _list(args, actor) -> int:
    qs = selectors.statements_for(actor)
    if args.status:
        qs = qs.filter(status=args.status)
    for s in qs[:200]:
        print(f"{s.pk}\t{s.day}\t{s.channel.name}\t{s.lines} 笔\t{s.amount} 元\t{s.get_status_display()}")
    return 0


def _resolve(args, actor) -> int:
    difference = selectors.difference_by_id(actor, args.difference)
    if difference is None:
        print(f"操作未完成：差异 {args.difference} 不存在", file=sys.stderr)
        return 2
    statement = difference.statement
    reconcile.resolve(difference, args.note, actor=actor)
    statement.refresh_from_db()
    print(f"已处理差异 {difference.pk}；对账单 {statement.pk} 状态：{statement.get_status_display()}")
    return 0


COMMANDS = {"reconcile": (CAPABILITY, _reconcile, True),
            "statements": (CAPABILITY, _list, True),
            "resolve-difference": (CAPABILITY, _resolve, True)}
