"""What the resident scheme offers, registered with the platform (``yibao.registry``): its page
routes and API router, navigation entries, home-page panels, command line, how a resident reaches
a pooling region through their registration, and where a person is insured in a year."""

from __future__ import annotations

from yibao import registry
from yibao.access.roles import Role

SCHEME = "resident"


def register() -> None:
    registry.urls("yibao.resident.urls")
    from .api import router

    registry.api_router("/resident", router)

    registry.nav("resident_register", "参保登记", capability="resident.register", scheme=SCHEME, order=200)
    registry.nav("resident_registrations", "登记审核", capability="resident.review", scheme=SCHEME, order=210)
    registry.nav("resident_problems", "待处理信息", capability="resident.review", scheme=SCHEME, order=220)
    registry.nav("resident_persons", "参保人员查询", capability="resident.view", scheme=SCHEME, order=230)
    registry.nav("resident_me", "我的居民医保", capability="resident.self", scheme=SCHEME, order=200)
    # change requests
    registry.nav("resident_changes", "变更审核", capability="resident.review", scheme=SCHEME, order=225)
    registry.nav("resident_my_changes", "我的信息变更", capability="resident.self", scheme=SCHEME, order=205)
    # renewal roster (续保人员名册)
    registry.nav("resident_rosters", "续保人员名册", capability="resident.view", scheme=SCHEME, order=260)
    registry.nav("resident_roster_mine", "名册公示", capability="resident.roster_post", scheme=SCHEME, order=265)
    # bulk imports
    registry.nav("resident_imports", "批量导入", capability="resident.import", scheme=SCHEME, order=240)

    registry.panel("resident-self", "resident/home/self.html", context=_self_panel, capability="resident.self",
                   scheme=SCHEME, order=10)
    registry.panel("resident-work", "resident/home/work.html", context=_work_panel, capability="resident.register",
                   scheme=SCHEME, order=10)

    from .cli import configure, run

    registry.command("resident", "城乡居民医保参保登记与批量操作", configure, run)

    @registry.insured_lookup(SCHEME)
    def insured_in_resident_scheme(id_number: str, year: int) -> list[dict]:
        from .services.checks import insured_places

        return [{"scheme": p.scheme, "region": p.region, "where": p.where}
                for p in insured_places(id_number, year) if p.scheme == SCHEME]

    @registry.user_regions
    def regions_of_resident(user):
        if user.role != Role.INDIVIDUAL or not user.id_number:
            return set()
        from .models import Person, Registration
        from .services.checks import pooling_regions

        regions = set(Person.objects.filter(id_number=user.id_number).values_list("region_id", flat=True))
        # by region first, as registration_person_year is (checks.pooling_regions)
        regions |= set(Registration.objects.filter(region_id__in=pooling_regions(), id_number=user.id_number)
                       .values_list("region_id", flat=True))
        return regions


def _self_panel(user):
    from . import selectors

    person = selectors.person_for(user, user.id_number)
    problems = list(selectors.problems_for(user, status=None).filter(actor="resident", status="returned"))
    return {"person": person, "problems": problems}


def _work_panel(user):
    from yibao.access.permissions import user_can

    from . import selectors

    return {"pending": selectors.registrations_for(user).filter(status="pending").count(),
            "problems": selectors.problems_for(user).count(), "can_review": user_can(user, "resident.review")}
