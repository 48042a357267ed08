"""Channels as a reader may see them: through the reader's scope (``yibao.access``), or, for the
pages that list a region's channels to residents, the active ones of a region and scheme."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yibao.access.scoping import scope_of

from .models import SCHEME_SETS, Channel


def serving(scheme: str | None) -> Q:
    """The condition for channels that may post to ``scheme`` (every channel when None)."""
    return Q(schemes__in=[s for s in SCHEME_SETS if scheme in s.split(",")]) \
        if scheme else Q()


def channels(region: str | None = None, *, scheme: str | None = None, active: bool = False) -> QuerySet[Channel]:
    qs = Channel.objects.filter(serving(scheme))
    if region:
        qs = qs.filter(region_id=region)
    if active:
        qs = qs.filter(revoked_at__isnull=True)
    return qs


def channels_for(user, *, scheme: str | None = None) -> QuerySet[Channel]:
    return scope_of(user).filter(Channel.objects.filter(serving(scheme)).select_related("region")) \
        .order_by("region_id", "name", "id")


def channel_for(user, pk, *, scheme: str | None = None) -> Channel | None:
    """A channel the user may see (and that serves ``scheme``), or None: out of scope is missing."""
    return channels_for(user, scheme=scheme).filter(pk=pk).first()
