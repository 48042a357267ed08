"""The command line as `make run` uses it: a fresh embedded database, run twice."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

YIBAO = [sys.executable, "-m", "yibao.cli"]


def run(args, env):
    return subprocess.run([*YIBAO, *args], env=env, capture_output=True, text=True, timeout=300)


def test_init_and_demo_twice_on_a_fresh_database(tmp_path):
    env = {**os.environ, "YIBAO_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    for _ in range(2):
        init = run(["init"], env)
        assert init.returncode == 0, init.stderr
        assert "参考数据" in init.stdout
        demo = run(["demo"], env)
        assert demo.returncode == 0, demo.stderr
        assert "clerk.weifang" in demo.stdout and "37070500001" in demo.stdout
    db = sqlite3.connect(tmp_path / "yibao.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT count(*) FROM accounts_user WHERE username='admin'").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM employer_unit").fetchone()[0] == 3
    assert (tmp_path / "secret_key").exists()

    bad = run(["createuser", "--role", "individual", "--username", "370705198001011230", "--password", "Xx-1234567"], env)
    assert bad.returncode == 2
    assert "身份证" in bad.stderr
    ok = run(["createuser", "--role", "auditor", "--username", "aud2", "--password", "Xx-12345678",
              "--division", "371728"], env)
    assert ok.returncode == 0, ok.stderr


def test_policy_command_needs_no_django(tmp_path):
    code = ("import sys; from yibao.cli import main; rc = main(['policy', 'list']); "
            "assert 'django.conf' not in sys.modules or not __import__('django.conf').conf.settings.configured; "
            "sys.exit(rc)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": ""}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "370700" in result.stdout


def test_jobs_command_lists_without_error(tmp_path):
    env = {**os.environ, "YIBAO_VAR_DIR": str(tmp_path), "DATABASE_URL": ""}
    assert run(["init"], env).returncode == 0
    result = run(["jobs"], env)
    assert result.returncode == 0, result.stderr
    assert Path(tmp_path / "yibao.sqlite3").exists()
