from __future__ import annotations

COMMANDS: dict = {}


def configure(sub) -> None:
    pass
