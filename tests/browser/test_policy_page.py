"""The policy page in the browser: region and question chosen from lists (the page reloads with
that question's form), a hardship category ticked, the answer with its explanation and citations;
at a desktop width and a phone width, and without script."""

import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def choose(page, select: str, value: str) -> None:
    """Choosing in a list reloads the page with the chosen question's form."""
    with page.expect_navigation():
        page.select_option(select, value)


def test_resident_premium_for_a_hardship_category(page, live_app, shot):
    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.get_by_role("link", name="政策查询").click()
    page.wait_for_selector("[data-testid=policy-form]")
    assert page.locator("#region").input_value() == "370700"  # the clerk's own region first
    choose(page, "#region", "371728")
    choose(page, "#question", "resident.premium")
    assert page.get_by_label("保险年度（待遇享受年度，如 2024）").input_value() == "2024"
    boxes = page.locator("input[name=in-categories]")
    assert [boxes.nth(i).get_attribute("value") for i in range(boxes.count())] == ["特困人员", "低保对象", "返贫致贫人口"]
    page.get_by_label("低保对象").check()
    page.get_by_role("button", name="查询").click()
    answer = page.locator("[data-testid=policy-answer]")
    answer.wait_for()
    assert page.inner_text("[data-testid=output-payable]").split() == ["个人应缴（元）", "266.00"]
    assert "114.00" in page.inner_text("[data-testid=output-subsidy]")
    text = answer.inner_text()
    assert "东政办字〔2023〕26号" in text and "个人应缴 = 380.00 − 114.00 = 266.00 元。" in text
    assert page.get_by_label("低保对象").is_checked()  # the form keeps what was asked
    shot("answer")

    page.set_viewport_size(PHONE)
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= PHONE["width"], "政策查询页在手机宽度下横向溢出"
    shot("phone")


def test_a_refusal_on_a_phone(live_app, shot, page):
    page.set_viewport_size(PHONE)
    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.goto(live_app + "/policy/?region=370700&question=employee.flexible_base")
    page.get_by_label("本人选择的月缴费基数（元）").fill("4000")
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("[data-testid=policy-refusal]")
    assert "不能给出结果：超出规定范围" in page.inner_text("[data-testid=policy-answer]")
    shot("refusal")

    page.goto(live_app + "/policy/?region=370700&question=employee.base&shown=370700|employee.base"
                         "&in-month=2024-01&in-wage=abc")
    assert "输入一个数字" in page.inner_text("[data-testid=error-wage]")
    assert page.locator("[data-testid=policy-answer]").count() == 0
    shot("field-error")


def test_the_page_works_without_script(browser, live_app, shot):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860}, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_app, "township.dongming", DEMO_PASSWORD)
        page.goto(live_app + "/policy/?region=371728&question=resident.collection_period")
        page.select_option("#question", "resident.premium")  # no script: nothing happens yet
        assert page.get_by_label("保险年度（待遇享受年度，如 2024）").count() == 1  # still the old form
        page.get_by_role("button", name="查询").click()
        page.wait_for_selector("[data-testid=policy-switched]")
        page.get_by_label("特困人员").check()
        page.get_by_role("button", name="查询").click()
        page.wait_for_selector("[data-testid=policy-answer]")
        assert page.inner_text("[data-testid=output-payable]").split() == ["个人应缴（元）", "0.00"]
    finally:
        context.close()
