"""已缴费人员清册: a village's people who stand paid for a year, for the township, as xlsx and
printable PDF with identity numbers masked; refunded people left out; the export audited."""

import datetime as dt
import io
from urllib.parse import unquote

import pytest
from python_calamine import CalamineWorkbook

from employer import scans
from factories import (
    CHENGGUAN,
    DONGMING,
    AgencyClerkFactory,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
)
from resident.factories import DONGMING_VILLAGE, enrolled
from yibao.audit.models import AuditEntry
from yibao.collection.printing import paid_list
from yibao.collection.services import refunds

from .factories import channel, pay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 12, 20)


@pytest.fixture
def people():
    made, _ = channel("微信")
    agent = VillageAgentFactory()
    paid = [pay(made, enrolled(n, maker=agent)) for n in range(1, 4)]
    unpaid = enrolled(4, maker=agent)
    return paid, unpaid


def test_the_list_holds_the_paid_people_masked_and_leaves_out_the_refunded(people):
    paid, unpaid = people
    clerk = AgencyClerkFactory(division=division(DONGMING))
    scan = scans.pdf()
    refund = refunds.apply(paid[2].id_number, 2024, [paid[2]], "death", dt.date(2023, 12, 1),
                           refunds.Evidence("证明.pdf", scan), actor=clerk)
    refunds.review(refund, approve=True, actor=TaxClerkFactory())
    d = paid_list.data(division(DONGMING_VILLAGE), 2024)
    assert [x.id_number for x in d.lines] == sorted(p.id_number[:6] + "********" + p.id_number[-4:] for p in paid[:2])
    assert d.people == 2 and d.own_total == 760
    assert all(x.payer == "缴费渠道" and x.paid_on == dt.date(2023, 11, 20) for x in d.lines)
    assert unpaid.id_number[:6] + "********" + unpaid.id_number[-4:] not in {x.id_number for x in d.lines}


def test_the_township_clerk_downloads_xlsx_and_pdf(client, people):
    paid, _ = people
    township = TownshipClerkFactory(division=division(CHENGGUAN))
    client.force_login(township)
    villages = client.get("/api/v1/collection/paid-lists", {"year": 2024}).json()
    row = next(v for v in villages if v["village"] == DONGMING_VILLAGE)
    assert row["paid"] == 3 and row["township"] == CHENGGUAN
    xlsx = client.get(f"/api/v1/collection/paid-lists/{DONGMING_VILLAGE}/file", {"year": 2024, "format": "xlsx"})
    assert xlsx.status_code == 200 and "已缴费人员清册" in unquote(xlsx["Content-Disposition"])
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    text = "\n".join(",".join(str(c) for c in r) for r in rows)
    assert "2024年度城乡居民基本医疗保险已缴费人员清册" in text and "共 3 人" in text
    for p in paid:
        assert p.id_number not in text and p.id_number[-4:] in text
    pdf = client.get(f"/api/v1/collection/paid-lists/{DONGMING_VILLAGE}/file", {"year": 2024, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="collection.paid_list.export", actor_id=township.pk).count() == 2
    # another township's clerk does not reach the village
    client.force_login(TownshipClerkFactory(division=division("371728101")))
    assert client.get(f"/api/v1/collection/paid-lists/{DONGMING_VILLAGE}/file", {"year": 2024}).status_code == 404


def test_the_pdf_text_masks_numbers(people):
    import pypdfium2

    paid, _ = people
    content = paid_list.render(paid_list.data(division(DONGMING_VILLAGE), 2024), "pdf")
    doc = pypdfium2.PdfDocument(content)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "已缴费人员清册" in text and "合计：3 人" in text
    for p in paid:
        assert p.id_number not in text


def test_the_paid_list_command(tmp_path, capsys, people):
    from yibao.cli import main

    township = TownshipClerkFactory(division=division(CHENGGUAN))
    out = tmp_path / "list.xlsx"
    assert main(["collection", "--as", township.username, "paid-list", DONGMING_VILLAGE, "--year", "2024",
                 "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK" and "3 人" in capsys.readouterr().out
