"""What the weekly report, the monthly bulletin and the counties' submissions offer: routes, the
API router, navigation and the ``yibao reports`` subcommands."""

from __future__ import annotations

from yibao import registry


def register() -> None:
    registry.urls("yibao.reporting.urls_reports")
    from .api_reports import router

    registry.api_router("/reporting/reports", router)
    registry.nav("reporting_weekly", "筹资周报", capability="reporting.view", scheme="resident", order=192)
    registry.nav("reporting_monthly", "月通报", capability="reporting.view", scheme="resident", order=193)
    registry.nav("reporting_submissions", "每周报送", capability="reporting.submit", scheme="resident", order=194)
    from . import cli_reports

    registry.command("reports", "筹资周报、月通报与各县每周报送", cli_reports.configure, cli_reports.run)
