"""What the audit cases offer, registered with the platform (``yibao.registry``): page routes,
API router, navigation, the unit's home-page notice and the auditors' panel, the command line."""

from __future__ import annotations

from yibao import registry

SCHEME = "employee"


def register() -> None:
    registry.urls("yibao.inspection.urls")
    from .api import router

    registry.api_router("/inspection", router)

    registry.nav("inspection", "稽核案件", capability="inspection.view", scheme=SCHEME, order=140)
    registry.nav("inspection_report", "举报投诉与材料疑点", capability="inspection.report", scheme=SCHEME, order=145)
    registry.panel("inspection-self", "inspection/home/self_inspection.html", context=_self_panel,
                   capability="inspection.self", scheme=SCHEME, order=10)
    registry.panel("inspection-cases", "inspection/home/cases.html", context=_cases_panel,
                   capability="inspection.manage", scheme=SCHEME, order=15)

    from .cli import configure, run

    registry.command("inspection", "稽核：自查自纠名单、风险检查与稽核案件", configure, run)


def _self_panel(user):
    from . import selectors

    cases = selectors.my_self_inspections(user)
    return {"cases": cases} if cases else None


def _cases_panel(user):
    from . import selectors

    return {"counts": selectors.counts(user)}
