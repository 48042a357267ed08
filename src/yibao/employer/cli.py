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
    r = es.add_parser("register-unit", help="单位参保登记（分配单位编号）")
    for flag, helptext in (("--name", "单位名称"), ("--uscc", "统一社会信用代码"), ("--division", "所在区划代码"),
                           ("--nature", "单位性质"), ("--address", "单位地址"), ("--postcode", "邮政编码"),
                           ("--contact-name", "经办人姓名"), ("--contact-phone", "联系电话")):
        r.add_argument(flag, required=True, help=helptext)
    r.add_argument("--industry", default="")
    r.add_argument("--subsidy", action="store_true", help="参加公务员医疗补助")
    a = es.add_parser("open-account", help="为单位开户（生成初始密码，只显示一次）")
    a.add_argument("unit", help="单位编号")
    a.add_argument("--name", default="", help="单位经办人姓名")
    st = es.add_parser("unit-status", help="暂停、恢复或注销单位")
    st.add_argument("unit", help="单位编号")
    st.add_argument("--status", required=True, choices=["normal", "suspended", "closed"])
    st.add_argument("--on", required=True, help="生效日期 YYYY-MM-DD")
    st.add_argument("--reason", required=True)
    ch = es.add_parser("unit-change", help="提交单位信息变更申请（另一名经办人员审核）")
    ch.add_argument("unit", help="单位编号")
    ch.add_argument("--set", action="append", default=[], metavar="字段=新值",
                    help="name / nature / address / postcode / contact_name / contact_phone / industry / "
                         "civil_servant_subsidy")
    ch.add_argument("--reason", default="")
    rv = es.add_parser("unit-review", help="审核单位信息变更申请")
    rv.add_argument("change", type=int, help="变更申请编号")
    rv.add_argument("--approve", action="store_true")
    rv.add_argument("--reject", action="store_true")
    rv.add_argument("--note", default="")
    c = es.add_parser("counter", help="窗口办理：代单位上传报盘文件、材料并提交")
    c.add_argument("unit", help="单位编号")
    c.add_argument("--year", type=int, required=True)
    c.add_argument("--file", help="报盘文件（xlsx 或 csv）")
    c.add_argument("--material", action="append", default=[], metavar="材料代码=文件")
    c.add_argument("--submit", action="store_true")


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
              "average-wage": "employer.set_average_wage", "operator": "users.manage",
              "register-unit": "employer.register_unit", "open-account": "employer.register_unit",
              "unit-status": "employer.register_unit", "unit-change": "employer.register_unit",
              "unit-review": "employer.register_unit", "counter": "employer.counter"}[args.action]
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
    from yibao.errors import AppError

    try:
        return _units(args, actor)
    except AppError as exc:
        print(f"未办理：{exc}", file=sys.stderr)
        return 2


def _unit_arg(args, actor):
    from . import selectors

    unit = selectors.units_for(actor).filter(unit_number=args.unit).first()
    if unit is None:
        raise SystemExit(f"单位 {args.unit} 不存在，或不在 {actor.username} 的管辖范围内")
    return unit


def _units(args, actor) -> int:
    """Unit registration, account, status, changes and counter service: one service per step."""
    from . import selectors, services

    if args.action == "register-unit":
        unit = services.register_unit(
            actor=actor, name=args.name, uscc=args.uscc, division=args.division, nature=args.nature,
            address=args.address, postcode=args.postcode, contact_name=args.contact_name,
            contact_phone=args.contact_phone, civil_servant_subsidy=args.subsidy, industry=args.industry)
        print(f"已登记：{unit.name}，单位编号 {unit.unit_number}")
        return 0
    if args.action == "open-account":
        opened = services.open_account(_unit_arg(args, actor), actor=actor, full_name=args.name)
        print(f"已开户：登录账号 {opened.user.username}")
        print(f"初始密码（只显示这一次）：{opened.password}")
        return 0
    if args.action == "unit-status":
        record = services.set_status(_unit_arg(args, actor), args.status, effective_on=args.on, reason=args.reason,
                                     actor=actor)
        print(f"单位状态已改为“{record.get_status_display()}”，自 {record.effective_on} 起")
        return 0
    if args.action == "unit-change":
        changes = {}
        for item in args.set:
            field, sep, value = item.partition("=")
            if not sep:
                print(f"变更项应写作 字段=新值：{item}", file=sys.stderr)
                return 2
            changes[field.strip()] = value
        change = services.file_change(_unit_arg(args, actor), changes, actor=actor, reason=args.reason)
        print(f"已提交变更申请 {change.pk}，待另一名经办人员审核")
        return 0
    if args.action == "unit-review":
        if args.approve == args.reject:
            print("请指定 --approve 或 --reject", file=sys.stderr)
            return 2
        change = selectors.unit_change_for(actor, args.change)
        if change is None:
            print(f"变更申请 {args.change} 不存在", file=sys.stderr)
            return 2
        change = services.review_change(change, actor=actor, approve=args.approve, note=args.note)
        print(f"变更申请 {change.pk}：{change.get_status_display()}")
        return 0
    if args.action == "counter":
        from django.core.files import File

        declaration = services.open_declaration(_unit_arg(args, actor), args.year, actor=actor, counter=True)
        print(f"窗口办理：{declaration}（{declaration.get_status_display()}）")
        if args.file:
            with open(args.file, "rb") as fh:
                outcome = services.start_import(declaration, File(fh, name=os.path.basename(args.file)), actor=actor,
                                                inline=True, counter=True)
            print(outcome.message)
            for e in outcome.errors[:50]:
                print(f"  第 {e['row']} 行 {e['column']}：{e['message']}")
            if not outcome.ok:
                return 1
        for item in args.material:
            code, sep, path = item.partition("=")
            if not sep:
                print(f"材料应写作 材料代码=文件：{item}", file=sys.stderr)
                return 2
            with open(path, "rb") as fh:
                m = services.upload_material(declaration, code, File(fh, name=os.path.basename(path)), actor=actor,
                                             counter=True)
            print(f"已上传：{m.title}")
        if args.submit:
            services.submit(declaration, actor=actor, counter=True)
            print("已代单位提交，等待审核")
        return 0
    return 2
