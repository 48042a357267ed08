"""A unit goes from its approved bases to its January bill (view, download, declare); then a
staff addition and a removal change February's bill."""

import pytest

from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char

from .conftest import sign_in

pytestmark = pytest.mark.browser

UNIT = "37070500004"   # 潍坊示范纺织有限公司: five employees with approved 2024 bases
NEW_HIRE = "37070519950505321" + resident_id_check_char("37070519950505321")


def test_unit_declares_its_january_bill_and_staff_changes_reach_february(page, live_app, shot, tmp_path):
    sign_in(page, live_app, UNIT, DEMO_PASSWORD)
    page.get_by_role("link", name="缴费单据").click()
    bills = page.inner_text("[data-testid=bills]")
    assert "2024-01" in bills and "待申报" in bills
    page.get_by_role("link", name="查看").first.click()
    page.wait_for_url("**/contributions/bills/*/")   # read the bill, not the list still showing
    # approved bases 4242 (潍坊's floor), 5000, 6800, 9500.50 and 21207 (its ceiling)
    assert page.locator("[data-testid=bill-lines] tbody tr").count() == 5
    assert "演示配置，非本地通知" in page.content()
    assert "4242.00 × 0.06 = 254.52" in page.content()   # the engine's explanation, on the first line
    due = page.inner_text("[data-testid=amount-due]")
    shot("january")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 xlsx").click()
    path = tmp_path / "bill.xlsx"
    download.value.save_as(path)
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[-2][7] == float(due)
    page.get_by_role("button", name="申报本月缴费单据").click()
    page.wait_for_selector("text=2024-01 缴费单据已申报")
    assert page.inner_text("[data-testid=bill-status]") == "已申报"
    assert page.get_by_role("button", name="申报本月缴费单据").count() == 0
    shot("declared")

    # staff changes from February: one new hire without a declared wage (the floor), one leaves
    page.get_by_role("link", name="增减员").click()
    page.fill("input[name=id_number]", NEW_HIRE)
    page.fill("input[name=name]", "孙新员")
    page.fill("form[action$='add'] input[name=month]", "2024-02")
    page.get_by_role("button", name="增员").click()
    page.wait_for_selector("text=已增员：孙新员，2024-02 起，缴费基数 4242.00 元")
    first = page.locator("[data-testid=spans] tbody tr").first
    first.locator("select[name=reason]").select_option("leave")
    first.locator("input[name=month]").fill("2024-02")
    first.get_by_role("button", name="减员").click()
    page.wait_for_selector("text=2024-02 起不再参保")
    shot("staff-changes")

    # the agency clerk generates February's bills for 潍坊
    page.context.clear_cookies()
    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.goto(live_app + "/contributions/bills/")
    page.select_option("select[name=region]", "370700")
    page.fill("form[action$='generate'] input[name=month]", "2024-02")
    page.get_by_role("button", name="生成").click()
    page.wait_for_selector("text=已生成 2024-02 缴费单据")
    shot("generated")

    page.context.clear_cookies()
    sign_in(page, live_app, UNIT, DEMO_PASSWORD)
    page.goto(live_app + "/contributions/bills/?month=2024-02")
    page.get_by_role("link", name="查看").first.click()
    lines = page.inner_text("[data-testid=bill-lines]")
    assert page.locator("[data-testid=bill-lines] tbody tr").count() == 5   # 5 − 1 + 1
    assert "孙新员" in lines and "4242.00" in lines
    shot("february")
