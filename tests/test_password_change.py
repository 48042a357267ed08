"""An account opened by a clerk with a one-time password changes it at first sign-in, before
anything else: pages lead to the change-password page, the API answers 403
password_change_required, Django's validators judge the new password; the change is audited."""

import json

import pytest
from django.test import Client

from employer.factories import UnitFactory
from factories import AgencyClerkFactory
from yibao.audit.models import AuditEntry
from yibao.employer import services

pytestmark = pytest.mark.django_db
NEW = "Weifang-Unit-2024"


@pytest.fixture
def opened():
    unit = UnitFactory(county="370705")
    return services.open_account(unit, actor=AgencyClerkFactory()), unit


def _signed_in(opened) -> Client:
    client = Client()
    account, _ = opened
    answer = client.post("/login/", {"username": account.user.username, "password": account.password})
    assert answer.status_code == 302
    return client


def test_every_page_leads_to_the_change_password_page_until_changed(opened):
    account, unit = opened
    assert account.user.must_change_password
    client = _signed_in(opened)
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/account/password/?next=")
    declaration = client.get("/employer/declaration/")
    assert declaration.status_code == 302 and "/account/password/" in declaration["Location"]
    page = client.get("/account/password/")
    assert page.status_code == 200 and 'data-testid="password-change-required"' in page.content.decode()
    assert "<nav>" not in page.content.decode()   # nowhere else to go yet
    # Django's validators: too short, all digits, common; a wrong current password; a mismatch
    for old, new, confirm, said in [(account.password, "1234", "1234", "至少 8 个字符"),
                                    (account.password, "12345678901", "12345678901", "不能全是数字"),
                                    (account.password, "password123", "password123", "密码太常见"),
                                    ("wrong-one", NEW, NEW, "当前密码不正确"),
                                    (account.password, NEW, NEW + "x", "不一致"),
                                    (account.password, account.password, account.password, "不能与当前密码相同")]:
        refused = client.post("/account/password/", {"old_password": old, "new_password": new,
                                                     "confirm_password": confirm})
        assert refused.status_code == 400 and said in refused.content.decode(), said
    changed = client.post("/account/password/?next=/employer/declaration/",
                          {"old_password": account.password, "new_password": NEW, "confirm_password": NEW})
    assert changed.status_code == 302 and changed["Location"] == "/employer/declaration/"
    home = client.get("/")
    assert home.status_code == 200 and "<nav>" in home.content.decode()   # still signed in, and free to go
    account.user.refresh_from_db()
    assert not account.user.must_change_password and account.user.check_password(NEW)
    entry = AuditEntry.objects.get(action="user.password.change")
    assert entry.actor_id == account.user.pk and entry.after == {"first_sign_in": True}
    assert entry.division_path == unit.division.path
    assert account.password not in json.dumps([entry.after, entry.before]) and NEW not in json.dumps(entry.after)
    fresh = Client()
    assert fresh.login(username=account.user.username, password=NEW)
    assert not fresh.login(username=account.user.username, password=account.password)


def test_the_api_answers_403_password_change_required_until_changed(opened):
    account, _ = opened
    client = _signed_in(opened)
    held = client.get("/api/v1/contributions/bills")
    assert held.status_code == 403 and held.json()["code"] == "password_change_required"
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["must_change_password"] is True
    weak = client.post("/api/v1/auth/password", {"old_password": account.password, "new_password": "12345678"},
                       content_type="application/json")
    assert weak.status_code == 400 and weak.json()["code"] == "password_refused"
    done = client.post("/api/v1/auth/password", {"old_password": account.password, "new_password": NEW},
                       content_type="application/json")
    assert done.status_code == 200 and done.json() == {"changed": True}
    assert client.get("/api/v1/contributions/bills").status_code == 200
    assert client.get("/api/v1/me").json()["must_change_password"] is False


def test_accounts_not_opened_with_a_one_time_password_are_not_held(people, client_for):
    client = client_for(people.weifang_operator)
    assert not people.weifang_operator.must_change_password
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/contributions/bills").status_code == 200
