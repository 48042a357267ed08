"""Payments and the resident scheme's channels as a reader may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from yibao.access.scoping import scope_of
from yibao.channels import selectors as channel_selectors
from yibao.channels.models import Channel
from yibao.resident.collecting import enrolment_facts

from ..models import Payment
from ..registrations import SCHEME


def channels(region: str | None = None) -> QuerySet[Channel]:
    """The channels that may post to the resident scheme."""
    return channel_selectors.channels(region, scheme=SCHEME)


def payments_for(user) -> QuerySet[Payment]:
    return scope_of(user).filter(Payment.objects.select_related("channel", "division"))


def payments_of_person(user, id_number: str) -> list[Payment]:
    return list(payments_for(user).filter(id_number=id_number).order_by("-insurance_year", "-paid_at", "-id"))


def regions_of_person(user) -> set[str]:
    """The pooling regions where the signed-in resident is enrolled (any year)."""
    return {f.region for f in enrolment_facts([user.id_number]).get(user.id_number, [])} if user.id_number else set()


def my_payments(user) -> dict:
    """The resident's own payments (newest first, ten at most) and the channels of their regions,
    for their home page."""
    payments = payments_of_person(user, user.id_number) if user.id_number else []
    regions = {p.region_id for p in payments} | regions_of_person(user)
    return {"payments": payments[:10],
            "channels": list(channels().filter(region_id__in=regions, revoked_at__isnull=True)
                             .values_list("name", flat=True).distinct())}
