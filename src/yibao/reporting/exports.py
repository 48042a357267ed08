"""The dashboards' tables as xlsx: every chart's data as it is on the page."""

from __future__ import annotations

import io

import xlsxwriter

from yibao.documents.xlsx import write_table

from .selectors import LEVEL_LABELS, Declarations, Progress

PROGRESS_HEADER = ["区划代码", "名称", "参保任务", "已登记", "已缴费", "完成率", "近7日新增缴费", "资助参保人数",
                   "个人缴费（元）", "医疗救助资助（元）", "家庭共济（元）"]


def progress_line(r) -> list:
    return [r.code, r.name, r.target, r.registered, r.paid,
            float(r.completion) if r.completion is not None else None, r.paid_change, r.subsidised,
            float(r.amount_individual), float(r.amount_fund), float(r.amount_family)]


def progress_workbook(report: Progress, daily: list[dict], mix: list[dict]) -> tuple[bytes, str]:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    percent = book.add_format({"num_format": "0.00%"})
    money = book.add_format({"num_format": "0.00"})
    sheet = book.add_worksheet("征缴进度")
    place = report.parent.name if report.parent else report.region.name
    sheet.write_string(0, 0, f"{place} {report.year} 年度城乡居民医保征缴进度（按{LEVEL_LABELS[report.level]}，"
                             f"截至 {report.as_of.isoformat()}）", bold)
    lines = [progress_line(r) for r in report.rows] + [progress_line(report.total)]
    write_table(sheet, PROGRESS_HEADER, lines, header_format=bold, start_row=2)
    sheet.set_column(5, 5, 10, percent)
    sheet.set_column(8, 10, 16, money)
    sheet.set_column(1, 1, 28)
    categories = report.categories
    sheet = book.add_worksheet("资助类别")
    write_table(sheet, ["区划代码", "名称", *categories],
                [[r.code, r.name, *[r.by_category.get(c, 0) for c in categories]]
                 for r in [*report.rows, report.total]], header_format=bold)
    sheet = book.add_worksheet("每日缴费")
    write_table(sheet, ["日期", "缴费笔数", "金额（元，扣除当日退费）"],
                [[d["day"].isoformat(), d["payments"], float(d["amount"])] for d in daily], header_format=bold)
    sheet.set_column(2, 2, 20, money)
    sheet = book.add_worksheet("缴费渠道")
    write_table(sheet, ["缴费方", "渠道", "缴费笔数", "金额（元）"],
                [[m["payer_label"], m["channel"], m["payments"], float(m["amount"])] for m in mix], header_format=bold)
    sheet.set_column(3, 3, 16, money)
    book.close()
    return out.getvalue(), f"征缴进度_{report.region.key}_{report.year}_{report.parent.key if report.parent else report.level}.xlsx"


DECLARATION_HEADER = ["经办机构", "参保单位数", "已开始申报", "已提交", "审核通过", "已完成", "未提交", "逾期未申报"]


def declarations_workbook(report: Declarations) -> tuple[bytes, str]:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("基数申报进度")
    deadline = f"申报截止 {report.deadline}" if report.deadline else "通知未规定申报截止日"
    sheet.write_string(0, 0, f"{report.region.name} {report.year} 年度职工医保缴费基数申报进度（{deadline}，"
                             f"统计日 {report.on.isoformat()}）", bold)
    keys = ("units", "declared", "submitted", "approved", "confirmed", "not_submitted", "overdue")
    lines = [[r["agency"] or "未指定经办机构", *[r[k] for k in keys]] for r in report.rows]
    lines.append(["合计", *[report.total[k] for k in keys]])
    write_table(sheet, DECLARATION_HEADER, lines, header_format=bold, start_row=2)
    sheet.set_column(0, 0, 30)
    book.close()
    return out.getvalue(), f"基数申报进度_{report.region.key}_{report.year}.xlsx"
