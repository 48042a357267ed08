"""What the reports offer, registered with the platform (``yibao.registry``): page routes, the
API routers, the navigation and the ``yibao reporting`` / ``yibao reports`` subcommands."""

from __future__ import annotations

from yibao import registry


def register() -> None:
    registry.urls("yibao.reporting.urls")
    from .api import progress, reports

    registry.api_router("/reporting", progress.router)
    registry.api_router("/reporting/reports", reports.router)
    registry.nav("reporting", "征缴进度", capability="reporting.view_progress", scheme="resident", order=190)
    registry.nav("reporting_declarations", "基数申报进度", capability="reporting.view_declarations",
                 scheme="employee", order=191)
    registry.nav("reporting_weekly", "筹资周报", capability="reporting.view", scheme="resident", order=192)
    registry.nav("reporting_monthly", "月通报", capability="reporting.view", scheme="resident", order=193)
    registry.nav("reporting_submissions", "每周报送", capability="reporting.submit", scheme="resident", order=194)
    from .cli import reports as report_commands
    from .cli import tallies

    registry.command("reporting", "征缴进度计数的重算与核对", tallies.configure, tallies.run)
    registry.command("reports", "筹资周报、月通报与各县每周报送", report_commands.configure, report_commands.run)
