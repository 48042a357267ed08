"""A bill as a workbook (XlsxWriter) and as a printed PDF (WeasyPrint); ``yibao.documents`` only
writes and lays out."""

from __future__ import annotations

import io

import xlsxwriter
from django.template.loader import render_to_string

from yibao.documents.pdf import BASE_CSS, write_pdf
from yibao.documents.xlsx import write_table

HEADER = ["序号", "姓名", "身份证号码", "原缴费基数", "缴费基数", "单位缴费", "个人缴费", "合计"]


def _rows(lines, show):
    for i, line in enumerate(lines, start=1):
        yield [i, line.name, show(line.id_number), "" if line.previous_base is None else float(line.previous_base),
               float(line.base), float(line.unit_share), float(line.individual_share),
               float(line.unit_share + line.individual_share)]


def bill_xlsx(bill, unit: dict, lines, show) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("缴费单据")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, f"{unit['name']}（{unit['unit_number']}）{bill.month} {bill.get_kind_display()}单据", bold)
    n = write_table(sheet, HEADER, _rows(lines, show), header_format=bold, start_row=2)
    total = 3 + n
    sheet.write_string(total, 0, "合计", bold)
    sheet.write_number(total, 4, float(bill.base_total))
    sheet.write_number(total, 5, float(bill.unit_total))
    sheet.write_number(total, 6, float(bill.individual_total))
    sheet.write_number(total, 7, float(bill.amount_due))
    sheet.write_string(total + 1, 0, f"状态：{bill.get_status_display()}；取整：{bill.rounding}")
    book.close()
    return out.getvalue()


def bill_pdf(bill, unit: dict, lines, show, explanation) -> bytes:
    html = render_to_string("contributions/bill_print.html", {
        "base_css": BASE_CSS, "bill": bill, "unit": unit, "explanation": explanation,
        "rows": list(_rows(lines, show))})
    return write_pdf(html)
