"""代收 through the API (signed-in session), the pages and the command line: the same chain as the
services (collect, receipt, deposit, submit, check, transfer), each interface answering a
refusal with its code and message; identity numbers masked for the tax clerk and in the printed
receipt and 申报清单."""

import datetime as dt
import io
import json

import pypdfium2 as pdfium
import pytest
from python_calamine import CalamineWorkbook

from factories import (
    DONGMING,
    JINCHENG,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from resident.factories import (
    DONGMING_OTHER_VILLAGE,
    DONGMING_VILLAGE,
    JINCHENG_TOWNSHIP,
    JINCHENG_VILLAGE,
    enrolled,
)
from yibao.collection.models import Deposit, DepositStatus, Payment
from yibao.identity import mask_id_number

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 11, 20)
API = "/api/v1/collection"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = DAY


REGIONS = {"dongming": (DONGMING, DONGMING_VILLAGE, DONGMING_VILLAGE[:9], DONGMING),
           "jincheng": (JINCHENG, JINCHENG_VILLAGE, JINCHENG_TOWNSHIP, JINCHENG)}


@pytest.fixture(params=list(REGIONS))
def staff(request):
    region, village_key, township_key, tax_key = REGIONS[request.param]
    agent = VillageAgentFactory(division=village(village_key))
    township = TownshipClerkFactory(division=division(township_key))
    tax = TaxClerkFactory(division=division(tax_key))
    people = [enrolled(n, maker=agent, checker=township, region=region, village=village_key) for n in range(1, 3)]
    return {"agent": agent, "township": township, "tax": tax, "people": people, "village": village_key}


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def test_the_api_chain(client, staff):
    agent, tax, township = staff["agent"], staff["tax"], staff["township"]
    client.force_login(agent)
    receipts = []
    for person in staff["people"]:
        quote = client.get(f"{API}/agent/persons/{person.id_number}")
        assert quote.status_code == 200, quote.content
        q = quote.json()
        assert q["collectable"] and q["insurance_year"] == 2024 and q["premium"]["payable"]
        answer = post(client, f"{API}/agent/collections", {"id_number": person.id_number,
                                                            "amount": q["premium"]["payable"]})
        assert answer.status_code == 201, answer.content
        receipts.append(answer.json())
    assert [r["receipt_number"] for r in receipts] == [f"{staff['village']}-2024-00000{n}" for n in (1, 2)]
    again = post(client, f"{API}/agent/collections", {"id_number": staff["people"][0].id_number, "amount": "1.00"})
    assert again.status_code == 422 and again.json()["code"] in ("already_paid", "amount_mismatch")

    pdf = client.get(f"{API}/collections/{receipts[0]['id']}/receipt")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    number = staff["people"][0].id_number
    assert receipts[0]["receipt_number"] in text and number not in text and mask_id_number(number) in text

    empty = post(client, f"{API}/deposits", {"deposited_on": "2023-11-20", "bank_reference": "B1", "payments": []})
    assert empty.status_code == 400 and empty.json()["code"] == "empty_deposit"
    made = post(client, f"{API}/deposits", {"deposited_on": "2023-11-20", "bank_reference": "B1"})
    assert made.status_code == 201, made.content
    deposit = made.json()
    assert deposit["people"] == 2 and len(deposit["lines"]) == 2 and deposit["status"] == "open"
    assert post(client, f"{API}/deposits/{deposit['id']}/submit", {}).json()["status"] == "submitted"

    client.force_login(tax)
    seen = client.get(f"{API}/deposits/{deposit['id']}").json()
    assert number not in json.dumps(seen) and seen["lines"][0]["id_number"] == mask_id_number(number)
    wrong = post(client, f"{API}/deposits/{deposit['id']}/check",
                 {"bank_amount": "1.00", "bank_date": "2023-11-20", "bank_reference": "B1"}).json()
    assert wrong["status"] == "returned" and "金额" in wrong["note"]
    client.force_login(agent)
    assert post(client, f"{API}/deposits/{deposit['id']}/submit", {}).json()["status"] == "submitted"
    client.force_login(tax)
    declared = post(client, f"{API}/deposits/{deposit['id']}/check",
                    {"bank_amount": deposit["amount"], "bank_date": "2023-11-20", "bank_reference": "B1"})
    assert declared.json()["status"] == "declared"
    twice = post(client, f"{API}/deposits/{deposit['id']}/check",
                 {"bank_amount": deposit["amount"], "bank_date": "2023-11-20", "bank_reference": "B1"})
    assert twice.status_code == 400 and twice.json()["code"] == "already_declared"
    for fmt in ("pdf", "xlsx"):
        f = client.get(f"{API}/deposits/{deposit['id']}/file", {"format": fmt})
        assert f.status_code == 200
        text = pdf_text(f.content) if fmt == "pdf" else "\n".join(
            str(c) for row in CalamineWorkbook.from_filelike(io.BytesIO(f.content)).get_sheet_by_index(0).to_python()
            for c in row)
        assert deposit["number"] in text and number not in text and mask_id_number(number) in text

    client.force_login(township)
    moved = post(client, f"{API}/transfers", {"deposits": [deposit["id"]], "transferred_on": "2023-11-20",
                                              "reference": "HJ1"})
    assert moved.status_code == 200 and moved.json()[0]["status"] == "transferred"
    twice = post(client, f"{API}/transfers", {"deposits": [deposit["id"]], "transferred_on": "2023-11-20",
                                              "reference": "HJ2"})
    assert twice.status_code == 400 and twice.json()["code"] == "already_transferred"
    (row,) = [r for r in client.get(f"{API}/villages", {"insurance_year": 2024}).json()
              if r["village"] == staff["village"]]
    assert row["transferred"]["people"] == 2 and row["where"] == "已全部划缴"


