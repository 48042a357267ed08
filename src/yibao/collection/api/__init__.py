"""The collection's JSON API (/api/v1/collection), one router per subdomain."""

from ninja import Router

from . import agents, family, fund, paid_lists, payments, refunds, statements

router = Router(tags=["城乡居民医保征收"])
for module in (payments, agents, statements, refunds, paid_lists, fund, family):
    router.add_router("", module.router)
