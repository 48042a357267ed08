"""A unit declares its January bill; an agency clerk, on a phone, records part of it paid at the
counter (窗口缴费), is refused an overpayment, and the bill shows its payments and balance."""

import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser

UNIT = "37150200004"   # 聊城示范物流有限公司: approved 2024 bases, a January 2024 bill to declare


def test_a_clerk_records_a_counter_payment_on_a_phone(browser, live_app, tmp_path):
    from .conftest import ARTIFACTS

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        sign_in(page, live_app, UNIT, DEMO_PASSWORD)
        page.goto(live_app + "/contributions/bills/?month=2024-01")
        # (on a phone the bills table's sticky header covers the first row's link: open its address)
        page.goto(live_app + page.get_by_role("link", name="查看").first.get_attribute("href"))
        bill_url = page.url
        assert page.locator("[data-testid=counter-payment]").count() == 0   # a unit does not record payments
        page.get_by_role("button", name="申报本月缴费单据").click()
        page.wait_for_selector("text=2024-01 缴费单据已申报")
        due = page.inner_text("[data-testid=amount-due]")

        page.context.clear_cookies()
        sign_in(page, live_app, "clerk.liaocheng", DEMO_PASSWORD)
        page.goto(bill_url)
        form = page.locator("[data-testid=counter-payment]")
        assert form.locator("input[name=amount]").input_value() == due       # the balance, proposed
        form.locator("input[name=amount]").fill("100.00")
        form.locator("input[name=note]").fill("票据 0001")
        form.get_by_role("button", name="记录缴费").click()
        page.wait_for_selector("text=已记录缴费 100.00 元")
        balance = page.inner_text("[data-testid=balance]")
        assert page.inner_text("[data-testid=amount-paid]") == "100.00"
        assert "窗口缴费（clerk.liaocheng） 票据 0001" in page.inner_text("[data-testid=bill-payments]")
        page.screenshot(path=str(ARTIFACTS / "counter-payment-phone.png"), full_page=True)

        form.locator("input[name=amount]").fill(f"{float(balance) + 0.01:.2f}")
        form.get_by_role("button", name="记录缴费").click()
        page.wait_for_selector("text=多缴不予记录")
        assert page.inner_text("[data-testid=amount-paid]") == "100.00"
        assert page.locator("[data-testid=bill-payments] tbody tr").count() == 1
        page.screenshot(path=str(ARTIFACTS / "counter-payment-refused-phone.png"), full_page=True)
    finally:
        context.close()
