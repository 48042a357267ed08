"""Many first refusals of one key at the same moment, on PostgreSQL: each counted, one audited as
the window's first, never an IntegrityError. Threads use their own connections (real commits)."""

from __future__ import annotations

from django.db import connection

from employer.fresh import reference_data
from races import ON_POSTGRES, together
from yibao.audit.models import AuditEntry
from yibao.channels.models import RefusedTokens
from yibao.channels.services import refusals

pytestmark = ON_POSTGRES


def test_first_refusals_at_once_are_all_counted_and_audited_once():
    assert connection.vendor == "postgresql"
    reference_data()
    results = together(4, lambda i: refusals.note("unknown", ip="10.0.0.12", token_hint=f"ybc_{i}"))
    assert results == [None] * 4, results
    assert RefusedTokens.objects.get(key=refusals.key("unknown", "10.0.0.12", None)).count == 4
    assert AuditEntry.objects.filter(action="channels.token_refused", after__ip="10.0.0.12").count() == 1
