"""Payments against declared bills (缴费): the tax channel's contract (one payment and batches,
idempotent on channel + transaction id), the counter (窗口缴费), every refusal with its code,
nothing written and an audit entry."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from collection.factories import bearer, channel
from contributions.factories import approved_unit
from factories import AgencyClerkFactory
from yibao.audit.models import AuditEntry
from yibao.contributions import services
from yibao.contributions.models import Bill, BillPayment
from yibao.contributions.services import payments
from yibao.months import Month

pytestmark = pytest.mark.django_db

URL = "/api/v1/contributions/payments"
JAN = Month(2024, 1)


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2024, 2, 10)


@pytest.fixture
def clerk():
    return AgencyClerkFactory()


def declared_bill(clerk, bases=("5000", "6000"), *, declare=True, **unit_kwargs):
    """A unit's January bill (5000 + 6000 at 6% + 2%: 880.00 due), declared unless told not."""
    unit = approved_unit(list(bases), **unit_kwargs)
    services.generate_bills("370700", JAN, actor=clerk, unit_ids=[unit.pk])
    bill = Bill.objects.get(unit=unit, month=JAN)
    if declare:
        bill = services.declare_bill(bill, actor=clerk, on=dt.date(2024, 1, 20))
    return bill


@pytest.fixture
def bill(rates, clerk):
    return declared_bill(clerk)


@pytest.fixture
def tax():
    return channel("税务", region="370700", schemes=("employee",))


def body(bill, **extra):
    out = {"transaction_id": f"TX{bill.pk:06d}", "unit_number": bill_unit_number(bill), "bill_id": bill.pk,
           "amount": "300.00", "paid_on": "2024-02-05"}
    out.update(extra)
    return out


def bill_unit_number(bill):
    from yibao.employer import contributing

    return contributing.unit_facts([bill.unit_id])[bill.unit_id]["unit_number"]


def post(client, token, payload, url=URL):
    return client.post(url, json.dumps(payload), content_type="application/json", **bearer(token))


def paid(bill) -> Decimal:
    return Bill.objects.get(pk=bill.pk).amount_paid


def test_a_partial_then_the_full_payment_leaves_then_clears_the_balance(client, bill, tax):
    _, token = tax
    assert bill.amount_due == Decimal("880.00")
    first = post(client, token, body(bill))
    assert first.status_code == 201, first.content
    assert first.json()["balance_after"] == "580.00" and first.json()["replayed"] is False
    assert paid(bill) == Decimal("300.00")
    rest = post(client, token, body(bill, transaction_id="TX-2", amount="580.00"))
    assert rest.status_code == 201 and rest.json()["balance_after"] == "0.00"
    assert paid(bill) == Decimal("880.00") and Bill.objects.get(pk=bill.pk).balance == 0
    again = post(client, token, body(bill, transaction_id="TX-3", amount="0.01"))
    assert again.status_code == 422 and again.json()["code"] == "already_paid"
    entry = AuditEntry.objects.filter(action="contributions.payment_record").first()
    assert entry.after["payments"][0]["bill"] == bill.pk and entry.after["region"] == "370700"


def test_a_replay_answers_the_first_payment_and_a_changed_replay_conflicts_and_is_audited(client, bill, tax):
    _, token = tax
    first = post(client, token, body(bill))
    replay = post(client, token, body(bill))
    assert replay.status_code == 200
    assert replay.json() == {**first.json(), "replayed": True}
    changed = post(client, token, body(bill, amount="200.00"))
    assert changed.status_code == 409 and changed.json()["code"] == "conflict"
    assert str(first.json()["payment_id"]) in changed.json()["message"]
    assert BillPayment.objects.filter(bill=bill).count() == 1 and paid(bill) == Decimal("300.00")
    refused = AuditEntry.objects.get(action="contributions.payment_refuse")
    assert refused.after["attempts"][0]["code"] == "conflict" and refused.after["attempts"][0]["amount"] == "200.00"


