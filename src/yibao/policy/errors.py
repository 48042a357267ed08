"""Errors of the policy engine.

``PolicyFileError`` is raised at load time for a policy file that breaks the schema; its message
names the file, the key and what is wrong. ``Refusal`` is raised inside a question to refuse with
one of the four error codes; the engine turns it into an ``Answer`` with ``ok = False``.
"""

from __future__ import annotations

ERROR_CODES = ("not_configured", "out_of_range", "not_eligible", "invalid_input")


class PolicyFileError(ValueError):
    """A policy file (or case file) that cannot be loaded."""

    def __init__(self, file: str, key: str, problem: str):
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")


class Refusal(Exception):
    """A question refuses to answer: ``code`` is one of ``ERROR_CODES``."""

    def __init__(self, code: str, message: str, missing: list[str] | None = None):
        assert code in ERROR_CODES, code
        self.code = code
        self.message = message
        self.missing = list(missing or [])
        super().__init__(message)

    def to_error(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.code == "not_configured" or self.missing:
            error["missing"] = list(self.missing)
        return error
