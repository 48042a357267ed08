"""What the collection offers, registered with the platform (``yibao.registry``): its page routes,
API router, navigation entries and command line."""

from __future__ import annotations

from yibao import registry


def register() -> None:
    registry.urls("yibao.collection.urls")
    from .api import router

    registry.api_router("/collection", router)

    # 代收: the village agent's collection page, and the villages' deposits and 申报清单
    registry.nav("collection_collect", "代收缴费", capability="collection.collect", scheme="resident", order=270)
    registry.nav("collection_deposits", "代收缴存与申报", capability="collection.view_deposits", scheme="resident",
                 order=275)

    from .cli import configure, run

    registry.command("collection", "城乡居民医保费征收：缴费渠道、对账、资助与退费", configure, run)