@pytest.mark.parametrize(("change", "code", "status"), [
    ({"bill_id": 999999}, "unknown_bill", 422),
    ({"unit_number": "x" * 300}, "wrong_unit", 422),
    ({"unit_number": "370700999999"}, "wrong_unit", 422),
    ({"amount": "0"}, "invalid_amount", 422),
    ({"amount": "-5.00"}, "invalid_amount", 422),
    ({"amount": "1.005"}, "invalid_amount", 422),
    ({"amount": "880.01"}, "overpayment", 422),
    ({"paid_on": "2024-02-11"}, "invalid_input", 422),
    ({"transaction_id": " "}, "invalid_input", 422),
])
def test_refusals_carry_their_codes_write_nothing_and_are_audited(client, bill, tax, change, code, status):
    _, token = tax
    response = post(client, token, body(bill, **change))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["message"]
    assert not BillPayment.objects.exists() and paid(bill) == 0
    entry = AuditEntry.objects.get(action="contributions.payment_refuse")
    assert entry.after["attempts"][0]["code"] == code


def test_a_bill_number_beyond_any_id_is_refused_by_the_schema(client, bill, tax):
    _, token = tax
    response = post(client, token, body(bill, bill_id=2**70))
    assert response.status_code == 422 and not BillPayment.objects.exists()


def test_a_draft_bill_is_not_payable(client, rates, clerk, tax):
    _, token = tax
    draft = declared_bill(clerk, declare=False)
    response = post(client, token, body(draft))
    assert response.status_code == 422 and response.json()["code"] == "bill_not_declared"
    assert "尚未申报" in response.json()["message"] and not BillPayment.objects.exists()


def test_another_regions_bill_is_refused(client, bill):
    _, token = channel("另一统筹区税务", region="371728", schemes=("employee",))
    response = post(client, token, body(bill))
    assert response.status_code == 422 and response.json()["code"] == "wrong_region"
    assert not BillPayment.objects.exists()


def test_another_units_bill_is_refused(client, rates, clerk, bill, tax):
    _, token = tax
    other = declared_bill(clerk, ("4000",))
    response = post(client, token, body(bill, unit_number=bill_unit_number(other)))
    assert response.status_code == 422 and response.json()["code"] == "wrong_unit"
    assert not BillPayment.objects.exists()


def test_bad_tokens_and_a_resident_only_channel_answer_401(client, bill, tax):
    _, resident_token = channel("微信", region="370700", schemes=("resident",))
    for token in ("", "nonsense", resident_token):
        response = post(client, token, body(bill))
        assert response.status_code == 401, token
        assert response.json()["message"]
    assert not BillPayment.objects.exists()


def test_a_closed_unit_still_pays_its_declared_bill(client, bill, tax):
    from yibao.employer.models import Unit

    Unit.objects.filter(pk=bill.unit_id).update(status="closed")
    _, token = tax
    assert post(client, token, body(bill)).status_code == 201


def test_a_batch_answers_each_payment_and_keeps_the_running_balance(client, rates, clerk, bill, tax):
    _, token = tax
    other = declared_bill(clerk, ("4000",))  # 320.00 due
    items = [body(bill, transaction_id="B1", amount="500.00"),
             body(bill, transaction_id="B2", amount="400.00"),          # 380 left: overpayment
             body(bill, transaction_id="B1", amount="500.00"),          # repeat inside the batch: replay
             body(other, transaction_id="B3", amount="320.00"),
             body(other, transaction_id="B4", amount="0.50"),           # paid in full above
             body(bill, transaction_id="B5", amount="380.00")]
    response = post(client, token, {"payments": items}, url=URL + "/batch")
    assert response.status_code == 200, response.content
    out = response.json()
    assert [r["status"] for r in out["results"]] == [201, 422, 200, 201, 422, 201]
    assert [r["error"]["code"] for r in out["results"] if r["error"]] == ["overpayment", "already_paid"]
    assert (out["recorded"], out["replayed"], out["refused"]) == (3, 1, 2)
    assert paid(bill) == Decimal("880.00") and paid(other) == Decimal("320.00")
    again = post(client, token, {"payments": items}, url=URL + "/batch").json()
    assert again["replayed"] == 4 and again["recorded"] == 0  # the refused ones stay refused
    assert BillPayment.objects.count() == 3


def test_a_large_batch_is_written_set_based(client, rates, clerk, tax):
    _, token = tax
    bills = [declared_bill(clerk, ("4000",)) for _ in range(12)]
    items = [body(b, transaction_id=f"L{n}", amount="320.00") for n, b in enumerate(bills)]
    out = post(client, token, {"payments": items}, url=URL + "/batch").json()
    assert out["recorded"] == 12
    ids = {r["payment"]["payment_id"] for r in out["results"]}
    assert ids == set(BillPayment.objects.values_list("pk", flat=True))
    assert all(b.balance == 0 for b in Bill.objects.filter(pk__in=[b.pk for b in bills]))


