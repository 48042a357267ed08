"""``yibao collection --as USER paid-list VILLAGE --year Y [--format pdf|xlsx] [--out FILE]`` writes a
village's 已缴费人员清册 (identity numbers masked)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..selectors import work as selectors
from ..services import paid_lists


def configure(sub) -> None:
    p = sub.add_parser("paid-list", help="导出村（社区）已缴费人员清册（xlsx 或 PDF，身份证号码部分隐藏）")
    p.add_argument("village", help="村（社区）代码，12 位")
    p.add_argument("--year", required=True, type=int, help="保险年度")
    p.add_argument("--format", choices=paid_lists.FORMATS, default="xlsx")
    p.add_argument("--out", help="输出文件（默认为清册的文件名）")


def _export(args, actor) -> int:
    village = selectors.village_for(actor, args.village)
    if village is None:
        print(f"操作未完成：村（社区）{args.village} 不存在", file=sys.stderr)
        return 2
    result = paid_lists.export(village, args.year, args.format, actor=actor)
    out = Path(args.out or result.filename)
    out.write_bytes(result.content)
    print(f"已导出 {village.name} {args.year} 年度已缴费人员清册（{result.people} 人）：{out}")
    return 0


COMMANDS = {"paid-list": ("collection.paid_list", _export, True)}
