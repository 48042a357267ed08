"""The printed 已缴费人员清册 of a village for an insurance year, for the township: a title naming
the village, the township and the year; 序号、姓名、性别、身份证号码、个人缴费、资助、缴费方式、缴费日期
for each person who stands paid, identity numbers masked whatever the reader; the totals; page
numbers and signature lines.

The PDF is laid out as the renewal roster is (resident/printing/roster.py): each page one block of
lines in a monospaced CJK font, values fitted to fixed columns beforehand, the rules drawn as the
lines' underline and an empty grid, so a village of thousands prints in a second or two rather
than the table layout's tens of seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from yibao.documents import grid, pdf
from yibao.documents.xlsx import FormBook
from yibao.http import PDF, XLSX
from yibao.identity import mask_id_number
from yibao.regions.models import Division
from yibao.resident import collecting

from ..models import Part, Payer, Payment

CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}
HEADINGS = ("序号", "姓名", "性别", "身份证号码", "个人缴费", "资助", "缴费方式", "缴费日期")
SIGNATURES = ("制表人", "审核人", "乡镇（街道）经办人", "日期")
TEMPLATE = "collection/paid_list_print.html"
FIRST_SHEET_LINES = 34
SHEET_LINES = 40
COLUMNS = (("seq", 7, "c"), ("name", 16, "l"), ("sex", 6, "c"), ("id_number", 22, "c"), ("own", 12, "r"),
           ("fund", 10, "r"), ("payer", 14, "c"), ("paid_on", 13, "c"))
COLUMN_MM = 25.4 / 72 * 4.5  # half of a 9 pt em
SEX = {"M": "男", "F": "女", "男": "男", "女": "女"}


@dataclass
class PaidLine:
    seq: int
    name: str
    sex: str
    id_number: str      # masked
    own: Decimal | None
    fund: Decimal | None
    payer: str
    paid_on: date | None

    def text(self) -> str:
        values = {"seq": str(self.seq), "name": self.name, "sex": self.sex, "id_number": self.id_number,
                  "own": _yuan(self.own), "fund": _yuan(self.fund), "payer": self.payer,
                  "paid_on": self.paid_on.isoformat() if self.paid_on else ""}
        return "".join(grid.cell(values[name], width, align) for name, width, align in COLUMNS)


def _yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


@dataclass
class Sheet:
    text: str
    lines: int


@dataclass
class PaidList:
    year: int
    county: str
    township: str
    village: str
    village_code: str
    lines: list[PaidLine]
    generated_at: datetime
    sheets: list[Sheet] = field(default_factory=list)

    @property
    def people(self) -> int:
        return len(self.lines)

    @property
    def own_total(self) -> Decimal:
        return sum((x.own or Decimal("0.00") for x in self.lines), Decimal("0.00"))

    @property
    def fund_total(self) -> Decimal:
        return sum((x.fund or Decimal("0.00") for x in self.lines), Decimal("0.00"))

    @property
    def title(self) -> str:
        return f"{self.year}年度城乡居民基本医疗保险已缴费人员清册"

    @property
    def place(self) -> str:
        return f"{self.county}{self.township}{self.village}"

    @property
    def css_place(self) -> SafeString:
        return mark_safe("".join(ch for ch in self.place if ch.isprintable() and ch not in "\"'\\<>&;{}"))  # noqa: S308


def data(village: Division, year: int) -> PaidList:
    """The village's people who stand paid for ``year``, with their payments net of refunds."""
    paid = collecting.paid_in_village(village.key, year)
    payments = (Payment.objects.filter(division_id=village.key, insurance_year=year,
                                       enrolment_id__in=[p.enrolment_id for p in paid])
                .values_list("enrolment_id", "part", "payer", "amount", "paid_on", "refund_of_id", "pk"))
    refunded = set()
    rows = []
    for row in payments:
        rows.append(row)
        if row[5] is not None:
            refunded.add(row[5])
    own: dict[int, tuple[Decimal, str, date]] = {}
    fund: dict[int, Decimal] = {}
    for enrolment, part, payer, amount, paid_on, refund_of, pk in rows:
        if refund_of is not None or pk in refunded:
            continue
        if part == Part.OWN:
            own[enrolment] = (amount, Payer(payer).label, paid_on)
        else:
            fund[enrolment] = amount
    lines = []
    for seq, p in enumerate(paid, start=1):
        amount, payer, paid_on = own.get(p.enrolment_id, (None, "", None))
        if amount is None and p.enrolment_id in fund:
            payer = Payer.FUND.label
        lines.append(PaidLine(seq, p.name, SEX.get(p.sex, p.sex), mask_id_number(p.id_number), amount,
                              fund.get(p.enrolment_id), payer, paid_on or p.paid_on))
    township = village.parent
    county = township.parent if township else None
    out = PaidList(year=year, county=county.name if county else "", township=township.name if township else "",
                   village=village.name, village_code=village.key, lines=lines, generated_at=timezone.localtime())
    out.sheets = sheets(lines)
    return out


