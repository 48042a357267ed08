"""The command line as `make run` uses it: a fresh embedded database, run twice."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

YIBAO = [sys.executable, "-m", "yibao.cli"]
TESTS = Path(__file__).resolve().parent

# Fills a fresh database with the tests' own world (people.make_people) and prints who is who.
SEED = """
import json
import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yibao.settings")
django.setup()
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nobody signs in here

from people import make_people

p = make_people()
print(json.dumps({
    "weifang_unit": p.weifang_unit.unit_number, "weifang_operator": p.weifang_operator.username,
    "liaocheng_unit": p.liaocheng_unit.unit_number, "weifang_clerk": p.weifang_clerk.username,
    "weifang_auditor": p.weifang_auditor.username, "admin": p.admin.username,
}))
"""


def run(args, env):
    return subprocess.run([*YIBAO, *args], env=env, capture_output=True, text=True, timeout=300)


def seed(env) -> dict[str, str]:
    """The factories' people in the database of ``env``; their user names and unit numbers."""
    path = os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, "-c", SEED], env={**env, "PYTHONPATH": path}, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_init_and_demo_twice_on_a_fresh_database(tmp_path):
    """`yibao demo` itself, so this test (alone) loads the demo data set and checks what it made."""
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
    assert db.execute("SELECT count(*) FROM employer_unit").fetchone()[0] == 6   # 4 declaring, 2 billed
    # the unit on 潍坊's self-inspection list: one approved declaration, whatever the runs
    assert db.execute("SELECT count(*) FROM employer_declaration d JOIN employer_unit u ON u.id = d.unit_id "
                      "WHERE u.unit_number = '37070500003'").fetchone()[0] == 1
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


def test_employer_batch_commands(tmp_path):
    """`yibao employer …` as a unit operator, a clerk and an administrator; other roles refused."""
    env = {**os.environ, "YIBAO_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "YIBAO_TODAY": "2024-01-15"}
    assert run(["init"], env).returncode == 0
    who = seed(env)
    unit, operator = who["weifang_unit"], who["weifang_operator"]
    db = sqlite3.connect(tmp_path / "yibao.sqlite3")
    people = db.execute("SELECT e.name, e.id_number FROM employer_employee e JOIN employer_unit u ON u.id = e.unit_id "
                        "WHERE u.unit_number = ? AND NOT e.retired", [unit]).fetchall()
    assert people
    lines = ["序号,姓名,身份证号码,个人编号,上年度缴费基数（元/月）,2023年度月平均实际工资（元）"]
    lines += [f"{i},{name},{number},,,{3000 + i * 1000}" for i, (name, number) in enumerate(people, start=1)]
    csv_file = tmp_path / "filled.csv"
    csv_file.write_text("\n".join(lines), encoding="utf-8")

    refused = run(["employer", "--as", who["weifang_auditor"], "import", unit, "--year", "2024", str(csv_file)], env)
    assert refused.returncode == 2 and "无权" in refused.stderr
    done = run(["employer", "--as", operator, "import", unit, "--year", "2024", str(csv_file)], env)
    assert done.returncode == 0, done.stderr
    assert f"已导入 {len(people)} 人" in done.stdout
    floor_base = db.execute("SELECT base FROM employer_declarationline WHERE declared_amount = 4000").fetchone()[0]
    assert float(floor_base) == 4242
    other = run(["employer", "--as", operator, "import", who["liaocheng_unit"], "--year", "2024", str(csv_file)], env)
    assert other.returncode != 0 and "不存在" in other.stderr  # another unit's declaration is out of reach

    out = tmp_path / "summary.xlsx"
    forms = run(["employer", "--as", operator, "forms", unit, "summary", "--year", "2024",
                 "--format", "xlsx", "--out", str(out)], env)
    assert forms.returncode == 0, forms.stderr
    assert out.read_bytes()[:2] == b"PK"
    queue = run(["employer", "--as", who["weifang_clerk"], "queue", "--status", "draft"], env)
    assert queue.returncode == 0 and unit in queue.stdout and "填报中 1" in queue.stdout
    wage = run(["employer", "--as", who["admin"], "average-wage", "370700", "--wage-year", "2023",
                "--annual-amount", "100000", "--published-on", "2024-06-20"], env)
    assert wage.returncode == 0, wage.stderr
    assert "自 2024-07 起缴费基数下限 5000.00 元、上限 25000.00 元" in wage.stdout
    assert run(["employer", "--as", who["weifang_clerk"], "average-wage", "370700", "--wage-year", "2022",
                "--annual-amount", "90000", "--published-on", "2023-06-20"], env).returncode == 2
