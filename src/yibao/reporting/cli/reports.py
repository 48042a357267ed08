"""``yibao reports …``: the weekly report, the monthly bulletin and the counties' weekly
submissions from the command line. Parses arguments, calls one service or selector, prints.

  yibao reports --as USER weekly --region 140500 --year 2024 [--week 2023-11-10] [--format pdf] [--out F]
  yibao reports --as USER monthly --region 140500 --year 2024 [--month 2023-11] [--format pdf] [--out F]
  yibao reports --as USER submit --region 140500 --county 140502 [--year 2024] [--note …]
  yibao reports friday        (the Friday job, at once: stores every due weekly report)
"""

from __future__ import annotations

import sys
from pathlib import Path

from yibao import terminal
from yibao.access.permissions import user_can
from yibao.documents.charts import ChartError
from yibao.errors import AppError

from ..services import reports, submissions


def configure(parser) -> None:
    parser.add_argument("--as", dest="as_user", help="以该用户的身份操作（记入审计日志）")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("weekly", "生成筹资进展周报（xlsx 或附统计图的 PDF）"), ("monthly", "生成月通报（xlsx 或 PDF）")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--region", required=True, help="统筹区代码，如 140500")
        p.add_argument("--year", required=True, type=int, help="保险年度")
        if name == "weekly":
            p.add_argument("--week", help="周报截止日（星期五，YYYY-MM-DD）；默认最近的星期五")
        else:
            p.add_argument("--month", help="通报月份 YYYY-MM；默认本月")
        p.add_argument("--format", choices=("xlsx", "pdf"), default="xlsx")
        p.add_argument("--out", help="输出文件（默认为报表的文件名）")
    p = sub.add_parser("submit", help="报送本县本周的筹资进展（县级经办人员）")
    p.add_argument("--region", required=True, help="统筹区代码")
    p.add_argument("--county", required=True, help="县（市、区）代码")
    p.add_argument("--year", type=int, help="保险年度；默认正在征缴的年度")
    p.add_argument("--note", default="", help="说明")
    sub.add_parser("friday", help="立即执行每周五的定时任务：生成并保存到期的周报")


def _write(args, data: bytes, default: str) -> Path:
    out = Path(args.out or default)
    out.write_bytes(data)
    return out


def run(args) -> int:
    if args.action == "friday":
        stored = reports.friday_reports()
        for r in stored:
            print(f"已生成 {r.region.name} {r.week_ending.isoformat()} 周报")
        if not stored:
            print("没有到期未生成的周报。")
        return 0
    if not args.as_user:
        print("请用 --as 指明操作人", file=sys.stderr)
        return 2
    actor = terminal.actor(args.as_user)
    capability = "reporting.submit" if args.action == "submit" else "reporting.view"
    if not user_can(actor, capability):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    try:
        if args.action == "submit":
            done = submissions.submit_week(actor, args.region, args.county, year=args.year, note=args.note)
            verdict = {True: "按时", False: "逾期", None: "通知未规定报送时限"}[done.on_time]
            print(f"已报送 {done.county.name} {done.week_ending.isoformat()} 所在周的筹资进展"
                  f"（缴费 {done.figures['paid']} 人，{verdict}）")
            return 0
        if args.action == "weekly":
            report = reports.weekly(actor, args.region, args.year, reports.parse_week(args.week))
            data = reports.weekly_pdf(report) if args.format == "pdf" else reports.weekly_xlsx(report)
            out = _write(args, data, reports.weekly_file_name(report.region.name, report.week_ending, args.format))
            print(f"已生成 {report.region.name} {report.period_text} 周报（缴费 {report.total.paid} 人）：{out}")
            return 0
        b = reports.bulletin(actor, args.region, args.year, reports.parse_month(args.month))
        data = reports.bulletin_pdf(b) if args.format == "pdf" else reports.bulletin_xlsx(b)
        out = _write(args, data, reports.bulletin_file_name(b, args.format))
        print(f"已生成 {b.title}：{out}")
        return 0
    except (AppError, ChartError) as exc:
        print(f"操作未完成：{exc}", file=sys.stderr)
        return 2
