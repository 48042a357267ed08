"""The resident scheme's refusals: each carries a code, a Chinese message and the fields it
concerns (``yibao.errors.AppError``). Engine refusals reach callers as ``RuleRefused``."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, Forbidden, NotFound, RuleRefused

__all__ = ["AppError", "Conflict", "DuplicateEnrolment", "Forbidden", "NotFound", "RegistrationError",
           "RuleRefused"]


class RegistrationError(AppError):
    """A refused registration, review, change or problem action."""


class DuplicateEnrolment(Conflict):
    """The person is already enrolled (or registering) for the year elsewhere in the system."""

    code = "duplicate_enrolment"

    def __init__(self, message: str, places: list[str]):
        self.places = places
        super().__init__(message, code=self.code, fields={"id_number": message})


class RosterError(AppError):
    """A refused action on a renewal roster (续保人员名册): build, confirm, post or export."""
