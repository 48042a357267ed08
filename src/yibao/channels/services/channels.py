"""Payment channels (缴费渠道): an administrator creates one for a pooling region and the schemes
it may post to, and is shown its bearer token once; only the token's SHA-256 digest is kept, so a
lost token is replaced by a new channel, never read back. A revoked token answers 401 from then
on, and so does a token presented to a scheme its channel may not post to."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from yibao.audit.services import record_event
from yibao.regions.models import Division

from ..errors import ChannelError, TokenRefused
from ..models import Channel, Scheme, scheme_set
from . import refusals

TOKEN_BYTES = 32   # 256 bits of randomness, shown as 43 url-safe characters
PREFIX = "ybc_"    # tells a channel token apart from other secrets in logs and configuration


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _schemes(schemes) -> str:
    if isinstance(schemes, str):
        schemes = [schemes]
    chosen = [s.strip() for s in (schemes or []) if s and s.strip()]
    unknown = [s for s in chosen if s not in Scheme.values]
    if not chosen or unknown:
        raise ChannelError("请选择渠道可缴的险种：城乡居民医保（resident）、职工医保（employee），或两者。",
                           code="invalid_scheme", fields={"schemes": unknown or chosen})
    return scheme_set(chosen)


@transaction.atomic
def create_channel(name: str, *, region: str, schemes=(Scheme.RESIDENT,), actor=None) -> tuple[Channel, str]:
    """A new channel and its token (the only time the token is seen)."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ChannelError("渠道名称不能为空，且不超过 50 个字。", code="invalid_input", fields={"name": name})
    chosen = _schemes(schemes)
    pooling = Division.objects.filter(key=region, is_pooling_region=True).first()
    if pooling is None:
        raise ChannelError(f"统筹区 {region} 不存在。", code="unknown_region", fields={"region": region})
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    channel = Channel.objects.create(region=pooling, name=name, schemes=chosen, token_digest=digest(token),
                                     token_hint=token[:10], created_by_id=getattr(actor, "pk", None))
    record_event(actor, "channels.create", "channel", channel.pk,
                 after={"name": name, "region": region, "schemes": chosen, "token_hint": channel.token_hint},
                 division_path=pooling.path)
    return channel, token


@transaction.atomic
def revoke_channel(channel: Channel, *, actor=None) -> Channel:
    channel = Channel.objects.select_for_update().select_related("region").get(pk=channel.pk)
    if channel.revoked_at is not None:
        raise ChannelError(f"渠道“{channel.name}”的令牌已于 {timezone.localtime(channel.revoked_at):%Y-%m-%d %H:%M} 吊销。",
                           code="already_revoked")
    channel.revoked_at = timezone.now()
    channel.revoked_by_id = getattr(actor, "pk", None)
    channel.save(update_fields=["revoked_at", "revoked_by_id"])
    record_event(actor, "channels.revoke", "channel", channel.pk,
                 after={"name": channel.name, "region": channel.region_id}, division_path=channel.region.path)
    return channel


def authenticate(token: str | None, *, scheme: str, ip: str | None = None) -> Channel:
    """The active channel whose token this is and which may post to ``scheme``, or
    ``TokenRefused`` (401). A missing, unknown, revoked or other-scheme token is refused alike to
    the caller; the refusal is audited (throttled, ``refusals.note``) with the caller's address and
    the token's first characters, never the token."""
    token = (token or "").strip()
    channel = (Channel.objects.select_related("region").filter(token_digest=digest(token)).first()
               if token else None)
    if channel is not None and channel.revoked_at is None and channel.serves(scheme):
        return channel
    if not token:
        reason, message = "missing", "缺少渠道令牌：请在请求头中提供 Authorization: Bearer <令牌>。"
    elif channel is None:
        reason, message = "unknown", "渠道令牌无效。"
    elif channel.revoked_at is not None:
        reason, message = "revoked", "渠道令牌已吊销。"
    else:
        reason, message = "wrong_scheme", "渠道令牌无效。"  # said like an unknown token: nothing to learn
    refusals.note(reason, ip=ip, channel=channel, token_hint=token[:6], scheme=scheme)
    raise TokenRefused(message)
