"""What the collection offers, registered with the platform (``yibao.registry``): its page routes,
API router, navigation entries and command line."""

from __future__ import annotations

from yibao import registry

SCHEME = "resident"  # the collection serves the resident scheme (城乡居民医保)


def register() -> None:
    registry.urls("yibao.collection.urls")
    from .api import router

    registry.api_router("/collection", router)

    registry.nav("collection_channels", "缴费渠道", capability="collection.channels", scheme=SCHEME, order=290)
    registry.panel("collection-my-payments", "collection/home_payments.html", context=_my_payments,
                   capability="resident.self", scheme=SCHEME, order=20)
    registry.nav("collection_statements", "渠道对账", capability="collection.reconcile", scheme=SCHEME, order=300)
    registry.nav("collection_refunds", "退费", capability="collection.refund", scheme=SCHEME, order=310)
    registry.nav("collection_paid_lists", "已缴费清册", capability="collection.paid_list", scheme=SCHEME, order=320)
    registry.nav("collection_fund", "资助参保", capability="collection.fund_view", scheme=SCHEME, order=330)
    registry.nav("collection_family", "家庭共济缴费", capability="collection.family", scheme=SCHEME, order=340)

    from .cli import configure, run

    registry.command("collection", "城乡居民医保费征收：缴费渠道、对账、资助与退费", configure, run)


def _my_payments(user) -> dict:
    from .selectors import my_payments

    return my_payments(user)
