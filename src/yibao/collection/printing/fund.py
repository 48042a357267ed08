"""The assistance fund's statement (医疗救助基金资助参保结算单) as xlsx: a summary sheet with the
ledger per category and per township and the signature lines, and a detail sheet with every person
the fund paid for (identity numbers as the reader may see them; a whole-number export is audited)."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils import timezone

from yibao.accounts.personal_data import record_whole_view, sees_whole_id_numbers
from yibao.documents.xlsx import cents, safe_cell
from yibao.identity import mask_id_number

from ..selectors import fund as selectors

DETAIL_HEADINGS = ("序号", "乡镇（街道）", "村（社区）", "姓名", "身份证号码", "资助类别", "个人缴费标准（元）",
                   "资助金额（元）", "个人应缴（元）", "记账日期", "说明")
SIGNATURES = ("制表人", "审核人", "医疗救助经办机构（盖章）", "日期")


def filename(ledger: selectors.Ledger) -> str:
    return f"{ledger.region_name}{ledger.insurance_year}年度医疗救助基金资助参保结算单.xlsx"


def render_statement(user, region, insurance_year: int) -> tuple[bytes, str]:
    """The statement of ``region`` (a pooling Division) for the year, as the reader may see it."""
    ledger = selectors.ledger(user, region, insurance_year)
    lines = selectors.statement_lines(user, region.key, insurance_year)
    whole = sees_whole_id_numbers(user)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    plain = wb.add_format(base)
    head = wb.add_format({**base, "border": 1, "bold": True, "align": "center", "bg_color": "#EEEEEE"})
    text = wb.add_format({**base, "border": 1})
    money = wb.add_format({**base, "border": 1, "num_format": "0.00"})
    count = wb.add_format({**base, "border": 1, "num_format": "0"})
    total_text = wb.add_format({**base, "border": 1, "bold": True, "bg_color": "#F4F4F4"})
    total_money = wb.add_format({**base, "border": 1, "bold": True, "num_format": "0.00", "bg_color": "#F4F4F4"})
    total_count = wb.add_format({**base, "border": 1, "bold": True, "num_format": "0", "bg_color": "#F4F4F4"})

    ws = wb.add_worksheet("汇总")
    ws.set_column(0, 0, 24)
    ws.set_column(1, 3, 14)
    ws.merge_range(0, 0, 0, 3, "", title)
    ws.write_string(0, 0, f"{ledger.insurance_year}年度医疗救助基金资助参保结算单", title)
    ws.write_string(1, 0, safe_cell(f"统筹区：{ledger.region_name}（{ledger.region}）　"
                                    f"制表时间：{timezone.localtime():%Y-%m-%d %H:%M}"), plain)
    row = 3
    for heading, rows in (("资助类别", ledger.by_category), ("乡镇（街道）", ledger.by_township)):
        for col, name in enumerate((heading, "资助人数", "其中已退费", "资助金额（元）")):
            ws.write_string(row, col, name, head)
        for r in rows:
            row += 1
            ws.write_string(row, 0, safe_cell(r.label or "—"), text)
            ws.write_number(row, 1, r.people, count)
            ws.write_number(row, 2, r.refunds, count)
            ws.write_number(row, 3, float(cents(r.amount)), money)
        row += 1
        ws.write_string(row, 0, "合计", total_text)
        ws.write_number(row, 1, ledger.people, total_count)
        ws.write_number(row, 2, ledger.refunds, total_count)
        ws.write_number(row, 3, float(cents(ledger.amount)), total_money)
        row += 2
    ws.write_string(row, 0, "　　".join(f"{s}：" + "　" * 6 for s in SIGNATURES), plain)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)

    detail = wb.add_worksheet("明细")
    for col, width in enumerate((7, 14, 18, 10, 21, 14, 12, 12, 12, 12, 16)):
        detail.set_column(col, col, width)
    for col, name in enumerate(DETAIL_HEADINGS):
        detail.write_string(0, col, name, head)
    n = 0
    for n, p in enumerate(lines.iterator(chunk_size=5000), start=1):
        township = p.division.parent.name if p.division.parent else ""
        values = (township, p.division.name, p.name, p.id_number if whole else mask_id_number(p.id_number),
                  p.category)
        detail.write_number(n, 0, n, count)
        for col, value in enumerate(values, start=1):
            detail.write_string(n, col, safe_cell(value), text)
        for col, value in enumerate((p.standard, p.amount, p.payable), start=6):
            detail.write_number(n, col, float(cents(value)), money)
        detail.write_string(n, 9, p.paid_on.isoformat(), text)
        detail.write_string(n, 10, "退费" if p.refund_of_id else "", text)
    detail.repeat_rows(0)
    detail.set_landscape()
    detail.set_paper(9)
    detail.fit_to_pages(1, 0)
    wb.close()
    record_whole_view(user, "fund_statement", f"{region.key}-{insurance_year}", people=n, division_path=region.path,
                      what="医疗救助基金资助参保结算单")
    return buffer.getvalue(), filename(ledger)
