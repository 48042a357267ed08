"""The assistance fund and the family mutual-aid account in the browser: the agency clerk of 东明
and of 晋城 generates the fund's payments (a job with its progress), opens the ledger, the statement
and its xlsx, and the fully subsidised resident (特困人员) is then paid and covered; in 晋城 a clerk
records a family member's premium paid from an employee-scheme member's account."""

import io

import pytest
from python_calamine import CalamineWorkbook

from yibao.demo import DEMO_FAMILY_PAYER, DEMO_FULLY_SUBSIDISED, DEMO_PASSWORD, demo_resident_number
from yibao.identity import resident_id_check_char

from .conftest import sign_in

pytestmark = pytest.mark.browser

REGIONS = [
    # region, clerk, first six of the demo villages' numbers
    ("371728", "clerk.dongming", "371728"),
    ("140500", "clerk.jincheng", "140502"),
]
BOOKED_ON = "2023-12-20"  # in both regions' collection period (晋城: a day 1–25)


@pytest.mark.parametrize(("region", "clerk", "county"), REGIONS, ids=["dongming", "jincheng"])
def test_the_agency_clerk_generates_the_funds_payments_and_opens_the_ledger(page, live_app, shot, region, clerk,
                                                                            county):
    sign_in(page, live_app, clerk, DEMO_PASSWORD)
    page.get_by_role("link", name="资助参保").click()
    assert "尚未记录资助缴费" in page.inner_text("[data-testid=ledger-categories]")
    page.fill("#year", "2024")
    page.get_by_role("button", name="查询").click()
    page.fill("#on", BOOKED_ON)
    shot("before")
    page.click("[data-testid=generate]")
    page.wait_for_selector("[data-testid=job-status]:has-text('已完成')", timeout=60_000)
    message = page.inner_text("[data-testid=job-message]")
    assert "新记录医疗救助基金资助" in message and "个人缴费为 0 的 1 人已记为已缴费" in message
    shot("job")

    page.get_by_role("link", name="资助参保").click()
    page.fill("#year", "2024")
    page.get_by_role("button", name="查询").click()
    categories = page.inner_text("[data-testid=ledger-categories]")
    assert "特困人员" in categories and "低保对象" in categories and "合计" in categories
    townships = page.inner_text("[data-testid=ledger-townships]")
    assert ("城关街道" if region == "371728" else "东街街道") in townships
    shot("ledger")

    with page.expect_download() as info:
        page.click("[data-testid=statement-xlsx]")
    book = CalamineWorkbook.from_filelike(io.BytesIO(open(info.value.path(), "rb").read()))  # noqa: SIM115
    detail = book.get_sheet_by_name("明细").to_python()
    totals = [row for row in book.get_sheet_by_name("汇总").to_python() if row and row[0] == "合计"]
    assert totals and abs(sum(row[7] for row in detail[1:]) - totals[0][3]) < 0.005

    page.get_by_role("link", name="查看结算单明细").click()
    assert "特困人员" in page.inner_text("[data-testid=statement]")
    shot("statement")

    # the fully subsidised resident is paid, and covered in 2024
    fully = demo_resident_number(county, DEMO_FULLY_SUBSIDISED)
    answer = page.request.get(f"{live_app}/api/v1/resident/coverage?id_number={fully}&on=2024-03-01")
    assert answer.ok and answer.json()["covered"] is True, answer.text()

    # generating again records nothing new
    page.get_by_role("link", name="资助参保").click()
    page.fill("#year", "2024")
    page.get_by_role("button", name="查询").click()
    page.fill("#on", BOOKED_ON)
    page.click("[data-testid=generate]")
    page.wait_for_selector("[data-testid=job-status]:has-text('已完成')", timeout=60_000)
    assert "新记录医疗救助基金资助 0 笔 0.00 元" in page.inner_text("[data-testid=job-message]")


def test_a_family_account_pays_a_members_premium_in_jincheng(browser, page, live_app, shot):
    member = demo_resident_number("140502", 17)   # not yet paid, no hardship category
    payer = DEMO_FAMILY_PAYER[0] + resident_id_check_char(DEMO_FAMILY_PAYER[0])
    sign_in(page, live_app, "clerk.jincheng", DEMO_PASSWORD)
    page.get_by_role("link", name="家庭共济缴费").click()
    page.fill("#insurance_year", "2024")
    page.fill("#lookup_id_number", member)
    page.fill("#lookup_paid_on", BOOKED_ON)
    page.click("[data-testid=lookup]")
    assert "个人应缴 380.00 元" in page.inner_text("[data-testid=preview]")
    assert page.input_value("#amount") == "380.00"
    page.fill("#payer_id_number", payer)
    page.fill("#payer_name", DEMO_FAMILY_PAYER[1])
    page.select_option("#relationship", "子女")
    page.fill("#paid_on", BOOKED_ON)
    shot("form")
    page.click("[data-testid=record]")
    page.wait_for_selector("[data-testid=recorded]")
    recorded = page.inner_text("[data-testid=recorded]")
    assert "380.00" in recorded and DEMO_FAMILY_PAYER[1] in recorded and "子女" in recorded
    shot("recorded")
    coverage = page.request.get(f"{live_app}/api/v1/resident/coverage?id_number={member}&on=2024-03-01")
    assert coverage.ok and coverage.json()["covered"] is True

    # the same person again: refused with its code, nothing written
    page.get_by_role("link", name="家庭共济缴费").click()
    page.fill("#id_number", member)
    page.fill("#amount", "380.00")
    page.fill("#payer_id_number", payer)
    page.fill("#payer_name", DEMO_FAMILY_PAYER[1])
    page.select_option("#relationship", "子女")
    page.fill("#paid_on", BOOKED_ON)
    page.click("[data-testid=record]")
    page.wait_for_selector("text=不能重复缴费")
    shot("refused")

    # 东明's notice is silent on family accounts
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    other = context.new_page()
    sign_in(other, live_app, "clerk.dongming", DEMO_PASSWORD)
    other.get_by_role("link", name="家庭共济缴费").click()
    assert "未规定家庭共济账户缴费" in other.inner_text("[data-testid=not-allowed]")
    context.close()
