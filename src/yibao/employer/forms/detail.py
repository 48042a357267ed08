"""医疗保险年报明细表: one line per person, with a column for each person's signature; the 潍坊
notice requires it signed by every employee (退休 version for retirees). 聊城 keeps the
employee-signed list on file, so every region prints it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from yibao.documents import pdf
from yibao.documents.xlsx import FormBook
from yibao.identity import mask_id_number

from ..models import Clamp, Declaration, DeclarationKind
from .base import FormData, KindLabels, PrintedForm, declaration_bounds, now, stamp, unit_of
from .registry import register

# Rows of the 明细表 on one landscape A4 page (measured: 2,000 lines make 96 pages), used to
# estimate the page count for a progress bar before the layout is done.
ROWS_PER_PAGE = 21


@dataclass
class DetailLine:
    seq: int
    name: str
    id_number: str
    employee_number: str
    previous_base: Decimal | None
    declared_amount: Decimal | None
    base: Decimal | None
    clamp: str = Clamp.NONE  # a ``Clamp`` value: whether the base was raised to the floor or cut to the ceiling

    @property
    def clamp_label(self) -> str:
        """保底封顶 as printed: 按下限, 按上限 or nothing."""
        return Clamp(self.clamp).label


@dataclass
class DetailTotals:
    headcount: int
    previous_base: Decimal
    declared_amount: Decimal
    base: Decimal
    at_floor: int = 0
    at_ceiling: int = 0


def _total(values: Iterable) -> Decimal:
    return sum((Decimal(str(v)) if not isinstance(v, Decimal) else v for v in values if v is not None),
               Decimal(0))


@dataclass
class DetailData(KindLabels, FormData):
    kind: str
    amount_title: str
    lines: list[DetailLine]
    generated_at: datetime
    floor: Decimal | None = None
    ceiling: Decimal | None = None

    @property
    def has_bounds(self) -> bool:
        return self.floor is not None or self.ceiling is not None

    @cached_property
    def totals(self) -> DetailTotals:
        """The 合计 row: the headcount, the sums of the lines' amounts and how many lines are on
        the floor or the ceiling."""
        lines = self.lines
        return DetailTotals(
            headcount=len(lines),
            previous_base=_total(x.previous_base for x in lines),
            declared_amount=_total(x.declared_amount for x in lines),
            base=_total(x.base for x in lines),
            at_floor=sum(1 for x in lines if x.clamp == Clamp.FLOOR),
            at_ceiling=sum(1 for x in lines if x.clamp == Clamp.CEILING),
        )

    @property
    def clamp_counts(self) -> str:
        """The 合计 row's 保底封顶 cell (none for retirees, whose amounts are not clamped)."""
        if self.retiree:
            return ""
        return f"按下限 {self.totals.at_floor} 人，按上限 {self.totals.at_ceiling} 人"


