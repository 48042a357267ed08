"""The one writer of printed lists of persons (yibao.documents.person_list): the workbook's totals
sum the money columns (a missing amount is no amount), a list without money columns has no totals
row, text never runs as a formula, and the PDF lays the lines out on the grid, page by page."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pypdfium2
from python_calamine import CalamineWorkbook

from yibao.documents import person_list
from yibao.documents.person_list import Column, Signature


@dataclass
class Row:
    seq: int
    name: str
    paid_on: date | None
    amount: Decimal | None


COLUMNS = (Column("seq", "序号", 6, 6, "c", "integer"), Column("name", "姓名", 14, 10),
           Column("paid_on", "日期", 12, 12, "c"), Column("amount", "金额", 12, 12, "r", "money", total="金额"))


def a_list(lines, columns=COLUMNS) -> person_list.PersonList:
    return person_list.PersonList(
        title="名单标题", sheet_name="名单", place="某县某镇某村", subtitle="某县某镇某村（村居代码 1）",
        facts=("事实一", "事实二"), columns=columns, lines=lines,
        signatures=(Signature("制表人"), Signature("经办人", "王五"), Signature("日期", date=True)),
        running_title="名单")


def cells(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_workbook_sums_money_columns_and_keeps_text_as_text():
    lines = [Row(1, "=1+1", date(2024, 1, 2), Decimal("380.00")), Row(2, "李四", None, None),
             Row(3, "王五", date(2024, 1, 3), Decimal("125.505"))]
    rows = cells(person_list.render_xlsx(a_list(lines)))
    assert rows[0][0] == "名单标题" and rows[2][0] == "事实一　事实二"
    assert rows[3] == ["序号", "姓名", "日期", "金额"]
    assert rows[4][:3] == [1.0, "'=1+1", "2024-01-02"] and rows[5][2:] == ["", ""]
    assert rows[7][0] == "合计　共 3 人" and rows[7][3] == 505.51  # 380.00 + 125.505, to the cent
    assert rows[9][0] == "制表人：" and rows[9][2] == "经办人：王五" and rows[10][0] == "日期：　　年　　月　　日"


def test_a_list_without_money_has_no_totals():
    rows = cells(person_list.render_xlsx(a_list([Row(1, "张三", None, None)], COLUMNS[:3])))
    assert not any("合计" in str(c) for r in rows for c in r)
    assert rows[6][0] == "制表人："


def test_the_pdf_prints_every_line_and_the_totals_on_its_pages():
    lines = [Row(n, f"人{n}", date(2024, 1, 2), Decimal("10.00")) for n in range(1, 81)]
    d = a_list(lines)
    doc = pypdfium2.PdfDocument(person_list.render_pdf(d))
    assert len(doc) == len(d.sheets) == 3  # 34 lines under the title, then 40 a page
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "人80" in text and "合计：80 人　金额 800.00 元" in text and "经办人：王五" in text
    assert [s.first for s in d.sheets] == [1, 35, 75]
