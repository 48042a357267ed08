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
    registry.nav("contributions_staff_changes", "增减员查询", capability="contributions.staff_changes", scheme=SCHEME,
                 order=146)
    registry.nav("contributions_what_if", "上下限调整测算", capability="employer.set_average_wage", scheme=SCHEME,
                 order=150)

    registry.on_wage_preview(wage_preview)

    def added_many(id_numbers: list[str], year: int) -> dict[str, list[dict]]:
        from .selectors import insured

        return insured.added_in_year_many(id_numbers, year)

    def added_numbers(year: int) -> list:
        from .selectors import insured

        return insured.added_numbers(year)

    @registry.insured_lookup(SCHEME, many=added_many, numbers=added_numbers)
    def added_by_units(id_number: str, year: int) -> list[dict]:
        """People a unit added (增员) are insured though no declaration gave them a base."""
        from .selectors import insured

        return insured.added_in_year(id_number, year)

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
    from . import rules

    return {"unit": unit, "late": selectors.unit_late_fees(user, unit, clock.today()), "today": clock.today(),
            "terms": rules.late_fee_terms(unit.region_id, clock.today())}


def wage_preview(user, *, region: str, annual_amount, published_on) -> dict:
    """The what-if summary shown on the average-wage page before the wage is recorded."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from yibao.employer import selectors as employer_selectors

    from . import selectors
    from .errors import AppError

    url = reverse("contributions_what_if") + "?" + urlencode(
        {"region": region, "annual_amount": annual_amount, "published_on": str(published_on)})
    out = {"title": "缴费影响测算", "url": url, "lines": [], "error": ""}
    try:
        p = selectors.what_if_for(employer_selectors.pooling_regions_for(user), region, annual_amount,
                                  published_on, named=0)
    except AppError as exc:
        out["error"] = str(exc)
        return out
    out["lines"] = [f"自 {p.effective_from} 起缴费基数下限 {p.floor} 元、上限 {p.ceiling} 元。",
                    f"{p.bases} 条核定基数中 {p.changed} 条改变，涉及 {len(p.units)} 个单位。",
                    f"全统筹区每月缴费变化 {p.total_change} 元（单位与个人合计）。"]
    return out
