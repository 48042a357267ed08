"""``yibao channels [--as USER] …``: ``create NAME --region CODE --scheme resident|employee``
prints a new channel's token once; ``list`` shows the channels; ``revoke ID`` revokes one's token.

Channel tokens are made by whoever administers the server (the shell is the administrator's):
``--as`` is optional and, when given, must name a user holding ``channels.manage``.
``yibao collection channel-token/channels/revoke-token`` call the same handlers."""

from __future__ import annotations

import sys

from django.utils import timezone

from yibao import terminal
from yibao.access.permissions import user_can
from yibao.errors import AppError

from .models import Channel, Scheme
from .services import channels

CAPABILITY = "channels.manage"
SCHEMES = [s.value for s in Scheme]


def add_create(sub, name: str, *, default_scheme: str | None = None) -> None:
    p = sub.add_parser(name, help="创建缴费渠道并显示其令牌（仅显示一次）")
    p.add_argument("name", help="渠道名称，如 微信、支付宝、电子税务局、某银行柜面")
    p.add_argument("--region", required=True, help="统筹区代码，如 371728")
    p.add_argument("--scheme", action="append", choices=SCHEMES, required=default_scheme is None,
                   help="渠道可缴的险种：resident（城乡居民医保）、employee（职工医保）；两者都可缴时写两次"
                        + (f"（默认 {default_scheme}）" if default_scheme else ""))
    p.set_defaults(default_scheme=default_scheme)


def add_list(sub, name: str) -> None:
    p = sub.add_parser(name, help="列出缴费渠道")
    p.add_argument("--region", help="统筹区代码")
    p.add_argument("--scheme", choices=SCHEMES, help="只列出可缴该险种的渠道")


def add_revoke(sub, name: str) -> None:
    p = sub.add_parser(name, help="吊销缴费渠道的令牌")
    p.add_argument("channel", type=int, help="渠道编号（见 yibao channels list）")


def configure(parser) -> None:
    parser.add_argument("--as", dest="as_user", help="以该用户的身份操作（记入审计日志）")
    sub = parser.add_subparsers(dest="action", required=True)
    add_create(sub, "create")
    add_list(sub, "list")
    add_revoke(sub, "revoke")


def create(args, actor) -> int:
    schemes = args.scheme or [args.default_scheme]
    channel, token = channels.create_channel(args.name, region=args.region, schemes=schemes, actor=actor)
    print(f"已创建缴费渠道 {channel.pk}：{channel.name}（统筹区 {channel.region_id}，可缴 {channel.schemes_label}）")
    print("令牌（只显示这一次，请妥善交给渠道方；系统只保存其摘要）：")
    print(token)
    return 0


def list_(args, actor) -> int:
    from .selectors import channels as listed

    for c in listed(args.region, scheme=getattr(args, "scheme", None)):
        state = f"已吊销 {timezone.localtime(c.revoked_at):%Y-%m-%d %H:%M}" if c.revoked_at else "有效"
        print(f"{c.pk}\t{c.region_id}\t{c.name}\t{c.schemes}\t{c.token_hint}…\t{state}")
    return 0


def revoke(args, actor) -> int:
    channel = Channel.objects.filter(pk=args.channel).first()
    if channel is None:
        print(f"操作未完成：缴费渠道 {args.channel} 不存在", file=sys.stderr)
        return 2
    channels.revoke_channel(channel, actor=actor)
    print(f"已吊销缴费渠道 {channel.pk}（{channel.name}）的令牌")
    return 0


COMMANDS = {"create": create, "list": list_, "revoke": revoke}


def run(args) -> int:
    actor = terminal.actor(args.as_user) if args.as_user else None
    if actor is not None and not user_can(actor, CAPABILITY):
        print(f"用户 {actor.username} 无权执行此操作", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.action](args, actor)
    except AppError as exc:
        print(f"操作未完成：{exc}", file=sys.stderr)
        return 2
