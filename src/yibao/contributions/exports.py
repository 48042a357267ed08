"""A bill as a workbook (XlsxWriter) and as a printed PDF (WeasyPrint); ``yibao.documents`` only
writes and lays out."""

from __future__ import annotations

import io

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone

from yibao.documents.pdf import BASE_CSS, write_pdf
from yibao.documents.xlsx import write_table
from yibao.money import capital_yuan, cents, yuan

from . import rules

HEADER = ["序号", "姓名", "身份证号码", "原缴费基数", "缴费基数", "单位缴费", "个人缴费", "合计"]


def _rows(lines, show):
    """A line's cells: amounts stay ``Decimal`` rounded by the one printing rule (the PDF prints
    them as text, the workbook writes them as numbers with two decimals)."""
    for i, line in enumerate(lines, start=1):
        yield [i, line.name, show(line.id_number), "" if line.previous_base is None else cents(line.previous_base),
               cents(line.base), cents(line.unit_share), cents(line.individual_share),
               cents(line.unit_share + line.individual_share)]


def bill_xlsx(bill, unit: dict, lines, show) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("缴费单据")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, f"{unit['name']}（{unit['unit_number']}）{bill.month} {bill.get_kind_display()}单据", bold)
    n = write_table(sheet, HEADER, _rows(lines, show), header_format=bold, start_row=2)
    total = 3 + n
    sheet.write_string(total, 0, "合计", bold)
    money = book.add_format({"num_format": "0.00"})
    for col, amount in ((4, bill.base_total), (5, bill.unit_total), (6, bill.individual_total),
                        (7, bill.contributions_due)):
        sheet.write_number(total, col, cents(amount), money)
    if bill.late_fee_total:
        total += 1
        sheet.write_string(total, 0, "滞纳金（上期逾期缴费，单位承担）", bold)
        sheet.write_number(total, 7, cents(bill.late_fee_total), money)
    sheet.write_string(total + 1, 0, "应缴金额", bold)
    sheet.write_number(total + 1, 7, cents(bill.amount_due), money)
    sheet.write_string(total + 2, 0, f"状态：{bill.get_status_display()}；取整：{bill.rounding}")
    book.close()
    return out.getvalue()


def bill_pdf(bill, unit: dict, lines, show, explanation) -> bytes:
    html = render_to_string("contributions/bill_print.html", {
        "base_css": BASE_CSS, "bill": bill, "unit": unit, "explanation": explanation,
        "rows": list(_rows(lines, show))})
    return write_pdf(html)


STATEMENT_HEADER = ["费款所属期", "类型", "状态", "缴费截止日", "缴费（单位+个人）", "计入的上期滞纳金", "应缴金额",
                    "已缴金额", "余额", "逾期缴费滞纳金", "滞纳金截至今日"]
PAYMENT_HEADER = ["", "缴费日期", "缴费金额", "方式", "逾期天数", "滞纳金"]


def _statement_row(row) -> list:
    b, late = row.bill, row.late
    due = late.due_date.isoformat() if late.due_date else "未规定"
    return [str(b.month), b.get_kind_display(), b.get_status_display(), due, cents(b.contributions_due),
            cents(b.late_fee_total), cents(b.amount_due), cents(b.amount_paid), cents(b.balance),
            cents(late.charged_total), cents(late.accrued)]


def payment_way(p) -> str:
    return "窗口缴费" if p.counter else f"渠道缴费（流水号 {p.transaction_id}）"


