import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser

LOGINS = [
    ("admin", "系统管理员"),
    ("manager.weifang", "医保局管理人员"),
    ("clerk.weifang", "医保经办机构人员"),
    ("auditor.weifang", "稽核人员"),
    ("township.dongming", "乡镇（街道）经办人员"),
    ("tax.dongming", "税务人员"),
    ("agent.dongming", "村居代办员"),
    ("37070500001", "参保单位经办人"),
]


@pytest.mark.parametrize(("username", "role"), LOGINS)
def test_each_role_signs_in_and_out(page, live_app, shot, username, role):
    sign_in(page, live_app, username, DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=home-title]")
    assert role in page.inner_text("[data-testid=who]")
    shot("home")
    page.get_by_role("button", name="退出").click()
    page.wait_for_selector("text=您已安全退出")


def test_individual_signs_in_with_identity_number(page, live_app, shot):
    from yibao.demo import _resident_id

    sign_in(page, live_app, _resident_id("37172819900315002"), DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=home-title]")
    assert "个人" in page.inner_text("[data-testid=who]")
    shot("home")


def test_wrong_password_shows_a_chinese_message(page, live_app, shot):
    sign_in(page, live_app, "clerk.liaocheng", "not-the-password")
    message = page.inner_text("[data-testid=login-error]")
    assert "账号或密码错误" in message
    shot("error")


def test_unit_operator_is_refused_the_audit_page(page, live_app, shot):
    sign_in(page, live_app, "37150200001", DEMO_PASSWORD)
    page.wait_for_selector("[data-testid=home-title]")
    response = page.goto(live_app + "/audit/")
    assert response.status == 403
    assert "无权" in page.inner_text("[data-testid=error-message]")
    shot("forbidden")

