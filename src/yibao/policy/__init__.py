"""yibao.policy: the rules of the notices as dated, cited parameters, answered with explanations.

Pure Python (no Django). Usage::

    from yibao.policy import get_engine

    answer = get_engine().ask("370700", "employee.base", {"month": "2024-01", "wage": "3000"})
    answer.ok, answer.values["base"], answer.explanation

The policy folder is ``src/yibao/policies`` unless ``YIBAO_POLICY_DIR`` names another.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from .engine import Answer, Engine
from .errors import ERROR_CODES, PolicyFileError, Refusal

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "policies"

__all__ = ["ERROR_CODES", "Answer", "Engine", "PolicyFileError", "Refusal", "get_engine", "policy_folder"]


def policy_folder() -> Path:
    return _resolved(os.environ.get("YIBAO_POLICY_DIR") or str(DEFAULT_FOLDER))


@functools.lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()  # a file-system call: asked once per folder, not per question


@functools.lru_cache(maxsize=8)
def _engine_for(folder: str) -> Engine:
    return Engine.from_folder(folder)


def get_engine() -> Engine:
    """The engine for the policy folder (cached; ``get_engine.cache_clear()`` reloads)."""
    return _engine_for(str(policy_folder()))


get_engine.cache_clear = _engine_for.cache_clear  # type: ignore[attr-defined]
