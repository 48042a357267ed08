"""A newborn and a migrant paying, in the browser (东明 东政办字〔2023〕26号 二(二)): the village
agent registers each on a phone as the resident pages offer (参保类型 新生儿 / 迁入), the
township clerk reviews them, the agent collects the cash on the phone, and the clerk sees on the
person's page the coverage the engine gives: the newborn paid within six months of birth covered
from birth, the migrant who moved in after the collection period and did not pay at the origin
from the month after payment. 晋城's notice is silent on both: the agent's page refuses the cash
with not_configured, naming what the notice does not say.

The demo runs as of 2024-01-15, after the 2024 collection period (东明: 2023-09-01 to 12-31). The
agent's cash here is left undeposited; this file runs after test_collection_agents.py, whose
village deposit expects only its own two collections."""

import pytest

from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char

from . import test_resident_journeys as resident
from .conftest import sign_in
from .test_collection_agents import fits_the_phone, phone_shot
from .test_resident_journeys import fill_person

pytestmark = pytest.mark.browser

TODAY = "2024-01-15"
phone = resident.phone     # the phone-sized page, as the agent's journeys use it
BORN = "2024-01-05"        # within six months of birth when paid today
MOVED_IN = "2024-01-08"    # after 东明's collection period


def id_number(prefix: str, birth: str, seq: int) -> str:
    first17 = f"{prefix}{birth.replace('-', '')}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def register(phone, live_app, kind: str, number: str, name: str, *, moved_in: str = "") -> None:
    """The agent registers one person of their village, of the given 参保类型 (its code)."""
    phone.goto(live_app + "/resident/register/")
    phone.select_option("#kind", kind)
    if moved_in:
        phone.fill("#moved_in_on", moved_in)
        phone.select_option("#paid_at_origin", "否")
    fill_person(phone, number, name)
    phone.click("button[value=done]")
    phone.wait_for_selector("text=等待另一名经办人员审核")


def approve(page, name: str) -> None:
    page.get_by_role("link", name="登记审核").first.click()
    page.get_by_role("link", name=name).click()
    page.click("button[value=approve]")
    page.wait_for_selector("text=审核通过，已参保登记")


def look_up(phone, number: str) -> None:
    phone.get_by_role("link", name="代收缴费").first.click()
    phone.fill("#id_number", number)
    phone.fill("#look_up_on", TODAY)
    phone.get_by_role("button", name="查询应缴金额").click()
    phone.wait_for_selector("[data-testid=quote]")


def collect(phone, number: str) -> str:
    """The agent takes the payable amount in cash today; returns the receipt number."""
    look_up(phone, number)
    phone.get_by_role("button", name="确认收款并开具收据").click()
    phone.wait_for_selector("[data-testid=receipt]")
    return phone.inner_text("[data-testid=receipt-number]")


def coverage_on(page, live_app, name: str, on: str) -> tuple[str, str, str]:
    """The clerk opens the person's page asking for the coverage on ``on``: (answer, reason, message)."""
    page.goto(live_app + f"/resident/persons/?q={name}")
    page.get_by_role("link", name=name).first.click()
    page.wait_for_url(lambda url: "?q=" not in url)   # the person's page, not the search still showing
    page.goto(page.url.split("?")[0] + f"?on={on}")
    answer = page.locator("[data-testid=coverage-answer]")
    return answer.inner_text(), answer.get_attribute("data-reason"), page.inner_text("[data-testid=coverage-message]")


def test_dongming_a_newborn_and_a_migrant_pay_cash_and_are_covered_as_the_notice_says(phone, page, live_app, shot):
    baby, migrant = id_number("371728", BORN, 631), id_number("410102", "1990-04-12", 452)
    sign_in(phone, live_app, "agent.dongming", DEMO_PASSWORD)
    register(phone, live_app, "newborn", baby, "周小满")
    phone_shot(phone, "dongming-newborn-registered")
    register(phone, live_app, "migrant", migrant, "吴迁来", moved_in=MOVED_IN)

    sign_in(page, live_app, "township.dongming", DEMO_PASSWORD)
    approve(page, "周小满")
    approve(page, "吴迁来")

    # the agent collects each one's premium in cash on the phone
    look_up(phone, baby)
    assert "已登记、待缴费" in phone.inner_text("[data-testid=quote]")
    phone_shot(phone, "dongming-newborn-quote")
    fits_the_phone(phone)
    assert collect(phone, baby).startswith("371728001200-2024-")
    phone_shot(phone, "dongming-newborn-receipt")
    fits_the_phone(phone)
    assert collect(phone, migrant).startswith("371728001200-2024-")

    # the clerk sees the newborn covered from birth, not the day before
    answer, reason, message = coverage_on(page, live_app, "周小满", BORN)
    assert "有医保待遇" in answer and "待遇享受期 2024-01-05 至 2024-12-31" in answer
    assert "新生儿" in answer and "自出生之日起享受待遇" in message
    shot("newborn-covered-from-birth")
    answer, reason, _ = coverage_on(page, live_app, "周小满", "2024-01-04")
    assert "没有医保待遇" in answer

    # and the migrant covered from the month after payment
    answer, reason, message = coverage_on(page, live_app, "吴迁来", "2024-01-31")
    assert "没有医保待遇" in answer and reason == "not_in_period" and "2024-02-01" in message
    shot("migrant-waiting")
    answer, reason, message = coverage_on(page, live_app, "吴迁来", "2024-02-01")
    assert "有医保待遇" in answer and "待遇享受期 2024-02-01 至 2024-12-31" in answer
    shot("migrant-covered")


def test_jincheng_the_notice_is_silent_on_newborns_so_the_cash_is_refused(phone, page, live_app):
    baby = id_number("140502", BORN, 633)
    sign_in(phone, live_app, "agent.jincheng", DEMO_PASSWORD)
    register(phone, live_app, "newborn", baby, "郑小雪")
    sign_in(page, live_app, "township.jincheng", DEMO_PASSWORD)
    approve(page, "郑小雪")
    look_up(phone, baby)
    refusal = phone.inner_text("[data-testid=not-collectable]")
    assert "not_configured" in refusal
    assert phone.locator("[data-testid=collect-form]").count() == 0
    phone_shot(phone, "jincheng-newborn-refused")
    fits_the_phone(phone)
