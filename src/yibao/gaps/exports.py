"""The 应保未保 list of a village as xlsx, for the village agents' follow-up (identity numbers
masked for roles without the right to see them whole)."""

from __future__ import annotations

import io

from yibao.accounts.personal_data import shown_id_number
from yibao.documents.xlsx import safe_cell


def uncovered_xlsx(user, village, year: int, extract, people) -> bytes:
    """``extract`` None: the year is not compared yet, the list is empty and says so."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("应保未保")
    head = book.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1})
    sheet.write_string(0, 0, f"{village.name}（{village.key}）{year} 年度应保未保人员名单"
                             + (f"（户籍人口库比对，批次 {extract.pk}）" if extract else "：该年度尚未比对户籍人口库"))
    for col, title in enumerate(("序号", "身份证号码", "姓名", "户籍地区划代码", "跟进情况")):
        sheet.write_string(1, col, title, head)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 3, 16)
    sheet.set_column(4, 4, 30)
    for i, p in enumerate(people, start=1):
        sheet.write_number(i + 1, 0, i)
        sheet.write_string(i + 1, 1, shown_id_number(user, p.id_number))
        sheet.write_string(i + 1, 2, safe_cell(p.name))
        sheet.write_string(i + 1, 3, p.division_id)
    book.close()
    return out.getvalue()
