"""Channel payments over HTTP, on PostgreSQL and SQLite: the channels' contract under load.

Each database gets a fresh installation (migrations, the reference data) with ``BENCH_PAY_PERSONS``
residents of 晋城 (default 400,000, over its real villages) registered and unpaid for 2024, a
payment channel, and a signed-in account. `yibao serve` (gunicorn: a process per core, four threads
each) serves it, and closed-loop clients written here (Python threads on keep-alive connections,
on the same machine; wrk is not installed) load it:

1. **Batch**: ``--batch-clients`` clients (default 4) post ``POST /api/v1/collection/payments/batch``
   with 1,000 payments each, for ``--seconds`` (default 60). One in ten payments is a retry of a
   transaction the client sent before, with the same content. Target: at least 1,000 recorded
   payments per second.
2. **Single**: ``--clients`` clients (default 16) post ``POST /api/v1/collection/payments`` one
   payment at a time (one in ten a retry), for ``--single-seconds`` (default 20); then the same
   clients ask a trivial signed-in JSON endpoint (``GET /api/v1/me``) for as long. Target: the
   payment rate at least half the trivial rate.
3. **Afterwards**: exactly one payment per transaction id; as many payments as 201 answers; each
   paid enrolment paid once; the amount per village equal to an independent sum of what the
   clients were told was recorded.

The amount each resident owes is asked of the policy engine (``resident.premium``), never written
here. Usage:
    .venv/bin/python bench/collection_payments_bench.py [--only postgresql] [--seconds 60]
Figures are written to bench/results/collection_payments.md (and .json).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

import per_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "collection_payments.md"
RAW = ROOT / "bench" / "results" / "collection_payments.json"
PERSONS = int(os.environ.get("BENCH_PAY_PERSONS", 400_000))
REGION = "140500"
YEAR = 2024
TODAY = "2023-11-20"                        # in 晋城's 2024 collection period, on one of its days 1–25
PAID_AT = "2023-11-20T10:30:00+08:00"
USER, PASSWORD = "bench.admin", "Bench-pass-1"
RETRY_SHARE = 10                            # one payment in ten is a retry
SINGLE_SHARE = 50_000                       # residents kept for the single endpoint
OPTIONS = {"seconds": 60, "single_seconds": 20, "batch_clients": 4, "clients": 16}


def main() -> int:
    return run(__file__, run_worker, write_results, RESULTS, today=TODAY)


def run(script: str, worker, write, results: Path, *, today: str) -> int:
    """A payment benchmark's command line (shared with ``contributions_payments_bench``): the load
    options (``--seconds``, ``--single-seconds``, ``--batch-clients``, ``--clients``) into
    ``OPTIONS``, passed on to the workers, then ``per_database.main``."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--seconds", type=int, default=OPTIONS["seconds"])
    parser.add_argument("--single-seconds", type=int, default=OPTIONS["single_seconds"])
    parser.add_argument("--batch-clients", type=int, default=OPTIONS["batch_clients"])
    parser.add_argument("--clients", type=int, default=OPTIONS["clients"])
    known, rest = parser.parse_known_args()
    OPTIONS.update(seconds=known.seconds, single_seconds=known.single_seconds, batch_clients=known.batch_clients,
                   clients=known.clients)
    if not any(a.startswith("--worker") for a in rest):  # a worker takes the options its parent passed
        os.environ["BENCH_PAY_OPTIONS"] = json.dumps(OPTIONS)
    sys.argv = [sys.argv[0], *rest]
    return per_database.main(script, worker, write, results, today=today)


# --- one database ----------------------------------------------------------------------------------

