"""The audit log is append-only in the database itself: raw SQL cannot change, replace, delete or
empty its rows, on SQLite (triggers) and on PostgreSQL (triggers that fire even in replica mode)."""

import pytest
from django.db import DatabaseError, connection, transaction

from yibao.audit.models import AuditEntry
from yibao.audit.services import record_event

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")


def _refused(sql, params=()):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


def _entry():
    return record_event(None, "probe.append_only", "thing", "1", after={"a": 1})


def test_raw_delete_is_refused():
    entry = _entry()
    _refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    _refused("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@sqlite_only
def test_insert_or_replace_cannot_rewrite_an_entry():
    entry = _entry()
    _refused("INSERT OR REPLACE INTO audit_auditentry (id, at, actor_label, actor_role, action, object_type, "
             "object_id, division_path) SELECT id, at, 'forger', '', 'forged', object_type, object_id, "
             "division_path FROM audit_auditentry WHERE id = %s", [entry.pk])
    _refused("REPLACE INTO audit_auditentry (id, at, actor_label, actor_role, action, object_type, "
             "object_id, division_path) SELECT id, at, 'forger', '', 'forged', object_type, object_id, "
             "division_path FROM audit_auditentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "probe.append_only" and entry.actor_label == "系统"


@postgres_only
def test_truncate_is_refused():
    _entry()
    _refused("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.exists()


@postgres_only
def test_triggers_fire_in_replica_mode_too():
    entry = _entry()
    for sql in ("UPDATE audit_auditentry SET action = 'forged' WHERE id = %s",
                "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("TRUNCATE audit_auditentry")
    entry.refresh_from_db()
    assert entry.action == "probe.append_only"


def test_flush_is_refused(monkeypatch):
    """``yibao manage flush`` would empty the audit log with every other table."""
    from django.core.management import CommandError, call_command

    from yibao.audit.management.commands import flush

    entry = _entry()
    monkeypatch.setattr(flush, "in_test_environment", lambda: False)
    with pytest.raises(CommandError, match="审计日志只能追加"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_test_runner_still_flushes_its_own_database():
    """Between transactional tests Django empties the test database with ``flush``: allowed
    there, and the triggers are back afterwards."""
    from django.core.management import call_command

    _entry()
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not AuditEntry.objects.exists()
    entry = _entry()
    _refused("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    if connection.vendor == "postgresql":
        _refused("TRUNCATE audit_auditentry")
