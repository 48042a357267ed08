"""The resident scheme in the browser, for 东明 and for 晋城: a village agent registers a family
(on a phone), a township clerk reviews it and resolves a 两证 mismatch from the problem queue,
and a resident registers online."""

import pytest

from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

REGIONS = [
    # region, agent, township clerk, first six digits of new residents' numbers, resident login
    ("dongming", "agent.dongming", "township.dongming", "371728", "371728199003150021"),
    ("jincheng", "agent.jincheng", "township.jincheng", "140502", "140502199206110048"),
]
REVIEWERS = {"dongming": "clerk.dongming", "jincheng": "clerk.jincheng"}


def number(county: str, n: int) -> str:
    first17 = f"{county}2015{n:02d}0{n}88{n}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


def phone_shot(phone, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"resident-{name}-phone.png"), full_page=True)


def fill_person(page, id_number: str, name: str, hk_name: str | None = None) -> None:
    page.fill("#id_number", id_number)
    page.fill("#name", name)
    page.fill("#hk_id_number", id_number)
    page.fill("#hk_name", hk_name or name)


@pytest.mark.parametrize(("region", "agent", "clerk", "county", "resident"), REGIONS, ids=[r[0] for r in REGIONS])
def test_an_agent_registers_a_family_and_the_township_clerk_reviews_it(phone, page, live_app, shot, region, agent,
                                                                       clerk, county, resident):
    # the village agent, on a phone: two members of one household
    sign_in(phone, live_app, agent, DEMO_PASSWORD)
    phone.goto(live_app + "/resident/register/")
    phone.fill("#household_number", f"{county}-HK-88")
    phone.fill("#phone", "139 0000 1111")
    fill_person(phone, number(county, 1), "孙大宝")
    phone_shot(phone, f"{region}-agent-form")
    phone.click("[data-testid=save-and-family]")
    phone.wait_for_selector("text=等待另一名经办人员审核")
    assert phone.input_value("#household_number") == f"{county}-HK-88"  # the household carries over
    fill_person(phone, number(county, 2), "孙二宝", hk_name="孙二保")    # the register disagrees
    phone.click("button[value=done]")
    phone.wait_for_selector("text=两证信息不一致")
    assert "不一致" in phone.inner_text("[data-testid=two-certificates]")
    phone_shot(phone, f"{region}-agent-mismatch")

    # the township clerk: review the first, resolve the second's mismatch
    reviewer = REVIEWERS[region]
    sign_in(page, live_app, clerk, DEMO_PASSWORD)
    page.get_by_role("link", name="登记审核").click()
    page.get_by_role("link", name="孙大宝").click()
    page.click("button[value=approve]")
    page.wait_for_selector("text=审核通过，已参保登记")
    assert "已审核" in page.inner_text("[data-testid=status]")
    page.get_by_role("link", name="待处理信息").first.click()
    shot("problem-queue")
    page.get_by_role("link", name="孙二宝").click()
    page.fill("#hk_name", "孙二宝")
    page.fill("#note", "核对户口簿原件，录入有误")
    page.click("text=修改并放行")
    page.wait_for_selector("text=已修改并放行")
    # the clerk who corrected the form does not sign it off: the county's clerk reviews it
    page.context.clear_cookies()
    sign_in(page, live_app, reviewer, DEMO_PASSWORD)
    page.get_by_role("link", name="登记审核").click()
    page.get_by_role("link", name="孙二宝").click()
    assert "不一致" not in page.inner_text("[data-testid=two-certificates]")
    page.click("button[value=approve]")
    page.wait_for_selector("text=审核通过，已参保登记")
    shot("approved")


@pytest.mark.parametrize(("region", "agent", "clerk", "county", "resident"), REGIONS, ids=[r[0] for r in REGIONS])
def test_a_resident_registers_online(phone, live_app, region, agent, clerk, county, resident):
    sign_in(phone, live_app, resident, DEMO_PASSWORD)
    phone.click("text=网上参保登记")
    assert phone.input_value("#id_number") == resident
    village = {"dongming": "371728001200", "jincheng": "140502001001"}[region]
    phone.fill("#hukou_code", village)
    phone.fill("#hk_id_number", resident)
    phone.fill("#hk_name", phone.input_value("#name"))
    phone.click("button[value=done]")
    phone.wait_for_selector("text=已提交参保登记")
    assert "待审核" in phone.inner_text("[data-testid=status]")
    phone_shot(phone, f"{region}-online")


ROSTERS = [
    # region, tax clerk, township clerk, village agent, village name (search), village code
    ("dongming", "tax.dongming", "township.dongming", "agent.dongming", "雷庄村", "371728001200"),
    ("jincheng", "tax.jincheng", "township.jincheng", "agent.jincheng", "建设路社区", "140502001001"),
]


