"""Backups of the database, and restoring one into a fresh database (``yibao backup PATH``,
``yibao restore PATH``).

SQLite: SQLite's online backup API (a consistent copy while the server runs). PostgreSQL:
``pg_dump --format=custom`` and ``pg_restore``, as the tables' owner (``DATABASE_OWNER_URL``
when set), with the credentials of the database URL handed over in the environment, never on
the command line. Backup files are created readable by their owner only (mode 0600): they hold
every person's data. Restoring refuses a database that already holds tables unless forced, then
grants the application's role its rights again and checks the audit log's hash chains.

Uploaded materials (``var/uploads``) are files, not database rows: back them up beside.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection

from yibao.audit import database
from yibao.audit.chain import Verification, verify
from yibao.errors import AppError


class BackupError(AppError):
    code = "backup_refused"


@dataclass
class Restored:
    tables: dict[str, int] = field(default_factory=dict)
    audit: Verification | None = None


def table_counts() -> dict[str, int]:
    """The number of rows of every table of the database."""
    qn = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 (a table name, quoted)
            counts[table] = cursor.fetchone()[0]
    return counts


def _private_file(path: Path, force: bool) -> int:
    """Create ``path`` readable and writable by its owner only; an existing file only with
    ``force`` (it is removed first, so the new file never inherits its mode)."""
    if path.exists() or path.is_symlink():
        if not force:
            raise BackupError(f"文件 {path} 已存在；要覆盖请加 --force。", code="exists")
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def _vendor() -> str:
    return connection.vendor


# --- SQLite ----------------------------------------------------------------------------------------

def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_backup(path: Path, force: bool) -> None:
    if not _sqlite_path().is_file():
        raise BackupError(f"数据库文件 {_sqlite_path()} 不存在。", code="missing")
    os.close(_private_file(path, force))
    with contextlib.closing(sqlite3.connect(_sqlite_path())) as source, \
            contextlib.closing(sqlite3.connect(path)) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file


def _sqlite_check(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
            ok = backup.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            ours = backup.execute("SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'").fetchone()
    except sqlite3.DatabaseError:
        ok, ours = False, None
    if not (ok and ours):
        raise BackupError(f"{path} 不是完好的 SQLite 数据库备份。", code="not_a_backup")


def _sqlite_restore(path: Path, force: bool) -> None:
    _sqlite_check(path)
    target_path = _sqlite_path()
    connection.close()
    if not target_path.exists():
        target_path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(target_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as source, \
            contextlib.closing(sqlite3.connect(target_path, timeout=10)) as target:
        tables = target.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables and not force:
            raise BackupError(f"数据库 {target_path} 不是空的；要用备份覆盖它请加 --force。", code="not_empty")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")


# --- PostgreSQL ------------------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端程序（与服务器同一主版本）。", code="no_tool")
    return found


def _pg_env() -> dict[str, str]:
    """The connection as libpq's environment variables (the password stays off the command line)."""
    db = database.owner_settings() or settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{result.stderr.decode(errors='replace').strip()}",
                          code="tool_failed")
    return result


def _pg_backup(path: Path, force: bool) -> None:
    fd = _private_file(path, force)
    try:
        with os.fdopen(fd, "wb") as out:
            result = subprocess.run([_pg_tool("pg_dump"), "--format=custom"], env=_pg_env(),  # noqa: S603
                                    stdout=out, stderr=subprocess.PIPE)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if result.returncode != 0:
        path.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败：{result.stderr.decode(errors='replace').strip()}", code="tool_failed")


def _pg_restore(path: Path, force: bool) -> None:
    try:
        _run([_pg_tool("pg_restore"), "--list", str(path)])
    except BackupError:
        raise BackupError(f"{path} 不是 pg_dump 的 custom 格式备份。", code="not_a_backup") from None
    with database.as_owner(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()")
        tables = cursor.fetchone()[0]
    if tables and not force:
        raise BackupError(f"数据库 {settings.DATABASES['default']['NAME']} 不是空的；要用备份覆盖它请加 --force。",
                          code="not_empty")
    # Objects belong to the restoring role (the owner); rights are granted again below, so the
    # backup needs no role of the database it came from.
    command = [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
               "--dbname", str(_pg_env()["PGDATABASE"])]
    if tables:
        command += ["--clean", "--if-exists"]
    _run([*command, str(path)])
    if role := database.application_role():
        with database.as_owner():
            database.grant_application_role(connection, role)


# --- the two actions -------------------------------------------------------------------------------

def backup(path: str | Path, *, force: bool = False) -> Path:
    """Write a backup of the whole database to ``path`` (mode 0600)."""
    path = Path(path).resolve()
    vendor = _vendor()
    if vendor == "sqlite":
        _sqlite_backup(path, force)
    elif vendor == "postgresql":
        _pg_backup(path, force)
    else:
        raise BackupError(f"不支持备份 {vendor} 数据库。", code="unsupported")
    return path


def restore(path: str | Path, *, force: bool = False) -> Restored:
    """Restore the backup at ``path`` into the configured database, which must hold no table
    unless ``force``. Returns the rows per table and the audit log's verification."""
    path = Path(path).resolve()
    if not path.is_file():
        raise BackupError(f"备份文件 {path} 不存在。", code="missing")
    vendor = _vendor()
    if vendor == "sqlite":
        _sqlite_restore(path, force)
    elif vendor == "postgresql":
        _pg_restore(path, force)
    else:
        raise BackupError(f"不支持恢复到 {vendor} 数据库。", code="unsupported")
    connection.close()
    return Restored(tables=table_counts(), audit=verify())
