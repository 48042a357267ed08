"""The audit cases' refusals: a code, a Chinese message and the fields concerned."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, NotFound, RuleRefused

__all__ = ["AppError", "CaseError", "Conflict", "NotFound", "RuleRefused"]

FINDINGS_REQUIRED = "findings_required"
NOT_INVESTIGATING = "not_investigating"
CONCLUDED = "already_concluded"
ALREADY_INVESTIGATING = "already_investigating"
NOT_SELF_INSPECTION = "not_self_inspection"
NOT_AN_AUDITOR = "not_an_auditor"
ALREADY_OPEN = "already_open"


class CaseError(AppError):
    """A refused action on an audit case; nothing was written but the audit entry of the refusal."""