def sheets(lines: list[PaidLine]) -> list[Sheet]:
    """The lines cut into pages, each page's rows as one block of text."""
    return [Sheet(text="\n".join(x.text() for x in chunk), lines=len(chunk))
            for start, chunk in grid.pages(lines, FIRST_SHEET_LINES, SHEET_LINES)]


def column_layout() -> list[dict]:
    return grid.column_layout(HEADINGS, COLUMNS, COLUMN_MM)


def render_pdf(d: PaidList) -> bytes:
    total = sum(width for _, width, _ in COLUMNS) * COLUMN_MM
    html = render_to_string(TEMPLATE, {"data": d, "columns": column_layout(), "table_width": f"{total:.3f}",
                                       "signatures": SIGNATURES, "base_css": pdf.BASE_CSS,
                                       "fonts": {"sans": pdf.SANS, "serif": pdf.SERIF}})
    return pdf.write_pdf(html)


def render_xlsx(d: PaidList) -> bytes:
    book = FormBook()
    ws = book.add_sheet("已缴费人员清册")
    widths = [7, 12, 6, 22, 12, 10, 14, 12]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(widths) - 1
    book.merge_text(0, 0, 0, last, d.title, book.title)
    ws.set_row(0, 30)
    book.merge_text(1, 0, 1, last, f"{d.place}（村居代码 {d.village_code}）", book.subtitle)
    book.merge_text(2, 0, 2, last, f"共 {d.people} 人　个人缴费合计 {d.own_total} 元　资助合计 {d.fund_total} 元　"
                                   f"打印时间：{d.generated_at:%Y-%m-%d %H:%M}", book.plain)
    header = 3
    for col, name in enumerate(HEADINGS):
        book.text_cell(header, col, name, book.head)
    row = header
    for x in d.lines:
        row += 1
        ws.write_number(row, 0, x.seq, book.center)
        book.text_cell(row, 1, x.name, book.text)
        book.text_cell(row, 2, x.sex, book.center)
        book.text_cell(row, 3, x.id_number, book.center)
        book.number_cell(row, 4, x.own, book.number)
        book.number_cell(row, 5, x.fund, book.number)
        book.text_cell(row, 6, x.payer, book.center)
        book.text_cell(row, 7, x.paid_on.isoformat() if x.paid_on else "", book.center)
    row += 1
    book.merge_text(row, 0, row, 3, f"合计 {d.people} 人", book.total_text)
    book.number_cell(row, 4, d.own_total, book.total_number)
    book.number_cell(row, 5, d.fund_total, book.total_number)
    book.merge_text(row, 6, row, 7, "", book.total_text)
    row += 2
    book.merge_text(row, 0, row, 3, f"{SIGNATURES[0]}：", book.sign)
    book.merge_text(row, 4, row, 7, f"{SIGNATURES[1]}：", book.sign)
    row += 1
    book.merge_text(row, 0, row, 3, f"{SIGNATURES[2]}：", book.sign)
    book.merge_text(row, 4, row, 7, f"{SIGNATURES[3]}：　　年　　月　　日", book.sign)
    ws.freeze_panes(header + 1, 0)
    book.print_setup(landscape=False, repeat=(header, header), header=f"{d.place}  {d.title}")
    ws.print_area(0, 0, row, last)
    return book.close()


def render(d: PaidList, fmt: str) -> bytes:
    return render_pdf(d) if fmt == "pdf" else render_xlsx(d)


def filename(d: PaidList, fmt: str) -> str:
    return f"已缴费人员清册-{d.village_code}-{d.year}.{fmt}"
