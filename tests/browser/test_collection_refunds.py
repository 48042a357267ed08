"""Reconciliation, refunds and the paid lists in the browser, for 东明 and for 晋城: the county
clerk uploads a channel's statement with a difference and resolves it; a refund is applied for
by the county clerk and approved by the tax clerk (东明; 晋城's notice says nothing of refunds, so
the application is refused with that reason); the township clerk downloads the villages' paid
lists as PDF and xlsx, identity numbers masked."""

import io

import pytest

from employer import scans
from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char

from .conftest import sign_in

pytestmark = pytest.mark.browser

JOURNEYS = [
    # region, county clerk, tax clerk, township clerk, village, channel, first six of the demo's numbers
    ("dongming", "clerk.dongming", "tax.dongming", "township.dongming", "371728001200", "微信", "371728"),
    ("jincheng", "clerk.jincheng", "tax.jincheng", "township.jincheng", "140502001001", "微信", "140502"),
]


def demo_resident(county: str, i: int) -> str:
    """The demo's i-th resident of the village (src/yibao/demo.py)."""
    birth = f"{1950 + (i * 7) % 60}{(i % 12) + 1:02d}{(i * 5) % 28 + 1:02d}"
    first17 = f"{county}{birth}{(i * 13) % 900 + 100:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def other(browser):
    """A second signed-in person's browser."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    yield pg
    context.close()


def browser_page(request):
    """A third person's browser (closed with the test)."""
    context = request.getfixturevalue("browser").new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    request.addfinalizer(context.close)
    return context.new_page()


def _shot(pg, request, name):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)


@pytest.mark.parametrize(("region", "clerk", "tax", "township", "village", "channel", "county"), JOURNEYS,
                         ids=[j[0] for j in JOURNEYS])
def test_reconcile_refund_and_paid_list(page, other, live_app, shot, request, tmp_path, region, clerk, tax,
                                        township, village, channel, county):
    # --- the county clerk reconciles yesterday's statement: the channel reports a payment never recorded
    sign_in(page, live_app, clerk, DEMO_PASSWORD)
    page.get_by_role("link", name="渠道对账").first.click()
    statement = tmp_path / "statement.csv"
    statement.write_bytes(("交易流水号,身份证号码,金额,缴费时间\n"
                           f"{region.upper()}-20240114-0001,{demo_resident(county, 2)},380.00,2024-01-14T09:12:00+08:00\n")
                          .encode("gbk"))
    page.select_option("#channel", label=page.locator("#channel option", has_text=channel).first.inner_text())
    page.fill("#day", "2024-01-14")
    page.set_input_files("#file", str(statement))
    page.get_by_role("button", name="上传并对账").click()
    page.wait_for_selector("text=发现差异 1 笔")
    assert "对账单有、系统无" in page.inner_text("[data-testid=differences]")
    assert demo_resident(county, 2) not in page.content()  # the number is masked
    shot("statement-difference")
    page.get_by_label("处理说明").fill("渠道推送失败，已请渠道重新推送该笔缴费")
    page.get_by_role("button", name="处理").click()
    page.wait_for_selector("text=对账单已对平")
    assert "已对平" in page.inner_text("[data-testid=statement-status]")
    shot("statement-reconciled")

    # --- a refund for a paid resident who died in December
    page.get_by_role("link", name="退费").first.click()
    person = demo_resident(county, 1)
    evidence = tmp_path / "死亡证明.pdf"
    evidence.write_bytes(scans.pdf())
    page.fill("#id_number", person)
    page.fill("#insurance_year", "2024")
    page.select_option("#reason", "death")
    page.fill("#event_date", "2023-12-20")
    page.set_input_files("#evidence", str(evidence))
    page.get_by_role("button", name="提交申请").click()
    if region == "jincheng":
        page.wait_for_selector(".messages .error")
        message = page.inner_text(".messages")
        assert "未规定城乡居民医保退费" in message, message
        shot("refund-not-configured")
    else:
        page.wait_for_selector("text=已提交退费申请")
        assert "待审核" in page.inner_text("[data-testid=refund-status]")
        assert "须由另一名经办人员审核" in page.content()  # the maker is not offered the review
        shot("refund-applied")
        sign_in(other, live_app, tax, DEMO_PASSWORD)
        other.get_by_role("link", name="退费").first.click()
        other.locator("[data-testid=refunds] a").first.click()
        assert "可以申请退费" in other.inner_text("[data-testid=refund-eligibility]")  # the engine's reasoning
        other.get_by_label("审核意见").fill("死亡证明核实无误")
        _shot(other, request, "refund-review")
        other.get_by_role("button", name="同意退费").click()
        other.wait_for_selector("text=已同意退费")
        assert "已退费" in other.inner_text("[data-testid=refund-status]")
        assert "-" in other.inner_text("[data-testid=refund-payment]")
        _shot(other, request, "refund-approved")

    # --- the township clerk prints the village's paid list
    paid = browser_page(request)
    sign_in(paid, live_app, township, DEMO_PASSWORD)
    paid.get_by_role("link", name="已缴费清册").first.click()
    row = paid.locator("[data-testid=paid-villages] tr", has_text=village)
    count = int(row.locator("td.num").inner_text())
    assert count >= 15, count
    _shot(paid, request, "paid-lists")
    with paid.expect_download() as info:
        row.get_by_role("link", name="打印 PDF").click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    first = demo_resident(county, 0)
    assert "已缴费人员清册" in text and f"已缴费 {count} 人" in text
    assert first not in text and first[:6] + "********" + first[-4:] in text
    with paid.expect_download() as info:
        row.get_by_role("link", name="xlsx").click()
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(info.value.path().read_bytes()))
    cells = "\n".join(str(c) for r in book.get_sheet_by_index(0).to_python() for c in r)
    assert f"共 {count} 人" in cells and first not in cells
    refunded = demo_resident(county, 1)
    # 东明's refunded resident is no longer on the list; 晋城's, never refunded, is
    assert (refunded[:6] + "********" + refunded[-4:] in cells) == (region == "jincheng")


AGENTS = [("dongming", "agent.dongming", "371728001200"), ("jincheng", "agent.jincheng", "140502001001")]


@pytest.mark.parametrize(("region", "agent", "village"), AGENTS, ids=[a[0] for a in AGENTS])
def test_a_village_agent_prints_their_village_paid_list_on_a_phone(browser, live_app, region, agent, village):
    from .conftest import ARTIFACTS

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    try:
        sign_in(phone, live_app, agent, DEMO_PASSWORD)
        phone.goto(live_app + "/collection/paid-lists/")
        rows = phone.locator("[data-testid=paid-villages] tbody tr")
        assert rows.count() == 1 and village in rows.first.inner_text()  # their own village only
        link = rows.first.get_by_role("link", name="打印 PDF")
        assert link.is_visible()
        # the page fits the phone's width; the table scrolls inside its card
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / f"collection-{region}-agent-paid-list-phone.png"), full_page=True)
        with phone.expect_download() as info:
            link.click()
        assert info.value.path().read_bytes().startswith(b"%PDF-")
    finally:
        context.close()
