"""What the race tests share. They run on PostgreSQL only: SQLite takes its write lock when a
transaction begins (the project's "IMMEDIATE" mode), so these races cannot happen there, and the
tests are skipped before any database is touched. Threads each use their own connection, so the
tests commit for real (``transaction=True``) and build everything they use."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

ON_POSTGRES = [pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                  reason="needs PostgreSQL (DATABASE_URL=postgres://…)"),
               pytest.mark.django_db(transaction=True)]


def together(n: int, action):
    """Run ``action(i)`` in ``n`` threads released at once; each result, or the exception raised."""
    start = threading.Barrier(n)

    def run(i):
        try:
            start.wait(timeout=30)
            return action(i)
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread got
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def meet_before(monkeypatch, owner, name: str, n: int) -> list:
    """Replace ``owner.name`` so that ``n`` threads have all reached it before any of them goes on,
    as in the widest race (a thread kept away, say waiting for a lock, lets the others through
    after a short while). Returns a list with one entry per thread that met the others."""
    arrived = threading.Barrier(n)
    real = getattr(owner, name)
    met = []

    def meeting(*args, **kwargs):
        try:
            arrived.wait(timeout=3)
            met.append(True)
        except threading.BrokenBarrierError:
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, meeting)
    return met