def test_the_database_refuses_a_second_row_for_a_transaction_and_an_overpaid_bill(bill, tax):
    made, _ = tax
    row = {"bill": bill, "unit_id": bill.unit_id, "region_id": "370700", "amount": Decimal("1"),
           "paid_on": dt.date(2024, 2, 1), "channel": made, "transaction_id": "X", "balance_after": 0}
    BillPayment.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillPayment.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillPayment.objects.create(**{**row, "transaction_id": "Y", "amount": Decimal("0")})
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.filter(pk=bill.pk).update(amount_paid=Decimal("880.01"))


def test_the_counter_records_partial_payments_and_refuses_an_overpayment(bill, clerk):
    p = services.record_counter_payment(bill, "80", dt.date(2024, 2, 9), actor=clerk)
    assert p.counter and p.channel_id is None and p.recorded_by_id == clerk.pk and p.balance_after == Decimal("800.00")
    with pytest.raises(services.ContributionError) as refused:
        services.record_counter_payment(bill, "800.01", actor=clerk)
    assert refused.value.code == "overpayment" and "800.00" in refused.value.message
    assert paid(bill) == Decimal("80.00") and BillPayment.objects.count() == 1
    assert AuditEntry.objects.filter(action="contributions.payment_refuse", object_id=str(bill.pk)).exists()
    assert AuditEntry.objects.filter(action="contributions.payment_record", object_id=str(p.pk)).exists()


def test_the_counter_refuses_a_draft(rates, clerk):
    draft = declared_bill(clerk, declare=False)
    with pytest.raises(payments.PaymentRefused) as refused:
        services.record_counter_payment(draft, "10", actor=clerk)
    assert refused.value.code == "bill_not_declared" and not BillPayment.objects.exists()


