"""Shared pieces for xlsx exports (XlsxWriter): cells that never run as formulas, tables written
row by row (with a constant-memory workbook they stream to disk), and ``FormBook`` for printed
forms."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from yibao.money import cents  # the one printing rule (re-exported for the form writers)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection).

    Text beginning with = + - @ (or a tab/CR) gets a leading apostrophe-like quote so it
    is shown as typed; numbers pass through unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_table(worksheet, header: list[str], rows, *, header_format=None, start_row: int = 0,
                on_row=None) -> int:
    """Write ``header`` and ``rows`` with every text cell neutralised; returns rows written.

    Uses write_string for text so XlsxWriter never turns a string into a formula or number.
    """
    for col, title in enumerate(header):
        worksheet.write_string(start_row, col, title, header_format)
    n = 0
    for n, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                worksheet.write_string(start_row + n, col, safe_cell(value))
            else:
                worksheet.write(start_row + n, col, value)
        if on_row:
            on_row(n)
    return n


# ---------------------------------------------------------------------------------------------
# Printed forms: one sheet set up to print on A4
# ---------------------------------------------------------------------------------------------

CENT = Decimal("0.01")
FORM_FONT = "宋体"
MONEY_FORMAT = "0.00"


class FormBook:
    """A workbook for a printed form: one sheet, the formats the forms share, text cells that
    never read as formulas (every one goes through ``safe_cell``), amounts written as numbers with
    two decimals, and A4 print settings."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                    "strings_to_numbers": False, "strings_to_urls": False})
        self.ws = None
        base = {"font_name": FORM_FONT, "font_size": 10, "valign": "vcenter"}
        boxed = {**base, "border": 1, "text_wrap": True}
        self.title = self.wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.subtitle = self.wb.add_format({**base, "font_size": 11, "align": "center"})
        self.plain = self.wb.add_format(base)
        self.plain_right = self.wb.add_format({**base, "align": "right"})
        self.wrap = self.wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.head = self.wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#EEEEEE"})
        self.key = self.wb.add_format({**boxed, "align": "center", "bg_color": "#F2F2F2"})
        self.text = self.wb.add_format(boxed)
        self.center = self.wb.add_format({**boxed, "align": "center"})
        self.number = self.wb.add_format({**boxed, "num_format": MONEY_FORMAT})
        self.integer = self.wb.add_format({**boxed, "num_format": "0"})
        self.total_text = self.wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#F4F4F4"})
        self.total_number = self.wb.add_format({**boxed, "bold": True, "num_format": MONEY_FORMAT,
                                                "bg_color": "#F4F4F4"})
        self.total_count = self.wb.add_format({**boxed, "bold": True, "num_format": '"共 "0" 人"',
                                               "align": "center", "bg_color": "#F4F4F4"})
        self.section = self.wb.add_format({**boxed, "bold": True, "align": "center", "bg_color": "#E6E6E6"})
        self.letter = self.wb.add_format({**boxed, "valign": "top", "font_size": 11})
        self.sign = self.wb.add_format({**base, "font_size": 11})

    def add_sheet(self, name: str):
        """The form's one sheet (later cell writes go to it)."""
        if self.ws is not None:
            raise ValueError("a printed form has one sheet")
        self.ws = self.wb.add_worksheet(name)
        return self.ws

    def text_cell(self, row: int, col: int, value, fmt=None) -> None:
        self.ws.write_string(row, col, safe_cell("" if value is None else str(value)), fmt)

    def number_cell(self, row: int, col: int, value, fmt) -> None:
        v = cents(value)
        if v is None:
            self.ws.write_blank(row, col, None, fmt)
        else:
            self.ws.write_number(row, col, float(v), fmt)

    def merge_text(self, first_row: int, first_col: int, last_row: int, last_col: int, value, fmt) -> None:
        if first_row == last_row and first_col == last_col:
            self.text_cell(first_row, first_col, value, fmt)
        else:
            self.ws.merge_range(first_row, first_col, last_row, last_col, "", fmt)
            self.text_cell(first_row, first_col, value, fmt)

    def merge_number(self, first_row: int, first_col: int, last_row: int, last_col: int, value, fmt) -> None:
        self.ws.merge_range(first_row, first_col, last_row, last_col, "", fmt)
        self.number_cell(first_row, first_col, value, fmt)

    def print_setup(self, *, landscape: bool, repeat: tuple[int, int] | None = None,
                    header: str = "", signature_footer: bool = False) -> None:
        """A4, fitted to the page width, page numbers in the footer; ``repeat`` rows on every page;
        ``header`` on the left of every page; ``signature_footer`` puts the unit's signature and
        stamp places in the footer."""
        ws = self.ws
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.45, right=0.45, top=0.75, bottom=0.75)
        if repeat is not None:
            ws.repeat_rows(*repeat)
        footer = "&R第 &P 页 共 &N 页"
        if signature_footer:
            footer = "&L单位经办人签字：              单位盖章：" + footer
        ws.set_footer(footer[:255], {"margin": 0.3})
        if header:
            ws.set_header("&L&8" + header.replace("&", "&&")[:200], {"margin": 0.3})

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()
