"""The collection's JSON API (/api/v1/collection), one router per subdomain."""

from ninja import Router

from . import family, fund, payments

router = Router(tags=["城乡居民医保征收"])
for module in (payments, fund, family):
    router.add_router("", module.router)
