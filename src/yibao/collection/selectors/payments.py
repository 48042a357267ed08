"""Payments and channels as a reader may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from yibao.access.scoping import scope_of

from ..models import Payment, PaymentChannel


def channels(region: str | None = None) -> QuerySet[PaymentChannel]:
    qs = PaymentChannel.objects.all()
    return qs.filter(region_id=region) if region else qs


def payments_for(user) -> QuerySet[Payment]:
    return scope_of(user).filter(Payment.objects.select_related("channel", "division"))


def payments_of_person(user, id_number: str) -> list[Payment]:
    return list(payments_for(user).filter(id_number=id_number).order_by("-insurance_year", "-paid_at", "-id"))
