"""``flush`` would empty every table, the audit log with them: refused. Only Django's test
runner may use it, between transactional tests on a throw-away test database; the audit log's
triggers are lifted for that and put back at once."""

from __future__ import annotations

import contextlib

from django.core.management import CommandError
from django.core.management.commands import flush
from django.db import connections

REFUSAL = ("审计日志只能追加，不能清空：不允许 flush 数据库。需要空数据库时，请新建一个数据库并运行 "
           "yibao init；恢复数据请用 yibao restore。")
TABLE = "audit_auditentry"


def in_test_environment() -> bool:
    """Whether Django's test environment is set up (``setup_test_environment``, which the test
    runner and pytest-django call before creating their test databases)."""
    from django.test.utils import _TestState

    return hasattr(_TestState, "saved_data")


@contextlib.contextmanager
def _triggers_lifted(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                yield
            finally:
                for _, sql in triggers:
                    cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_auditentry_no_truncate")
            try:
                yield
            finally:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER audit_auditentry_no_truncate")
        else:
            yield


class Command(flush.Command):
    help = "已禁用：审计日志只能追加，不能清空数据库（仅测试框架在测试数据库上使用）。"

    def handle(self, **options):
        if not in_test_environment():
            raise CommandError(REFUSAL)
        with _triggers_lifted(connections[options["database"]]):
            return super().handle(**options)
