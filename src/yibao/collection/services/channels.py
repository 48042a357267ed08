"""Payment channels (缴费渠道): an administrator creates one for a pooling region and is shown its
bearer token once; only the token's SHA-256 digest is kept, so a lost token is replaced by a new
channel, never read back. A revoked token answers 401 from then on."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from yibao.audit.services import record_event
from yibao.regions.models import Division

from ..errors import CollectionError, TokenRefused
from ..models import PaymentChannel

TOKEN_BYTES = 32   # 256 bits of randomness, shown as 43 url-safe characters
PREFIX = "ybc_"    # tells a channel token apart from other secrets in logs and configuration


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_channel(name: str, *, region: str, actor=None) -> tuple[PaymentChannel, str]:
    """A new channel and its token (the only time the token is seen)."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise CollectionError("渠道名称不能为空，且不超过 50 个字。", code="invalid_input", fields={"name": name})
    pooling = Division.objects.filter(key=region, is_pooling_region=True).first()
    if pooling is None:
        raise CollectionError(f"统筹区 {region} 不存在。", code="unknown_region", fields={"region": region})
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    channel = PaymentChannel.objects.create(region=pooling, name=name, token_digest=digest(token),
                                            token_hint=token[:10], created_by_id=getattr(actor, "pk", None))
    record_event(actor, "collection.channel.create", "payment_channel", channel.pk,
                 after={"name": name, "region": region, "token_hint": channel.token_hint},
                 division_path=pooling.path)
    return channel, token


@transaction.atomic
def revoke_channel(channel: PaymentChannel, *, actor=None) -> PaymentChannel:
    channel = PaymentChannel.objects.select_for_update().get(pk=channel.pk)
    if channel.revoked_at is not None:
        raise CollectionError(f"渠道“{channel.name}”的令牌已于 {timezone.localtime(channel.revoked_at):%Y-%m-%d %H:%M} 吊销。",
                              code="already_revoked")
    channel.revoked_at = timezone.now()
    channel.revoked_by_id = getattr(actor, "pk", None)
    channel.save(update_fields=["revoked_at", "revoked_by_id"])
    record_event(actor, "collection.channel.revoke", "payment_channel", channel.pk,
                 after={"name": channel.name, "region": channel.region_id})
    return channel


def authenticate(token: str | None, *, ip: str | None = None) -> PaymentChannel:
    """The active channel whose token this is, or ``TokenRefused`` (401). A refused token is
    audited with the caller's address and the token's first characters, never the token."""
    token = (token or "").strip()
    channel = (PaymentChannel.objects.select_related("region").filter(token_digest=digest(token)).first()
               if token else None)
    if channel is not None and channel.revoked_at is None:
        return channel
    if not token:
        reason, message = "missing", "缺少渠道令牌：请在请求头中提供 Authorization: Bearer <令牌>。"
    elif channel is None:
        reason, message = "unknown", "渠道令牌无效。"
    else:
        reason, message = "revoked", "渠道令牌已吊销。"
    record_event(None, "collection.channel.token_refused", "payment_channel", channel.pk if channel else "",
                 after={"reason": reason, "token_hint": token[:6], "ip": ip or ""},
                 division_path=channel.region.path if channel else "")
    raise TokenRefused(message)
