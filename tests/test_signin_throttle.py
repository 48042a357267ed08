"""Sign-in throttling under concurrency: the account and the source address each lock after five
failures, however many attempts arrive at once, and a correct password sent after the lock is
refused. The attempts run in threads through the API's sign-in, each with its own database
connection, so the counting is exercised as it is under a multi-threaded, multi-process server.

Run on PostgreSQL too: DATABASE_URL=postgres://…/<name> pytest tests/test_signin_throttle.py
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from yibao.access.roles import Role
from yibao.accounts import services
from yibao.accounts.services import create_user
from yibao.audit.models import AuditEntry

# Threads need committed rows: this module's tests commit and the test database is emptied after
# each one (pytest-django runs such tests after all the others).
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Throttle-pass-1"
LOCKED = "登录失败次数过多"


def _account(username):
    return create_user(role=Role.ADMIN, username=username, password=PASSWORD, check_password=False)


def _sign_in(username, password, ip):
    try:
        response = Client().post("/api/v1/auth/login", {"username": username, "password": password},
                                 content_type="application/json", REMOTE_ADDR=ip)
        return response.status_code, response.json().get("detail", "")
    finally:
        connections.close_all()


class CountedChecks:
    """Counts the password checks and holds each one a moment, so that every wrong attempt is
    in flight at once (as when many arrive together on a busy server)."""

    def __init__(self, monkeypatch, hold=0.4):
        self.real = services.authenticate
        self.hold = hold
        self.lock = threading.Lock()
        self.checks = 0
        monkeypatch.setattr(services, "authenticate", self)

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.checks += 1
        time.sleep(self.hold)
        return self.real(*args, **kwargs)


def _wait(condition, timeout=60):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "attempts did not settle"
        time.sleep(0.01)


def test_thirty_concurrent_wrong_passwords_then_the_right_one_is_refused(monkeypatch):
    _account("throttle.one")
    checks = CountedChecks(monkeypatch)
    ip = "203.0.113.7"
    with ThreadPoolExecutor(max_workers=40) as pool:
        wrong = [pool.submit(_sign_in, "throttle.one", f"wrong-{i}", ip) for i in range(30)]
        # the 31st request leaves once each of the 30 is being checked or has been answered
        _wait(lambda: checks.checks + sum(f.done() for f in wrong) >= 30)
        right = pool.submit(_sign_in, "throttle.one", PASSWORD, ip)
        more = [pool.submit(_sign_in, "throttle.one", f"wrong-{i}", ip) for i in range(9)]
        answers = [f.result() for f in wrong + more]
        status, detail = right.result()
    assert status == 401 and LOCKED in detail, (status, detail)
    assert checks.checks <= 5
    assert all(s == 401 for s, _ in answers)
    assert sum(LOCKED in d for _, d in answers) >= 34
    # the lock holds for the account from any address
    status, detail = _sign_in("throttle.one", PASSWORD, "198.51.100.1")
    assert status == 401 and LOCKED in detail
    failed = AuditEntry.objects.filter(action="auth.failed")
    assert failed.count() == checks.checks
    assert set(failed.values_list("ip", flat=True)) == {ip}
    assert AuditEntry.objects.filter(action="auth.locked", ip=ip).exists()
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_an_account_locks_after_five_failures_from_many_addresses(monkeypatch):
    _account("throttle.two")
    checks = CountedChecks(monkeypatch, hold=0.2)
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda i: _sign_in("throttle.two", "wrong", f"198.51.100.{i}"), range(20)))
    assert checks.checks <= 5
    assert sum(LOCKED in d for _, d in answers) >= 15
    status, detail = _sign_in("throttle.two", PASSWORD, "192.0.2.200")
    assert status == 401 and LOCKED in detail


def test_an_address_locks_after_five_failures_over_many_accounts(monkeypatch):
    for name in ("throttle.three", "throttle.four"):
        _account(name)
    checks = CountedChecks(monkeypatch, hold=0.2)
    ip = "192.0.2.9"
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda i: _sign_in(f"guess.{i}", "wrong", ip), range(20)))
    assert checks.checks <= 5
    assert sum(LOCKED in d for _, d in answers) >= 15
    # a right password from the locked address is refused; from another address it signs in
    status, detail = _sign_in("throttle.three", PASSWORD, ip)
    assert status == 401 and LOCKED in detail
    assert _sign_in("throttle.four", PASSWORD, "192.0.2.10")[0] == 200
    assert AuditEntry.objects.filter(action="auth.locked", ip=ip).exists()


def test_a_success_clears_the_account_but_not_the_address(monkeypatch):
    _account("throttle.five")
    ip = "192.0.2.77"
    for _ in range(4):
        assert _sign_in("throttle.five", "wrong", ip)[0] == 401
    assert _sign_in("throttle.five", PASSWORD, ip)[0] == 200
    # the account starts afresh, the address keeps its four failures: one more locks it
    assert "还可尝试 4 次" in _sign_in("throttle.five", "wrong", "192.0.2.78")[1]
    status, detail = _sign_in("someone.else", "wrong", ip)
    assert status == 401
    status, detail = _sign_in("throttle.five", PASSWORD, ip)
    assert status == 401 and LOCKED in detail
