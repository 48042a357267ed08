import re

import pytest
from django.urls import reverse

from yibao.access.roles import Role
from yibao.access.scoping import scope_of
from yibao.accounts.models import User
from yibao.accounts.services import AccountError, create_user
from yibao.audit.models import AuditEntry
from yibao.demo import DEMO_PASSWORD
from yibao.regions.models import Division

pytestmark = pytest.mark.django_db


def test_every_role_has_a_demo_login_and_reaches_its_home(client, users):
    roles = {u.role for u in users.values()}
    assert roles == set(Role.values)
    for user in users.values():
        client.logout()
        response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.username
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert user.get_role_display() in home.content.decode()


def test_wrong_password_is_refused_in_chinese_and_audited_with_the_address(client, users):
    before = AuditEntry.objects.count()
    response = client.post(reverse("login"), {"username": "clerk.weifang", "password": "wrong-password"},
                           REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 401
    assert "账号或密码错误" in response.content.decode()
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="auth.failed")
    assert entry.ip == "192.0.2.44" and entry.object_id == str(users["clerk.weifang"].pk)
    assert entry.division_path == users["clerk.weifang"].division.path
    assert "wrong-password" not in str(entry.after)
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures(client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "auditor.weifang", "password": "nope-nope"})
    response = client.post(reverse("login"), {"username": "auditor.weifang", "password": DEMO_PASSWORD})
    assert response.status_code == 401
    assert "登录失败次数过多" in response.content.decode()


def test_unit_operator_signs_in_with_unit_number(client):
    response = client.post(reverse("login"), {"username": "37150200001", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "聊城示范商贸有限公司" in client.get(reverse("home")).content.decode()


def test_individual_signs_in_with_identity_number(client, users):
    individual = next(u for u in users.values() if u.role == Role.INDIVIDUAL)
    assert individual.username == individual.id_number
    response = client.post(reverse("login"), {"username": individual.id_number.lower(), "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_wrong_role_for_a_page_is_403_in_chinese(client_for):
    client = client_for("37070500001")
    response = client.get(reverse("audit"))
    assert response.status_code == 403
    assert "无权" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("audit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_expires_when_idle(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_passwords_are_hashed(users):
    assert users["admin"].password.startswith(("pbkdf2_sha256$", "argon2", "bcrypt", "scrypt"))


def test_create_individual_refuses_a_malformed_identity_number():
    count = User.objects.count()
    with pytest.raises(AccountError, match="身份证"):
        create_user(role=Role.INDIVIDUAL, username="37070519800101123", password="Xx-123456789")
    assert User.objects.count() == count


def test_create_staff_requires_a_division():
    with pytest.raises(AccountError, match="管辖区划"):
        create_user(role=Role.AUDITOR, username="someone", password="Xx-123456789")


def test_create_user_is_audited(users):
    user = create_user(role=Role.AUDITOR, username="auditor.new", password="Xx-123456789",
                       division=Division.objects.get(key="371500"), actor=users["admin"])
    entry = AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).get()
    assert entry.actor_label == "admin"
    assert entry.after["role"] == Role.AUDITOR


def test_scope_is_a_region_subtree(users):
    weifang = scope_of(users["clerk.weifang"])
    divisions = weifang.filter(Division.objects.all())
    assert divisions.filter(key="370705").exists()
    assert not divisions.filter(key="371500").exists()
    assert not divisions.filter(key="370000").exists()


def test_unit_and_person_scopes_see_no_divisions(users):
    for username in ("37070500001",):
        assert scope_of(users[username]).filter(Division.objects.all()).count() == 0


def test_division_outside_scope_is_404_like_a_missing_one(client_for):
    client = client_for("clerk.weifang")
    outside = client.get(reverse("regions"), {"parent": "371500"})
    missing = client.get(reverse("regions"), {"parent": "999999"})
    assert outside.status_code == missing.status_code == 404
    # identical pages but for the per-response masked CSRF token of the sign-out form
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", outside.content) == token.sub(b"", missing.content)
