"""On PostgreSQL the application's role may read and append to the audit log, and nothing else:
UPDATE, DELETE, TRUNCATE, replica mode and lifting the triggers are refused by the database's
privileges, whatever the triggers say. The role is made here, inside the test's transaction."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from yibao.audit.database import grant_application_role, superuser_warning
from yibao.audit.models import AuditEntry
from yibao.audit.services import record_event

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles and privileges")]


@pytest.fixture
def app_role():
    """A non-superuser role with the application's rights; the test runs as it (SET ROLE)."""
    role = f"yibao_app_test_{uuid.uuid4().hex[:8]}"
    entry = record_event(None, "probe.roles", "thing", "1", division_path="370000/370700/")
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOSUPERUSER NOLOGIN')  # rolled back with the test
        grant_application_role(connection, role)
        cursor.execute(f'SET ROLE "{role}"')
    try:
        yield entry
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _refused(sql, params=(), match="permission denied|must be owner"):
    with pytest.raises(DatabaseError, match=match):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_application_role_reads_and_appends(app_role):
    entry = record_event(None, "probe.roles.append", "thing", "2", division_path="370000/370700/")
    assert AuditEntry.objects.filter(pk__in=[app_role.pk, entry.pk]).count() == 2
    assert entry.prev_hash == app_role.hash
    with connection.cursor() as cursor:  # full rights on the other tables
        cursor.execute("UPDATE regions_division SET note = note WHERE key = '370700'")
        cursor.execute("SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)")
        assert cursor.fetchone()[1] is False


def test_the_application_role_cannot_change_delete_or_empty_the_log(app_role):
    _refused("UPDATE audit_auditentry SET action = 'forged' WHERE id = %s", [app_role.pk])
    _refused("DELETE FROM audit_auditentry WHERE id = %s", [app_role.pk])
    _refused("TRUNCATE audit_auditentry")
    _refused("INSERT INTO audit_auditentry (id, at, actor_label, actor_role, action, object_type, object_id, "
             "division_path, chain, seq, prev_hash, hash) VALUES (%s, now(), '', '', 'x', 'x', '', '', 'x', 1, '', '') "
             "ON CONFLICT (id) DO UPDATE SET action = 'forged'", [app_role.pk])
    _refused("SET session_replication_role = replica")
    _refused("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_no_change")
    _refused("SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), 1)")
    assert AuditEntry.objects.get(pk=app_role.pk).action == "probe.roles"


def test_init_warns_a_superuser_application():
    assert "超级用户" in superuser_warning(connection)


def test_no_warning_for_the_application_role(app_role):
    assert superuser_warning(connection) is None