def test_the_api_refuses_an_agent_outside_their_village(client, staff):
    client.force_login(VillageAgentFactory(division=village(DONGMING_OTHER_VILLAGE)))
    number = staff["people"][0].id_number
    out = client.get(f"{API}/agent/persons/{number}")
    assert out.status_code == 404 and out.json()["code"] == "outside_village"
    refused = post(client, f"{API}/agent/collections", {"id_number": number, "amount": "380.00"})
    assert refused.status_code == 422 and refused.json()["code"] == "outside_village"
    # the deposit of the village is out of the other agent's scope: 404 like a missing one
    client.force_login(staff["agent"])
    quote = client.get(f"{API}/agent/persons/{number}").json()
    post(client, f"{API}/agent/collections", {"id_number": number, "amount": quote["premium"]["payable"]})
    d = post(client, f"{API}/deposits", {"deposited_on": "2023-11-20", "bank_reference": "B1"}).json()
    client.force_login(VillageAgentFactory(division=village(DONGMING_OTHER_VILLAGE)))
    assert client.post(f"{API}/deposits/{d['id']}/submit").status_code == 404
    assert client.post(f"{API}/deposits/987654/submit").status_code == 404
    assert not Payment.objects.exclude(division_id=staff["village"]).exists()


def test_the_pages_chain(client, staff):
    agent, tax, township = staff["agent"], staff["tax"], staff["township"]
    person = staff["people"][0]
    client.force_login(agent)
    page = client.get("/collection/collect/", {"id_number": person.id_number})
    assert page.status_code == 200 and "个人应缴" in page.content.decode()
    payable = page.context["quote"].payable
    wrong = client.post("/collection/collect/record/", {"id_number": person.id_number, "amount": str(payable + 1),
                                                        "collected_on": "2023-11-20"}, follow=True)
    assert "须一次足额缴纳" in wrong.content.decode() and not Payment.objects.exists()
    done = client.post("/collection/collect/record/", {"id_number": person.id_number, "amount": str(payable),
                                                       "collected_on": "2023-11-19"}, follow=True)
    payment = Payment.objects.get()
    assert payment.paid_on == dt.date(2023, 11, 19) and payment.receipt_number in done.content.decode()
    assert client.get(f"/collection/receipts/{payment.pk}/receipt.pdf")["Content-Type"] == "application/pdf"
    home = client.get("/").content.decode()
    assert "home-collection-deposits" in home and "待缴存 <b>1</b> 笔" in home
    listed = client.get("/collection/deposits/")
    assert person.person.name in listed.content.decode()
    made = client.post("/collection/deposits/new/", {"payments": [payment.pk], "deposited_on": "2023-11-20",
                                                     "bank_reference": "B9"}, follow=True)
    deposit = Deposit.objects.get()
    assert made.redirect_chain[-1][0] == f"/collection/deposits/{deposit.pk}/"
    client.post(f"/collection/deposits/{deposit.pk}/submit/")
    client.force_login(tax)
    body = client.get(f"/collection/deposits/{deposit.pk}/").content.decode()
    assert "核对银行到账记录" in body and person.id_number not in body
    client.post(f"/collection/deposits/{deposit.pk}/check/", {"bank_amount": str(payable), "bank_date": "2023-11-20",
                                                              "bank_reference": "B9"})
    assert Deposit.objects.get().status == DepositStatus.DECLARED
    client.force_login(township)
    assert "已申报 <b>1</b>" in client.get("/").content.decode()
    board = client.get("/collection/deposits/").content.decode()
    assert "已申报待划缴" in board
    client.post("/collection/deposits/transfer/", {"deposits": [deposit.pk], "transferred_on": "2023-11-20",
                                                   "reference": "HJ9"})
    assert Deposit.objects.get().status == DepositStatus.TRANSFERRED
    again = client.post("/collection/deposits/transfer/", {"deposits": [deposit.pk], "transferred_on": "2023-11-20",
                                                           "reference": "HJ9"}, follow=True)
    assert "不能重复划缴" in again.content.decode()


