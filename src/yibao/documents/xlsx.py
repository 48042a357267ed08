"""Shared pieces for xlsx exports (XlsxWriter)."""

from __future__ import annotations

from typing import Any

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
