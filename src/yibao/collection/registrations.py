"""What the collection offers, registered with the platform (``yibao.registry``): its page routes,
API router, navigation entries and command line."""

from __future__ import annotations

from yibao import registry

SCHEME = "resident"  # the collection serves the resident scheme (城乡居民医保)


def register() -> None:
    registry.urls("yibao.collection.urls")
    from .api import router

    registry.api_router("/collection", router)

    registry.panel("collection-my-payments", "collection/home_payments.html", context=_my_payments,
                   capability="resident.self", scheme=SCHEME, order=20)
    registry.nav("collection_statements", "渠道对账", capability="collection.reconcile", scheme=SCHEME, order=300)
    registry.nav("collection_refunds", "退费", capability="collection.refund", scheme=SCHEME, order=310)
    registry.nav("collection_paid_lists", "已缴费清册", capability="collection.paid_list", scheme=SCHEME, order=320)
    registry.nav("collection_fund", "资助参保", capability="collection.fund_view", scheme=SCHEME, order=330)
    registry.nav("collection_family", "家庭共济缴费", capability="collection.family", scheme=SCHEME, order=340)
    # 代收: the village agent's collection page, and the villages' deposits and 申报清单
    registry.nav("collection_collect", "代收缴费", capability="collection.collect", scheme=SCHEME, order=270)
    registry.nav("collection_deposits", "代收缴存与申报", capability="collection.view_deposits", scheme=SCHEME,
                 order=275)
    registry.panel("collection-deposits", "collection/home/deposits.html", context=_deposits_panel,
                   capability="collection.view_deposits", scheme=SCHEME, order=20)

    from .cli import configure, run

    registry.command("collection", "城乡居民医保费征收：缴费渠道、对账、资助与退费", configure, run)


def _my_payments(user) -> dict:
    from .selectors import my_payments

    return my_payments(user)


def _deposits_panel(user) -> dict:
    """What waits for the reader: the agent's undeposited collections, the lists by status."""
    from yibao.access.permissions import user_can

    from .models import DepositStatus
    from .selectors import deposits as selectors
    from .services.agents import undeposited

    can_collect = user_can(user, "collection.collect") and user.division is not None
    counts = selectors.counts_by_status(user)
    shown = [DepositStatus.RETURNED, DepositStatus.SUBMITTED, DepositStatus.DECLARED]
    return {"can_collect": can_collect, "undeposited": undeposited(user.division).count() if can_collect else 0,
            "counts": [(DepositStatus(s).label, counts[s]) for s in shown]}
