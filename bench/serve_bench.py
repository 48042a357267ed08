"""Served throughput: requests per second over HTTP, the former single waitress process against
`yibao serve` (gunicorn: a process per core, four threads each), on the agency clerk's review
queue page and on ``POST /api/v1/policy/ask``.

Each server runs on the same fresh installation (`yibao init`, `yibao demo` on a temporary SQLite
file; the business date pinned to 2024-01-15 as `make run` does) and is loaded by a closed-loop
generator written here in Python: ``--connections`` keep-alive connections (default 16), each a
thread sending its next request as soon as the last is answered, for ``--seconds`` (default 15)
after a short warm-up, signed in as the demo clerk. wrk is the usual tool for this; it is not
installed here, so the generator is part of the script. It runs on the same machine and takes a
share of its cores: the figures are for comparing the servers with each other, not absolute.

Usage (waitress comes with the bench dependency group, which `make bench` installs):
    .venv/bin/python bench/serve_bench.py [--seconds 15] [--connections 16]
Figures are written to bench/results/serve.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "serve.md"
CLI = [sys.executable, "-m", "yibao.cli"]
USER, PASSWORD = "clerk.weifang", "Demo-pass-1"
ASK = {"region": "370700", "question": "employee.base", "input": {"month": "2024-01", "wage": 3000}}

WAITRESS = ("import sys; from waitress import serve; from yibao.wsgi import application; "
            "serve(application, host='127.0.0.1', port=int(sys.argv[1]), threads=8, ident='yibao')")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# name: (command for a port, environment). The former `yibao serve` ran with a new SQLite
# connection per request (SQLITE_CONN_MAX_AGE=0); today's keeps them (60 s).
SERVERS = {
    "waitress, 1 process × 8 threads (former `yibao serve`)": (
        lambda port: [sys.executable, "-c", WAITRESS, str(port)], {"SQLITE_CONN_MAX_AGE": "0"}),
    f"gunicorn, {_cores()} processes × 4 threads (`yibao serve`)": (
        lambda port: [*CLI, "serve", "--no-worker", "--port", str(port)], {}),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(command, env, port):
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/login/")
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                raise RuntimeError((server.stderr.read() or b"").decode()[-2000:]) from None
            time.sleep(0.3)


def _cookies(response, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            jar[name] = morsel.value


def _sign_in(port) -> dict[str, str]:
    jar: dict[str, str] = {}
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/api/v1/auth/csrf")
    response = c.getresponse()
    token = json.loads(response.read())["csrf_token"]
    _cookies(response, jar)
    body = json.dumps({"username": USER, "password": PASSWORD})
    c.request("POST", "/api/v1/auth/login", body, {
        "Content-Type": "application/json", "X-CSRFToken": token,
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = c.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"sign-in failed: {response.status}")
    _cookies(response, jar)
    return jar


def _load(port, jar, method, path, body, seconds, connections) -> dict:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
    if method == "POST":
        headers |= {"Content-Type": "application/json", "X-CSRFToken": jar["csrftoken"]}
    latencies: list[float] = []
    errors = [0]
    kinds: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = [0.0]
    measuring = threading.Event()

    def run():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, why = [], 0, {}
        while True:
            started = time.perf_counter()
            if started >= stop_at[0]:
                break
            try:
                c.request(method, path, body, headers)
                response = c.getresponse()
                response.read()
                ok = response.status == 200
                kind = str(response.status)
            except (OSError, http.client.HTTPException) as exc:
                ok, kind = False, type(exc).__name__
                c.close()
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if measuring.is_set():
                mine.append(time.perf_counter() - started)
                bad += not ok
                if not ok:
                    why[kind] = why.get(kind, 0) + 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            for kind, n in why.items():
                kinds[kind] = kinds.get(kind, 0) + n

    warm_up = 3.0
    stop_at[0] = time.perf_counter() + warm_up + seconds
    threads = [threading.Thread(target=run) for _ in range(connections)]
    for t in threads:
        t.start()
    time.sleep(warm_up)
    measuring.set()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests": len(latencies), "rate": len(latencies) / elapsed, "errors": errors[0], "kinds": kinds,
            "p50": statistics.median(latencies) * 1000 if latencies else 0,
            "p95": latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        import waitress  # noqa: F401
    except ImportError:
        print("waitress is missing: install the bench group (make bench)", file=sys.stderr)
        return 2

    targets = [("review queue page", "GET", "/employer/review/", None),
               ("POST /api/v1/policy/ask", "POST", "/api/v1/policy/ask", json.dumps(ASK))]
    runs: dict[tuple[str, str], list[dict]] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/yibao.sqlite3", "YIBAO_VAR_DIR": tmp,
               "YIBAO_TODAY": "2024-01-15", "HUEY_IMMEDIATE": "1", "DEBUG": ""}
        for step in (["init"], ["demo"]):
            subprocess.run([*CLI, *step], env=env, check=True, capture_output=True, timeout=900)
        # the servers take turns, round after round, so that a change in the machine's other load
        # falls on both
        for round_no in range(1, args.rounds + 1):
            for name, (command, extra) in SERVERS.items():
                port = _free_port()
                server = _start(command(port), {**env, **extra}, port)
                try:
                    jar = _sign_in(port)
                    for label, method, path, body in targets:
                        figures = _load(port, jar, method, path, body, args.seconds, args.connections)
                        runs.setdefault((label, name), []).append(figures)
                        print(f"round {round_no}  {label:<24} {name:<58} {figures['rate']:7.1f} req/s  "
                              f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
                              f"errors {figures['errors']} {figures['kinds'] or ''}", flush=True)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    load_after = os.getloadavg()

    lines = [
        "# Served throughput",
        "",
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M} on {_cores()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}. Produced by `bench/serve_bench.py`. Load average of the machine "
        f"(other work included) {load_before[0]:.1f} before, {load_after[0]:.1f} after.",
        "",
        f"{args.connections} keep-alive connections, closed loop, {args.seconds:g} s after a 3 s warm-up, signed in as "
        "the demo agency clerk on the demo data set (SQLite, business date 2024-01-15); the servers take turns, "
        f"{args.rounds} rounds, and the table gives the median round. The load generator is Python threads on the "
        "same machine (wrk is not installed here), so it takes part of the cores: compare the rows with each other.",
        "",
        "| endpoint | server | requests/s (median) | each round | median latency | 95th percentile | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    medians: dict[tuple[str, str], float] = {}
    for (label, name), figures in runs.items():
        middle = sorted(figures, key=lambda f: f["rate"])[len(figures) // 2]
        medians[(label, name)] = middle["rate"]
        each = ", ".join(f"{f['rate']:.0f}" for f in figures)
        lines.append(f"| {label} | {name} | {middle['rate']:.1f} | {each} | {middle['p50']:.1f} ms | "
                     f"{middle['p95']:.1f} ms | {sum(f['errors'] for f in figures)} |")
    names = list(SERVERS)
    lines.append("")
    for label in dict.fromkeys(label for label, _ in runs):
        before, after = medians.get((label, names[0])), medians.get((label, names[1]))
        if before and after:
            lines.append(f"- {label}: `yibao serve` {after / before:.2f}× the single waitress process.")
    RESULTS.write_text("\n".join(lines) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
