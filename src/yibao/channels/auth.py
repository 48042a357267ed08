"""The API's channel authentication, for every app that takes payments from channels:
``ChannelToken("resident")`` on collection's payment endpoints, ``ChannelToken("employee")`` on
the employee scheme's. ``request.auth`` is then the ``Channel``."""

from __future__ import annotations

from ninja.security import HttpBearer

from yibao.audit.services import client_ip

from .services import channels


class ChannelToken(HttpBearer):
    """``Authorization: Bearer <渠道令牌>``; a missing, wrong or revoked token, or one whose
    channel may not post to this scheme, answers 401 with a Chinese message."""

    def __init__(self, scheme: str):
        super().__init__()
        self.scheme = scheme

    def __call__(self, request):
        value = request.headers.get(self.header) or ""
        kind, _, token = value.partition(" ")
        return self.authenticate(request, token if kind.lower() == "bearer" else "")

    def authenticate(self, request, token):
        return channels.authenticate(token, scheme=self.scheme, ip=client_ip(request))
