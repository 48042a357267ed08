"""Factories of the collection: a channel with its token, and enrolled residents to pay for."""

from __future__ import annotations

from yibao.channels.services import channels


def channel(name: str = "微信", region: str = "371728", schemes=("resident",)):
    """A channel (of the resident scheme unless ``schemes`` says otherwise) and its bearer token."""
    return channels.create_channel(name, region=region, schemes=schemes)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def pay(made_channel, enrolment, *, amount: str = "380.00", at: str = "2023-11-20T10:30:00+08:00",
        transaction_id: str | None = None):
    """``enrolment`` paid through ``made_channel`` (the channels' contract), the payment returned."""
    import datetime as dt
    from decimal import Decimal

    from yibao.collection.services import payments

    item = payments.PaymentIn(id_number=enrolment.id_number, region=enrolment.region_id, insurance_year=2024,
                              amount=Decimal(amount), paid_at=dt.datetime.fromisoformat(at),
                              transaction_id=transaction_id or f"T{enrolment.pk:06d}")
    outcome = payments.channel_payment(made_channel, item)
    assert outcome.status == 201, outcome.body
    return outcome.payment
