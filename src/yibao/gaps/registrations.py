"""What the gaps app offers, registered with the platform: routes, API router, navigation, CLI."""

from __future__ import annotations

from yibao import registry

SCHEME = "resident"


def register() -> None:
    registry.urls("yibao.gaps.urls")
    from .api import router

    registry.api_router("/gaps", router)
    registry.nav("gaps", "户籍比对", capability="gaps.view", scheme=SCHEME, order=270)
    registry.nav("gaps_duplicates", "重复参保", capability="gaps.view", scheme=SCHEME, order=275)

    from .cli import configure, run

    registry.command("gaps", "户籍人口库比对（应保未保）与重复参保", configure, run)
