"""Village agents' cash (代收) in the browser, for 东明 and for 晋城: the agent, on a phone, collects
from two residents of the village (one ordinary, one 低保对象 with the smaller payable amount),
prints a receipt, deposits the cash and submits the village's 申报清单; the tax clerk checks it
against the bank's record and declares it; the township clerk records the transfer (划缴) and
sees where the village's money is.

The demo runs as of 2024-01-15, after the 2024 collection period: the agent records the cash
collected on 2023-11-20, inside it (a collection may be dated earlier, never later)."""

import pypdfium2
import pytest
from playwright.sync_api import expect

from yibao.demo import DEMO_PASSWORD
from yibao.identity import mask_id_number, resident_id_check_char

from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

COLLECTED_ON = "2023-11-20"
DEPOSITED_ON = "2023-11-22"

REGIONS = [
    # region, agent, tax clerk, township clerk, first six digits of the demo's numbers, village code
    ("dongming", "agent.dongming", "tax.dongming", "township.dongming", "371728", "371728001200"),
    ("jincheng", "agent.jincheng", "tax.jincheng", "township.jincheng", "140502", "140502001001"),
]


def demo_number(county: str, i: int) -> str:
    """The identity number of the demo's ``i``-th resident of the village (see yibao.demo)."""
    birth = f"{1950 + (i * 7) % 60}{(i % 12) + 1:02d}{(i * 5) % 28 + 1:02d}"
    first17 = f"{county}{birth}{(i * 13) % 900 + 100:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def phone_shot(phone, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"collection-{name}-phone.png"), full_page=True)


