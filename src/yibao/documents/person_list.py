"""Printed lists of persons (已缴费人员清册, 申报清单, …) as PDF and xlsx, from one description: the
title, the place, a line or two of facts, the columns, the lines, the totals and the signature
lines. A document module gathers its data and describes its columns; the layout is here and in
the one template ``documents/person_list.html``.

The PDF is laid out on the monospaced grid of ``yibao.documents.grid``: each page one block of
lines of a monospaced CJK font, every value fitted to its column beforehand, the rules drawn as
the lines' underline and an empty grid laid over the page, so a village of thousands prints in a
second or two. The workbook (``FormBook``) has the same title, facts, columns and totals, one
row a person, on one sheet set up to print on A4."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from yibao.money import cents

from . import grid, pdf
from .xlsx import FormBook

TEMPLATE = "documents/person_list.html"
COLUMN_MM = 25.4 / 72 * 4.5  # a column of the grid: half of a 9 pt em
FIRST_SHEET_LINES = 34        # lines on the first page, below the title (a line is 6 mm high)
SHEET_LINES = 40              # lines on each later page
BLANK_LINE = "＿＿＿＿＿＿＿＿"
BLANK_DATE = "＿＿＿＿年＿＿月＿＿日"
XLSX_DATE = "　　年　　月　　日"


@dataclass(frozen=True)
class Column:
    """One column: the line's attribute ``key``, the ``heading``, its width in the PDF grid
    (``chars``, half-width character columns) and in the workbook (``xlsx_width``), how a value sits
    in it (``align`` "l", "c" or "r") and what it holds (``kind`` "text", "integer" or "money").
    A money column with a ``total`` label is summed under the lines."""

    key: str
    heading: str
    chars: int
    xlsx_width: float
    align: str = "l"
    kind: str = "text"
    total: str = ""


@dataclass(frozen=True)
class Signature:
    """A signature line: the ``label``, a name already known (``filled``), or a date to be written in."""

    label: str
    filled: str = ""
    date: bool = False

    @property
    def printed(self) -> str:
        return f"{self.label}：{self.filled or (BLANK_DATE if self.date else BLANK_LINE)}"

    @property
    def cell(self) -> str:
        return f"{self.label}：{self.filled or (XLSX_DATE if self.date else '')}"


@dataclass
class Sheet:
    first: int      # the sequence of the page's first line, from 1
    text: str       # the page's lines, one a person
    lines: int


@dataclass
class PersonList:
    """What a printed list of persons says. ``lines`` are objects with the columns' keys as
    attributes; ``facts`` the line under the place (the PDF puts the second one on the right);
    ``running_title`` the short title at the top right of every PDF page after the place."""

    title: str
    sheet_name: str
    place: str
    subtitle: str
    facts: tuple[str, ...]
    columns: tuple[Column, ...]
    lines: Sequence
    signatures: tuple[Signature, ...]
    running_title: str
    note: str = ""
    totals_note: str = ""
    sheets: list[Sheet] = field(default_factory=list, init=False)

    @property
    def people(self) -> int:
        return len(self.lines)

    @property
    def css_place(self) -> SafeString:
        return css_text(self.place)

    @property
    def css_running_title(self) -> SafeString:
        return css_text(self.running_title)

    @property
    def summed(self) -> list[Column]:
        return [c for c in self.columns if c.total]

    def total(self, column: Column) -> Decimal:
        return sum((v for x in self.lines if (v := getattr(x, column.key)) is not None), Decimal("0.00"))

    @property
    def totals_text(self) -> str:
        """The totals as the PDF prints them under the lines: ``合计：N 人　个人缴费 X 元…``."""
        parts = [f"合计：{self.people} 人"] + [f"{c.total} {money(self.total(c))} 元" for c in self.summed]
        return "　".join(parts) + self.totals_note


def css_text(text: str) -> SafeString:
    """``text`` fit for a CSS string in a <style> element (a running head): only characters that
    cannot end or escape the string or the element. (string-set() would lay every page out twice.)"""
    return mark_safe("".join(ch for ch in text if ch.isprintable() and ch not in "\"'\\<>&;{}"))  # noqa: S308


def money(value: Decimal | None) -> str:
    """Money as printed: the shared rule (``yibao.money.cents``), the same the workbook writes."""
    return "" if value is None else str(cents(value))


def text(value) -> str:
    """A value as a line shows it: money with two decimals, a date in ISO form, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def line_text(columns: Sequence[Column], line) -> str:
    return "".join(grid.cell(text(getattr(line, c.key)), c.chars, c.align) for c in columns)


