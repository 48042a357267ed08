"""The weekly report (周报) and the monthly bulletin in the browser, on the demo data set: 晋城's
bureau manager opens the weekly report of a Friday in the collection period, sees the counties'
figures adding up to the total, the charts (server-drawn SVG, the same as in the PDF) and each
county's submission status, downloads the PDF, and opens the bulletin; 城区's clerk finds the
submission page, where a week outside the collection period is refused with the reason."""

import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser
WEEK = "2023-11-10"


def test_a_manager_opens_the_weekly_report(page, live_app, shot):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_app, "manager.jincheng", DEMO_PASSWORD)
    page.get_by_role("link", name="筹资周报").first.click()
    page.get_by_label("周报截止日（星期五）").fill(WEEK)
    page.get_by_role("button", name="查看").click()
    page.wait_for_selector("[data-testid=weekly-counties]")
    assert "2023-11-04 至 2023-11-10" in page.get_by_test_id("weekly-place").inner_text()
    assert "2023-11-10 17:00" in page.get_by_test_id("weekly-deadline").inner_text()
    rows = page.get_by_test_id("weekly-counties").locator("tbody tr[data-county]")
    assert rows.count() == 6                                    # 晋城's six counties
    paid = [int(rows.nth(i).locator("td").nth(3).inner_text()) for i in range(rows.count())]
    total = int(page.get_by_test_id("weekly-total-paid").inner_text())
    assert sum(paid) == total and total > 0
    assert page.locator("[data-testid=weekly-charts] svg").count() == 2
    statuses = page.get_by_test_id("weekly-counties").inner_text()
    assert "未报送（已逾期）" in statuses                          # nobody submitted that week in the demo
    shot("weekly")
    with page.expect_download() as download:
        page.get_by_test_id("weekly-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="月通报").first.click()
    page.wait_for_selector("[data-testid=monthly-counties]")
    assert "时序进度" in page.get_by_test_id("monthly-basis").inner_text()
    shot("monthly")
    assert not errors, errors


def test_a_county_clerk_is_told_why_no_submission_is_due(page, live_app, shot):
    sign_in(page, live_app, "county.jincheng", DEMO_PASSWORD)
    page.get_by_role("link", name="每周报送").first.click()
    assert "城区" in page.get_by_test_id("submission-form").inner_text()
    page.get_by_role("button", name="确认并报送本周数字").click()
    assert "不在 2024 保险年度的集中缴费期内" in page.locator(".messages").inner_text()   # the demo runs on 2024-01-15
    shot("submission")
