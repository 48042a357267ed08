"""Browser tests: the app is started by its own command line (`yibao init`, `yibao demo`,
`yibao serve`) on a fresh database, and driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

#: the live app's environment (its database and files), for a journey that must set up what no
#: page makes yet
LIVE_ENV: dict[str, str] = {}
CHROMIUM = os.environ.get("YIBAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_database_url(tmp: Path) -> tuple[str, callable]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp / 'yibao.sqlite3'}", lambda: None
    import psycopg

    name = f"yibao_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return base.rsplit("/", 1)[0] + "/" + name, drop


def fresh_app(tmp: Path, **overrides: str) -> tuple[dict[str, str], callable]:
    """A fresh database set up by the command line (`yibao init`, `yibao demo`) as `make run`
    does, and the environment to serve it with; returns (environment, drop the database)."""
    url, drop = _fresh_database_url(tmp)
    env = {**os.environ, "DATABASE_URL": url, "YIBAO_VAR_DIR": str(tmp), "HUEY_IMMEDIATE": "1",
           "YIBAO_TODAY": "2024-01-15", "YIBAO_POLICY_OVERLAYS": "demo-rates", **overrides}  # as make run
    cli = [sys.executable, "-m", "yibao.cli"]
    for step in (["init"], ["demo"]):
        subprocess.run([*cli, *step], env=env, check=True, capture_output=True, timeout=300)
    return env, drop


def serve(env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    """`yibao serve` on a free port with ``env`` (its business date is env's YIBAO_TODAY);
    returns (base URL, the server process, to be given to ``stop``)."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "yibao.cli", "serve", "--port", str(port), "--no-worker"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(base_url + "/login/", timeout=2)  # noqa: S310
            return base_url, server
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("服务未能启动：" + (server.stderr.read() or b"").decode()[-2000:]) from None
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    env, drop = fresh_app(tmp_path_factory.mktemp("app"))
    LIVE_ENV.update(env)
    base_url, server = serve(env)
    yield base_url
    stop(server)
    drop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"未找到 Chromium（{CHROMIUM}）：请运行 make test 安装 Debian 的 chromium 软件包")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def shot(page, request):
    """Save a full-page screenshot under test-artifacts/ (looked at by people, not compared)."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        db = "pg" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        path = ARTIFACTS / f"{request.node.name}-{name}-{db}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def submit(page, control) -> None:
    """Click ``control`` (a link, or a button that posts its form) and wait for the page it opens:
    a page read straight after a click may still be the one the click left."""
    with page.expect_navigation():
        control.click()


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    submit(page, page.get_by_role("button", name="登录"))


def upload_every_material(page, scan: Path, done: str = "已上传") -> None:
    """Upload ``scan`` for each material a declaration lists, one form post each."""
    for row in page.locator("[data-testid=materials] tbody tr").all():
        row.locator("input[type=file]").set_input_files(str(scan))
        submit(page, row.get_by_role("button", name="上传"))
        page.wait_for_selector(f"text={done}")


def fill_template(path: Path, out: Path, amount_for) -> int:
    """Fill a downloaded 报盘文件 as a unit would: the pre-filled columns kept, the amount column
    (the sixth) set to ``amount_for(row)``. Returns the number of people."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    wb = xlsxwriter.Workbook(str(out))
    ws = wb.add_worksheet()
    for c, title in enumerate(rows[0]):
        ws.write_string(0, c, title)
    for r, row in enumerate(rows[1:], start=1):
        for c, v in enumerate(row[:5]):
            if v not in ("", None):
                ws.write(r, c, v)
        ws.write_number(r, 5, amount_for(r))
    wb.close()
    return len(rows) - 1
