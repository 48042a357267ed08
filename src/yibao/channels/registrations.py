"""What the channels offer, registered with the platform (``yibao.registry``): the
administrator's page, its navigation entry (for both schemes) and ``yibao channels``."""

from __future__ import annotations

from yibao import registry


def register() -> None:
    registry.urls("yibao.channels.urls")
    registry.nav("channels", "缴费渠道", capability="channels.manage", order=290)

    from .cli import configure, run

    registry.command("channels", "缴费渠道：创建（显示令牌）、列出、吊销；城乡居民医保与职工医保共用", configure, run)
