"""Many first refusals of one key at the same moment, on PostgreSQL: each counted, one audited as
the window's first, never an IntegrityError. Threads use their own connections (real commits)."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from employer.fresh import reference_data
from employer.test_races import together
from yibao.audit.models import AuditEntry
from yibao.channels.models import RefusedTokens
from yibao.channels.services import refusals

pytestmark = [pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                 reason="needs PostgreSQL (DATABASE_URL=postgres://…)"),
              pytest.mark.django_db(transaction=True)]


def test_first_refusals_at_once_are_all_counted_and_audited_once():
    assert connection.vendor == "postgresql"
    reference_data()
    results = together(4, lambda i: refusals.note("unknown", ip="10.0.0.12", token_hint=f"ybc_{i}"))
    assert results == [None] * 4, results
    assert RefusedTokens.objects.get(key=refusals.key("unknown", "10.0.0.12", None)).count == 4
    assert AuditEntry.objects.filter(action="channels.token_refused", after__ip="10.0.0.12").count() == 1