def test_the_counter_over_the_api_and_the_bill_shows_its_payments(client, bill, clerk, tax):
    _, token = tax
    post(client, token, body(bill))
    client.force_login(clerk)
    url = f"/api/v1/contributions/bills/{bill.pk}/payments"
    made = client.post(url, json.dumps({"amount": "80.00", "paid_on": "2024-02-09", "note": "票据 001"}),
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["counter"] is True and made.json()["balance_after"] == "500.00"
    refused = client.post(url, json.dumps({"amount": "500.01"}), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["code"] == "overpayment"
    listed = client.get(url).json()
    assert [(p["amount"], p["counter"]) for p in listed] == [("300.00", False), ("80.00", True)]
    shown = client.get(f"/api/v1/contributions/bills/{bill.pk}").json()
    assert (shown["amount_paid"], shown["balance"]) == ("380.00", "500.00")


def test_a_unit_operator_may_not_record_a_counter_payment(client, bill):
    from yibao.employer.models import Unit

    client.force_login(Unit.objects.get(pk=bill.unit_id).operators.get().user)
    response = client.post(f"/api/v1/contributions/bills/{bill.pk}/payments", json.dumps({"amount": "1.00"}),
                           content_type="application/json")
    assert response.status_code == 403 and not BillPayment.objects.exists()
    page = client.get(f"/contributions/bills/{bill.pk}/")
    assert page.status_code == 200 and 'data-testid="counter-payment"' not in page.content.decode()


def test_the_bill_page_records_a_counter_payment_and_lists_it(client, bill, clerk):
    client.force_login(clerk)
    page = client.get(f"/contributions/bills/{bill.pk}/").content.decode()
    assert 'data-testid="counter-payment"' in page and "尚无缴费记录" in page
    done = client.post(f"/contributions/bills/{bill.pk}/pay", {"amount": "100.50", "paid_on": "2024-02-09"},
                       follow=True).content.decode()
    assert "已记录缴费 100.50 元，单据尚欠 779.50 元" in done and "窗口缴费（" in done
    refused = client.post(f"/contributions/bills/{bill.pk}/pay", {"amount": "abc", "paid_on": "2024-02-09"},
                          follow=True).content.decode()
    assert "金额不是有效的数字" in refused and BillPayment.objects.count() == 1


def test_the_command_line_records_a_counter_payment(capsys, bill, clerk):
    from yibao.cli import main

    assert main(["contributions", "--as", clerk.username, "pay", str(bill.pk), "880.00", "--paid-on", "2024-02-01"]) == 0
    assert "尚欠 0.00 元" in capsys.readouterr().out
    assert main(["contributions", "--as", clerk.username, "pay", str(bill.pk), "1"]) == 2
    assert "已缴清" in capsys.readouterr().err
    assert main(["contributions", "--as", clerk.username, "pay", "987654321", "1"]) == 2
    assert paid(bill) == Decimal("880.00")


# --- a payment dated before the bill was declared (before_declared) -------------------------------

def test_a_payment_dated_before_the_declaration_is_refused_by_the_channel(client, bill, tax):
    _, token = tax
    assert bill.declared_on == dt.date(2024, 1, 20)
    response = post(client, token, body(bill, paid_on="2024-01-19"))
    assert response.status_code == 422 and response.json()["code"] == "before_declared"
    assert "早于该单据的申报日期 2024-01-20" in response.json()["message"]
    assert not BillPayment.objects.exists() and paid(bill) == 0
    entry = AuditEntry.objects.get(action="contributions.payment_refuse")
    assert entry.after["attempts"][0]["code"] == "before_declared"
    # the day of the declaration itself is fine
    assert post(client, token, body(bill, paid_on="2024-01-20")).status_code == 201


def test_a_batch_answers_before_declared_per_payment(client, bill, tax):
    _, token = tax
    response = post(client, token, {"payments": [body(bill, transaction_id="B1", paid_on="2024-01-05"),
                                                 body(bill, transaction_id="B2", paid_on="2024-02-05")]},
                    url=URL + "/batch")
    out = response.json()
    assert response.status_code == 200 and (out["recorded"], out["refused"]) == (1, 1)
    assert out["results"][0]["status"] == 422 and out["results"][0]["error"]["code"] == "before_declared"
    assert out["results"][1]["status"] == 201 and paid(bill) == Decimal("300.00")


def test_the_counter_refuses_a_day_before_the_declaration_everywhere(client, capsys, bill, clerk):
    from yibao.cli import main

    with pytest.raises(payments.PaymentRefused) as refused:
        services.record_counter_payment(bill, Decimal("100"), dt.date(2024, 1, 10), actor=clerk)
    assert refused.value.code == "before_declared"
    client.force_login(clerk)
    api = client.post(f"/api/v1/contributions/bills/{bill.pk}/payments",
                      json.dumps({"amount": "100.00", "paid_on": "2024-01-10"}), content_type="application/json")
    assert api.status_code == 422 and api.json()["code"] == "before_declared"
    page = client.post(f"/contributions/bills/{bill.pk}/pay", {"amount": "100.00", "paid_on": "2024-01-10"},
                       follow=True).content.decode()
    assert "早于该单据的申报日期 2024-01-20" in page
    assert main(["contributions", "--as", clerk.username, "pay", str(bill.pk), "100", "--paid-on", "2024-01-10"]) == 2
    assert "早于该单据的申报日期" in capsys.readouterr().err
    assert not BillPayment.objects.exists() and paid(bill) == 0
    refusals = AuditEntry.objects.filter(action="contributions.payment_refuse")
    assert refusals.count() == 4 and {e.after["code"] for e in refusals} == {"before_declared"}


# --- counter receipts (收据号) ----------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def test_counter_payments_are_numbered_per_region_and_year_without_gaps(client, bill, clerk, tax):
    first = services.record_counter_payment(bill, Decimal("100"), dt.date(2024, 2, 1), actor=clerk)
    with pytest.raises(payments.PaymentRefused):          # refused: takes no number
        services.record_counter_payment(bill, Decimal("9999"), dt.date(2024, 2, 1), actor=clerk)
    second = services.record_counter_payment(bill, Decimal("100"), dt.date(2024, 2, 2), actor=clerk)
    assert (first.receipt_number, second.receipt_number) == ("370700-2024-000001", "370700-2024-000002")
    assert payments.receipt_number("370700", 2025) == "370700-2025-000001"     # a new year starts again
    assert payments.receipt_number("371500", 2024) == "371500-2024-000001"     # so does another region
    _, token = tax
    assert post(client, token, body(bill, amount="10.00")).json()["receipt_number"] == ""   # a channel: none
    audit = AuditEntry.objects.filter(action="contributions.payment_record").order_by("id").first()
    assert audit.after["receipt_number"] == "370700-2024-000001"


def test_the_database_holds_a_receipt_number_unique_in_its_region(bill, clerk):
    made = services.record_counter_payment(bill, Decimal("100"), dt.date(2024, 2, 1), actor=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillPayment.objects.create(bill=bill, unit_id=bill.unit_id, region_id=bill.region_id, amount=Decimal("1"),
                                   paid_on=dt.date(2024, 2, 1), counter=True, balance_after=Decimal("0"),
                                   receipt_number=made.receipt_number)


def test_the_receipt_is_shown_returned_printed_and_downloadable(client, capsys, bill, clerk, tax, tmp_path):
    from yibao.cli import main

    _, token = tax
    by_channel = post(client, token, body(bill)).json()["payment_id"]
    client.force_login(clerk)
    made = client.post(f"/api/v1/contributions/bills/{bill.pk}/payments",
                       json.dumps({"amount": "80.00", "paid_on": "2024-02-09"}), content_type="application/json")
    assert made.status_code == 201 and made.json()["receipt_number"] == "370700-2024-000001"
    payment_id = made.json()["payment_id"]
    page = client.get(f"/contributions/bills/{bill.pk}/").content.decode()
    assert f'href="/contributions/payments/{payment_id}/receipt.pdf"' in page and "370700-2024-000001" in page
    pdf = client.get(f"/contributions/payments/{payment_id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    api_pdf = client.get(f"/api/v1/contributions/payments/{payment_id}/receipt")
    assert api_pdf.status_code == 200 and api_pdf.content.startswith(b"%PDF")
    # a channel payment has no receipt, nor has a payment that does not exist
    assert client.get(f"/contributions/payments/{by_channel}/receipt.pdf").status_code == 404
    assert client.get(f"/api/v1/contributions/payments/{by_channel}/receipt").status_code == 404
    out = tmp_path / "收据.pdf"
    assert main(["contributions", "--as", clerk.username, "pay", str(bill.pk), "20.00", "--paid-on", "2024-02-09",
                 "--receipt", str(out)]) == 0
    assert "收据号 370700-2024-000002" in capsys.readouterr().out and out.read_bytes().startswith(b"%PDF")


def test_the_receipt_pdf_says_who_paid_what(bill, clerk):
    from yibao.contributions import exports
    from yibao.employer import contributing

    p = services.record_counter_payment(bill, Decimal("125.50"), dt.date(2024, 2, 1), actor=clerk, note="现金")
    unit = contributing.unit_facts([bill.unit_id])[bill.unit_id]
    text = pdf_text(exports.receipt_pdf(p, bill, unit)).replace(" ", "")
    for part in ("收据号", "370700-2024-000001", "壹佰贰拾伍元伍角", unit["unit_number"], "2024-02-01", "现金"):
        assert part in text, part


def test_a_counter_payment_against_an_unknown_or_unreachable_bill_is_404_and_audited(client, bill):
    """Paying an unknown bill, or another area's, changes nothing and leaves an audit entry."""
    from factories import division

    elsewhere = AgencyClerkFactory(division=division("371500"))   # 聊城's clerk: 潍坊's bill is out of reach
    for who, pk in ((AgencyClerkFactory(), 987654321), (elsewhere, bill.pk)):
        client.force_login(who)
        answer = client.post(f"/api/v1/contributions/bills/{pk}/payments", {"amount": "100.00"},
                             content_type="application/json")
        assert answer.status_code == 404
        entry = AuditEntry.objects.filter(action="contributions.payment_refuse", actor_id=who.pk).get()
        assert entry.object_id == str(pk) and entry.after["code"] == "unknown_bill"
    assert not BillPayment.objects.exists()


def test_the_late_fee_of_a_counter_payment_is_audited_with_the_clerk(bill, clerk):
    services.record_counter_payment(bill, "880.00", dt.date(2024, 2, 5), actor=clerk)   # due 2024-01-25
    entry = AuditEntry.objects.filter(action="contributions.late_fee_charge").get()
    assert entry.actor_id == clerk.pk
