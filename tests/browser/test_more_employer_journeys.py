"""The employee scheme's other journeys in the browser: a flexible worker choosing a base, an
administrator recording a newly published average wage, and a civil-servant-subsidy unit
declaring its retirees' allotment bases and re-declaring them after a pension adjustment."""


import pypdfium2 as pdfium
import pytest

from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char

from .conftest import fill_template, sign_in, upload_every_material

pytestmark = pytest.mark.browser

FLEXIBLE_WORKER = "37070519800101123" + resident_id_check_char("37070519800101123")


def test_flexible_worker_chooses_a_base_within_the_bounds(page, live_app, shot):
    sign_in(page, live_app, FLEXIBLE_WORKER, DEMO_PASSWORD)
    page.get_by_role("link", name="灵活就业缴费基数").click()
    assert "4242.00" in page.inner_text("[data-testid=bounds]")
    page.fill("#month", "2024-01")
    page.fill("#base", "21208")
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=缴费基数须在 4242.00 元至 21207.00 元之间")
    shot("refused")
    page.fill("#base", "6000")
    page.get_by_role("button", name="确定").click()
    page.wait_for_selector("text=已选择自 2024-01 起月缴费基数 6000.00 元")
    assert "6000.00" in page.inner_text("[data-testid=choices]")
    shot("chosen")


def test_administrator_records_a_published_average_wage(page, live_app, shot):
    sign_in(page, live_app, "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="平均工资").click()
    page.select_option("#region", "370700")
    page.fill("#wage_year", "2023")
    page.fill("#annual_amount", "100000")
    page.fill("#published_on", "2024-06-20")
    page.fill("#document", "示例：2023年度全省全口径城镇单位就业人员平均工资公告")
    page.get_by_role("button", name="录入").click()
    # the re-clamp of the region's stored bases runs as a background job
    page.wait_for_selector("text=自 2024-07 起缴费基数下限 5000.00 元、上限 25000.00 元")
    assert "已完成" in page.inner_text("[data-testid=job-status]")
    shot("job")
    page.get_by_role("link", name="平均工资").click()
    assert "5000.00" in page.inner_text("[data-testid=wages]")
    shot("recorded")
    # recording the same year again is refused with a clear message, nothing changes
    page.select_option("#region", "370700")
    page.fill("#wage_year", "2023")
    page.fill("#annual_amount", "90000")
    page.fill("#published_on", "2024-06-20")
    page.get_by_role("button", name="录入").click()
    page.wait_for_selector("text=未录入：潍坊市已录入 2023 年度平均工资")
    assert "/jobs/" not in page.url  # refused before any job was started
    shot("refused")
    assert page.locator("[data-testid=wages] tbody tr").count() == 1


def test_retiree_allotment_bases_declared_approved_and_redeclared(page, live_app, shot, tmp_path):
    unit = "37070000002"
    sign_in(page, live_app, unit, DEMO_PASSWORD)
    page.get_by_role("link", name="退休人员个人账户划入基数申报").click()
    page.wait_for_selector("[data-testid=declaration-title]")
    assert "退休人员个人账户划入基数" in page.inner_text("[data-testid=declaration-title]")
    with page.expect_download() as info:
        page.click("[data-testid=template-link]")
    template = tmp_path / "retiree.xlsx"
    info.value.save_as(template)
    filled = tmp_path / "retiree-filled.xlsx"
    count = fill_template(template, filled, lambda r: 4000 + r * 100)
    page.set_input_files("#file", str(filled))
    page.click("[data-testid=upload-form] button")
    page.wait_for_selector(f"text=已导入 {count} 人")
    scan = tmp_path / "scan.pdf"
    blank = pdfium.PdfDocument.new()   # a one-page PDF, as a scanner writes it
    blank.new_page(595, 842)
    blank.save(scan)
    upload_every_material(page, scan)
    # 潍坊 二(一)1: the unit confirms the online-service notice once for the year
    page.check("[data-testid=notice-read]")
    page.click("[data-testid=notice-confirm]")
    page.wait_for_selector("[data-testid=notice-confirmed]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=等待医保经办机构审核")
    declaration_url = page.url
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.goto(declaration_url)
    page.get_by_role("button", name="审核通过并核定入库").click()
    page.wait_for_selector("text=已审核通过")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_app, unit, DEMO_PASSWORD)
    page.goto(declaration_url)
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=申报完成")
    # a pension adjustment from July: re-declare, change one person, resubmit
    page.fill("#month_from", "2024-07")
    page.get_by_role("button", name="养老金调整后重新申报").click()
    page.wait_for_selector("text=已重新打开申报")
    assert "第 1 次重新申报" in page.inner_text("main")
    first = page.locator("[data-testid=lines] tbody tr").first
    first.locator("input[name=amount]").fill("4650")
    first.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=申报 4650.00 元")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=等待医保经办机构审核")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.goto(declaration_url)
    page.get_by_role("button", name="审核通过并核定入库").click()
    page.wait_for_selector("text=已审核通过")
    page.goto(declaration_url.rstrip("/") + "/bases/")
    bases = page.inner_text("[data-testid=bases]")
    assert "2024-01 至 2024-06" in bases and "2024-07 至 2024-12" in bases and "4650.00" in bases
    shot("history")
