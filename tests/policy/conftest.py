import shutil
from pathlib import Path

import pytest

from yibao.policy import DEFAULT_FOLDER, Engine, get_engine

CASES = sorted((DEFAULT_FOLDER / "cases").glob("*.yaml"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    return get_engine()


@pytest.fixture
def policy_copy(tmp_path) -> Path:
    """A writable copy of the shipped policy folder (without the case files)."""
    folder = tmp_path / "policies"
    folder.mkdir()
    for path in DEFAULT_FOLDER.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder
