"""``yibao reporting …``: maintenance of the progress counters.

  yibao reporting rebuild-tallies [--region 140500] [--year 2024]   (after migrating existing data; repair)
  yibao reporting check-tallies [--region 140500] [--year 2024]     (exit 1 where they differ)
"""

from __future__ import annotations

from ..services import tallies


def configure(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("rebuild-tallies", "由参保与缴费记录重算征缴进度计数（迁移已有数据或修复；请在停止办理缴费、登记时运行）"),
                            ("check-tallies", "核对征缴进度计数与参保、缴费记录重算的结果")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--region", help="统筹区代码；默认全部")
        p.add_argument("--year", type=int, help="保险年度；默认全部")


def run(args) -> int:
    if args.action == "rebuild-tallies":
        done = tallies.rebuild(args.region, args.year)
        for region, year in done:
            print(f"已重算 {region} {year} 年度的征缴进度计数")
        if not done:
            print("没有参保或缴费记录，无需重算。")
        return 0
    found = tallies.differences(args.region, args.year)
    for line in found[:50]:
        print(line)
    if found:
        print(f"征缴进度计数与重算结果不一致：{len(found)} 处。请运行 yibao reporting rebuild-tallies。")
        return 1
    print("征缴进度计数与参保、缴费记录一致。")
    return 0
