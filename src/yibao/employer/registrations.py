"""What the employee scheme offers, registered with the platform (``yibao.registry``): its page
routes and API router, navigation entries, home-page panels, command line, and how a user
reaches a pooling region through a unit or a flexible worker's registration."""

from __future__ import annotations

from yibao import registry
from yibao.access.roles import Role

SCHEME = "employee"


def register() -> None:
    registry.urls("yibao.employer.urls")
    from .api import router

    registry.api_router("/employer", router)

    registry.nav("employer", "缴费基数申报", capability="employer.declare", scheme=SCHEME, order=100)
    registry.nav("units", "参保单位", capability="employer.view_units", scheme=SCHEME, order=105)
    registry.nav("employer_queue", "基数申报审核", capability="employer.view", scheme=SCHEME, order=110)
    registry.nav("flexible", "灵活就业缴费基数", capability="flexible.declare", scheme=SCHEME, order=120)
    registry.nav("average_wage", "平均工资", capability="employer.set_average_wage", scheme=SCHEME, order=130)

    registry.panel("employer-unit", "employer/home/unit.html", context=_unit_panel, capability="employer.declare",
                   scheme=SCHEME, order=20)
    registry.panel("employer-review", "employer/home/review.html", context=_review_panel,
                   capability="employer.review", scheme=SCHEME, order=20)
    registry.panel("employer-flagged", "employer/home/flagged.html", capability="employer.view",
                   roles=(Role.AUDITOR,), scheme=SCHEME, order=20)
    registry.panel("employer-flexible", "employer/home/flexible.html", context=_flexible_panel,
                   capability="flexible.declare", scheme=SCHEME, order=30)

    from .cli import configure, run

    registry.command("employer", "职工医保缴费基数申报批量操作", configure, run)

    def insured_many_in_employee_scheme(id_numbers: list[str], year: int) -> dict[str, list[dict]]:
        from . import selectors

        return selectors.insured_in_year_many(id_numbers, year)

    def insured_numbers_in_employee_scheme(year: int) -> list:
        from . import selectors

        return selectors.insured_numbers(year)

    @registry.insured_lookup(SCHEME, many=insured_many_in_employee_scheme, numbers=insured_numbers_in_employee_scheme)
    def insured_in_employee_scheme(id_number: str, year: int) -> list[dict]:
        from . import selectors

        return selectors.insured_in_year(id_number, year)

    @registry.user_regions
    def regions_of_unit_or_flexible_worker(user):
        from . import selectors

        if user.role == Role.UNIT_OPERATOR:
            unit = selectors.unit_of(user)
            return {unit.region_id} if unit else set()
        if user.role == Role.INDIVIDUAL:
            worker = selectors.flexible_worker_for(user)
            return {worker.region_id} if worker else set()
        return set()


def _unit_panel(user):
    from . import selectors

    unit = selectors.unit_of(user)
    if unit is None:
        return None
    return {"unit": unit, "declarations": selectors.declarations_for(user).order_by("-year", "kind")[:10]}


def _review_panel(user):
    from . import selectors

    return {"declaration_counts": selectors.status_counts(user)}


def _flexible_panel(user):
    from . import selectors

    return {} if selectors.flexible_worker_for(user) else None
