"""The collection's JSON API (/api/v1/collection), one router per subdomain."""

from ninja import Router

from . import agents, payments

router = Router(tags=["城乡居民医保征收"])
for module in (payments, agents):
    router.add_router("", module.router)
