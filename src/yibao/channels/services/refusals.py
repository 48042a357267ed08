"""The audit of refused channel tokens, throttled.

A flood of bad tokens must not flood the audit log, yet no refusal may go unrecorded. The rule:
refusals are counted per (reason, source address, channel) in windows of
``CHANNEL_REFUSAL_AUDIT["window_seconds"]`` (60 s). The first refusal of a window is audited at
once (``channels.token_refused``: reason, the token's first six characters, address, scheme); the
others of that window are only counted, in a table row, and once the window has ended they are
audited as one entry (``channels.token_refused_repeats``) with their number, the window's end and
the last token hint seen, by the next refusal from anyone (or the next refusal of the same key,
which opens a new window). The token hint is not part of the key: for an unknown token it is the
caller's own choice, and a flood of random tokens would otherwise open a window per token.

The counters live in the database, not Django's cache (the local-memory cache is per process and
Redis is optional), counted under the row's lock like the sign-in throttle's.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from yibao.audit.services import record_event

from ..models import RefusedTokens


def window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CHANNEL_REFUSAL_AUDIT["window_seconds"])


def key(reason: str, ip: str | None, channel_id) -> str:
    return f"{reason}|{ip or '-'}|{channel_id or '-'}"[:200]


def note(reason: str, *, ip: str | None, channel=None, token_hint: str = "", scheme: str = "") -> None:
    """Count one refused token; audit it when it opens a window."""
    now = timezone.now()
    flush_ended(now)
    channel_id = channel.pk if channel is not None else None
    path = channel.region.path if channel is not None else ""
    k = key(reason, ip, channel_id)
    with transaction.atomic():
        row = _locked_row(k, reason=reason, ip=ip or "", channel_id=channel_id, division_path=path,
                          window_ends=now + window())
        if row.window_ends <= now:   # the key's last window ended and nobody has written its count yet
            _write_repeats(row)
            row.count, row.window_ends = 0, now + window()
        row.count += 1
        row.token_hint = token_hint
        row.save(update_fields=["count", "window_ends", "token_hint"])
        if row.count == 1:
            record_event(None, "channels.token_refused", "channel", channel_id or "",
                         after={"reason": reason, "token_hint": token_hint, "ip": ip or "", "scheme": scheme,
                                "window_seconds": int(window().total_seconds())},
                         division_path=path, ip=ip)


def _locked_row(k: str, **fields) -> RefusedTokens:
    """The key's counter row, created if missing, locked. Two first refusals at once both insert
    with ON CONFLICT DO NOTHING (the second waits for the first and inserts nothing) and then lock
    the one row; a row another process's ``flush_ended`` deleted in between is made again."""
    for _ in range(5):
        RefusedTokens.objects.bulk_create([RefusedTokens(key=k, count=0, **fields)], ignore_conflicts=True)
        row = RefusedTokens.objects.select_for_update().filter(key=k).first()
        if row is not None:
            return row
    raise RuntimeError(f"refused-token counter {k!r} vanished repeatedly")


def flush_ended(now: dt.datetime | None = None) -> int:
    """Audit the unaudited refusals of every window that has ended, and drop their rows. Rows
    another process holds are left to it. Returns the number of repeats entries written."""
    now = now or timezone.now()
    written = 0
    with transaction.atomic():
        ended = RefusedTokens.objects.filter(window_ends__lte=now).order_by("key")
        if connection.features.has_select_for_update_skip_locked:
            ended = ended.select_for_update(skip_locked=True)
        rows = list(ended[:1000])
        for row in rows:
            written += _write_repeats(row)
        if rows:
            RefusedTokens.objects.filter(key__in=[r.key for r in rows], window_ends__lte=now).delete()
    return written


def _write_repeats(row: RefusedTokens) -> int:
    if row.count <= 1:
        return 0
    record_event(None, "channels.token_refused_repeats", "channel", row.channel_id or "",
                 after={"reason": row.reason, "ip": row.ip, "count": row.count - 1, "last_token_hint": row.token_hint,
                        "window_ends": row.window_ends.isoformat()},
                 division_path=row.division_path, ip=row.ip or None)
    return 1
