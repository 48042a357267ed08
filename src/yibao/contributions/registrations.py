"""What the contributions app offers, registered with the platform (``yibao.registry``)."""

from __future__ import annotations

from yibao import registry

SCHEME = "employee"


def register() -> None:
    registry.urls("yibao.contributions.urls")
    from .api import router

    registry.api_router("/contributions", router)
    registry.nav("contributions_bills", "缴费单据", capability="contributions.view", scheme=SCHEME, order=140)
    registry.nav("contributions_statement", "对账单", capability="contributions.view", scheme=SCHEME, order=142)
    registry.panel("contributions-late-fees", "contributions/home/late_fees.html", context=_late_fee_panel,
                   capability="contributions.view", scheme=SCHEME, order=25)
    registry.nav("contributions_staff", "增减员", capability="contributions.staff", scheme=SCHEME, order=145)
    registry.nav("contributions_what_if", "上下限调整测算", capability="employer.set_average_wage", scheme=SCHEME,
                 order=150)

    from .services.adjustments import register as listen

    listen()

    from .cli import configure, run

    registry.command("contributions", "职工医保缴费：参保期间、增减员、缴费单据", configure, run)


def _late_fee_panel(user):
    """The unit's late fees on its home page: charged, waiting for the next bill, accruing."""
    from yibao import clock
    from yibao.employer import selectors as employer_selectors

    from . import selectors

    unit = employer_selectors.unit_of(user)
    if unit is None:
        return None
    return {"unit": unit, "late": selectors.unit_late_fees(user, unit, clock.today()), "today": clock.today()}