@register
class DetailForm(PrintedForm):
    code = "detail"
    order = 10
    title = "医疗保险年报明细表"
    template_name = "employer/forms/detail.html"
    data_class = DetailData
    # WeasyPrint lays out about 20 lines a second: longer lists go to the worker with a progress bar.
    pdf_inline_lines = 300

    def data(self, declaration: Declaration) -> DetailData:
        from ..importing import amount_column_title

        floor, ceiling = declaration_bounds(declaration)
        lines = [DetailLine(seq=i, name=x.name, id_number=x.id_number, employee_number=x.employee_number,
                            previous_base=x.previous_base, declared_amount=x.declared_amount, base=x.base,
                            clamp=x.clamp)
                 for i, x in enumerate(declaration.lines.order_by("id"), start=1)]
        return DetailData(unit=unit_of(declaration), year=declaration.year, kind=declaration.kind,
                          amount_title=amount_column_title(declaration.year,
                                                           declaration.kind == DeclarationKind.RETIREE),
                          lines=lines, generated_at=now(), floor=floor, ceiling=ceiling)

    def masked(self, data: DetailData) -> DetailData:
        return replace(data, lines=[replace(x, id_number=mask_id_number(x.id_number)) for x in data.lines])

    def heading(self, data: DetailData) -> str:
        return self.title + ("（退休）" if data.retiree else "")

    file_title = heading

    def estimated_pages(self, data: DetailData) -> int:
        return pdf.estimated_pages(len(data.lines) + 1, ROWS_PER_PAGE)

    def write_xlsx(self, book: FormBook, data: DetailData) -> None:
        title = self.heading(data)
        u = data.unit
        t = data.totals
        ws = book.add_sheet("明细表（退休）" if data.retiree else "明细表")
        widths = [6, 12, 22, 14, 14, 16, 14, 10, 24]
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        last = len(widths) - 1
        book.merge_text(0, 0, 0, last, title, book.title)
        ws.set_row(0, 30)
        book.merge_text(1, 0, 1, last, f"（{data.year}年度）", book.subtitle)
        book.merge_text(2, 0, 2, 1, "单位名称", book.key)
        book.merge_text(2, 2, 2, 4, u.name, book.text)
        book.text_cell(2, 5, "单位编号", book.key)
        book.text_cell(2, 6, u.unit_number, book.text)
        book.text_cell(2, 7, "信用代码", book.key)
        book.text_cell(2, 8, u.uscc, book.text)
        book.merge_text(3, 0, 3, 1, "申报年度", book.key)
        book.merge_text(3, 2, 3, 4, f"{data.year}年", book.text)
        if data.has_bounds:
            book.text_cell(3, 5, "基数下限（元/月）", book.key)
            book.number_cell(3, 6, data.floor, book.number)
            book.text_cell(3, 7, "基数上限（元/月）", book.key)
            book.number_cell(3, 8, data.ceiling, book.number)
        else:
            book.text_cell(3, 5, "打印时间", book.key)
            book.merge_text(3, 6, 3, 8, stamp(data.generated_at), book.text)
        header_row = 5
        head = ["序号", "姓名", "身份证号码", "个人编号", "上年度基数（元）", data.amount_title,
                f"{data.year}年度{data.base_label}（元）", "保底封顶", "本人签字"]
        for col, name in enumerate(head):
            book.text_cell(header_row, col, name, book.head)
        ws.set_row(header_row, 36)
        row = header_row
        for line in data.lines:
            row += 1
            ws.write_number(row, 0, line.seq, book.center)
            book.text_cell(row, 1, line.name, book.text)
            book.text_cell(row, 2, line.id_number, book.center)
            book.text_cell(row, 3, line.employee_number, book.center)
            book.number_cell(row, 4, line.previous_base, book.number)
            book.number_cell(row, 5, line.declared_amount, book.number)
            book.number_cell(row, 6, line.base, book.number)
            book.text_cell(row, 7, line.clamp_label, book.center)
            ws.write_blank(row, 8, None, book.text)
            ws.set_row(row, 24)
        row += 1
        book.merge_text(row, 0, row, 1, "合计", book.total_text)
        ws.write_number(row, 2, t.headcount, book.total_count)
        ws.write_blank(row, 3, None, book.total_text)
        book.number_cell(row, 4, t.previous_base, book.total_number)
        book.number_cell(row, 5, t.declared_amount, book.total_number)
        book.number_cell(row, 6, t.base, book.total_number)
        book.merge_text(row, 7, row, 8, data.clamp_counts, book.total_text)
        ws.set_row(row, 24)
        row += 2
        book.merge_text(row, 0, row, 3, "单位经办人（签字）：", book.sign)
        book.merge_text(row, 4, row, 5, f"联系电话：{u.contact_phone}", book.sign)
        book.merge_text(row, 6, row, 8, "单位（盖章）", book.sign)
        ws.set_row(row, 30)
        row += 1
        book.merge_text(row, 6, row, 8, "年    月    日", book.sign)
        ws.set_row(row, 30)
        if data.has_bounds:
            book.merge_text(row + 1, 0, row + 1, last, f"打印时间：{stamp(data.generated_at)}", book.plain)
        ws.freeze_panes(header_row + 1, 0)
        book.print_setup(landscape=True, repeat=(header_row, header_row),
                         header=f"{u.name}（单位编号：{u.unit_number}）  {title} · {data.year}年度",
                         signature_footer=True)
        ws.print_area(0, 0, row + 1, last)
