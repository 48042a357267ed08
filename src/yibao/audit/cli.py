"""``yibao audit …``: the audit log from the command line. Registered with the platform in the
app's ``AppConfig.ready``."""

from __future__ import annotations

import sys


def configure(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("verify", help="校验审计日志的哈希链：指出第一条被改动、删除或插入的记录")


def run(args) -> int:
    from .chain import verify

    result = verify()
    for key, (entries, last) in sorted(result.chains.items()):
        name = f"哈希链“{key}”" if key else "平台哈希链"
        print(f"  {name}：{entries} 条，末条哈希 {last or '（无）'}")
    if not result.ok:
        for broken in result.breaks:
            print(f"审计日志校验失败：{broken.describe()}", file=sys.stderr)
        return 1
    print(f"审计日志完好：{result.intact} 条记录的哈希链全部校验通过。")
    return 0
