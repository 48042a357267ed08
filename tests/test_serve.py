"""`yibao serve` as run: its processes end with it, however it ends; runtime files are private;
and sign-in throttling holds across its several server processes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "yibao.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A fresh SQLite installation made by `yibao init`, over a var folder that already holds
    files made readable to all (as an older version left them)."""
    var = tmp_path_factory.mktemp("var")
    (var / "uploads").mkdir()
    (var / "uploads" / "old.pdf").write_bytes(b"%PDF-1.4")
    for path, mode in ((var, 0o755), (var / "uploads", 0o755), (var / "uploads" / "old.pdf", 0o644)):
        path.chmod(mode)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{var / 'yibao.sqlite3'}", "YIBAO_VAR_DIR": str(var),
           "HUEY_IMMEDIATE": "1", "YIBAO_TODAY": "2024-01-15"}
    subprocess.run([*CLI, "init"], env=env, check=True, capture_output=True, timeout=600)
    return var, env


def test_init_leaves_runtime_files_to_the_service_account_alone(app):
    var, _ = app
    paths = [var, *var.rglob("*")]
    assert var / "yibao.sqlite3" in paths and var / "secret_key" in paths
    wrong = {str(p.relative_to(var)): oct(p.stat().st_mode & 0o777) for p in paths
             if p.stat().st_mode & 0o777 != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(env, *extra):
    port = _free_port()
    server = subprocess.Popen([*CLI, "serve", "--port", str(port), *extra], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                raise RuntimeError(server.stdout.read()) from None
            time.sleep(0.3)
    return server, f"http://127.0.0.1:{port}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_serve_takes_its_worker_and_server_processes_with_it(app, signum):
    env = {k: v for k, v in app[1].items() if k != "HUEY_IMMEDIATE"}  # a real worker, with its queue
    server, _ = _start(env)
    deadline = time.time() + 60
    while not any("worker" in Path(f"/proc/{c}/cmdline").read_text() for c in _children(server.pid)
                  if _alive(c)):
        assert time.time() < deadline, "no background-job worker was started"
        time.sleep(0.2)
    time.sleep(3)
    children = _children(server.pid)
    assert any("worker" in Path(f"/proc/{c}/cmdline").read_text() for c in children if _alive(c))
    assert children
    server.send_signal(signum)
    server.wait(timeout=30)
    deadline = time.time() + 30   # a busy machine: the worker may still be finishing its start
    while [c for c in children if _alive(c)] and time.time() < deadline:
        time.sleep(0.2)
    left = {c: Path(f"/proc/{c}/cmdline").read_text().replace("\0", " ") for c in children if _alive(c)}
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == {}


def _sign_in(base, username, password):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    token = json.load(opener.open(base + "/api/v1/auth/csrf", timeout=60))["csrf_token"]
    request = urllib.request.Request(
        base + "/api/v1/auth/login", data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json", "X-CSRFToken": token}, method="POST")
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc).get("detail", "")


def test_throttling_holds_across_the_server_processes(app):
    _, env = app
    subprocess.run([*CLI, "createuser", "--role", "admin", "--username", "live.admin", "--password",
                    "Live-pass-123"], env=env, check=True, capture_output=True, timeout=300)
    server, base = _start(env, "--no-worker")
    try:
        with ThreadPoolExecutor(max_workers=40) as pool:
            answers = list(pool.map(lambda i: _sign_in(base, "live.admin", f"wrong-{i}"), range(40)))
        assert all(status == 401 for status, _ in answers), answers
        checked = [d for _, d in answers if "账号或密码错误" in d]
        assert len(checked) <= 5, len(checked)
        status, detail = _sign_in(base, "live.admin", "Live-pass-123")
        assert status == 401 and "登录失败次数过多" in detail
    finally:
        server.terminate()
        server.wait(timeout=30)