@pytest.mark.parametrize(("region", "tax", "clerk", "agent", "village", "code"), ROSTERS, ids=[r[0] for r in ROSTERS])
def test_the_renewal_roster_is_built_confirmed_printed_and_posted(page, phone, live_app, shot, tmp_path, region, tax,
                                                                    clerk, agent, village, code):
    import pypdfium2

    # the tax side builds the village's roster for the coming year from this year's insured, and confirms it
    sign_in(page, live_app, tax, DEMO_PASSWORD)
    page.goto(live_app + f"/resident/rosters/?q={village}")
    row = page.locator("[data-testid=rosters] tbody tr", has_text=code)
    row.get_by_role("button", name="生成名册").click()
    page.wait_for_selector("[data-testid=roster-entries]")
    assert "已生成" in page.inner_text("[data-testid=roster-status]")
    people = page.locator("[data-testid=roster-entries] tbody tr").count()
    assert people >= 15  # the demo's paid residents of the village (the unpaid are not on it)
    page.get_by_role("button", name="核准名册").click()
    page.wait_for_selector("text=已核准")
    shot("confirmed")

    # the township clerk prints it
    page.context.clear_cookies()
    sign_in(page, live_app, clerk, DEMO_PASSWORD)
    page.goto(live_app + f"/resident/rosters/?q={village}")
    page.locator("[data-testid=rosters] tbody tr", has_text=code).get_by_role("link", name="查看").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载公示用 PDF").click()
    pdf_path = tmp_path / "roster.pdf"
    info.value.save_as(pdf_path)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    text = "".join(p.get_textpage().get_text_range() for p in pdf)
    assert "续保人员名册" in text and "村居经办人" in text and "****" in text
    image = pdf[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / f"resident-{region}-roster-pdf.png")

    # the village agent posts it
    sign_in(phone, live_app, agent, DEMO_PASSWORD)
    phone.goto(live_app + "/resident/rosters/mine/")
    phone.get_by_role("button", name="已张贴公示").click()
    phone.wait_for_selector("text=已张贴公示")
    phone_shot(phone, f"{region}-roster-posted")


COVERED = [
    # region, the demo's first resident of the village: paid for 2024 in the collection period, with an account
    ("dongming", "371728"), ("jincheng", "140502"),
]


@pytest.mark.parametrize(("region", "county"), COVERED, ids=[r[0] for r in COVERED])
def test_a_resident_asks_whether_they_are_covered(phone, live_app, region, county):
    first17 = f"{county}19500101100"
    sign_in(phone, live_app, first17 + resident_id_check_char(first17), DEMO_PASSWORD)
    phone.get_by_role("link", name="我的居民医保").first.click()
    phone.fill("#on", "2024-06-01")
    phone.get_by_role("button", name="查询").first.click()
    answer = phone.inner_text("#coverage")
    assert "2024-01-01" in answer and "2024-12-31" in answer, answer
    phone_shot(phone, f"{region}-coverage")
    phone.fill("#on", "2025-03-01")
    phone.get_by_role("button", name="查询").first.click()
    assert "没有医保待遇" in phone.inner_text("#coverage"), phone.inner_text("#coverage")


IMPORTS = [
    # region, township clerk, county clerk (second signature), village, a demo resident in the village
    ("dongming", "township.dongming", "clerk.dongming", "371728001200", "371728"),
    ("jincheng", "township.jincheng", "clerk.jincheng", "140502001001", "140502"),
]


@pytest.mark.parametrize(("region", "clerk", "reviewer", "village", "county"), IMPORTS, ids=[r[0] for r in IMPORTS])
def test_the_township_clerk_imports_a_village_and_a_hardship_list(page, live_app, shot, tmp_path, region, clerk,
                                                                   reviewer, village, county):
    rows = ["身份证号码,姓名,户籍地区划代码,居住地区划代码,户口簿编号,联系电话,参保类型"]
    for n in range(3, 8):
        rows.append(f"{number(county, n)},周{'一二三四五六七八'[n]},{village},,{county}-HK-9{n},1390000000{n},"
                    + ("新生儿" if n == 7 else ""))
    registrations = tmp_path / "village.csv"
    registrations.write_text("\n".join(rows), encoding="gbk")  # as offices' spreadsheets save it
    first17 = f"{county}19500101100"
    hardship = tmp_path / "hardship.csv"
    hardship.write_text("身份证号码,姓名,困难类别,认定日期,终止日期\n"
                        f"{first17 + resident_id_check_char(first17)},王伟,特困人员,2023-01-01,\n", encoding="utf-8")

    sign_in(page, live_app, clerk, DEMO_PASSWORD)
    page.get_by_role("link", name="批量导入").click()
    page.set_input_files("#reg-file", str(registrations))
    page.get_by_role("button", name="导入参保登记").click()
    page.wait_for_selector("[data-testid=job-status]:has-text('已完成')", timeout=60_000)
    shot("import-job")
    page.goto(live_app + "/resident/imports/")
    page.set_input_files("#hs-file", str(hardship))
    page.get_by_role("button", name="导入困难群体名单").click()
    page.wait_for_selector("[data-testid=job-status]:has-text('已完成')", timeout=60_000)
    page.goto(live_app + "/resident/imports/")
    batches = page.inner_text("[data-testid=batches]")
    assert "village.csv" in batches and "hardship.csv" in batches
    page.locator("[data-testid=batches] tbody tr", has_text="village.csv").get_by_role("link").first.click()
    assert "待审核 5" in page.inner_text("[data-testid=batch-counts]")
    batch_url = page.url

    # another clerk signs the batch off: the five are enrolled
    page.context.clear_cookies()
    sign_in(page, live_app, reviewer, DEMO_PASSWORD)
    page.goto(batch_url)
    page.click("[data-testid=batch-review] button[value=approve]")
    page.wait_for_selector("[data-testid=batch-counts]:has-text('已审核 5')", timeout=60_000)
    shot("batch-approved")
