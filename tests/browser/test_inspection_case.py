"""An audit case in the browser (潍坊 三(二), 聊城 五): the auditor generates 潍坊's 2024
self-inspection list, which holds the demo's unit with 8 of 10 bases at the floor; the unit is
told on its home page and answers; the auditor records a complaint about another unit, takes the
self-inspection case into investigation, corrects a person's base, is refused closing it without
findings and closes it with them; the unit then sees the case concluded."""

import pytest

from yibao.demo import DEMO_PASSWORD, FLOOR_UNIT
from yibao.identity import resident_id_check_char

from .conftest import sign_in

pytestmark = pytest.mark.browser


def demo_employee(unit_number: str, county: str, i: int) -> str:
    """The identity number of the demo unit's i-th person (src/yibao/demo.py ``_demo_people``)."""
    birth = f"{1965 + (i * 3) % 35}{(i % 12) + 1:02d}{(i * 7) % 28 + 1:02d}"
    first17 = f"{county}{birth}{(int(unit_number[-3:]) * 37 + i * 11) % 1000:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def unit_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    pg = context.new_page()
    yield pg
    context.close()


def _unit_shot(pg, request, name):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)


def test_an_auditor_opens_and_closes_a_case_that_corrects_a_base(page, unit_page, live_app, shot, request):
    # --- the auditor generates 潍坊's 2024 self-inspection list
    sign_in(page, live_app, "auditor.weifang", DEMO_PASSWORD)
    page.get_by_role("link", name="稽核案件").first.click()
    page.wait_for_selector("[data-testid=inspection-run]")
    page.get_by_label("年度").first.fill("2024")
    page.get_by_role("button", name="生成自查自纠名单").click()
    page.wait_for_selector(".messages")
    assert "新立案 1 件" in page.inner_text(".messages")
    table = page.inner_text("[data-testid=inspection-cases]")
    assert "潍坊示范餐饮有限公司" in table and "0.8000" in table
    shot("list")

    # --- the unit is told on its home page, and answers
    sign_in(unit_page, live_app, FLOOR_UNIT, DEMO_PASSWORD)
    notice = unit_page.inner_text("[data-testid=home-self-inspection]")
    assert "本单位须开展基数自查自纠" in notice and "0.8000" in notice and "0.7" in notice
    unit_page.get_by_label("自查自纠情况").fill("已逐人核对工资表，1 人按实际工资补报。")
    unit_page.get_by_role("button", name="提交自查情况").click()
    unit_page.wait_for_selector(".messages")
    assert "已提交自查自纠情况" in unit_page.inner_text(".messages")
    _unit_shot(unit_page, request, "unit-home")

    # --- a complaint about another unit, recorded by the auditor
    page.get_by_role("link", name="举报投诉与材料疑点").click()
    form = page.locator("[data-testid=complaint-form]")
    form.get_by_label("单位编号").fill("37070500001")
    form.get_by_label("来源").fill("来信")
    form.get_by_label("举报投诉内容").fill("单位为全体职工按最低基数申报，实发工资远高于此。")
    form.get_by_role("button", name="登记并立案").click()
    page.wait_for_selector("[data-testid=case-summary]")
    assert "举报投诉" in page.inner_text("h1") and "来信" in page.inner_text("[data-testid=case-summary]")
    shot("complaint")

    # --- the self-inspection case: investigate, correct a base, conclude
    page.get_by_role("link", name="稽核案件").first.click()
    page.locator("[data-testid=inspection-cases] tr", has_text="潍坊示范餐饮有限公司").get_by_role("link").first.click()
    page.wait_for_selector("[data-testid=case-summary]")
    assert "已逐人核对工资表" in page.inner_text("[data-testid=case-summary]")
    page.get_by_role("button", name="开始稽核").click()
    page.wait_for_selector("[data-testid=correct-form]")
    assert "稽核中" in page.inner_text("[data-testid=case-status]")
    form = page.locator("[data-testid=correct-form]")
    form.get_by_label("职工身份证号码").fill(demo_employee(FLOOR_UNIT, "370705", 0))
    form.get_by_label("核实的月工资（元）").fill("5600")
    form.get_by_label("起始月份").fill("2024-03")
    form.get_by_label("说明").fill("工资条与个税记录")
    form.get_by_role("button", name="更正").click()
    page.wait_for_selector("[data-testid=case-corrections]")
    corrections = page.inner_text("[data-testid=case-corrections]")
    assert "2024-03" in corrections and "5600.00" in corrections and "4242.00" in corrections

    page.get_by_role("button", name="办结案件").click()   # no findings
    page.wait_for_selector(".messages li.error")
    assert "须填写稽核结论" in page.inner_text(".messages")
    assert "稽核中" in page.inner_text("[data-testid=case-status]")
    shot("refused")
    page.get_by_label("稽核结论（必填）").fill("按最低基数申报的 8 人中 1 人实际工资高于下限，已自 2024-03 起更正。")
    page.get_by_role("button", name="办结案件").click()
    page.wait_for_selector("[data-testid=case-findings]")
    assert "已办结" in page.inner_text("[data-testid=case-status]")
    timeline = page.inner_text("[data-testid=case-timeline]")
    for step in ("立案", "单位提交自查结果", "开始稽核", "更正缴费基数", "办结"):
        assert step in timeline
    shot("concluded")

    # --- the auditor's list: counts by region and status
    page.get_by_role("link", name="稽核案件").first.click()
    counts = page.inner_text("[data-testid=inspection-counts]")
    assert "潍坊市" in counts
    shot("counts")

    # --- the unit sees the case concluded
    unit_page.reload()
    notice = unit_page.inner_text("[data-testid=home-self-inspection]")
    assert "已办结" in notice and "已自 2024-03 起更正" in notice
    _unit_shot(unit_page, request, "unit-concluded")
