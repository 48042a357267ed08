"""The ``yibao`` command line.

  yibao init                 create/upgrade the database and load the reference data
  yibao demo                 load the demonstration data set and print the demo logins
  yibao serve                serve the web app (and a background-job worker) on 127.0.0.1:8000
  yibao worker               run the background-job worker alone
  yibao createuser …         create a user of any role
  yibao jobs [ID] [--watch]  list background jobs or show one job's progress
  yibao backup PATH          back the database up to a file (mode 0600)
  yibao restore PATH         restore a backup into an empty database (--force: a non-empty one)
  yibao policy …             policy engine: test case files, ask questions (no database needed)
  yibao employer …           employee scheme batch work: import a declaration file, export forms,
                             list the review queue, record a newly published average wage, create
                             a unit's operator account (each app registers its own subcommands)
  yibao audit verify         check the audit log's hash chains
  yibao manage …             any Django management command
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from yibao.terminal import bar


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yibao.settings")
    import django

    django.setup()


def cmd_init(args) -> int:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from yibao.audit import database
    from yibao.regions.services import load_reference_data

    with database.as_owner():  # migrations as the tables' owner; the application's role gets its rights
        call_command("migrate", interactive=False, verbosity=0)
        if role := database.application_role():
            database.grant_application_role(connection, role)
    s = load_reference_data()
    print(f"数据库已就绪；参考数据：区划 {s.divisions} 个（其中乡镇街道 {s.townships} 个、村居委会 {s.villages} 个），"
          f"经办机构 {s.agencies} 个，参保任务 {s.targets} 条。")
    if s.rekeyed:
        print(f"已将 {s.rekeyed} 个无代码的乡镇街道换为统计用区划代码，原有引用随之迁移。")
    if warning := database.superuser_warning(connection):
        print(warning, file=sys.stderr)
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
    from yibao.regions.models import Division

    if args.role == "unit_operator":
        print("参保单位经办人账号随单位创建：yibao employer --as 管理员账号 operator 单位编号 --password 密码",
              file=sys.stderr)
        return 2
    division = Division.objects.filter(key=args.division).first() if args.division else None
    if args.division and division is None:
        print(f"区划 {args.division} 不存在", file=sys.stderr)
        return 2
    try:
        user = create_user(role=args.role, username=args.username or "", password=args.password,
                           full_name=args.name or "", division=division, id_number=args.id_number or "")
    except AccountError as exc:
        print(f"创建失败：{exc}", file=sys.stderr)
        return 2
    print(f"已创建用户 {user.username}（{user.get_role_display()}）")
    return 0


def cmd_jobs(args) -> int:
    _django()
    from yibao.jobs.models import Job

    if not args.id:
        for job in Job.objects.all()[:20]:
            print(f"{job.id}  {job.get_status_display():<4} {bar(job.percent, 20)}  {job.label}")
        return 0
    while True:
        job = Job.objects.filter(pk=args.id).first()
        if job is None:
            print("任务不存在", file=sys.stderr)
            return 2
        line = f"{job.label} {bar(job.percent)} {job.done}/{job.total} {job.get_status_display()} {job.message}"
        print("\r" + line, end="", flush=True)
        if job.finished or not args.watch:
            print()
            return 0 if job.status != "failed" else 1
        time.sleep(0.5)


def cmd_backup(args) -> int:
    from django.conf import settings

    from yibao.backups import BackupError, backup

    try:
        path = backup(args.path, force=args.force)
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 2
    print(f"已备份到 {path}（仅所有者可读写）。上传的材料在 {settings.MEDIA_ROOT} 下，请一并备份。")
    return 0


def cmd_restore(args) -> int:
    from yibao.backups import BackupError, restore

    try:
        done = restore(args.path, force=args.force)
    except BackupError as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 2
    print(f"已恢复 {len(done.tables)} 张表，共 {sum(done.tables.values())} 行。")
    if not done.audit.ok:
        for broken in done.audit.breaks:
            print(f"审计日志校验失败：{broken.describe()}", file=sys.stderr)
        return 1
    print(f"审计日志完好：{done.audit.intact} 条记录的哈希链全部校验通过。")
    return 0


def _run_registered(command):
    def run(args) -> int:
        return command.run(args)

    return run


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
    c.add_argument("--id-number", help="身份证号码（个人）")
    c.set_defaults(func=cmd_createuser)
    j = sub.add_parser("jobs", help="查看后台任务进度")
    j.add_argument("id", nargs="?")
    j.add_argument("--watch", action="store_true", help="持续显示直到完成")
    j.set_defaults(func=cmd_jobs)
    b = sub.add_parser("backup", help="备份数据库到文件（SQLite 在线备份；PostgreSQL pg_dump）")
    b.add_argument("path")
    b.add_argument("--force", action="store_true", help="覆盖已有的文件")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="把备份恢复到空数据库")
    r.add_argument("path")
    r.add_argument("--force", action="store_true", help="数据库不是空的也覆盖")
    r.set_defaults(func=cmd_restore)
    # Each domain app registers its own subcommands (yibao.registry): adding an app edits no file here.
    from yibao import registry

    for command in registry.commands():
        x = sub.add_parser(command.name, help=command.help)
        command.configure(x)
        x.set_defaults(func=_run_registered(command))
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
    _django()  # the apps register their subcommands as Django loads them
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
