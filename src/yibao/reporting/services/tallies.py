"""The progress counters as a whole: rebuild them from the base tables (after migrating existing
data, or to repair) and check them against a recomputation. The counters themselves belong to
the apps whose writes keep them (``yibao.resident.tallies``: enrolments; ``yibao.collection.tallies``:
payments); this only runs both, for every pooling region and insurance year or for one."""

from __future__ import annotations

from django.db import transaction

from yibao.collection import tallies as payments
from yibao.resident import tallies as enrolments


def _pairs(region: str | None, year: int | None) -> list[tuple[str, int]]:
    pairs = sorted(set(enrolments.years()) | set(payments.years()))
    return [(r, y) for r, y in pairs if (region is None or r == region) and (year is None or y == year)]


def rebuild(region: str | None = None, year: int | None = None) -> list[tuple[str, int]]:
    """Recompute every counter (of one region, one year, or all); the (region, year) rebuilt."""
    done = []
    for r, y in _pairs(region, year):
        with transaction.atomic():
            enrolments.rebuild(r, y)
            payments.rebuild(r, y)
        done.append((r, y))
    return done


def differences(region: str | None = None, year: int | None = None) -> list[str]:
    """Where the stored counters differ from a recomputation from the base tables (empty: none)."""
    out = []
    for r, y in _pairs(region, year):
        out += enrolments.differences(r, y) + payments.differences(r, y)
    return out
