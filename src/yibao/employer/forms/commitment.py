"""参保单位医疗保险缴费基数申报承诺书 (聊城 附件1), printed where the region's required materials
name ``commitment_letter``.

What the notice prescribes (the title, opening, commitments and signature lines) is not written
here: it lives in the region's policy file (question ``employee.commitment_letter``) and reaches
the form as data. Clauses are printed numbered 一、二、…; a signature line naming the 单位名称
is printed with the unit's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from yibao.documents.xlsx import FormBook

from .. import rules
from ..models import Declaration
from .base import FormData, PrintedForm, unit_of
from .registry import register

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (1 to 99)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


@dataclass
class CommitmentData(FormData):
    """The wording is the region's (policy: ``employee.commitment_letter``)."""

    title: str
    opening: str
    clauses: list[str]
    signature_lines: list[str]

    @property
    def numbered_clauses(self) -> list[str]:
        """The commitments as printed: 一、…, 二、…"""
        return [f"{cn_number(i)}、{c}" for i, c in enumerate(self.clauses, start=1)]

    @property
    def signature_texts(self) -> list[str]:
        """The signature lines as printed: the 单位名称 line carries the unit's name."""
        return [f"{label}：{self.unit.name}" if "单位名称" in label else f"{label}："
                for label in self.signature_lines]


def _wrapped_height(text: str, per_line: int = 40) -> int:
    """Row height (points) for a paragraph wrapped across the letter's six merged columns."""
    return 16 * max(1, -(-(len(text) + 2) // per_line)) + 8


@register
class CommitmentLetter(PrintedForm):
    code = "commitment"
    order = 40
    title = "缴费基数申报承诺书"
    template_name = "employer/forms/commitment.html"
    data_class = CommitmentData
    material = "commitment_letter"

    def data(self, declaration: Declaration) -> CommitmentData:
        letter = rules.ask(declaration.unit.region_id, "employee.commitment_letter", year=declaration.year)
        return CommitmentData(unit=unit_of(declaration), year=declaration.year, title=letter["title"],
                              opening=letter["opening"], clauses=list(letter["clauses"]),
                              signature_lines=list(letter["signature_lines"]))

    def heading(self, data: CommitmentData) -> str:
        return data.title

    def write_xlsx(self, book: FormBook, data: CommitmentData) -> None:
        ws = book.add_sheet("承诺书")
        ws.set_column(0, 5, 15)
        book.merge_text(0, 0, 0, 5, self.heading(data), book.title)
        ws.set_row(0, 48)
        row = 1
        for text in [data.opening, *data.numbered_clauses]:
            row += 1
            book.merge_text(row, 0, row, 5, "　　" + text, book.wrap)
            ws.set_row(row, _wrapped_height(text))
        row += 1
        for line in data.signature_texts:
            row += 1
            book.merge_text(row, 2, row, 5, line, book.sign)
            ws.set_row(row, 30)
        row += 1
        book.merge_text(row, 4, row, 5, "年    月    日", book.sign)
        ws.set_row(row, 30)
        book.print_setup(landscape=False)
        ws.print_area(0, 0, row, 5)
