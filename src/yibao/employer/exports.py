"""Spreadsheets the unit downloads: the declaration template (报盘文件) and the error report of a
rejected upload."""

from __future__ import annotations

import io
import math

import xlsxwriter

from yibao.documents.xlsx import safe_cell

from .errors import RowError
from .importing import ID_COLUMN, MAX_ROWS, NAME_COLUMN, amount_column_title
from .models import Declaration, DeclarationKind


def template_header(declaration: Declaration) -> list[str]:
    retiree = declaration.kind == DeclarationKind.RETIREE
    previous = "上年度个人账户划入基数（元）" if retiree else "上年度缴费基数（元/月）"
    return ["序号", NAME_COLUMN, ID_COLUMN, "个人编号", previous, amount_column_title(declaration.year, retiree)]


def build_template(declaration: Declaration, lines) -> bytes:
    """The 报盘文件: one row per person, the amount column to fill, validated in the sheet."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("申报" if declaration.kind == DeclarationKind.ACTIVE else "退休人员")
    head = wb.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1, "text_wrap": True, "valign": "vcenter"})
    text = wb.add_format({"num_format": "@", "border": 1, "locked": True})
    money = wb.add_format({"num_format": "0.00", "border": 1, "locked": True})
    fill = wb.add_format({"num_format": "0.00", "border": 1, "bg_color": "#FFF7D6", "locked": False})
    header = template_header(declaration)
    for col, title in enumerate(header):
        ws.write_string(0, col, title, head)
    ws.set_row(0, 36)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 22)
    ws.set_column(3, 3, 14)
    ws.set_column(4, 5, 22)
    n = 0
    for n, line in enumerate(lines, start=1):
        ws.write_number(n, 0, n, text)
        ws.write_string(n, 1, safe_cell(line.name), text)
        ws.write_string(n, 2, line.id_number, text)
        ws.write_string(n, 3, safe_cell(line.employee_number), text)
        if line.previous_base is not None:
            ws.write_number(n, 4, float(line.previous_base), money)
        else:
            ws.write_blank(n, 4, None, money)
        if line.declared_amount is not None:
            ws.write_number(n, 5, float(line.declared_amount), fill)
        else:
            ws.write_blank(n, 5, None, fill)
    if n:
        ws.data_validation(1, 5, n, 5, {
            "validate": "decimal", "criteria": ">", "value": 0,
            "error_title": "金额有误", "error_message": "请填写大于0的金额（元/月），最多两位小数。",
            "input_title": "填写说明", "input_message": "填写本人上年度月平均实际工资（元），如实填写，不需保底封顶。"
            if declaration.kind == DeclarationKind.ACTIVE else "填写本人养老金月额（元）。",
        })
    ws.freeze_panes(1, 0)
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True})
    notes = wb.add_worksheet("填写说明")
    for i, line in enumerate([
        f"{declaration.unit.name}（单位编号 {declaration.unit.unit_number}）{declaration.year}年度"
        f"{declaration.get_kind_display()}报盘文件",
        "只填写黄色单元格；其余各列为系统预填内容，请勿修改或增删列。",
        "金额单位为元，保留两位小数；请填写数值，不要使用公式（含公式的文件将被拒收）。",
        "在职人员如实填写上年度月平均实际工资，高于上限或低于下限的也按实际填写，系统自动保底封顶。",
        f"单次上传不超过 {MAX_ROWS} 行；上传后任何一行有错，整份文件均不导入，并提供错误清单下载。",
    ]):
        notes.write_string(i, 0, line)
    notes.set_column(0, 0, 100)
    wb.close()
    return buf.getvalue()


def build_error_report(header: list[str], rows: list[list], errors: list[RowError], header_row: int = 1) -> bytes:
    """The uploaded rows with each row's errors in a column beside it. Cells are written as read;
    a number the sheet cannot hold (NaN, infinity) is written as text."""
    by_row: dict[int, list[str]] = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(f"{e.column}：{e.message}" if e.column else e.message)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet("错误清单")
    head = wb.add_format({"bold": True, "bg_color": "#DDE7F3"})
    bad = wb.add_format({"font_color": "#B42318"})
    ws.write_string(0, 0, "行号", head)
    ws.write_string(0, 1, "错误说明", head)
    for col, title in enumerate(header, start=2):
        ws.write_string(0, col, safe_cell(str(title)), head)
    out = 1
    for offset, row in enumerate(rows):
        line_no = header_row + 1 + offset
        ws.write_number(out, 0, line_no)
        if line_no in by_row:
            ws.write_string(out, 1, "；".join(by_row[line_no]), bad)
        for col, value in enumerate(row, start=2):
            if value is None or value == "":
                continue
            if _is_number_xlsx_holds(value):
                ws.write_number(out, col, value)
            else:
                ws.write_string(out, col, safe_cell(str(value))[:1000])
        out += 1
    ws.set_column(1, 1, 40)
    ws.set_column(2, len(header) + 1, 18)
    wb.close()
    return buf.getvalue()


def _is_number_xlsx_holds(value) -> bool:
    """A number a cell can hold as a number: finite, and an integer within a float's exact range
    (NaN, infinity and huge integers are written as text)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int) and abs(value) < 2 ** 53
