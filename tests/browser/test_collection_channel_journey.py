"""A resident pays online, for 东明 and for 晋城: the administrator makes the region's channel on
the 缴费渠道 page and hands its token over; the resident, yet to pay, sees what they owe; the
channel sends the payment through its API (a retry answered with the first answer); the resident
then sees the payment on their home page and that they are covered."""

import json
import urllib.error
import urllib.request

import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import sign_in
from .test_resident_journeys import phone_shot

pytestmark = pytest.mark.browser

UNPAID = [
    # region, code, the demo resident yet to pay, the day they pay (in the collection period, on one of 晋城's days 1–25)
    ("dongming", "371728", "37172819841127386X", "2023-12-20T10:05:00+08:00"),
    ("jincheng", "140500", "140502198411273861", "2023-12-20T10:05:00+08:00"),
]


def _post(url: str, token: str, payload: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(payload).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the test's own server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.parametrize(("region", "code", "resident", "paid_at"), UNPAID, ids=[r[0] for r in UNPAID])
def test_a_resident_pays_online_through_a_channel_and_is_covered(page, phone, live_app, shot, region, code, resident,
                                                                   paid_at):
    # the administrator makes the channel and reads its token, once
    sign_in(page, live_app, "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="缴费渠道").first.click()
    page.fill("#name", f"支付宝-{region}")
    page.select_option("#region", code)
    page.get_by_role("button", name="创建并显示令牌").click()
    token = page.inner_text("[data-testid=channel-token] .token").strip()
    assert token.startswith("ybc_")
    shot("channel-token")
    page.goto(live_app + "/channels/")
    assert token not in page.content() and f"支付宝-{region}" in page.inner_text("[data-testid=channels]")

    # the resident, yet to pay, sees what they owe
    sign_in(phone, live_app, resident, DEMO_PASSWORD)
    phone.get_by_role("link", name="我的居民医保").first.click()
    owed = phone.inner_text("#premium")
    assert "380.00" in owed, owed
    phone.fill("#on", "2024-06-01")
    phone.get_by_role("button", name="查询").first.click()
    assert "没有医保待遇" in phone.inner_text("#coverage")
    phone_shot(phone, f"{region}-before-paying")

    # the channel sends the payment; a retry is answered with the first answer
    payment = {"transaction_id": f"ALI-{region}-0001", "id_number": resident, "region": code, "insurance_year": 2024,
               "amount": "380.00", "paid_at": paid_at}
    status, first = _post(live_app + "/api/v1/collection/payments", token, payment)
    assert status == 201, first
    status, again = _post(live_app + "/api/v1/collection/payments", token, payment)
    assert status == 200 and again == first
    status, wrong = _post(live_app + "/api/v1/collection/payments", token, {**payment, "transaction_id": "X-2"})
    assert status == 422 and wrong["code"] == "already_paid"

    # the resident sees the payment and the coverage
    phone.goto(live_app + "/")
    payments = phone.inner_text("[data-testid=home-resident-payments]")
    assert f"ALI-{region}-0001" in payments and "380.00" in payments, payments
    phone_shot(phone, f"{region}-home-paid")
    phone.get_by_role("link", name="我的居民医保").first.click()
    phone.fill("#on", "2024-06-01")
    phone.get_by_role("button", name="查询").first.click()
    answer = phone.inner_text("#coverage")
    assert "2024-01-01" in answer and "2024-12-31" in answer, answer
    phone_shot(phone, f"{region}-covered")
