"""Writes for channels: create, revoke, authenticate (``channels``) and the throttled audit of
refused tokens (``refusals``)."""

from .channels import PREFIX, authenticate, create_channel, digest, revoke_channel

__all__ = ["PREFIX", "authenticate", "create_channel", "digest", "revoke_channel"]
