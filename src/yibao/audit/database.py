"""Who may do what to the audit log on PostgreSQL.

The application connects as a role that may read and append to the audit log but not change,
delete or empty it (``DATABASE_URL``); the tables belong to another role, which runs the
migrations (``DATABASE_OWNER_URL``, used by ``yibao init``, backups and restores). Triggers
alone do not protect the log from a role that owns the table or is a superuser: such a role can
lift them. Without an owner URL everything runs as the one role (development, SQLite).
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db import connections

AUDIT_TABLE = "audit_auditentry"
_CONNECTION_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS")


def owner_settings() -> dict | None:
    """The owner's connection settings, when they name another role than the application's."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    app = settings.DATABASES["default"]
    if not owner or app["ENGINE"] != "django.db.backends.postgresql":
        return None
    if owner["ENGINE"] != app["ENGINE"] or (owner["NAME"], owner.get("HOST"), owner.get("PORT")) != (
            app["NAME"], app.get("HOST"), app.get("PORT")):
        raise RuntimeError("DATABASE_OWNER_URL 与 DATABASE_URL 必须指向同一个 PostgreSQL 数据库（只是角色不同）。")
    return owner


@contextlib.contextmanager
def as_owner(alias: str = "default"):
    """Run the block connected as the owner of the tables (when one is configured)."""
    owner = owner_settings()
    if owner is None:
        yield
        return
    connection = connections[alias]
    saved = connection.settings_dict  # settings.DATABASES[alias] itself: left as it is
    connection.close()
    connection.settings_dict = {**saved, **{k: owner[k] for k in _CONNECTION_KEYS if k in owner}}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict = saved


def application_role() -> str | None:
    """The role the application connects as, when it is not the owner's (PostgreSQL only)."""
    owner = owner_settings()
    app_user = settings.DATABASES["default"].get("USER")
    if owner is None or not app_user or app_user == owner.get("USER"):
        return None
    return app_user


def grant_application_role(connection, role: str) -> None:
    """Give ``role`` full rights on every table of the schema but the audit log, on which it may
    only SELECT and INSERT (and take the next id). Run as the tables' owner, after migrating;
    idempotent. Tables made by later migrations get the same rights by default."""
    qn = connection.ops.quote_name
    who = qn(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = qn(cursor.fetchone()[0])
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [AUDIT_TABLE])
        audit_sequence = cursor.fetchone()[0]
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {who}",
            f"REVOKE ALL ON {qn(AUDIT_TABLE)} FROM {who}",
            f"GRANT SELECT, INSERT ON {qn(AUDIT_TABLE)} TO {who}",
        ]
        if audit_sequence:
            statements += [f"REVOKE ALL ON SEQUENCE {audit_sequence} FROM {who}",
                           f"GRANT USAGE, SELECT ON SEQUENCE {audit_sequence} TO {who}"]
        for sql in statements:
            cursor.execute(sql)


def superuser_warning(connection) -> str | None:
    """A warning when the application connects to PostgreSQL as a superuser (or the tables'
    owner): such a role can lift the audit log's triggers."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = cursor.fetchone()[0]
        cursor.execute("SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables WHERE tablename = %s",
                       [AUDIT_TABLE])
        row = cursor.fetchone()
    owner = bool(row and row[0])
    if not (superuser or owner):
        return None
    what = "超级用户" if superuser else "审计日志表的所有者"
    return (f"注意：应用以 PostgreSQL {what}身份连接，能够解除审计日志的只追加保护。生产环境请让 DATABASE_URL "
            "使用只能追加审计日志的普通角色，并以 DATABASE_OWNER_URL 指定表的所有者（见 README“审计日志”）。")
