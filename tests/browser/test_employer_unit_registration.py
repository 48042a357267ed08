"""单位参保登记 and 开户 in the browser: the 潍坊 agency clerk registers a new unit (its 单位编号
assigned by the region's rule) and opens its account; the unit signs in with the password shown
once, reads and confirms 潍坊's 网上办事须知 (二(一)1) and declares: a small wage file, the signed
materials, submit. Then the clerk serves a demo unit at the counter (窗口办理): each step is shown
as done at the counter."""

from __future__ import annotations

import subprocess
import sys

import pypdfium2 as pdfium
import pytest

from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char, uscc_check_char

from .conftest import LIVE_ENV, fill_template, sign_in, upload_every_material

pytestmark = pytest.mark.browser

USCC = "91370705MA3E" + "12345"
USCC = USCC + uscc_check_char(USCC)

# The new unit's insured staff. Staff changes (增员) are another part of the system; until its
# pages exist the journey records three people in service the way the demo does.
ADD_STAFF = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yibao.settings")
django.setup()
from yibao.employer.models import Employee, Unit
unit = Unit.objects.get(unit_number=sys.argv[1])
for i, (number, name) in enumerate(zip(sys.argv[2::2], sys.argv[3::2])):
    Employee.objects.create(unit=unit, id_number=number, name=name, employee_number=f"N{i + 1:04d}")
"""


def _staff() -> list[str]:
    out = []
    for i, name in enumerate(["陈新一", "林新二", "黄新三"]):
        first17 = f"3707051988{i + 3:02d}1{i + 1}5{i + 1}1"[:17]
        out += [first17 + resident_id_check_char(first17), name]
    return out


def test_clerk_registers_a_unit_opens_its_account_and_the_unit_declares(page, live_app, shot, tmp_path):
    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.get_by_role("link", name="参保单位").click()
    page.click("[data-testid=register-link]")
    page.fill("#name", "潍坊新开户科技有限公司")
    page.fill("#uscc", USCC[:-1] + ("0" if USCC[-1] != "0" else "1"))  # a wrong check character first
    page.select_option("#division", "370705")
    page.fill("#address", "潍坊市奎文区新华路 18 号")
    page.fill("#postcode", "261031")
    page.fill("#contact_name", "刘经办")
    page.fill("#contact_phone", "+86 138 0536 1234")
    page.click("[data-testid=unit-register-submit]")
    page.wait_for_selector("text=统一社会信用代码有误")
    shot("refused")
    page.fill("#uscc", USCC)
    page.click("[data-testid=unit-register-submit]")
    page.wait_for_selector("[data-testid=unit-title]")
    number = page.inner_text("[data-testid=unit-number]")
    assert number.startswith("370700") and len(number) == 12
    shot("registered")
    page.click("[data-testid=open-account]")
    page.wait_for_selector("[data-testid=opened-account]")
    assert page.inner_text("[data-testid=account-username]") == number
    password = page.inner_text("[data-testid=account-password]")
    shot("account")
    page.click("[data-testid=back-to-unit]")
    assert "已开户" in page.inner_text("[data-testid=unit-account]")
    page.get_by_role("button", name="退出").click()

    subprocess.run([sys.executable, "-c", ADD_STAFF, number, *_staff()], env=LIVE_ENV, check=True,
                   capture_output=True, timeout=120)

    sign_in(page, live_app, number, password)
    # the one-time password is changed first: every page leads to the change-password page until then
    page.wait_for_selector("[data-testid=password-change-required]")
    shot("password")
    page.get_by_label("当前密码", exact=True).fill(password)
    page.get_by_label("新密码", exact=True).fill("Weifang-Unit-2024")
    page.get_by_label("再次输入新密码", exact=True).fill("Weifang-Unit-2024")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_selector("text=密码已修改")
    page.get_by_role("link", name="缴费基数申报").click()
    page.wait_for_selector("[data-testid=declaration-title]")
    assert "缴费基数申报网上办事须知" in page.inner_text("[data-testid=online-notice]")
    shot("notice")
    page.check("[data-testid=notice-read]")
    page.click("[data-testid=notice-confirm]")
    page.wait_for_selector("[data-testid=notice-confirmed]")
    with page.expect_download() as info:
        page.click("[data-testid=template-link]")
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    filled = tmp_path / "filled.xlsx"
    count = fill_template(template, filled, lambda r: 5000 + r * 400)
    assert count == 3
    page.set_input_files("#file", str(filled))
    page.click("[data-testid=upload-form] button")
    page.wait_for_selector("text=已导入 3 人")
    scan = tmp_path / "scan.pdf"
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(scan)
    upload_every_material(page, scan)
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=等待医保经办机构审核")
    assert "审核中" in page.inner_text("[data-testid=status]")
    assert "网上办理" in page.inner_text("[data-testid=timeline]")
    shot("submitted")
    page.get_by_role("button", name="退出").click()


def test_clerk_serves_a_unit_at_the_counter(page, live_app, shot, tmp_path):
    sign_in(page, live_app, "clerk.weifang", DEMO_PASSWORD)
    page.get_by_role("link", name="参保单位").click()
    page.fill("#q", "37070000002")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="37070000002").click()
    page.click("[data-testid=counter-open]")
    page.wait_for_selector("[data-testid=counter-banner]")
    scan = tmp_path / "scan.pdf"
    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(scan)
    upload_every_material(page, scan, "窗口办理：已上传")
    assert page.locator("[data-testid=counter-step]").count() >= 2
    shot("counter")
