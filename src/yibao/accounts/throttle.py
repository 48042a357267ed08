"""Sign-in throttling: the account name and the source address each lock after
``LOGIN_THROTTLE["max_failures"]`` failures within ``window_seconds``, whatever the concurrency.

Every attempt is counted as a failure *before* its password is checked, in one transaction that
first reads the counters with their rows locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
runs each transaction under its write lock, ``BEGIN IMMEDIATE``): check and count are one atomic
step, so however many attempts arrive at once at most ``max_failures`` passwords are checked and
every later attempt, right password or not, is refused until the window ends. A success gives the
attempt back: the account's counter starts afresh, the address's loses that one count (it is not
cleared, or guessing at many accounts from one address could reset itself by signing in to one).

The counters live in a table rather than in Django's cache: the local-memory cache is per
process and the server runs several, and Redis is optional; the database is the one store every
process of every deployment shares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import SignInFailures


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt, counted: ``failures`` holds each counter's value with this attempt."""

    account_key: str
    address_key: str | None
    failures: dict[str, int]

    @property
    def left(self) -> int:
        return max(0, settings.LOGIN_THROTTLE["max_failures"] - max(self.failures.values()))

    def locks(self) -> list[str]:
        """The counters this attempt, failed, brings to the limit: those it locks."""
        limit = settings.LOGIN_THROTTLE["max_failures"]
        return [key for key, n in self.failures.items() if n == limit]


class Locked(Exception):
    """The account or the address is locked; ``keys`` says which."""

    def __init__(self, keys: list[str], until: dt.datetime):
        self.keys = keys
        self.until = until
        super().__init__(", ".join(keys))


def account_key(username: str) -> str:
    return "account:" + username.strip().upper()[:150]


def address_key(ip: str | None) -> str | None:
    return f"address:{ip}" if ip else None


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LOGIN_THROTTLE["window_seconds"])


def begin(username: str, ip: str | None) -> Attempt:
    """Count an attempt before its password is checked; raise ``Locked`` (counting nothing) when
    the account or the address has reached the limit."""
    limit = settings.LOGIN_THROTTLE["max_failures"]
    now, window = timezone.now(), _window()
    account, address = account_key(username), address_key(ip)
    keys = sorted(k for k in (account, address) if k)  # one order everywhere: no deadlock
    with transaction.atomic():
        SignInFailures.objects.bulk_create(
            [SignInFailures(key=k, failures=0, window_ends=now + window) for k in keys], ignore_conflicts=True)
        rows = list(SignInFailures.objects.select_for_update().filter(key__in=keys).order_by("key"))
        for row in rows:
            if row.window_ends <= now:
                row.failures, row.window_ends = 0, now + window
        locked = [row for row in rows if row.failures >= limit]
        if locked:
            raise Locked([row.key for row in locked], max(row.window_ends for row in locked))
        for row in rows:
            row.failures += 1
            if row.failures >= limit:
                row.window_ends = now + window  # a lock lasts a whole window from the attempt that set it
            row.save(update_fields=["failures", "window_ends"])
    return Attempt(account, address, {row.key: row.failures for row in rows})


def succeeded(attempt: Attempt) -> None:
    """Give back a successful attempt's count: the account starts afresh, the address keeps its
    other failures."""
    with transaction.atomic():
        SignInFailures.objects.filter(key=attempt.account_key).delete()
        if attempt.address_key:
            SignInFailures.objects.filter(key=attempt.address_key, failures__gt=0).update(
                failures=F("failures") - 1)
    _forget_expired()


def _forget_expired() -> None:
    """Drop counters whose window ended long ago (rows another attempt holds are left alone)."""
    stale = SignInFailures.objects.filter(window_ends__lt=timezone.now() - _window())
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            stale = stale.select_for_update(skip_locked=True)
        keys = list(stale.values_list("key", flat=True)[:1000])
        if keys:
            SignInFailures.objects.filter(key__in=keys, window_ends__lt=timezone.now() - _window()).delete()
