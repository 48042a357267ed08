"""One application error: a code, a Chinese message and the fields it concerns.

Every refusal of a business action is an ``AppError`` (or a subclass an app declares in its own
``errors.py``). Pages show ``message``; the JSON API answers ``{"code", "message", "fields"}``
with ``status`` through one exception handler; the command line prints the message and exits 2.
The policy engine's refusal codes (not_configured, out_of_range, not_eligible, invalid_input)
pass through unchanged as ``RuleRefused`` (422). Pure Python (no Django).
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A refused action. ``str(exc)`` is the Chinese message shown to the user."""

    code = "refused"
    status = 400  # the HTTP status the JSON API answers with

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None,
                 missing: list[str] | None = None, explanation: list | None = None):
        self.message = message
        if code:
            self.code = code
        self.fields = dict(fields or {})
        self.missing = list(missing or [])
        self.explanation = list(explanation or [])
        super().__init__(message)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            out["fields"] = self.fields
        if self.missing or self.code == "not_configured":
            out["missing"] = self.missing
        return out


class NotFound(AppError):
    code = "not_found"
    status = 404


class Forbidden(AppError):
    code = "forbidden"
    status = 403


class Conflict(AppError):
    code = "conflict"
    status = 409


class RuleRefused(AppError):
    """The policy engine refused: ``code`` is one of its refusal codes, ``missing`` names what a
    notice leaves unconfigured, ``explanation`` carries the engine's steps and citations.
    The JSON API answers 422 with the engine's code unchanged."""

    status = 422
    codes = ("not_configured", "out_of_range", "not_eligible", "invalid_input")

    @classmethod
    def from_answer(cls, error: dict, explanation: list | None = None) -> RuleRefused:
        return cls(error.get("message", "政策未作规定"), code=error.get("code") or "not_configured",
                   missing=error.get("missing"), explanation=explanation)
