"""What another domain app may ask of collection about refunds: whether a person's year is paid,
and a refund application through the one refund service (``services.refunds.apply``: the engine
decides eligibility, another clerk reviews it). The gaps app resolves a duplicate enrolment through
here; it imports this module, never collection's models or services (import-linter checks it)."""

from __future__ import annotations

import datetime as dt

from .models import Refund, RefundReason, RefundStatus
from .selectors.work import payments_of
from .services import refunds as _refunds

__all__ = ["Evidence", "RefundReason", "apply_refund", "is_paid", "rejected"]

Evidence = _refunds.Evidence


def is_paid(user, id_number: str, insurance_year: int) -> bool:
    """Whether the person's year has a payment not refunded, as the reader sees it."""
    payments = payments_of(user, id_number, insurance_year)
    refunded = {p.refund_of_id for p in payments if p.refund_of_id is not None}
    return any(p.refund_of_id is None and p.pk not in refunded for p in payments)


def apply_refund(user, id_number: str, insurance_year: int, reason: str, event_date: dt.date,
                 evidence: Evidence | None) -> int:
    """Apply for the refund of the person's paid year; the application's id. Refusals are the
    refund service's own (``CollectionError``), audited there."""
    payments = payments_of(user, id_number, insurance_year)
    return _refunds.apply(id_number, insurance_year, payments, reason, event_date, evidence, actor=user).pk


def rejected(refund_ids) -> set[int]:
    """Of these refund applications, those the reviewing clerk rejected."""
    return set(Refund.objects.filter(pk__in=[i for i in refund_ids if i], status=RefundStatus.REJECTED)
               .values_list("pk", flat=True))
