"""``yibao resident --as USER change file|review|list``: change requests from the command line.
Parses arguments, calls one service or selector, prints."""

from __future__ import annotations

import os
import sys

from yibao.access.permissions import user_can
from yibao.accounts.personal_data import record_whole_view, shown_id_number

FIELDS = (("name", "--name", "新姓名"), ("id_number", "--new-id-number", "新身份证号码"),
          ("hukou_division", "--hukou", "新户籍地区划代码（12 位村或 9 位乡镇）"),
          ("residence_division", "--residence", "新居住地区划代码（12 位村或 9 位乡镇）"), ("phone", "--phone", "新联系电话"))


def configure(sub) -> None:
    c = sub.add_parser("change", help="参保信息变更：登记、审核、查询")
    cs = c.add_subparsers(dest="change_action", required=True)
    f = cs.add_parser("file", help="为本区域的参保人员登记信息变更（附证明材料）")
    f.add_argument("id_number", help="参保人员现身份证号码")
    for _, flag, helptext in FIELDS:
        f.add_argument(flag, default="", help=helptext)
    f.add_argument("--reason", default="", help="变更原因")
    f.add_argument("--doc", action="append", default=[], metavar="[名称=]文件",
                   help="证明材料（PDF、JPEG 或 PNG），可多次给出，如 --doc 户口簿=hk.pdf")
    r = cs.add_parser("review", help="审核变更申请（登记人不能审核）")
    r.add_argument("pk", type=int, help="变更申请编号")
    decision = r.add_mutually_exclusive_group(required=True)
    decision.add_argument("--approve", action="store_true", help="审核通过，变更生效")
    decision.add_argument("--reject", action="store_true", help="驳回（须写 --note）")
    r.add_argument("--note", default="", help="审核意见")
    q = cs.add_parser("list", help="本区域的变更申请")
    q.add_argument("--status", default="pending", choices=["pending", "approved", "rejected"])
    q.add_argument("--limit", type=int, default=50)


def _print(actor, change) -> None:
    from ..selectors.changes import change_lines

    print(f"#{change.pk} {change.person.name} {shown_id_number(actor, change.person.id_number)} "
          f"{change.division.name} {change.get_status_display()} 申请人：{change.filed_by_label}")
    for line in change_lines(actor, change):
        print(f"    {line.label}：{line.before or '（空）'} → {line.after}")
    if change.note:
        print(f"    审核意见：{change.note}")


def _file(args, actor) -> int:
    from django.core.files import File

    from .. import selectors, services

    person = selectors.person_for(actor, args.id_number)
    if person is None:
        print(f"参保人员 {args.id_number} 不存在，或不在 {actor.username} 的负责区域内", file=sys.stderr)
        return 2
    changes = {name: getattr(args, flag[2:].replace("-", "_")) for name, flag, _ in FIELDS}
    handles = []
    try:
        documents = []
        for spec in args.doc:
            title, _, filename = spec.rpartition("=")
            handle = open(filename, "rb")  # noqa: SIM115  (closed below)
            handles.append(handle)
            documents.append(services.DocumentIn(title, File(handle, name=os.path.basename(filename))))
        change = services.file_change(person, {k: v for k, v in changes.items() if v}, actor=actor,
                                      documents=documents, reason=args.reason)
    except OSError as exc:
        print(f"无法读取材料文件：{exc.filename}", file=sys.stderr)
        return 2
    finally:
        for handle in handles:
            handle.close()
    print(f"已登记变更申请 #{change.pk}，等待另一名经办人员审核。")
    _print(actor, change)
    return 0


def _review(args, actor) -> int:
    from .. import selectors, services
    from ..selectors.changes import open_problem

    if not user_can(actor, "resident.review"):
        print(f"用户 {actor.username} 无权审核变更申请", file=sys.stderr)
        return 2
    change = selectors.change_for(actor, args.pk)
    if change is None:
        print(f"变更申请 #{args.pk} 不存在，或不在 {actor.username} 的负责区域内", file=sys.stderr)
        return 2
    change = services.review_change(change, actor=actor, approve=args.approve, note=args.note)
    problem = open_problem(change) if change.status == "pending" else None
    if problem is not None:
        print(f"变更未生效，已转入待处理信息：{problem.message}", file=sys.stderr)
        return 1
    print("已审核通过，变更已生效。" if change.status == "approved" else "已驳回。")
    return 0


def _list(args, actor) -> int:
    from .. import selectors

    rows = list(selectors.changes_for(actor, status=args.status).order_by("created_at", "id")[:args.limit])
    record_whole_view(actor, "change_request", "queue", people=len(rows), what="变更申请（命令行）")
    for change in rows:
        _print(actor, change)
    print(f"共 {len(rows)} 份")
    return 0


def _run(args, actor) -> int:
    return {"file": _file, "review": _review, "list": _list}[args.change_action](args, actor)


# agents and clerks file and list; reviewing needs resident.review besides (checked above)
COMMANDS: dict = {"change": ("resident.register", _run)}