def test_the_command_line_chain(tmp_path, capsys, staff):
    from yibao.cli import main

    agent, tax, township = staff["agent"], staff["tax"], staff["township"]
    person = staff["people"][0]
    assert main(["collection", "--as", agent.username, "quote", person.id_number]) == 0
    out = capsys.readouterr().out
    payable = out.split("个人应缴 ")[1].split(" 元")[0]
    assert main(["collection", "--as", agent.username, "collect", person.id_number, "1.00"]) == 2
    assert "须一次足额缴纳" in capsys.readouterr().err
    assert main(["collection", "--as", agent.username, "collect", person.id_number, payable]) == 0
    payment = Payment.objects.get()
    assert payment.receipt_number in capsys.readouterr().out
    assert main(["collection", "--as", agent.username, "receipt", str(payment.pk), "--out",
                 str(tmp_path / "r.pdf")]) == 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert main(["collection", "--as", agent.username, "deposit", "--on", "2023-11-20", "--reference", "B5"]) == 0
    deposit = Deposit.objects.get()
    assert main(["collection", "--as", agent.username, "submit", str(deposit.pk)]) == 0
    assert main(["collection", "--as", tax.username, "check", str(deposit.pk), "--amount", payable, "--date",
                 "2023-11-20", "--reference", "B5"]) == 0
    assert main(["collection", "--as", agent.username, "check", str(deposit.pk), "--amount", payable, "--date",
                 "2023-11-20", "--reference", "B5"]) == 2  # an agent does not declare
    assert main(["collection", "--as", township.username, "transfer", str(deposit.pk), "--on", "2023-11-20",
                 "--reference", "HJ5"]) == 0
    assert main(["collection", "--as", township.username, "transfer", str(deposit.pk), "--on", "2023-11-20",
                 "--reference", "HJ5"]) == 2
    assert "不能重复划缴" in capsys.readouterr().err
    assert main(["collection", "--as", township.username, "villages", "--year", "2024"]) == 0
    assert "已全部划缴" in capsys.readouterr().out
    assert main(["collection", "--as", tax.username, "deposit-show", str(deposit.pk)]) == 0
    shown = capsys.readouterr().out
    assert person.id_number not in shown and mask_id_number(person.id_number) in shown
