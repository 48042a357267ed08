"""The orchestration every database benchmark shares: run the benchmark's worker once per database
(SQLite in a temporary directory, PostgreSQL in a fresh database made and dropped around it), each
in its own process with its own settings, and hand the workers' figures to the benchmark's
``write_results``. No Django at import: each worker sets itself up for its database
(``installed``)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

PG_ADMIN_URL = os.environ.get("YIBAO_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def main(script: str, run_worker: Callable[[str], dict], write_results: Callable[[list[dict]], None],
         results: Path, *, today: str = "2024-01-15") -> int:
    """``script --worker URL`` runs ``run_worker(URL)`` and prints its figures; ``script`` alone
    runs the worker for each database (``--only sqlite|postgresql`` for one) and writes the results."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--worker", metavar="DATABASE_URL")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.worker)))
        return 0

    figures = []
    for name in ("sqlite", "postgresql"):
        if args.only and args.only != name:
            continue
        with tempfile.TemporaryDirectory(prefix="yibao-bench-") as tmp:
            url, drop = database(name, Path(tmp))
            if url is None:
                print(f"{name}: 不可连接，跳过", file=sys.stderr)
                continue
            try:
                env = {**os.environ, "DATABASE_URL": url, "YIBAO_VAR_DIR": tmp, "HUEY_IMMEDIATE": "1",
                       "YIBAO_TODAY": today, "ALLOWED_HOSTS": "testserver"}
                print(f"== {name}", file=sys.stderr)
                out = subprocess.run([sys.executable, script, "--worker", url], env=env, check=True,
                                     stdout=subprocess.PIPE, text=True).stdout
                figures.append({"database": name, **json.loads(out.strip().splitlines()[-1])})
            finally:
                drop()
    if not figures:
        print("没有可用的数据库。", file=sys.stderr)
        return 1
    write_results(figures)
    print(results.read_text())
    return 0 if all(r["pass"] for r in figures) else 1


def database(name: str, tmp: Path):
    """A fresh database of ``name`` and how to drop it; (None, …) when PostgreSQL cannot be reached."""
    if name == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    try:
        import psycopg

        db = f"yibao_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
    except Exception:
        return None, lambda: None

    def drop():
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + db, drop


def installed() -> None:
    """In a worker: Django set up for the worker's database (``DATABASE_URL``), migrated, with the
    reference data (regions, divisions) loaded."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yibao.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from yibao.regions.services import load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
