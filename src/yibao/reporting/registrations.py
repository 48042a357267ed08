"""What the reports offer, registered with the platform (``yibao.registry``): page routes, the
API router and the navigation."""

from __future__ import annotations

from yibao import registry


def register() -> None:
    registry.urls("yibao.reporting.urls")
    from .api import router

    registry.api_router("/reporting", router)
    registry.nav("reporting", "征缴进度", capability="reporting.view_progress", scheme="resident", order=190)
    registry.nav("reporting_declarations", "基数申报进度", capability="reporting.view_declarations",
                 scheme="employee", order=191)
    from . import cli

    registry.command("reporting", "征缴进度计数的重算与核对", cli.configure, cli.run)
