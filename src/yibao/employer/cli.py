"""``yibao employer …``: the employee scheme's batch work from the command line. Registered
with the platform (``registrations.py``); parses arguments, calls one service, prints."""

from __future__ import annotations

import os
import sys

from yibao import terminal
from yibao.access.permissions import user_can


def configure(e) -> None:
    e.add_argument("--as", dest="as_user", required=True, help="以该用户的身份操作（记入审计日志）")
    es = e.add_subparsers(dest="action", required=True)
    for name, helptext in (("import", "导入报盘文件（xlsx 或 csv）"), ("forms", "导出申报表格")):
        x = es.add_parser(name, help=helptext)
        x.add_argument("unit", help="单位编号")
        x.add_argument("--year", type=int, required=True)
        x.add_argument("--kind", default="active", choices=["active", "retiree"])
        if name == "import":
            x.add_argument("file")
        else:
            x.add_argument("form", help="detail / summary / base_report / commitment")
            x.add_argument("--format", default="pdf", choices=["pdf", "xlsx"])
            x.add_argument("--out")
    q = es.add_parser("queue", help="审核队列")
    q.add_argument("--region")
    q.add_argument("--status", default="submitted")
    q.add_argument("--year", type=int)
    q.add_argument("--limit", type=int, default=50)
    w = es.add_parser("average-wage", help="录入新公布的全省全口径城镇单位就业人员平均工资")
    w.add_argument("region")
    w.add_argument("--wage-year", type=int, required=True)
    w.add_argument("--annual-amount", required=True)
    w.add_argument("--published-on", required=True, help="YYYY-MM-DD")
    w.add_argument("--document")
    o = es.add_parser("operator", help="创建参保单位经办人账号（以单位编号登录）")
    o.add_argument("unit", help="单位编号")
    o.add_argument("--password", required=True)
    o.add_argument("--name", help="经办人姓名")


def _declaration(args, actor):
    from . import selectors, services

    unit = selectors.units_for(actor).filter(unit_number=args.unit).first()
    if unit is None:
        raise SystemExit(f"单位 {args.unit} 不存在，或不在 {actor.username} 的管辖范围内")
    try:
        return services.open_declaration(unit, args.year, args.kind, actor=actor)
    except services.DeclarationError as exc:
        raise SystemExit(str(exc)) from None


def _operator(args, actor) -> int:
    from yibao.accounts.services import AccountError

    from . import selectors, services

    unit = selectors.units_for(actor).filter(unit_number=args.unit).first()
    if unit is None:
        print(f"单位编号 {args.unit} 不存在", file=sys.stderr)
        return 2
    try:
        user = services.create_unit_operator(unit, password=args.password, full_name=args.name or "", actor=actor)
    except AccountError as exc:
        print(f"创建失败：{exc}", file=sys.stderr)
        return 2
    print(f"已创建用户 {user.username}（{user.get_role_display()}）")
    return 0


def run(args) -> int:
    from . import selectors, services
    from .models import DeclarationStatus

    actor = terminal.actor(args.as_user)
    needed = {"import": "employer.declare", "forms": "employer.view_declaration", "queue": "employer.view",
              "average-wage": "employer.set_average_wage", "operator": "users.manage"}[args.action]
    if not user_can(actor, needed):
        print(f"{actor.username}（{actor.get_role_display()}）无权执行此操作。", file=sys.stderr)
        return 2
    if args.action == "import":
        from django.core.files import File

        declaration = _declaration(args, actor)
        total = max(1, declaration.line_count)
        with open(args.file, "rb") as fh:
            outcome = services.start_import(
                declaration, File(fh, name=os.path.basename(args.file)), actor=actor, inline=True,
                progress=lambda done: done % 500 or print("\r" + terminal.bar(min(100, 100 * done // total)), end="",
                                                          flush=True))
        print()
        print(outcome.message)
        for e in outcome.errors[:50]:
            print(f"  第 {e['row']} 行 {e['column']}：{e['message']}")
        if outcome.report:
            print(f"错误清单：{outcome.report}")
        return 0 if outcome.ok else 1
    if args.action == "forms":
        from .forms.export import FormNotAvailable, export_form

        declaration = _declaration(args, actor)
        try:
            file = export_form(declaration, args.form, args.format, actor=actor).file
        except FormNotAvailable as exc:
            print(f"本统筹区没有表格 {args.form}；可用：{', '.join(exc.available)}", file=sys.stderr)
            return 2
        out = args.out or file.filename
        with open(out, "wb") as fh:
            fh.write(file.content)
        print(f"已导出 {out}")
        return 0
    if args.action == "queue":
        flt = selectors.QueueFilter(region=args.region or "", status=args.status, year=args.year)
        counts = selectors.status_counts(actor, args.year)
        print("  ".join(f"{label} {counts[value]}" for value, label in DeclarationStatus.choices))
        for d in selectors.review_queue(actor, flt)[:args.limit]:
            mark = "⚑" if d.flagged else " "
            print(f"{mark} {d.pk:>7} {d.unit.unit_number:<14} {d.unit.name:<20} {d.line_count:>6} 人 "
                  f"基数合计 {d.base_total:>14} {d.get_status_display()}")
        return 0
    if args.action == "average-wage":
        from yibao.errors import AppError
        from yibao.regions.models import Division

        region = Division.objects.filter(key=args.region, is_pooling_region=True).first()
        if region is None:
            print(f"统筹区 {args.region} 不存在", file=sys.stderr)
            return 2
        try:
            job = services.publish_average_wage(
                region=region, wage_year=args.wage_year, annual_amount=args.annual_amount,
                published_on=args.published_on, document=args.document or "", actor=actor, in_process=True)
        except AppError as exc:
            print(f"未录入：{exc}", file=sys.stderr)
            return 2
        if job.status == "failed":
            print(job.message, file=sys.stderr)
            return 2
        print(job.message)
        return 0
    if args.action == "operator":
        return _operator(args, actor)
    return 2
