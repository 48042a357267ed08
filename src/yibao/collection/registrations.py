"""What the collection offers, registered with the platform (``yibao.registry``): its page routes,
API router, navigation entries and command line."""

from __future__ import annotations

from yibao import registry


def register() -> None:
    registry.urls("yibao.collection.urls")
    from .api import router

    registry.api_router("/collection", router)

    # 资助参保 and 家庭共济账户缴费 serve the resident scheme
    registry.nav("collection_fund", "资助参保", capability="collection.fund_view", scheme="resident", order=300)
    registry.nav("collection_family", "家庭共济缴费", capability="collection.family", scheme="resident", order=310)

    from .cli import configure, run

    registry.command("collection", "城乡居民医保费征收：缴费渠道、对账、资助与退费", configure, run)
