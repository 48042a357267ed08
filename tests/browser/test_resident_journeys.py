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

    # the township clerk: review the first, resolve the second's mismatch, then review it
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
    page.get_by_role("link", name="登记审核").click()
    page.get_by_role("link", name="孙二宝").click()
    assert "一致" in page.inner_text("[data-testid=two-certificates]")
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