def run_worker(url: str) -> dict:
    per_database.installed()
    OPTIONS.update(json.loads(os.environ.get("BENCH_PAY_OPTIONS", "{}")))

    log = per_database.log
    t = time.perf_counter()
    people, payable = _prepare()
    log(f"prepared {len(people):,} unpaid residents in {time.perf_counter() - t:.0f} s; payable {payable}")
    token = _channel_and_user()
    from django.db import connections

    connections.close_all()

    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    errors = open(Path(os.environ.get("YIBAO_VAR_DIR", "/tmp")) / "server-errors.log", "w+b")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "yibao.cli", "serve", "--no-worker", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        _wait(server, port, errors)
        # the single endpoint pays the last SINGLE_SHARE residents, the batches the others
        reserved = min(len(people) // 4, SINGLE_SHARE)
        pool = _Pool(iter(people[:-reserved]))
        batch = _batch_load(port, token, pool, payable, OPTIONS["seconds"], OPTIONS["batch_clients"])
        log(f"batch: {batch['recorded_rate']:.0f} recorded/s, {batch['requests']} requests, {batch['answers']}")
        pool.refill(iter(people[-reserved:]))
        single = _single_load(port, token, pool, payable, OPTIONS["single_seconds"], OPTIONS["clients"])
        log(f"single: {single['recorded_rate']:.0f} recorded/s")
        jar = _sign_in(port)
        trivial = _trivial_load(port, jar, OPTIONS["single_seconds"], OPTIONS["clients"])
        log(f"trivial: {trivial['rate']:.0f} requests/s")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        errors.seek(0)
        logged = errors.read().decode(errors="replace")
        errors.close()
        if "Traceback" in logged:
            log("server errors:\n" + logged[-4000:])
    check = _check(pool)
    log(f"check: {check}")
    ratio = single["request_rate"] / trivial["rate"] if trivial["rate"] else 0
    ok = batch["recorded_rate"] >= 1000 and ratio >= 0.5 and check["ok"]
    return {"persons": len(people), "payable": str(payable), "options": OPTIONS, "batch": batch, "single": single,
            "trivial": trivial, "single_vs_trivial": ratio, "check": check, "pass": ok,
            "run": time.strftime("%Y-%m-%d %H:%M")}


def _prepare() -> tuple[list[tuple[str, str]], Decimal]:
    """``PERSONS`` residents of 晋城 enrolled for 2024 and unpaid, without hardship categories (so
    every one owes the engine's standard premium): (identity number, village) each."""
    import resident_queries_bench as rq
    from django.db import connection

    from yibao.collection import rules
    from yibao.resident.models import Enrolment, HardshipGrant

    rq.SAMPLES = 1
    rq._load(PERSONS)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {Enrolment._meta.db_table} SET status = 'registered', paid_on = NULL, kind = 'ordinary'")
        cur.execute(f"DELETE FROM {HardshipGrant._meta.db_table}")
        cur.execute("ANALYZE")
    people = list(Enrolment.objects.filter(region_id=REGION, insurance_year=YEAR)
                  .values_list("id_number", "division_id").order_by("id"))
    return people, rules.premium(REGION, YEAR, []).payable


def _channel_and_user() -> str:
    from yibao.access.roles import Role
    from yibao.accounts.services import create_user
    from yibao.channels.services import create_channel
    from yibao.regions.models import Division

    create_user(role=Role.ADMIN, username=USER, password=PASSWORD, full_name="压测管理员",
                division=Division.objects.get(key=REGION), check_password=False)
    return create_channel("压测渠道", region=REGION)[1]


class _Pool:
    """Hands out residents to pay, remembers what each client was told was recorded."""

    def __init__(self, numbers):
        self._numbers = numbers
        self._lock = threading.Lock()
        self._serial = itertools.count(1)
        self.recorded: dict[str, tuple[str, str]] = {}   # transaction id → (identity number, amount)
        self.statuses: Counter = Counter()
        self.exhausted = False

    def refill(self, numbers) -> None:
        with self._lock:
            self._numbers, self.exhausted = numbers, False

    def take(self, n: int) -> list[tuple[str, str, str]]:
        with self._lock:
            out = []
            for number, _village in itertools.islice(self._numbers, n):
                out.append((f"B{next(self._serial):09d}", number, _village))
            if len(out) < n:
                self.exhausted = True
            return out

    def answered(self, txn: str, number: str, amount: str, status: int) -> None:
        with self._lock:
            self.statuses[status] += 1
            if status == 201:
                self.recorded[txn] = (number, amount)


def _payment(txn: str, number: str, amount: Decimal) -> dict:
    return {"transaction_id": txn, "id_number": number, "region": REGION, "insurance_year": YEAR,
            "amount": f"{amount:.2f}", "paid_at": PAID_AT}


def _closed_loop(clients: int, seconds: float, body_of, on_answer) -> dict:
    """``clients`` threads, each sending its next request as soon as the last is answered."""
    stop_at = time.perf_counter() + seconds
    counts = Counter()
    lock = threading.Lock()

    def run(n):
        sent = []   # this client's earlier payments, for retries
        local = Counter()
        conn = None
        while time.perf_counter() < stop_at:
            request = body_of(n, sent)
            if request is None:
                break
            method, path, body, headers, items = request
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", PORT[0], timeout=120)
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                data = response.read()
                local["requests"] += 1
                on_answer(response.status, data, items, sent, local)
            except (OSError, http.client.HTTPException):
                local["errors"] += 1
                conn = None
        with lock:
            counts.update(local)

    began = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts["elapsed"] = time.perf_counter() - began
    return counts


PORT = [0]


def _batch_load(port, token, pool: _Pool, payable: Decimal, seconds: float, clients: int) -> dict:
    PORT[0] = port
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def body_of(n, sent):
        retries = min(len(sent), 1000 // RETRY_SHARE)
        fresh = pool.take(1000 - retries)
        if not fresh:
            return None
        items = [(txn, number) for txn, number, _ in fresh]
        items += [sent[(len(sent) * 7919 + i * 104729) % len(sent)] for i in range(retries)] if retries else []
        payload = {"payments": [_payment(txn, number, payable) for txn, number in items]}
        return "POST", "/api/v1/collection/payments/batch", json.dumps(payload), headers, items

    def on_answer(status, data, items, sent, local):
        if status != 200:
            local[f"http_{status}"] += 1
            return
        for (txn, number), result in zip(items, json.loads(data)["results"], strict=True):
            local[f"item_{result['status']}"] += 1
            pool.answered(txn, number, f"{payable:.2f}", result["status"])
            if result["status"] == 201:
                sent.append((txn, number))

    counts = _closed_loop(clients, seconds, body_of, on_answer)
    return {"requests": counts["requests"], "elapsed": counts["elapsed"], "errors": counts["errors"],
            "answers": {k: v for k, v in counts.items() if k.startswith(("item_", "http_"))},
            "recorded_rate": counts["item_201"] / counts["elapsed"], "exhausted": pool.exhausted}


def _single_load(port, token, pool: _Pool, payable: Decimal, seconds: float, clients: int) -> dict:
    PORT[0] = port
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    turn = itertools.count()

    def body_of(n, sent):
        if sent and next(turn) % RETRY_SHARE == 0:
            item = sent[len(sent) // 2]
        else:
            fresh = pool.take(1)
            if not fresh:
                return None
            item = fresh[0][:2]
        return "POST", "/api/v1/collection/payments", json.dumps(_payment(*item, payable)), headers, [item]

    def on_answer(status, data, items, sent, local):
        local[f"status_{status}"] += 1
        txn, number = items[0]
        pool.answered(txn, number, f"{payable:.2f}", status)
        if status == 201:
            sent.append((txn, number))

    counts = _closed_loop(clients, seconds, body_of, on_answer)
    return {"requests": counts["requests"], "elapsed": counts["elapsed"], "errors": counts["errors"],
            "answers": {k: v for k, v in counts.items() if k.startswith("status_")}, "exhausted": pool.exhausted,
            "request_rate": counts["requests"] / counts["elapsed"],
            "recorded_rate": counts["status_201"] / counts["elapsed"]}


def _trivial_load(port, jar, seconds: float, clients: int) -> dict:
    PORT[0] = port
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}

    def body_of(n, sent):
        return "GET", "/api/v1/me", None, headers, []

    def on_answer(status, data, items, sent, local):
        local[f"status_{status}"] += 1

    counts = _closed_loop(clients, seconds, body_of, on_answer)
    return {"requests": counts["requests"], "elapsed": counts["elapsed"], "errors": counts["errors"],
            "answers": {k: v for k, v in counts.items() if k.startswith("status_")},
            "rate": counts["requests"] / counts["elapsed"]}


def _check(pool: _Pool) -> dict:
    """What the database holds against what the clients were told."""
    from django.db import connection
    from django.db.models import Count, Sum

    from yibao.collection.models import Payment
    from yibao.resident.models import Enrolment

    connection.close()
    payments = Payment.objects.all()
    total = payments.count()
    distinct = payments.values("channel_id", "transaction_id").distinct().count()
    twice = (payments.values("enrolment_id").annotate(n=Count("id")).filter(n__gt=1).count())
    paid = Enrolment.objects.filter(status="paid").count()
    recorded_numbers = {number for number, _ in pool.recorded.values()}
    by_village_db = dict(payments.values("division_id").annotate(total=Sum("amount")).values_list("division_id",
                                                                                                 "total"))
    # the independent sum: what the clients were told was recorded, by each person's village as
    # the enrolments (not the payments) hold it
    village_of = dict(Enrolment.objects.filter(region_id=REGION, insurance_year=YEAR)
                      .values_list("id_number", "division_id"))
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for number, amount in pool.recorded.values():
        expected[village_of[number]] += Decimal(amount)
    balances_agree = by_village_db == dict(expected)
    ok = (total == distinct == len(pool.recorded) == paid and twice == 0 and balances_agree
          and len(recorded_numbers) == total)
    return {"payments": total, "distinct_transactions": distinct, "answered_201": len(pool.recorded),
            "enrolments_paid": paid, "enrolments_paid_twice": twice, "villages": len(by_village_db),
            "balances_agree": balances_agree, "statuses": dict(pool.statuses), "ok": ok}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(server, port, errors) -> None:
    deadline = time.time() + 120
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/login/")
            c.getresponse().read()
            return
        except OSError:
            if server.poll() is not None or time.time() > deadline:
                server.kill()
                errors.seek(0)
                raise RuntimeError(errors.read().decode(errors="replace")[-2000:]) from None
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
    c.request("POST", "/api/v1/auth/login", json.dumps({"username": USER, "password": PASSWORD}), {
        "Content-Type": "application/json", "X-CSRFToken": token,
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = c.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"sign-in failed: {response.status}")
    _cookies(response, jar)
    return jar


# --- results --------------------------------------------------------------------------------------

def merged(raw: Path, results: list[dict]) -> list[dict]:
    """This run's figures per database, with an earlier run's kept (in ``raw``, rewritten) for a
    database not run now (``--only``)."""
    stored = json.loads(raw.read_text()) if raw.exists() else []
    by_db = {r["database"]: r for r in stored}
    by_db.update({r["database"]: r for r in results})
    rows = [by_db[k] for k in ("sqlite", "postgresql") if k in by_db]
    raw.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    return rows


def run_line(rows: list[dict], produced_by: str) -> str:
    return (f"Run {', '.join(r['database'] + ' ' + r['run'] for r in rows)} on {os.cpu_count()} cores "
            f"({platform.machine()}), Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at "
            f"the end. Produced by {produced_by}.")


def batch_answers(batch: dict) -> str:
    return ", ".join(f"{k.split('_')[1]}: {v:,}" for k, v in sorted(batch["answers"].items()))


def write_results(results: list[dict]) -> None:
    rows = merged(RAW, results)
    lines = ["# Channel payments over HTTP", "", run_line(rows, "`bench/collection_payments_bench.py`"), "",
             "`yibao serve` (gunicorn, a process per core × 4 threads) on a fresh database holding the 晋城 residents "
             "below, registered and unpaid for 2024. Closed-loop clients (Python threads on keep-alive connections, "
             "on the same machine: they take part of its two cores) send payments with a channel's bearer token; one "
             "payment in ten is a retry of a transaction the client sent before. The trivial endpoint is "
             "`GET /api/v1/me`, signed in, asked by the same clients in the same run.", "",
             "| database | residents | batch: recorded payments/s | batch answers | single: requests/s | single: "
             "recorded/s | trivial: requests/s | single ÷ trivial | afterwards | met |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        b, s, t, c = r["batch"], r["single"], r["trivial"], r["check"]
        answers = batch_answers(b)
        after = (f"{c['payments']:,} payments = {c['distinct_transactions']:,} transaction ids = "
                 f"{c['answered_201']:,} answered 201 = {c['enrolments_paid']:,} enrolments paid; "
                 f"paid twice {c['enrolments_paid_twice']}; village sums agree: {'yes' if c['balances_agree'] else 'NO'}")
        lines.append(f"| {r['database']} | {r['persons']:,} | {b['recorded_rate']:,.0f} | {answers} | "
                     f"{s['request_rate']:,.0f} | {s['recorded_rate']:,.0f} | {t['rate']:,.0f} | "
                     f"{r['single_vs_trivial']:.2f} | {after} | {'yes' if r['pass'] else 'NO'} |")
    lines += ["", "Targets (the issue): at least 1,000 recorded payments per second through the batch endpoint, "
              "sustained for 60 s; the single endpoint at least half the trivial endpoint's rate; afterwards exactly "
              "one payment per transaction id and every balance equal to an independent sum."]
    RESULTS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