def sheets(columns: Sequence[Column], lines: Sequence, first: int = FIRST_SHEET_LINES,
           size: int = SHEET_LINES) -> list[Sheet]:
    """The lines cut into pages, each page's lines as one block of text."""
    return [Sheet(first=start + 1, text="\n".join(line_text(columns, x) for x in chunk), lines=len(chunk))
            for start, chunk in grid.pages(lines, first, size)]


def laid_out(d: PersonList) -> PersonList:
    """``d`` with its lines cut into the PDF's pages (once)."""
    if not d.sheets:
        d.sheets = sheets(d.columns, d.lines)
    return d


def signature_rows(d: PersonList) -> list[tuple[Signature, ...]]:
    """The signature lines two to a row."""
    return [d.signatures[i:i + 2] for i in range(0, len(d.signatures), 2)]


def render_html(d: PersonList) -> str:
    laid_out(d)
    columns = grid.column_layout([c.heading for c in d.columns], [(c.key, c.chars, c.align) for c in d.columns],
                                 COLUMN_MM)
    width = sum(c.chars for c in d.columns) * COLUMN_MM
    return render_to_string(TEMPLATE, {"data": d, "columns": columns, "table_width": f"{width:.3f}",
                                       "signature_rows": signature_rows(d), "base_css": pdf.BASE_CSS,
                                       "fonts": {"sans": pdf.SANS, "serif": pdf.SERIF}})


def render_pdf(d: PersonList, progress: Callable[[int], object] | None = None) -> bytes:
    return pdf.write_pdf(render_html(d), progress)


def render_xlsx(d: PersonList) -> bytes:
    """The list as a workbook: the title, the place and the facts over the columns; one row a
    person; the totals row where money is summed; the signature lines two to a row."""
    book = FormBook()
    ws = book.add_sheet(d.sheet_name)
    for col, c in enumerate(d.columns):
        ws.set_column(col, col, c.xlsx_width)
    last = len(d.columns) - 1
    book.merge_text(0, 0, 0, last, d.title, book.title)
    ws.set_row(0, 30)
    book.merge_text(1, 0, 1, last, d.subtitle, book.subtitle)
    book.merge_text(2, 0, 2, last, "　".join(d.facts), book.plain)
    header = 3
    for col, c in enumerate(d.columns):
        book.text_cell(header, col, c.heading, book.head)
    formats = {"l": book.text, "c": book.center, "r": book.text}
    row = header
    for x in d.lines:
        row += 1
        for col, c in enumerate(d.columns):
            value = getattr(x, c.key)
            if c.kind == "integer":
                ws.write_number(row, col, value, book.center)
            elif c.kind == "money":
                book.number_cell(row, col, value, book.number)
            else:
                book.text_cell(row, col, text(value), formats[c.align])
    summed = d.summed
    if summed:
        row += 1
        first = d.columns.index(summed[0])
        book.merge_text(row, 0, row, max(first - 1, 0), f"合计　共 {d.people} 人", book.total_text)
        after = max(d.columns.index(c) for c in summed) + 1
        for col, c in enumerate(d.columns[first:after], start=first):
            if c.total:
                book.number_cell(row, col, d.total(c), book.total_number)
            else:
                ws.write_blank(row, col, None, book.total_text)
        if after <= last:
            book.merge_text(row, after, row, last, "", book.total_text)
    split = len(d.columns) // 2
    for n, pair in enumerate(signature_rows(d)):
        row += 1 if n else 2
        for (first_col, last_col), s in zip(((0, split - 1), (split, last)), pair, strict=False):
            book.merge_text(row, first_col, row, last_col, s.cell, book.sign)
    ws.freeze_panes(header + 1, 0)
    book.print_setup(landscape=False, repeat=(header, header), header=f"{d.place}  {d.title}")
    ws.print_area(0, 0, row, last)
    return book.close()


def render(d: PersonList, fmt: str, progress: Callable[[int], object] | None = None) -> bytes:
    return render_pdf(d, progress) if fmt == "pdf" else render_xlsx(d)
