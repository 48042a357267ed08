"""The whole 缴费基数申报 journey in the browser, for 潍坊 and for 聊城: template, upload, online
edit, printed forms (opened and rendered), signed materials, submit, agency review, confirm."""

from pathlib import Path

import pypdfium2
import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import ARTIFACTS, fill_template, sign_in, upload_every_material

pytestmark = pytest.mark.browser


def assert_pdf_renders(path: Path, name: str) -> None:
    pdf = pypdfium2.PdfDocument(str(path))
    image = pdf[0].render(scale=1).to_pil().convert("L")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png")
    dark = sum(image.histogram()[:200])   # pixels darker than 200 of 255
    assert dark > image.width * image.height * 0.003, "PDF 第一页是空白的"


def download(page, selector, tmp_path, name) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    target = tmp_path / name
    info.value.save_as(target)
    return target


@pytest.mark.parametrize(("unit_number", "clerk", "region"), [
    ("37070500001", "clerk.weifang", "weifang"), ("37150200001", "clerk.liaocheng", "liaocheng")])
def test_declaration_from_template_to_confirmation(page, live_app, shot, tmp_path, unit_number, clerk, region):
    sign_in(page, live_app, unit_number, DEMO_PASSWORD)
    page.get_by_role("link", name="缴费基数申报").click()
    page.wait_for_selector("[data-testid=declaration-title]")
    assert "填报中" in page.inner_text("[data-testid=status]")
    shot("draft")

    template = download(page, "[data-testid=template-link]", tmp_path, "template.xlsx")
    filled = tmp_path / "filled.xlsx"
    count = fill_template(template, filled, lambda r: 3000 if r == 1 else 28000 if r == 2 else 5200 + r * 300)
    page.set_input_files("#file", str(filled))
    page.click("[data-testid=upload-form] button")
    page.wait_for_selector(f"text=已导入 {count} 人")
    assert page.inner_text("[data-testid=line-count]") == str(count)

    first = page.locator("[data-testid=lines] tbody tr").first
    first.locator("input[name=amount]").fill("3500")
    first.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=按下限核定")
    shot("filled")

    for link in page.locator("[data-testid=forms] a[data-testid$=-pdf]").all():
        code = link.get_attribute("data-testid")
        pdf = download(page, f"[data-testid={code}]", tmp_path, f"{code}.pdf")
        assert_pdf_renders(pdf, f"{region}-{code}")
    scans = {"detail": tmp_path / "form-detail-pdf.pdf"}

    upload_every_material(page, scans["detail"])
    # 潍坊 二(一)1: the online-service notice is read and confirmed before submitting; 聊城 asks none
    assert page.locator("[data-testid=online-notice]").count() == (1 if region == "weifang" else 0)
    if region == "weifang":
        page.check("[data-testid=notice-read]")
        page.click("[data-testid=notice-confirm]")
        page.wait_for_selector("[data-testid=notice-confirmed]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=等待医保经办机构审核")
    assert "审核中" in page.inner_text("[data-testid=status]")
    shot("submitted")
    page.get_by_role("link", name="首页").click()
    assert "审核中" in page.inner_text("[data-testid=home-declarations]")
    shot("home-under-review")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_app, clerk, DEMO_PASSWORD)
    page.get_by_role("link", name="基数申报审核").click()
    page.wait_for_selector("[data-testid=queue]")
    shot("queue")
    page.locator("[data-testid=queue] a").first.click()
    page.wait_for_selector("[data-testid=checks]")
    assert "材料齐全" in page.inner_text("[data-testid=checks]")
    shot("review")
    page.get_by_role("button", name="审核通过并核定入库").click()
    page.wait_for_selector("text=已审核通过")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_app, unit_number, DEMO_PASSWORD)
    page.get_by_role("link", name="缴费基数申报").click()
    assert "审核通过" in page.inner_text("[data-testid=status]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=申报完成")
    assert "已完成" in page.inner_text("[data-testid=status]")
    page.get_by_role("link", name="查看核定缴费基数").click()
    page.wait_for_selector("[data-testid=bases]")
    assert "4242.00" in page.inner_text("[data-testid=bases]")
    shot("confirmed")


def test_bad_upload_shows_row_errors(page, live_app, shot, tmp_path):
    sign_in(page, live_app, "37070000002", DEMO_PASSWORD)
    page.get_by_role("link", name="缴费基数申报").click()
    page.wait_for_selector("[data-testid=declaration-title]")
    bad = tmp_path / "bad.csv"
    bad.write_text("序号,姓名,身份证号码,个人编号,上年度缴费基数（元/月）,2023年度月平均实际工资（元）\n"
                   "1,张三,370705198001011234,,,-5\n", encoding="utf-8")
    page.set_input_files("#file", str(bad))
    page.click("[data-testid=upload-form] button")
    page.wait_for_selector("[data-testid=import-errors]")
    text = page.inner_text("[data-testid=import-errors]")
    # the number's check character is wrong (…1234 should end in another character) and the amount is negative
    assert "校验码" in text and "金额必须大于0" in text
    assert "未导入任何数据" in page.inner_text("main")
    shot("errors")
