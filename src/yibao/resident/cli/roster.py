"""``yibao resident --as USER roster build|confirm|post|export --village CODE [--year YEAR]
[--format pdf|xlsx --out FILE]``: the renewal roster (续保人员名册) from the command line; the
year is the coming insurance year unless given, as on the page and over the API."""

from __future__ import annotations

import sys

from yibao import terminal
from yibao.access.permissions import user_can


def configure(sub) -> None:
    r = sub.add_parser("roster", help="续保人员名册：生成、核准、张贴公示、导出")
    r.add_argument("step", choices=["build", "confirm", "post", "export"],
                   help="build 生成（核准前可重新生成）/ confirm 核准 / post 张贴公示 / export 导出")
    r.add_argument("--village", required=True, help="村（社区）12 位区划代码")
    r.add_argument("--year", type=int, help="续保年度（默认为即将开始的保险年度：集中缴费期正在进行或下一个开始的年度）")
    r.add_argument("--format", default="pdf", choices=["pdf", "xlsx"])
    r.add_argument("--out", help="导出文件（默认为名册文件名）")


STEP_CAPABILITY = {"build": "resident.roster", "confirm": "resident.roster", "post": "resident.roster_post",
                   "export": "resident.view"}


def roster(args, actor) -> int:
    from ..selectors import roster as selectors
    from ..services import roster as services

    if not user_can(actor, STEP_CAPABILITY[args.step]):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    year = args.year or selectors.roster_year(actor)
    if args.step == "build":
        village = selectors.village_for(actor, args.village)
        if village is None:
            print(f"村（社区）{args.village} 不存在，或不在 {actor.username} 的负责区域内", file=sys.stderr)
            return 2
        made = services.build(village, year, actor=actor)
        print(f"已生成 {village.name} {year} 年度续保人员名册：{made.people} 人（{made.get_status_display()}）")
        return 0
    found = selectors.roster_of_village(actor, args.village, year)
    if found is None:
        print(f"{args.village} 没有 {year} 年度续保人员名册，或不在 {actor.username} 的负责区域内", file=sys.stderr)
        return 2
    if args.step == "confirm":
        done = services.confirm(found, actor=actor)
        print(f"已核准 {done.division.name} {year} 年度续保人员名册：{done.people} 人")
        return 0
    if args.step == "post":
        done = services.post(found, actor=actor)
        print(f"已登记 {done.division.name} {year} 年度续保人员名册张贴公示")
        return 0
    total = [1]

    def start(n):
        total[0] = max(1, n)

    def progress(page):
        print("\r" + terminal.bar(min(100, 100 * page // total[0])), end="", flush=True)

    path, file = services.render_file(found, args.format, actor=actor, name=f"roster-{found.pk}", start=start,
                                      progress=progress if args.format == "pdf" else None)
    if args.format == "pdf":
        print()
    out = args.out or file.filename
    with open(out, "wb") as fh:
        fh.write(file.content)
    path.unlink(missing_ok=True)
    print(f"已导出 {out}（{found.people} 人）")
    return 0


# the module's subcommands: name → (capability checked before the handler, handler); each step's
# own capability is checked in the handler
COMMANDS: dict = {"roster": ("resident.view", roster)}
