"""The resident scheme's JSON API (/api/v1/resident), one router per subdomain."""

from ninja import Router

from . import changes, imports, persons, registration, roster

router = Router(tags=["城乡居民医保"])
for module in (registration, persons, imports, changes, roster):
    router.add_router("", module.router)
