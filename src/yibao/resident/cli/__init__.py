"""``yibao resident --as USER …``: the resident scheme from the command line. Each subdomain's
module adds its subcommands (``configure(subparsers)``) and runs them (``COMMANDS``: name →
(capability, handler)). Parses arguments, calls one service, prints."""

from __future__ import annotations

import sys

from yibao import terminal
from yibao.access.permissions import user_can
from yibao.errors import AppError

from . import changes, imports, registration, roster

MODULES = (registration, imports, changes, roster)


def configure(parser) -> None:
    parser.add_argument("--as", dest="as_user", required=True, help="以该用户的身份操作（记入审计日志）")
    sub = parser.add_subparsers(dest="action", required=True)
    for module in MODULES:
        module.configure(sub)


def run(args) -> int:
    commands = {name: spec for module in MODULES for name, spec in module.COMMANDS.items()}
    capability, handler = commands[args.action]
    actor = terminal.actor(args.as_user)
    if not user_can(actor, capability):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    try:
        return handler(args, actor)
    except AppError as exc:
        print(f"操作未完成：{exc}", file=sys.stderr)
        return 2
