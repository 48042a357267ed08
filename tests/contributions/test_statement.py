"""The unit statement (对账单): every bill of a period with its payments, balance and late fees,
and the totals; as a page, xlsx, PDF, API and command line; another unit's statement is missing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from contributions.factories import approved_unit
from factories import AgencyClerkFactory
from yibao.contributions import selectors, services
from yibao.contributions.models import Bill
from yibao.employer.models import UnitOperator
from yibao.months import Month

pytestmark = pytest.mark.django_db

JAN, FEB = Month(2024, 1), Month(2024, 2)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2024, 3, 20)


@pytest.fixture
def clerk():
    return AgencyClerkFactory()


@pytest.fixture
def world(rates, clerk):
    """January paid 10 days late (fee 4.40, carried on February), February declared and 500 of its
    884.40 paid on time, so 380.00 of its contributions are unpaid since 2024-02-25."""
    unit = approved_unit(["5000", "6000"])
    services.generate_bills("370700", JAN, actor=clerk, unit_ids=[unit.pk])
    jan = services.declare_bill(Bill.objects.get(unit=unit, month=JAN), actor=clerk, on=dt.date(2024, 1, 10))
    services.record_counter_payment(jan, Decimal("880.00"), dt.date(2024, 2, 4), actor=clerk)
    services.generate_bills("370700", FEB, actor=clerk, unit_ids=[unit.pk])
    feb = services.declare_bill(Bill.objects.get(unit=unit, month=FEB), actor=clerk, on=dt.date(2024, 2, 10))
    services.record_counter_payment(feb, Decimal("500.00"), dt.date(2024, 2, 20), actor=clerk)
    return unit


def test_statement_lists_bills_payments_balances_and_late_fees(world, clerk):
    st = selectors.statement(clerk, world, JAN, Month(2024, 12), dt.date(2024, 3, 20))
    assert [str(r.bill.month) for r in st.rows] == ["2024-01", "2024-02"]
    jan, feb = st.rows
    assert [p.amount for p in jan.payments] == [Decimal("880.00")]
    assert jan.late.charged_total == Decimal("4.40") and jan.bill.balance == 0
    assert feb.bill.late_fee_total == Decimal("4.40") and feb.bill.amount_due == Decimal("884.40")
    # 380.00 unpaid from 2024-02-26 to 2024-03-20: 24 days × 0.0005 = 4.56
    assert (feb.late.unpaid, feb.late.accrued_days, feb.late.accrued) == (Decimal("380.00"), 24, Decimal("4.56"))
    assert st.totals == {"contributions": Decimal("1760.00"), "late_fees_carried": Decimal("4.40"),
                         "amount_due": Decimal("1764.40"), "amount_paid": Decimal("1380.00"),
                         "balance": Decimal("384.40"), "late_fees_charged": Decimal("4.40"),
                         "late_fees_accrued": Decimal("4.56")}


def test_statement_page_and_files_for_the_units_operator(world, client_for):
    operator = UnitOperator.objects.get(unit=world).user
    c = client_for(operator)
    page = c.get("/contributions/statement/?from=2024-01&to=2024-12")
    text = page.content.decode()
    assert page.status_code == 200 and "1764.40" in text and "384.40" in text and "4.56" in text
    xlsx = c.get("/contributions/statement.xlsx?from=2024-01&to=2024-12")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_name("对账单").to_python()
    assert rows[4][:3] == ["2024-01", "正常缴费", "已申报"] and rows[4][3] == "2024-01-25"
    total = next(r for r in rows if r[0] == "合计")
    assert total[6] == 1764.40 and total[8] == 384.40 and total[9] == 4.40 and total[10] == 4.56
    pdf = c.get("/contributions/statement.pdf?from=2024-01&to=2024-12")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf.content)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "对账单" in text and "1764.40" in text and "384.40" in text


def test_another_units_statement_is_missing(world, client_for):
    other = approved_unit(["5000"])
    operator = UnitOperator.objects.get(unit=other).user
    c = client_for(operator)
    assert c.get(f"/contributions/statement/?unit={world.pk}").status_code == 404
    assert c.get(f"/api/v1/contributions/statement?unit={world.pk}").status_code == 404
    assert c.get(f"/contributions/statement.pdf?unit={world.pk}").status_code == 404


def test_statement_api_for_a_clerk_and_a_bad_period(world, clerk, client_for):
    c = client_for(clerk)
    r = c.get(f"/api/v1/contributions/statement?unit={world.pk}&from=2024-01&to=2024-02")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["totals"]["balance"] == "384.40" and body["bills"][1]["late_fee_total"] == "4.40"
    assert body["bills"][0]["payments"][0]["late_fee"] == "4.40" and body["bills"][0]["due_date"] == "2024-01-25"
    bad = c.get(f"/api/v1/contributions/statement?unit={world.pk}&from=2024-05&to=2024-01")
    assert bad.status_code in (400, 422) and bad.json()["code"] == "invalid_period"


def test_statement_command_line(world, clerk, tmp_path, capsys):
    from yibao.cli import main

    number = world.unit_number
    assert main(["contributions", "--as", clerk.username, "statement", number, "--from", "2024-01", "--to", "2024-12"]) == 0
    out = capsys.readouterr().out
    assert "2024-01-25" in out and "1764.40" in out
    target = tmp_path / "st.xlsx"
    assert main(["contributions", "--as", clerk.username, "statement", number, "--xlsx", str(target)]) == 0
    assert target.stat().st_size > 0


def test_the_units_home_page_shows_its_late_fees(world, client_for):
    operator = UnitOperator.objects.get(unit=world).user
    page = client_for(operator).get("/")
    assert page.status_code == 200
    panel = page.content.decode().split('data-testid="home-late-fees"')[1].split("</div>")[0]
    assert "4.40" in panel and "2024-02 单据" in panel          # charged on January, carried on February
    assert "4.56" in panel and "24 天" in panel                  # February's unpaid 380.00, to date
