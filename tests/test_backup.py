"""Backups that restore, and an audit log that holds, end to end through the command line on fresh
databases (a SQLite file, or on PostgreSQL new databases owned by a new owner role with a new
application role, as production runs):

- processes appending at once leave one unbroken chain per region;
- ``yibao manage flush`` is refused and the application's role cannot empty the log;
- ``yibao backup`` writes a file only its owner can read; ``yibao restore`` brings every row back
  into a fresh database, with an intact audit chain, and refuses a non-empty one unless forced.
"""

from __future__ import annotations

import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fresh_databases import POSTGRES, cluster_roles, counts, env_for, fresh_database, yibao

APPEND = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    os.environ["DJANGO_SETTINGS_MODULE"] = "yibao.settings"
    import django
    django.setup()
    from django.db import transaction
    from yibao.audit.services import record_event, record_events

    me, barrier, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    (barrier / me).touch()
    while len(list(barrier.iterdir())) < n:
        time.sleep(0.05)
    for i in range(30):
        with transaction.atomic():
            path = "370000/370700/370705/" if i % 3 else "370000/371500/"
            record_event(None, "probe.concurrent", "thing", f"{me}-{i}", division_path=path)
            time.sleep(0.01)  # hold the chain's head while the others wait for it
    record_events(None, [{"action": "probe.concurrent", "object_type": "thing", "object_id": f"{me}-bulk-{i}",
                          "division_path": "370000/370700/"} for i in range(200)])
""")


def _append_at_once(db: dict, var: Path, processes: int = 3) -> None:
    barrier = var / "barrier"
    barrier.mkdir()
    env = env_for(db, var)
    running = [subprocess.Popen([sys.executable, "-c", APPEND, f"p{k}", str(barrier), str(processes)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for k in range(processes)]
    for p in running:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err


@pytest.fixture
def var(tmp_path):
    path = tmp_path / "var"
    path.mkdir()
    return path


def test_backup_restore_and_an_audit_log_that_holds(tmp_path, var):
    with cluster_roles() as roles, fresh_database(tmp_path, "source", roles) as source, \
            fresh_database(tmp_path, "restored", roles) as restored:
        init = yibao(source, var, "init")
        assert init.returncode == 0, init.stderr
        assert "超级用户" not in init.stderr
        demo = yibao(source, var, "demo")
        assert demo.returncode == 0, demo.stderr

        # processes appending at once: one unbroken chain per region
        _append_at_once(source, var)
        checked = yibao(source, var, "audit", "verify")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        before = counts(source)
        assert before["audit_auditentry"] >= 3 * 230
        assert f"{before['audit_auditentry']} 条记录的哈希链全部校验通过" in checked.stdout

        # the log cannot be emptied: not by flush, not by the application's role
        flush = yibao(source, var, "manage", "flush", "--noinput")
        assert flush.returncode != 0 and "审计日志只能追加" in flush.stderr
        if POSTGRES:
            import psycopg

            with psycopg.connect(source["DATABASE_URL"]) as conn:
                for sql in ("TRUNCATE audit_auditentry", "DELETE FROM audit_auditentry",
                            "UPDATE audit_auditentry SET action = 'forged'"):
                    with pytest.raises(psycopg.errors.InsufficientPrivilege):
                        conn.execute(sql)
                    conn.rollback()
        assert counts(source) == before

        # a backup only its owner can read
        path = tmp_path / "backups" / "yibao.backup"
        made = yibao(source, var, "backup", str(path))
        assert made.returncode == 0, made.stderr
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        again = yibao(source, var, "backup", str(path))
        assert again.returncode == 2 and "已存在" in again.stderr

        # restored into a fresh database: every row, an intact chain
        done = yibao(restored, var, "restore", str(path))
        assert done.returncode == 0, done.stdout + done.stderr
        assert counts(restored) == before
        checked = yibao(restored, var, "audit", "verify")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert f"{before['audit_auditentry']} 条记录的哈希链全部校验通过" in checked.stdout

        # the restored database runs the application: it appends to the chain it carries
        added = yibao(restored, var, "createuser", "--role", "admin", "--username", "restored.admin",
                       "--password", "Restored-admin-2024")
        assert added.returncode == 0, added.stderr
        assert yibao(restored, var, "audit", "verify").returncode == 0

        # a non-empty database is not overwritten unless forced
        refused = yibao(restored, var, "restore", str(path))
        assert refused.returncode == 2 and "不是空的" in refused.stderr
        assert counts(restored)["accounts_user"] == before["accounts_user"] + 1
        forced = yibao(restored, var, "restore", "--force", str(path))
        assert forced.returncode == 0, forced.stderr
        assert counts(restored) == before


def test_restore_refuses_what_is_not_a_backup(tmp_path, var):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup")
    with cluster_roles() as roles, fresh_database(tmp_path, "target", roles) as target:
        done = yibao(target, var, "restore", str(junk))
        assert done.returncode == 2 and "备份" in done.stderr
