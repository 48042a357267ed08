"""yibao.policy: the rules of the notices as dated, cited parameters, answered with explanations.

Pure Python (no Django). Usage::

    from yibao.policy import get_engine

    answer = get_engine().ask("370700", "employee.base", {"month": "2024-01", "wage": "3000"})
    answer.ok, answer.values["base"], answer.explanation

The policy folder is ``src/yibao/policies`` unless ``YIBAO_POLICY_DIR`` names another.
``YIBAO_POLICY_OVERLAYS`` names overlay files of ``overlays/`` to load on top (comma-separated,
e.g. ``demo-rates``: values no local notice gives, labelled as such in every explanation).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .engine import Answer, Engine
from .errors import ERROR_CODES, PolicyFileError, Refusal

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "policies"

__all__ = ["ERROR_CODES", "Answer", "Engine", "PolicyFileError", "Refusal", "get_engine", "policy_folder",
           "policy_overlays"]


def policy_folder() -> Path:
    return _resolved(os.environ.get("YIBAO_POLICY_DIR") or str(DEFAULT_FOLDER))


@functools.lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()  # a file-system call: asked once per folder, not per question


def policy_overlays() -> tuple[str, ...]:
    """The overlays configured by ``YIBAO_POLICY_OVERLAYS`` (none by default)."""
    raw = os.environ.get("YIBAO_POLICY_OVERLAYS") or ""
    return tuple(p.strip() for p in raw.split(",") if p.strip())


@functools.lru_cache(maxsize=8)
def _engine_for(folder: str, overlays: tuple[str, ...] = ()) -> Engine:
    return Engine.from_folder(folder, overlays=overlays)


def get_engine() -> Engine:
    """The engine for the policy folder and the configured overlays (cached;
    ``get_engine.cache_clear()`` reloads)."""
    return _engine_for(str(policy_folder()), policy_overlays())


get_engine.cache_clear = _engine_for.cache_clear  # type: ignore[attr-defined]
