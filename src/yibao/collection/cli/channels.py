"""``yibao collection channel-token NAME --region CODE`` prints a new channel's token once;
``channels`` lists them; ``revoke-token ID`` revokes one."""

from __future__ import annotations

from django.utils import timezone

from ..models import PaymentChannel
from ..services import channels


def configure(sub) -> None:
    p = sub.add_parser("channel-token", help="创建缴费渠道并显示其令牌（仅显示一次）")
    p.add_argument("name", help="渠道名称，如 微信、支付宝、电子税务局、某银行柜面")
    p.add_argument("--region", required=True, help="统筹区代码，如 371728")
    p = sub.add_parser("channels", help="列出缴费渠道")
    p.add_argument("--region", help="统筹区代码")
    p = sub.add_parser("revoke-token", help="吊销缴费渠道的令牌")
    p.add_argument("channel", type=int, help="渠道编号（见 channels）")


def _create(args, actor) -> int:
    channel, token = channels.create_channel(args.name, region=args.region, actor=actor)
    print(f"已创建缴费渠道 {channel.pk}：{channel.name}（统筹区 {channel.region_id}）")
    print("令牌（只显示这一次，请妥善交给渠道方；系统只保存其摘要）：")
    print(token)
    return 0


def _list(args, actor) -> int:
    qs = PaymentChannel.objects.all()
    if args.region:
        qs = qs.filter(region_id=args.region)
    for c in qs:
        state = f"已吊销 {timezone.localtime(c.revoked_at):%Y-%m-%d %H:%M}" if c.revoked_at else "有效"
        print(f"{c.pk}\t{c.region_id}\t{c.name}\t{c.token_hint}…\t{state}")
    return 0


def _revoke(args, actor) -> int:
    channel = PaymentChannel.objects.filter(pk=args.channel).first()
    if channel is None:
        print(f"操作未完成：缴费渠道 {args.channel} 不存在")
        return 2
    channels.revoke_channel(channel, actor=actor)
    print(f"已吊销缴费渠道 {channel.pk}（{channel.name}）的令牌")
    return 0


COMMANDS = {"channel-token": ("collection.channels", _create, False),
            "channels": ("collection.channels", _list, False),
            "revoke-token": ("collection.channels", _revoke, False)}
