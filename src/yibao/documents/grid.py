"""Printed lists laid out as rows of a monospaced CJK font (the renewal roster, the paid lists):
a value fitted to its column, a column's place on the page, and the lines cut into pages. Laying
thousands of rows out as text is what keeps a 76-page list within seconds in WeasyPrint (a table
cell per value takes several times longer)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def text_width(text: str) -> int:
    """Columns ``text`` takes in the monospaced CJK font: wide, full-width and ambiguous characters
    (Chinese, ·, …) two, the others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def cell(text: str, width: int, align: str) -> str:
    """``text`` fitted to a column of ``width`` (a column of padding on each side): cut with …
    when too long, then padded; ``align`` is "l", "c" or "r"."""
    room = width - 2
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    if text_width(text) > room:
        while text and text_width(text) > room - 2:
            text = text[:-1]
        text += "…"
    pad = room - text_width(text)
    left = {"c": pad // 2, "r": pad}.get(align, 0)
    return " " * (1 + left) + text + " " * (pad - left + 1)


def column_layout(headings: Sequence[str], columns: Sequence[tuple[str, int, str]], column_mm: float) -> list[dict]:
    """Each column's heading, left edge and width in mm, for the heading row and the grid."""
    out, left = [], 0.0
    for heading, (_, width, _) in zip(headings, columns, strict=True):
        out.append({"heading": heading, "left": f"{left:.3f}", "width": f"{width * column_mm:.3f}"})
        left += width * column_mm
    return out


def pages(lines: Sequence, first: int, size: int):
    """``(start, chunk)`` for each page: ``first`` lines on the first page (under the title), ``size``
    on each of the others; one empty page for no lines."""
    start, take = 0, first
    while start < len(lines) or start == 0:
        yield start, lines[start:start + take]
        start += take
        take = size
