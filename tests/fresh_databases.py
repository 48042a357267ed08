"""Fresh databases for end-to-end tests through the command line: a SQLite file, or on
PostgreSQL a new database owned by a new owner role, used by a new application role (as
production runs), all dropped afterwards. Only what a test made is dropped."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

BASE = os.environ.get("DATABASE_URL", "")
POSTGRES = BASE.startswith("postgres")


def _admin_url() -> str:
    return BASE.rsplit("/", 1)[0] + "/postgres"


def _admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


@contextlib.contextmanager
def cluster_roles():
    """PostgreSQL: an owner role and an application role made for this test, dropped after."""
    if not POSTGRES:
        yield None
        return
    tag = uuid.uuid4().hex[:8]
    owner, app = f"yibao_owner_{tag}", f"yibao_app_{tag}"
    _admin(f'CREATE ROLE "{owner}" LOGIN NOSUPERUSER', f'CREATE ROLE "{app}" LOGIN NOSUPERUSER')
    try:
        yield owner, app
    finally:
        _admin(f'DROP ROLE IF EXISTS "{app}"', f'DROP ROLE IF EXISTS "{owner}"')


@contextlib.contextmanager
def fresh_database(tmp: Path, label: str, roles, *, split: bool = True):
    """The environment of a new, empty database (dropped afterwards on PostgreSQL); ``split``
    False: the application connects as the owner (one role, as in development)."""
    if not POSTGRES:
        yield {"DATABASE_URL": f"sqlite:///{tmp / (label + '.sqlite3')}"}
        return
    owner, app = roles
    name = f"yibao_{label}_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    server = BASE.split("://", 1)[1].split("@", 1)[-1].rsplit("/", 1)[0]
    try:
        if split:
            yield {"DATABASE_URL": f"postgres://{app}@{server}/{name}",
                   "DATABASE_OWNER_URL": f"postgres://{owner}@{server}/{name}"}
        else:
            yield {"DATABASE_URL": f"postgres://{owner}@{server}/{name}"}
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env_for(db: dict, var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    return {**env, **db, "YIBAO_VAR_DIR": str(var), "HUEY_IMMEDIATE": "1", "YIBAO_TODAY": "2024-01-15"}


def yibao(db: dict, var: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yibao.cli", *args], env=env_for(db, var), capture_output=True,
                          text=True, timeout=600)


@contextlib.contextmanager
def connect(db: dict):
    """A plain DB-API connection to the database as its owner (committed on leaving)."""
    url = db["DATABASE_URL"]
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            yield conn
            conn.commit()
        return
    import psycopg

    with psycopg.connect(db.get("DATABASE_OWNER_URL", url)) as conn:
        yield conn


def counts(db: dict) -> dict[str, int]:
    """Rows per table, read without the application."""
    url = db["DATABASE_URL"]
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                 "AND name NOT LIKE 'sqlite_%'")]
            return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    import psycopg

    with psycopg.connect(db.get("DATABASE_OWNER_URL", url)) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
