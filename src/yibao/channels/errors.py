"""The channels' refusals: a code, a Chinese message, the fields concerned."""

from __future__ import annotations

from yibao.errors import AppError

__all__ = ["AppError", "ChannelError", "TokenRefused"]


class ChannelError(AppError):
    """A refused action on a channel (a bad name, an unknown region or scheme, a second revoke)."""


class TokenRefused(AppError):
    """A missing, unknown or revoked channel token, or one whose channel may not post to the
    scheme asked for: all answer 401 alike."""

    code = "unauthorized"
    status = 401
