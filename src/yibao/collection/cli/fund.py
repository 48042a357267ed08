"""``yibao collection --as CLERK fund-generate --region CODE --year YEAR [--on DATE]`` generates
the assistance fund's payments (the same job as the page, run here with its progress);
``fund-ledger`` prints the ledger; ``fund-statement --out FILE`` writes the statement (xlsx)."""

from __future__ import annotations

import sys
from pathlib import Path

from yibao import terminal
from yibao.jobs.models import JobStatus

from ..printing import fund as printing
from ..selectors import fund as selectors
from ..services import fund as services


def configure(sub) -> None:
    p = sub.add_parser("fund-generate", help="生成医疗救助基金资助参保缴费（可重复运行，不重复记录）")
    p.add_argument("--region", required=True, help="统筹区代码，如 140500")
    p.add_argument("--year", required=True, help="保险年度，如 2024")
    p.add_argument("--on", help="记账日期（YYYY-MM-DD，默认今天）；按当日有效的困难群体认定")
    for name, text in (("fund-ledger", "显示资助台账（按类别、按乡镇）"), ("fund-statement", "导出资助参保结算单（xlsx）")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--region", required=True, help="统筹区代码")
        p.add_argument("--year", required=True, type=int, help="保险年度")
        if name == "fund-statement":
            p.add_argument("--out", required=True, help="输出文件（.xlsx）")


def _generate(args, actor) -> int:
    job = services.start_generation(args.region, args.year, on=args.on, actor=actor, in_process=True)
    print(terminal.bar(job.percent))
    if job.status != JobStatus.DONE:
        print(f"操作未完成：{job.message}", file=sys.stderr)
        return 2
    print(job.message)
    return 0


def _ledger(args, actor) -> int:
    ledger = selectors.ledger(actor, services.pooling_region(args.region, actor), args.year)
    print(f"{ledger.region_name} {ledger.insurance_year} 年度医疗救助基金资助台账")
    for title, rows in (("资助类别", ledger.by_category), ("乡镇（街道）", ledger.by_township)):
        print(f"{title}\t资助人数\t其中已退费\t资助金额（元）")
        for r in rows:
            print(f"{r.label or '—'}\t{r.people}\t{r.refunds}\t{r.amount:.2f}")
        print(f"合计\t{ledger.people}\t{ledger.refunds}\t{ledger.amount:.2f}")
    return 0


def _statement(args, actor) -> int:
    data, name = printing.render_statement(actor, services.pooling_region(args.region, actor), args.year)
    Path(args.out).write_bytes(data)
    print(f"已导出 {name} → {args.out}")
    return 0


COMMANDS = {"fund-generate": ("collection.fund", _generate, True),
            "fund-ledger": ("collection.fund_view", _ledger, True),
            "fund-statement": ("collection.fund_view", _statement, True)}
