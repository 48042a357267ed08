"""The ``yibao`` command line.

  yibao init                 create/upgrade the database and load the reference data
  yibao demo                 load the demonstration data set and print the demo logins
  yibao serve                serve the web app (gunicorn: a process per core, threads in each) and a
                             background-job worker beside it, on 127.0.0.1:8000
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
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

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
    if fixed := _make_private():
        print(f"已将 {fixed} 个运行文件和目录改为仅本服务账号可读写。")
    return 0


def _make_private() -> int:
    """Runtime files (database, secret key, uploads, exports, job queue) are for the service
    account alone: directories 0700, files 0600. New ones are made so (the settings set the
    umask); this fixes those made before. Returns how many were changed."""
    from django.conf import settings

    paths = [Path(settings.VAR_DIR)]
    paths += [p for p in Path(settings.VAR_DIR).rglob("*") if not p.is_symlink()]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and str(database["NAME"]) != ":memory:":
        name = Path(database["NAME"])
        paths += [p for p in (name, Path(f"{name}-wal"), Path(f"{name}-shm")) if p.exists()]
    fixed = 0
    for path in paths:
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        if info.st_uid != os.getuid():
            continue
        wanted = 0o700 if path.is_dir() else 0o600
        if info.st_mode & 0o777 != wanted:
            path.chmod(wanted)
            fixed += 1
    return fixed


def cmd_demo(args) -> int:
    _django()
    from yibao.demo import load_demo

    logins = load_demo()
    print("演示账号（密码相同）：")
    width = max(len(x.username) for x in logins)
    for x in logins:
        print(f"  {x.role:<16}\t{x.username:<{width}}  密码 {x.password}  范围：{x.scope}")
    return 0


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cmd_serve(args) -> int:
    """gunicorn in this process (its master), with ``--workers`` processes of ``--threads`` threads
    each (default: one per core, four threads), and the background-job worker beside it, which
    stops with this process however it ends (see ``cmd_worker``)."""
    _django()
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from yibao.wsgi import application

    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY") or 0) or _cores()

    def ready(server) -> None:
        print(f"医保系统已启动：http://{args.host}:{args.port}/  （Ctrl+C 停止）", flush=True)

    def pre_fork(server, worker) -> None:
        connections.close_all()  # no database connection is shared with a forked process

    def post_fork(server, worker) -> None:
        _on_parent_death(signal.SIGQUIT)  # a gunicorn worker's quick exit, should its master be killed

    options = {
        "bind": f"{args.host}:{args.port}", "workers": workers, "threads": args.threads,
        "worker_class": "gthread", "timeout": 120, "graceful_timeout": 5, "keepalive": 5,
        "proc_name": "yibao", "errorlog": "-", "loglevel": "warning", "accesslog": None,
        "forwarded_allow_ips": "127.0.0.1", "when_ready": ready, "pre_fork": pre_fork,
        "post_fork": post_fork,
    }

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    worker = None
    if not args.no_worker:
        worker = subprocess.Popen([sys.executable, "-m", "yibao.cli", "worker",  # noqa: S603
                                   "--stop-with", str(os.getpid())])
    try:
        Server().run()
    finally:
        if worker:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def _on_parent_death(signum: int) -> None:
    """Have the kernel send ``signum`` to this process when its parent ends (Linux only)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signum, 0, 0, 0)


def _stop_with(parent: int) -> None:
    """End this process when ``parent`` ends, however it ends (a SIGKILL included): on Linux the
    kernel sends SIGTERM when the parent dies (``PR_SET_PDEATHSIG``); everywhere a thread also
    checks the parent every second."""
    _on_parent_death(signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the line above
        sys.exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()


def cmd_worker(args) -> int:
    # before Django is set up (seconds on a busy machine): a parent killed meanwhile ends this too
    if args.stop_with:
        _stop_with(args.stop_with)
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
    s.add_argument("--workers", type=int, default=0,
                   help="网页服务进程数（默认：环境变量 WEB_CONCURRENCY，否则为 CPU 核数）")
    s.add_argument("--threads", type=int, default=4, help="每个网页服务进程的线程数（默认 4）")
    s.set_defaults(func=cmd_serve)
    w = sub.add_parser("worker", help="启动后台任务进程")
    w.add_argument("--stop-with", type=int, metavar="PID", help=argparse.SUPPRESS)
    w.set_defaults(func=cmd_worker)
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
