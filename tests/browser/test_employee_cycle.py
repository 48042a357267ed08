"""The employee cycle's last leg, as issue 12's "Done means" asks: a unit goes from approved bases
to a paid January bill, with a late fee for a late payment.

The app runs on its own fresh database, served as of two business dates: 2024-01-15 (the unit
declares its January bill, due 2024-01-25 by the 潍坊 notice) and 2024-02-05 (an agency clerk
records the money paid at the counter that day, eleven days late; the late fee is charged, the
receipt printed, February's bills carry the fee, and the unit's statement shows it all). Every
figure is checked against the policy engine's own answers."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest

from yibao.demo import DEMO_PASSWORD
from yibao.policy import get_engine

from .conftest import ARTIFACTS, fresh_app, serve, sign_in, stop

pytestmark = pytest.mark.browser

UNIT = "37070500004"   # 潍坊示范纺织有限公司: approved 2024 bases, a January 2024 bill
REGION = "370700"
DECLARED_ON, PAID_ON = "2024-01-15", "2024-02-05"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """``serve(today)``: the app on its own database as of ``today`` (one server at a time)."""
    env, drop = fresh_app(tmp_path_factory.mktemp("cycle"), YIBAO_TODAY=DECLARED_ON)
    running = []

    def at(today: str) -> str:
        while running:
            stop(running.pop())
        url, server = serve({**env, "YIBAO_TODAY": today})
        running.append(server)
        return url

    yield at
    while running:
        stop(running.pop())
    drop()


def money(text: str) -> Decimal:
    return Decimal(re.search(r"-?\d+\.\d{2}", text).group())


def ask(question: str, **inputs) -> dict:
    answer = get_engine().ask(REGION, question, inputs)
    assert answer.ok, answer.error
    return answer.values


def test_a_unit_goes_from_approved_bases_to_a_paid_january_bill_with_a_late_fee(app, page):
    db = "pg" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    ARTIFACTS.mkdir(exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"employee-cycle-{name}-{db}.png"), full_page=True)

    due_date = ask("employee.payment_due", month="2024-01", kind="regular")["due_date"]
    assert due_date == "2024-01-25"

    # 2024-01-15: the unit sees its January bill, computed from its approved bases, and declares it
    live = app(DECLARED_ON)
    sign_in(page, live, UNIT, DEMO_PASSWORD)
    page.goto(live + "/contributions/bills/?month=2024-01")
    page.get_by_role("link", name="查看").first.click()
    page.wait_for_url("**/contributions/bills/*/")   # the click navigates: wait for the bill
    bill_url = page.url
    assert page.locator("[data-testid=bill-lines] tbody tr").count() == 5
    assert page.inner_text("[data-testid=bill-due-date]") == due_date
    due = money(page.inner_text("[data-testid=amount-due]"))
    page.get_by_role("button", name="申报本月缴费单据").click()
    page.wait_for_selector("text=2024-01 缴费单据已申报")
    assert page.inner_text("[data-testid=bill-status]") == "已申报"
    shot("declared")

    # 2024-02-05: the clerk records the whole amount paid at the counter, 11 days after the due date
    live = app(PAID_ON)
    page.context.clear_cookies()
    sign_in(page, live, "clerk.weifang", DEMO_PASSWORD)
    page.goto(live + "/" + bill_url.split("/", 3)[3])     # the same bill on the new server
    expected = ask("employee.late_fee", amount=due, due_date=due_date, paid_on=PAID_ON)
    assert expected["days"] == 11
    accrued = page.inner_text("[data-testid=bill-accrued]")     # before paying: accruing to date
    assert f"已逾期 {expected['days']} 天" in accrued and f"{expected['late_fee']} 元" in accrued
    form = page.locator("[data-testid=counter-payment]")
    assert money(form.locator("input[name=amount]").input_value()) == due
    assert form.locator("input[name=paid_on]").input_value() == PAID_ON
    form.get_by_role("button", name="记录缴费").click()
    page.wait_for_selector("text=已记录缴费")
    flash = page.inner_text("body")
    receipt = re.search(r"收据号 (\d{6}-\d{4}-\d{6})", flash).group(1)
    assert receipt == f"{REGION}-2024-000001"
    assert money(page.inner_text("[data-testid=balance]")) == 0
    late = page.inner_text("[data-testid=bill-late]")
    assert f"逾期 {expected['days']} 天，滞纳金 {expected['late_fee']} 元" in late and "待计入下期单据" in late
    link = page.locator("[data-testid=receipt-link]")
    assert link.inner_text() == receipt
    shot("paid")

    # the receipt opens as a PDF naming its number
    pdf = page.request.get(live + link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert receipt in pdf.headers["content-disposition"]

    # February's bills are generated: the unit's carries the late fee, charged to the unit only
    page.goto(live + "/contributions/bills/")
    page.select_option("select[name=region]", REGION)
    page.fill("form[action$='generate'] input[name=month]", "2024-02")
    page.get_by_role("button", name="生成").click()
    page.wait_for_selector("text=已生成 2024-02 缴费单据")

    page.context.clear_cookies()
    sign_in(page, live, UNIT, DEMO_PASSWORD)
    page.goto(live + "/contributions/bills/?month=2024-02")
    page.get_by_role("link", name="查看").first.click()
    assert money(page.inner_text("[data-testid=bill-late-fee]")) == expected["late_fee"]
    summary = page.inner_text("main")
    unit_total = money(re.search(r"单位缴费 (\d+\.\d{2}) 元", summary).group(1))
    individual_total = money(re.search(r"个人缴费 (\d+\.\d{2}) 元", summary).group(1))
    assert money(page.inner_text("[data-testid=amount-due]")) == unit_total + individual_total + expected["late_fee"]
    shot("february")

    # the unit's statement: January paid late with its fee, February carrying it
    page.goto(live + "/contributions/statement/?from=2024-01&to=2024-02")
    statement = page.inner_text("[data-testid=statement]")
    assert f"缴费 {PAID_ON}（窗口缴费）" in statement
    assert f"逾期 {expected['days']} 天，滞纳金 {expected['late_fee']} 元" in statement
    assert money(page.inner_text("[data-testid=statement-due]")) == (
        due + unit_total + individual_total + expected["late_fee"])
    assert money(page.inner_text("[data-testid=statement-balance]")) == (
        unit_total + individual_total + expected["late_fee"])
    shot("statement")
