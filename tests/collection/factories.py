"""Factories of the collection: a channel with its token, and enrolled residents to pay for."""

from __future__ import annotations

from yibao.collection.services import channels


def channel(name: str = "微信", region: str = "371728"):
    """A channel and its bearer token."""
    return channels.create_channel(name, region=region)


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
