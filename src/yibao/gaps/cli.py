"""``yibao gaps --as USER import-registry|uncovered|duplicates|resolve …``: the same services and
selectors as the pages; the import runs as a job in this process (same job record and progress)."""

from __future__ import annotations

import datetime as dt
import os
import sys

from django.core.files import File


def configure(parser) -> None:
    parser.add_argument("--as", dest="as_user", required=True, help="以该用户的身份操作（记入审计日志）")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("import-registry", help="导入户籍人口库并比对（xlsx 或 UTF-8/GBK 编码的 csv）")
    p.add_argument("--region", required=True, help="统筹区代码，如 140500")
    p.add_argument("--year", type=int, default=None, help="保险年度（默认今年）")
    p.add_argument("file")
    u = sub.add_parser("uncovered", help="某村（社区）应保未保名单")
    u.add_argument("village", help="12 位村（社区）代码")
    u.add_argument("--year", type=int, default=None)
    u.add_argument("--xlsx", default="", help="另存为 xlsx 文件")
    d = sub.add_parser("duplicates", help="重复参保名单")
    d.add_argument("--year", type=int, default=None)
    r = sub.add_parser("resolve", help="处理重复参保")
    r.add_argument("id_number")
    r.add_argument("--year", type=int, default=None)
    r.add_argument("--keep", required=True, choices=["employee", "resident"], help="保留职工医保或居民医保")
    r.add_argument("--note", default="")
    r.add_argument("--event-date", default="", help="参加职工医保日期（已缴费退费时）")
    r.add_argument("--evidence", default="", help="证明材料扫描件（已缴费退费时）")


def _year(args) -> int:
    from yibao import clock

    return args.year or clock.today().year


def _import(args, actor) -> int:
    from . import services

    if not os.path.isfile(args.file):
        print(f"文件不存在：{args.file}", file=sys.stderr)
        return 2
    with open(args.file, "rb") as fh:
        job = services.start_import(File(fh, name=os.path.basename(args.file)), region=args.region,
                                    insurance_year=args.year, actor=actor, in_process=True)
    result = job.result or {}
    print(job.message)
    for e in result.get("errors", [])[:50]:
        print(f"  第 {e['row']} 行 {e['column']}：{e['message']}")
    if job.result_file:
        print(f"错误清单：{job.result_file}")
    return 0 if job.status == "done" and result.get("ok", True) else 1


def _uncovered(args, actor) -> int:
    from yibao.accounts.personal_data import record_whole_view, shown_id_number

    from . import exports, selectors

    place = selectors.village_for(actor, args.village)
    if place is None:
        print(f"村（社区）{args.village} 不存在，或不在 {actor.username} 的管辖范围内", file=sys.stderr)
        return 2
    found = selectors.extract_covering(actor, place, _year(args))
    if found is None:
        print(f"{_year(args)} 年度尚未比对户籍人口库", file=sys.stderr)
        return 2
    people = list(selectors.uncovered_in(actor, found, place))
    record_whole_view(actor, "village_uncovered", place.key, people=len(people), division_path=place.path,
                      what="应保未保名单")
    print(f"{place.name}（{place.key}）{_year(args)} 年度应保未保 {len(people)} 人")
    for p in people:
        print(f"{shown_id_number(actor, p.id_number)}\t{p.name}")
    if args.xlsx:
        with open(args.xlsx, "wb") as out:
            out.write(exports.uncovered_xlsx(actor, place, _year(args), found, people))
        print(f"已导出：{args.xlsx}")
    return 0


def _duplicates(args, actor) -> int:
    from yibao.accounts.personal_data import shown_id_number

    from . import selectors

    rows = selectors.duplicates(actor, _year(args))
    print(f"{_year(args)} 年度重复参保 {len(rows)} 人")
    for d in rows:
        print(f"{shown_id_number(actor, d.id_number)}\t{d.name}\t居民医保：{d.region} {d.village} {d.status}\t"
              f"{'；'.join(d.employee)}")
    return 0


def _resolve(args, actor) -> int:
    from yibao.collection.refunding import Evidence

    from . import services

    evidence = None
    if args.evidence:
        with open(args.evidence, "rb") as fh:
            evidence = Evidence(os.path.basename(args.evidence), fh.read())
    try:
        event_date = dt.date.fromisoformat(args.event_date) if args.event_date else None
    except ValueError:
        print(f"日期无效：{args.event_date}", file=sys.stderr)
        return 2
    r = services.resolve(args.id_number, _year(args), kept=args.keep, note=args.note, event_date=event_date,
                         evidence=evidence, actor=actor)
    extra = f"，退费申请 {r.refund_id} 待审核" if r.refund_id else "，居民医保登记已注销" if r.cancelled else ""
    print(f"已处理：{r.get_kept_display()}{extra}")
    return 0


COMMANDS: dict = {
    "import-registry": ("gaps.import", _import),
    "uncovered": ("gaps.view", _uncovered),
    "duplicates": ("gaps.view", _duplicates),
    "resolve": ("gaps.resolve", _resolve),
}


def run(args) -> int:
    from yibao import terminal
    from yibao.access.permissions import user_can
    from yibao.errors import AppError

    capability, handler = COMMANDS[args.action]
    actor = terminal.actor(args.as_user)
    if not user_can(actor, capability):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    try:
        return handler(args, actor)
    except AppError as exc:
        print(f"操作未完成：{exc}", file=sys.stderr)
        return 2
