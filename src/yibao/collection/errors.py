"""The collection's refusals: each carries a code, a Chinese message and the fields it concerns.
A payment refusal's code is the one the channels' contract names (wrong_region, wrong_year,
not_registered, outside_window, not_configured, amount_mismatch, already_paid, …)."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, Forbidden, NotFound, RuleRefused

__all__ = ["AppError", "CollectionError", "Conflict", "Forbidden", "NotFound", "PaymentRefused", "RuleRefused"]


class CollectionError(AppError):
    """A refused action on deposits, statements, refunds or the fund's payments."""


class PaymentRefused(AppError):
    """A payment that cannot be recorded: nothing was written. The API answers 422."""

    status = 422
