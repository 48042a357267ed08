"""The contributions' refusals: a code, a Chinese message and the fields concerned."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, NotFound, RuleRefused

__all__ = ["AppError", "Conflict", "ContributionError", "NotFound", "PaymentRefused", "RuleRefused"]


class ContributionError(AppError):
    """A refused action on spans, staff changes or bills."""


class PaymentRefused(ContributionError):
    """A payment against a bill that cannot be recorded: nothing was written. The API answers 422
    (409 for a transaction id already recorded with other content)."""

    status = 422
