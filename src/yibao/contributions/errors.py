"""The contributions' refusals: a code, a Chinese message and the fields concerned."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, NotFound, RuleRefused

__all__ = ["AppError", "Conflict", "ContributionError", "NotFound", "RuleRefused"]


class ContributionError(AppError):
    """A refused action on spans, staff changes or bills."""