def fits_the_phone(page) -> None:
    """Nothing on the page is wider than the phone's screen (no sideways scrolling of the page)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"


def collect(phone, live_app, number: str) -> str:
    """Look the person up as of the collection day and take the payable amount; returns it."""
    phone.get_by_role("link", name="代收缴费").first.click()
    phone.fill("#id_number", number)
    phone.fill("#look_up_on", COLLECTED_ON)
    phone.get_by_role("button", name="查询应缴金额").click()
    phone.wait_for_selector("[data-testid=collect-form]")
    payable = phone.inner_text("[data-testid=payable]").replace("元", "").strip()
    assert phone.input_value("#amount") == payable and phone.input_value("#collected_on") == COLLECTED_ON
    return payable


@pytest.mark.parametrize(("region", "agent", "tax", "township", "county", "village"), REGIONS,
                         ids=[r[0] for r in REGIONS])
def test_an_agent_collects_deposits_and_the_list_is_declared_and_transferred(phone, page, live_app, shot, tmp_path,
                                                                             region, agent, tax, township, county,
                                                                             village):
    ordinary, poor = demo_number(county, 23), demo_number(county, 11)  # unpaid in the demo (5 is the fund's 特困人员, 17 a family account's, 22 pays online); 11 a 低保对象
    sign_in(phone, live_app, agent, DEMO_PASSWORD)

    # the first resident: an ordinary amount; a wrong amount is refused first
    full = collect(phone, live_app, ordinary)
    phone_shot(phone, f"{region}-quote")
    fits_the_phone(phone)
    phone.fill("#amount", "1.00")
    phone.get_by_role("button", name="确认收款并开具收据").click()
    phone.wait_for_selector("text=须一次足额缴纳")
    phone.get_by_role("button", name="查询应缴金额").click()
    phone.wait_for_selector("[data-testid=collect-form]")
    phone.get_by_role("button", name="确认收款并开具收据").click()
    phone.wait_for_selector("[data-testid=receipt]")
    first_receipt = phone.inner_text("[data-testid=receipt-number]")
    assert first_receipt == f"{village}-2024-000001"
    phone_shot(phone, f"{region}-receipt")
    fits_the_phone(phone)
    with phone.expect_download() as info:
        phone.get_by_role("link", name="打印收据（PDF）").click()
    receipt = tmp_path / "receipt.pdf"
    info.value.save_as(receipt)
    pdf = pypdfium2.PdfDocument(str(receipt))
    text = "".join(p.get_textpage().get_text_range() for p in pdf)
    assert first_receipt in text and mask_id_number(ordinary) in text and ordinary not in text and full in text
    pdf[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"collection-{region}-receipt-pdf.png")

    # the second: a 低保对象 pays less, as the engine says
    reduced = collect(phone, live_app, poor)
    assert float(reduced) < float(full)
    assert "低保对象" in phone.inner_text("[data-testid=quote]")
    phone.get_by_role("button", name="确认收款并开具收据").click()
    phone.wait_for_selector("[data-testid=receipt]")
    assert phone.inner_text("[data-testid=receipt-number]") == f"{village}-2024-000002"

    # the deposit of both into the township finance account, and the 申报清单 submitted
    phone.get_by_role("link", name="代收缴存与申报").first.click()
    # the click starts a navigation: wait for the new page's rows rather than count the old one's
    expect(phone.locator("[data-testid=deposit-form] input[name=payments]")).to_have_count(2)
    phone.fill("#deposited_on", DEPOSITED_ON)
    phone.fill("#bank_reference", f"HD-{region}-1122")
    phone_shot(phone, f"{region}-deposit")
    fits_the_phone(phone)
    phone.get_by_role("button", name="登记缴存（存入乡镇财政指定账户）").click()
    phone.wait_for_selector("[data-testid=deposit-status]")
    amount = phone.inner_text("[data-testid=deposit-amount]")
    assert float(amount) == float(full) + float(reduced)
    phone.get_by_role("button", name="报送申报清单").click()
    phone.wait_for_selector("text=已报送申报清单")
    assert "已报送清单" in phone.inner_text("[data-testid=deposit-status]")
    phone_shot(phone, f"{region}-submitted")
    fits_the_phone(phone)

    # the tax clerk: a bank record that disagrees sends it back; the agent resubmits; then it is declared
    sign_in(page, live_app, tax, DEMO_PASSWORD)
    page.get_by_role("link", name="代收缴存与申报").first.click()
    page.get_by_role("link", name=f"{village}-2024-J001").click()
    page.fill("#bank_amount", full)  # only the first person's cash shows in the bank's record
    page.fill("#bank_date", DEPOSITED_ON)
    page.fill("#bank_reference", f"HD-{region}-1122")
    page.get_by_role("button", name="核对并申报").click()
    page.wait_for_selector("[data-testid=difference]")
    assert "已退回" in page.inner_text("[data-testid=deposit-status]")
    assert "金额" in page.inner_text("[data-testid=difference]")
    shot("returned")

    phone.reload()
    assert "已退回" in phone.inner_text("[data-testid=deposit-status]")
    phone_shot(phone, f"{region}-returned")
    phone.get_by_role("button", name="重新报送申报清单").click()
    phone.wait_for_selector("text=已报送申报清单")

    page.reload()
    page.fill("#bank_amount", amount)
    page.fill("#bank_date", DEPOSITED_ON)
    page.fill("#bank_reference", f"HD-{region}-1122")
    page.get_by_role("button", name="核对并申报").click()
    page.wait_for_selector("text=已申报。")
    assert "已申报" in page.inner_text("[data-testid=deposit-status]")
    text = page.inner_text("[data-testid=lines]")
    assert mask_id_number(ordinary) in text and ordinary not in text  # the tax side sees numbers masked
    shot("declared")

    # the township clerk records the transfer and sees the village's money transferred
    page.context.clear_cookies()
    sign_in(page, live_app, township, DEMO_PASSWORD)
    page.get_by_role("link", name="代收缴存与申报").first.click()
    row = page.locator(f"[data-testid=villages] tr[data-village='{village}']")
    assert "已申报待划缴" in row.inner_text()
    page.get_by_label(f"划缴 {village}-2024-J001").check()
    page.fill("#reference", f"HJ-{region}-01")
    page.get_by_role("button", name="登记所选清单已划缴").click()
    page.wait_for_selector("text=已登记划缴 1 份申报清单")
    assert "已全部划缴" in page.locator(f"[data-testid=villages] tr[data-village='{village}']").inner_text()
    shot("transferred")

    # transferring again is refused
    page.get_by_role("link", name=f"{village}-2024-J001").click()
    assert "已划缴" in page.inner_text("[data-testid=deposit-status]")
    assert page.locator("[data-testid=transfer-form]").count() == 0
