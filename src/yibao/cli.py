"""The ``yibao`` command line.

  yibao init                 create/upgrade the database and load the reference data
  yibao demo                 load the demonstration data set and print the demo logins
  yibao serve                serve the web app (and a background-job worker) on 127.0.0.1:8000
  yibao worker               run the background-job worker alone
  yibao createuser …         create a user of any role
  yibao jobs [ID] [--watch]  list background jobs or show one job's progress
  yibao policy …             policy engine: test case files, ask questions (no database needed)
  yibao employer …           employee scheme batch work: import a declaration file, export forms,
                             list the review queue, record a newly published average wage
  yibao manage …             any Django management command
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yibao.settings")
    import django

    django.setup()


def cmd_init(args) -> int:
    _django()
    from django.core.management import call_command

    from yibao.regions.services import load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    s = load_reference_data()
    print(f"数据库已就绪；参考数据：区划 {s.divisions} 个，经办机构 {s.agencies} 个，参保任务 {s.targets} 条。")
    return 0


def cmd_demo(args) -> int:
    _django()
    from yibao.demo import load_demo

    logins = load_demo()
    print("演示账号（密码相同）：")
    width = max(len(x.username) for x in logins)
    for x in logins:
        print(f"  {x.role:<16}\t{x.username:<{width}}  密码 {x.password}  范围：{x.scope}")
    return 0


def cmd_serve(args) -> int:
    _django()
    from waitress import serve

    from yibao.wsgi import application

    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "yibao.cli", "worker"])  # noqa: S603
    print(f"医保系统已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）", flush=True)
    try:
        serve(application, host=args.host, port=args.port, threads=8, ident="yibao")
    finally:
        if worker:
            worker.terminate()
    return 0


def cmd_worker(args) -> int:
    _django()
    from django.core.management import call_command

    call_command("run_huey")
    return 0


def cmd_createuser(args) -> int:
    _django()
    from yibao.accounts.services import AccountError, create_user
    from yibao.employer.models import Unit
    from yibao.employer.services import create_unit_operator
    from yibao.regions.models import Division

    division = Division.objects.filter(key=args.division).first() if args.division else None
    if args.division and division is None:
        print(f"区划 {args.division} 不存在", file=sys.stderr)
        return 2
    unit = Unit.objects.filter(unit_number=args.unit).first() if args.unit else None
    if args.unit and unit is None:
        print(f"单位编号 {args.unit} 不存在", file=sys.stderr)
        return 2
    try:
        if args.role == "unit_operator":
            if unit is None:
                print("参保单位经办人必须用 --unit 指定单位编号", file=sys.stderr)
                return 2
            user = create_unit_operator(unit, password=args.password, full_name=args.name or "")
        else:
            user = create_user(role=args.role, username=args.username or "", password=args.password,
                               full_name=args.name or "", division=division, id_number=args.id_number or "")
    except AccountError as exc:
        print(f"创建失败：{exc}", file=sys.stderr)
        return 2
    print(f"已创建用户 {user.username}（{user.get_role_display()}）")
    return 0


def _bar(percent: int, width: int = 30) -> str:
    filled = width * percent // 100
    return "[" + "#" * filled + "-" * (width - filled) + f"] {percent:3d}%"


def cmd_jobs(args) -> int:
    _django()
    from yibao.jobs.models import Job

    if not args.id:
        for job in Job.objects.all()[:20]:
            print(f"{job.id}  {job.get_status_display():<4} {_bar(job.percent, 20)}  {job.label}")
        return 0
    while True:
        job = Job.objects.filter(pk=args.id).first()
        if job is None:
            print("任务不存在", file=sys.stderr)
            return 2
        line = f"{job.label} {_bar(job.percent)} {job.done}/{job.total} {job.get_status_display()} {job.message}"
        print("\r" + line, end="", flush=True)
        if job.finished or not args.watch:
            print()
            return 0 if job.status != "failed" else 1
        time.sleep(0.5)


def _actor(username: str):
    from yibao.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise SystemExit(f"用户 {username} 不存在或已停用")
    return user


def _declaration(args, actor):
    from yibao.employer import selectors, services

    unit = selectors.units_for(actor).filter(unit_number=args.unit).first()
    if unit is None:
        raise SystemExit(f"单位 {args.unit} 不存在，或不在 {actor.username} 的管辖范围内")
    try:
        return services.open_declaration(unit, args.year, args.kind, actor=actor)
    except services.DeclarationError as exc:
        raise SystemExit(str(exc)) from None


def cmd_employer(args) -> int:
    _django()
    from yibao.employer import selectors, services
    from yibao.employer.models import DeclarationStatus

    actor = _actor(args.as_user)
    from yibao.access.permissions import user_can

    needed = {"import": "employer.declare", "forms": "employer.view_declaration", "queue": "employer.view",
              "average-wage": "employer.set_average_wage"}[args.action]
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
                progress=lambda done: done % 500 or print("\r" + _bar(min(100, 100 * done // total)), end="",
                                                          flush=True))
        print()
        print(outcome.message)
        for e in outcome.errors[:50]:
            print(f"  第 {e['row']} 行 {e['column']}：{e['message']}")
        if outcome.report:
            print(f"错误清单：{outcome.report}")
        return 0 if outcome.ok else 1
    if args.action == "forms":
        from yibao.employer.forms.export import FormNotAvailable, export_form

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
    return 2


def cmd_policy(argv: list[str]) -> int:
    from yibao.policy.cli import main as policy_main

    return policy_main(argv)


def cmd_manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yibao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yibao manage", *argv])
    return 0


def build_parser() -> argparse.ArgumentParser:
    from yibao.access.roles import Role

    p = argparse.ArgumentParser(prog="yibao", description="医保缴费管理系统命令行")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="迁移数据库并加载参考数据").set_defaults(func=cmd_init)
    sub.add_parser("demo", help="加载演示数据并打印演示账号").set_defaults(func=cmd_demo)
    s = sub.add_parser("serve", help="启动网页服务")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")
    s.set_defaults(func=cmd_serve)
    sub.add_parser("worker", help="启动后台任务进程").set_defaults(func=cmd_worker)
    c = sub.add_parser("createuser", help="创建用户")
    c.add_argument("--role", required=True, choices=Role.values)
    c.add_argument("--username", help="用户名（单位经办人用单位编号，个人用身份证号码）")
    c.add_argument("--password", required=True)
    c.add_argument("--name", help="姓名")
    c.add_argument("--division", help="管辖区划标识（工作人员角色）")
    c.add_argument("--unit", help="单位编号（参保单位经办人）")
    c.add_argument("--id-number", help="身份证号码（个人）")
    c.set_defaults(func=cmd_createuser)
    j = sub.add_parser("jobs", help="查看后台任务进度")
    j.add_argument("id", nargs="?")
    j.add_argument("--watch", action="store_true", help="持续显示直到完成")
    j.set_defaults(func=cmd_jobs)
    e = sub.add_parser("employer", help="职工医保缴费基数申报批量操作")
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
    e.set_defaults(func=cmd_employer)
    sub.add_parser("policy", help="政策引擎（yibao policy --help）", add_help=False)
    sub.add_parser("manage", help="Django 管理命令", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # These two pass their arguments through untouched; policy never loads Django.
    if argv and argv[0] == "policy":
        return cmd_policy(argv[1:])
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