def statement_xlsx(st, unit: dict) -> bytes:
    """对账单 as a workbook: one row per bill, its payments below it, then the totals."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("对账单")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    sheet.write_string(0, 0, f"{unit['name']}（{unit['unit_number']}）职工医保对账单 {st.first} 至 {st.last}", bold)
    sheet.write_string(1, 0, f"截至 {st.today.isoformat()}；滞纳金由单位承担，不计入个人缴费")
    for col, title in enumerate(STATEMENT_HEADER):
        sheet.write_string(3, col, title, bold)
    r = 4
    for row in st.rows:
        for col, value in enumerate(_statement_row(row)):
            if isinstance(value, str):
                sheet.write_string(r, col, value)
            else:
                sheet.write_number(r, col, value, money)
        r += 1
        for p in row.payments:
            fee = getattr(p, "late_fee", None)
            values = ["", p.paid_on.isoformat(), cents(p.amount), payment_way(p), fee.days if fee else 0,
                      cents(fee.fee) if fee else cents(0)]
            for col, value in enumerate(values):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, col, value)
                else:
                    sheet.write_number(r, col, value, money if col != 4 else None)
            r += 1
    sheet.write_string(r, 0, "合计", bold)
    t = st.totals
    for col, key in zip(range(4, 11), ("contributions", "late_fees_carried", "amount_due", "amount_paid", "balance",
                                       "late_fees_charged", "late_fees_accrued"), strict=True):
        sheet.write_number(r, col, cents(t[key]), money)
    book.close()
    return out.getvalue()


def statement_pdf(st, unit: dict) -> bytes:
    html = render_to_string("contributions/statement_print.html", {
        "base_css": BASE_CSS, "st": st, "unit": unit, "terms": rules.late_fee_terms(unit["region_id"], st.today)})
    return write_pdf(html)


WHAT_IF_HEADER = ["单位编号", "单位名称", "基数改变人数", "每月缴费变化（元）"]


def what_if_xlsx(preview, *, wage, published_on) -> bytes:
    """The what-if of a newly published average wage: the summary, then every unit whose monthly
    bill changes (largest change first)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("上下限调整测算")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, f"统筹区 {preview.region}：年平均工资 {wage} 元（{published_on} 公布）的影响测算", bold)
    sheet.write_string(1, 0, f"自 {preview.effective_from} 起缴费基数下限 {preview.floor} 元、上限 {preview.ceiling} 元；"
                             f"测算月份 {preview.month}：{preview.bases} 条核定基数中 {preview.changed} 条改变，"
                             f"全统筹区每月缴费变化 {preview.total_change} 元（{len(preview.units)} 个单位）。")
    rows = ([u["unit_number"], u["name"], u["people"], cents(u["change"])] for u in preview.units)
    n = write_table(sheet, WHAT_IF_HEADER, rows, header_format=bold, start_row=3)
    sheet.write_string(4 + n, 0, "合计", bold)
    sheet.write_number(4 + n, 3, cents(preview.total_change))
    book.close()
    return out.getvalue()


STAFF_CHANGES_HEADER = ["办理时间", "单位编号", "单位名称", "增减", "原因", "生效月份", "姓名", "身份证号码",
                        "申报工资", "缴费基数", "窗口代办"]


def staff_changes_xlsx(changes, units: dict, show, reasons: dict) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("增减员")
    bold = book.add_format({"bold": True})
    rows = ([timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"), units.get(c.unit_id, {}).get("unit_number", ""),
             units.get(c.unit_id, {}).get("name", ""), c.get_direction_display(), reasons.get(c.reason, c.reason),
             str(c.month), c.name, show(c.id_number),
             cents(c.declared_wage), cents(c.base),
             "是" if c.counter else ""] for c in changes)
    write_table(sheet, STAFF_CHANGES_HEADER, rows, header_format=bold)
    book.close()
    return out.getvalue()


RECEIPT_TITLE = "职工基本医疗保险费窗口缴费收据"


def receipt_pdf(payment, bill, unit: dict) -> bytes:
    """A counter payment's printed receipt (收据), A5 landscape."""
    html = render_to_string("contributions/receipt_print.html", {
        "base_css": BASE_CSS, "title": RECEIPT_TITLE, "p": payment, "bill": bill, "unit": unit,
        "amount": yuan(payment.amount), "words": capital_yuan(payment.amount), "printed_at": timezone.localtime()})
    return write_pdf(html)


def receipt_filename(payment) -> str:
    return f"缴费收据-{payment.receipt_number}.pdf"
