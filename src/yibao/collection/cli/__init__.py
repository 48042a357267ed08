"""``yibao collection [--as USER] …``: the collection from the command line. Each subdomain's
module adds its subcommands (``configure(subparsers)``) and runs them (``COMMANDS``: name →
(capability, handler, needs_user)). Parses arguments, calls one service, prints.

Channel tokens are made by whoever administers the server (the shell is the administrator's):
``--as`` is optional for them and, when given, must name an administrator."""

from __future__ import annotations

import sys

from yibao import terminal
from yibao.access.permissions import user_can
from yibao.errors import AppError

from . import agents, channels, family, fund, paid_lists, refunds, statements

MODULES = (channels, agents, statements, refunds, paid_lists, fund, family)


def configure(parser) -> None:
    parser.add_argument("--as", dest="as_user", help="以该用户的身份操作（记入审计日志）")
    sub = parser.add_subparsers(dest="action", required=True)
    for module in MODULES:
        module.configure(sub)


def run(args) -> int:
    commands = {name: spec for module in MODULES for name, spec in module.COMMANDS.items()}
    capability, handler, needs_user = commands[args.action]
    actor = terminal.actor(args.as_user) if args.as_user else None
    if actor is None and needs_user:
        print("请用 --as 指明操作人", file=sys.stderr)
        return 2
    if actor is not None and not user_can(actor, capability):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    try:
        return handler(args, actor)
    except AppError as exc:
        print(f"操作未完成：{exc}", file=sys.stderr)
        return 2
