"""The layers are enforced: ``lint-imports`` passes on the project and fails on a copy of it with
one upward import (a platform module importing a domain app, or the pure core importing Django)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_project_keeps_its_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(copy):
    (copy / "src/yibao/audit/probe.py").write_text("from yibao.employer.models import Unit  # noqa\n")
    result = _lint(copy)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and "yibao.audit.probe -> yibao.employer.models" in result.stdout


def test_a_domain_app_importing_the_web_breaks_the_layers(copy):
    (copy / "src/yibao/employer/probe.py").write_text("import yibao.web.views  # noqa\n")
    result = _lint(copy)
    assert result.returncode == 1
    assert "yibao.employer.probe -> yibao.web.views" in result.stdout


def test_django_in_the_pure_core_breaks_the_contract(copy):
    (copy / "src/yibao/policy/probe.py").write_text("from django.db import models  # noqa\n")
    result = _lint(copy)
    assert result.returncode == 1
    assert "yibao.policy is not allowed to import django" in result.stdout
    assert "yibao.policy.probe -> django" in result.stdout
