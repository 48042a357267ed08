import re

import pytest
from django.urls import reverse

from employer.factories import UnitFactory, UnitOperatorFactory
from factories import PASSWORD, AdminFactory, AgencyClerkFactory, AuditorFactory, IndividualFactory, division
from yibao.access.roles import Role
from yibao.access.scoping import scope_of
from yibao.accounts.models import User
from yibao.accounts.services import AccountError, IdNumberTaken, change_id_number, create_user
from yibao.audit.models import AuditEntry
from yibao.regions.models import Division

pytestmark = pytest.mark.django_db


def test_every_role_signs_in_and_reaches_its_home(client, people):
    roles = {u.role for u in people.users}
    assert roles == set(Role.values)
    for user in people.users:
        client.logout()
        response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, user.username
        home = client.get(reverse("home"))
        assert home.status_code == 200
        assert user.get_role_display() in home.content.decode()


def test_wrong_password_is_refused_in_chinese_and_audited_with_the_address(client):
    clerk = AgencyClerkFactory()
    before = AuditEntry.objects.count()
    response = client.post(reverse("login"), {"username": clerk.username, "password": "wrong-password"},
                           REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 401
    assert "账号或密码错误" in response.content.decode()
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="auth.failed")
    assert entry.ip == "192.0.2.44" and entry.object_id == str(clerk.pk)
    assert entry.division_path == clerk.division.path
    assert "wrong-password" not in str(entry.after)
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_five_failures(client):
    auditor = AuditorFactory()
    for _ in range(5):
        client.post(reverse("login"), {"username": auditor.username, "password": "nope-nope"})
    response = client.post(reverse("login"), {"username": auditor.username, "password": PASSWORD})
    assert response.status_code == 401
    assert "登录失败次数过多" in response.content.decode()


def test_unit_operator_signs_in_with_unit_number(client):
    unit = UnitFactory(county="371502")
    UnitOperatorFactory(unit=unit)
    response = client.post(reverse("login"), {"username": unit.unit_number, "password": PASSWORD})
    assert response.status_code == 302
    assert unit.name in client.get(reverse("home")).content.decode()


def test_individual_signs_in_with_identity_number(client):
    individual = IndividualFactory(id_number="37070519850601008X")  # typed with a lower-case x below
    assert individual.username == individual.id_number
    response = client.post(reverse("login"), {"username": individual.id_number.lower(), "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_role_for_a_page_is_403_in_chinese(client_for):
    client = client_for(UnitOperatorFactory())
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


def test_passwords_are_hashed(settings):
    """With the project's own hashers (the tests use a quick one elsewhere)."""
    from django.conf import global_settings

    from yibao import settings as project_settings

    settings.PASSWORD_HASHERS = getattr(project_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    admin = AdminFactory()
    assert admin.password.startswith(("pbkdf2_sha256$", "argon2", "bcrypt", "scrypt"))
    assert admin.check_password(PASSWORD)


def test_create_individual_refuses_a_malformed_identity_number():
    count = User.objects.count()
    with pytest.raises(AccountError, match="身份证"):
        create_user(role=Role.INDIVIDUAL, username="37070519800101123", password="Xx-123456789")
    assert User.objects.count() == count


def test_create_staff_requires_a_division():
    with pytest.raises(AccountError, match="管辖区划"):
        create_user(role=Role.AUDITOR, username="someone", password="Xx-123456789")


def test_create_user_is_audited():
    admin = AdminFactory()
    user = create_user(role=Role.AUDITOR, username="auditor.new", password="Xx-123456789",
                       division=Division.objects.get(key="371500"), actor=admin)
    entry = AuditEntry.objects.filter(action="user.create", object_id=str(user.pk)).get()
    assert entry.actor_label == admin.username
    assert entry.after["role"] == Role.AUDITOR


def test_an_individual_account_follows_a_new_identity_number():
    """The account signs in with its number: both move together, audited; a number another
    account holds is refused with nothing changed; no account with the old number, nothing to do."""
    clerk = AgencyClerkFactory()
    mine, other, spare = IndividualFactory(), IndividualFactory(), IndividualFactory.build()
    old = mine.id_number
    with pytest.raises(IdNumberTaken, match=other.id_number):
        change_id_number(old, other.id_number, actor=clerk)
    mine.refresh_from_db()
    assert mine.id_number == mine.username == old
    assert change_id_number(spare.id_number, old, actor=clerk) is None
    assert change_id_number(old, spare.id_number.lower(), actor=clerk, division_path="371728").pk == mine.pk
    mine.refresh_from_db()
    assert mine.id_number == mine.username == spare.id_number
    entry = AuditEntry.objects.get(action="user.id_number", object_id=str(mine.pk))
    assert entry.before["id_number"] == old and entry.after["username"] == spare.id_number
    assert entry.actor_label == clerk.username and entry.division_path == "371728"


def test_scope_is_a_region_subtree():
    weifang = scope_of(AgencyClerkFactory(division=division("370700")))
    divisions = weifang.filter(Division.objects.all())
    assert divisions.filter(key="370705").exists()
    assert not divisions.filter(key="371500").exists()
    assert not divisions.filter(key="370000").exists()


def test_unit_and_person_scopes_see_no_divisions():
    for user in (UnitOperatorFactory(), IndividualFactory()):
        assert scope_of(user).filter(Division.objects.all()).count() == 0, user.role


def test_division_outside_scope_is_404_like_a_missing_one(client_for):
    client = client_for(AgencyClerkFactory(division=division("370700")))
    outside = client.get(reverse("regions"), {"parent": "371500"})
    missing = client.get(reverse("regions"), {"parent": "999999"})
    assert outside.status_code == missing.status_code == 404
    # identical pages but for the per-response masked CSRF token of the sign-out form
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", outside.content) == token.sub(b"", missing.content)


def test_a_nul_byte_in_the_username_is_a_failed_sign_in_not_a_server_error(client):
    """PostgreSQL stores no NUL byte: such a name matches no account and is refused and counted
    like any wrong name (found by the API's schema fuzzing)."""
    for name in ("\x00", "admin\x00"):
        response = client.post("/api/v1/auth/login", {"username": name, "password": "x\x00y"},
                               content_type="application/json")
        assert response.status_code == 401, response.content
    assert AuditEntry.objects.filter(action="auth.failed").count() == 2
