"""The printed 续保人员名册 (东明 东政办字〔2023〕26号 三(一)), for posting in the village: a title
naming the village, the township and the year; 序号、姓名、性别、身份证号码、户籍地、联系电话 for each
person, identity numbers and phones masked whatever the reader (the roster is posted in public);
page numbers; and the signature lines (制表人、审核人（税务）、村居经办人、公示日期).

Speed: WeasyPrint lays out a table cell by cell, about 150 rows a second, so a 3,000-person
village would take 20 s. The roster is therefore laid out here: each page is one sheet, each row
one line of a monospaced CJK font (Noto Sans Mono CJK: a Chinese character two columns wide, a
digit one), the values padded to fixed columns; the rule under each line is the line's own
underline (as cheap as the text), the column rules an empty grid laid over the page. Every value is fitted to its column beforehand (cut with … when too long), so a line never
wraps and the columns stay aligned. bench/roster_bench.py measures it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from yibao.accounts.personal_data import mask_phone
from yibao.documents import grid, pdf
from yibao.documents.xlsx import FormBook
from yibao.http import PDF, XLSX
from yibao.identity import mask_id_number

from .. import rules
from ..models import Roster, RosterEntry

CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}
HEADINGS = ("序号", "姓名", "性别", "身份证号码", "户籍地", "联系电话")
SIGNATURES = ("制表人", "审核人（税务）", "村居经办人", "公示日期")
TEMPLATE = "resident/roster/print.html"

# Lines on the first sheet (below the title) and on each later one; a line is 6 mm high.
FIRST_SHEET_LINES = 35
SHEET_LINES = 40
# The columns, in half-width character columns of the 9 pt monospaced font (1.5875 mm each), and
# how a value sits in its column.
COLUMNS = (("seq", 7, "c"), ("name", 18, "l"), ("sex", 6, "c"), ("id_number", 22, "c"), ("hukou", 39, "l"),
           ("phone", 17, "c"))
COLUMN_MM = 25.4 / 72 * 4.5  # half of a 9 pt em


def _css_text(text: str) -> SafeString:
    return mark_safe("".join(ch for ch in text if ch.isprintable() and ch not in "\"'\\<>&;{}"))  # noqa: S308


# Two columns of padding are one ideographic space (a full-width glyph, exactly two columns in the
# monospaced CJK font): WeasyPrint draws text glyph by glyph in Python, and most of a line's
# glyphs are its padding.
IDEOGRAPHIC_SPACE = "\u3000"


def row_text(line: RosterLine) -> str:
    text = "".join(grid.cell(str(getattr(line, name)), width, align) for name, width, align in COLUMNS)
    return text.replace("  ", IDEOGRAPHIC_SPACE)


@dataclass
class RosterLine:
    seq: int
    name: str
    sex: str
    id_number: str   # masked
    hukou: str
    phone: str       # masked


@dataclass
class Sheet:
    first: int
    text: str       # the page's lines, one per person
    lines: int


@dataclass
class RosterData:
    roster_id: int
    year: int
    county: str
    township: str
    village: str
    village_code: str
    status: str
    people: int
    lines: list[RosterLine]
    generated_at: datetime
    confirmed_at: datetime | None = None
    sheets: list[Sheet] = field(default_factory=list)
    basis: str = ""  # the notice and section providing for the roster, where the region's notice does

    @property
    def title(self) -> str:
        return f"{self.year}年度城乡居民基本医疗保险续保人员名册"

    @property
    def place(self) -> str:
        return f"{self.county}{self.township}{self.village}"

    # The running heads are CSS strings (string-set() would make WeasyPrint lay out every page
    # twice): only characters that cannot end or escape a CSS string, or an HTML raw-text element.
    @property
    def css_place(self) -> SafeString:
        return _css_text(self.place)

    @property
    def css_title(self) -> SafeString:
        return _css_text(f"{self.year}年度续保人员名册")


def data(roster: Roster) -> RosterData:
    """The roster as printed: every entry in order, numbers masked."""
    village = roster.division
    township = village.parent
    county = township.parent if township else None
    entries = (RosterEntry.objects.filter(roster=roster).order_by("ordinal")
               .values_list("ordinal", "person__name", "person__sex", "person__id_number", "person__phone",
                            "person__hukou_division_id", "person__hukou_division__name",
                            "person__hukou_division__parent__name"))
    lines = []
    for seq, name, sex, id_number, phone, hukou_key, hukou_name, hukou_parent in entries:
        hukou = hukou_name if hukou_key == village.key else f"{hukou_parent or ''}{hukou_name}"
        lines.append(RosterLine(seq, name, sex, mask_id_number(id_number), hukou, mask_phone(phone)))
    out = RosterData(roster_id=roster.pk, year=roster.insurance_year, county=county.name if county else "",
                     township=township.name if township else "", village=village.name, village_code=village.key,
                     status=roster.get_status_display(), people=len(lines), lines=lines,
                     generated_at=timezone.localtime(), confirmed_at=roster.confirmed_at,
                     basis=rules.roster_basis(roster.region_id, roster.insurance_year))
    out.sheets = sheets(lines)
    return out


def sheets(lines: list[RosterLine]) -> list[Sheet]:
    """The lines cut into pages, each page's rows as one block of text."""
    return [Sheet(first=start + 1, text="\n".join(row_text(x) for x in chunk), lines=len(chunk))
            for start, chunk in grid.pages(lines, FIRST_SHEET_LINES, SHEET_LINES)]


def column_layout() -> list[dict]:
    return grid.column_layout(HEADINGS, COLUMNS, COLUMN_MM)


def estimated_pages(d: RosterData) -> int:
    return len(d.sheets)


def render_html(d: RosterData) -> str:
    total = sum(width for _, width, _ in COLUMNS) * COLUMN_MM
    return render_to_string(TEMPLATE, {"data": d, "columns": column_layout(), "table_width": f"{total:.3f}",
                                       "headings": HEADINGS, "signatures": SIGNATURES,
                                       "base_css": pdf.BASE_CSS, "fonts": {"sans": pdf.SANS, "serif": pdf.SERIF}})


def render_pdf(d: RosterData, progress=None) -> bytes:
    return pdf.write_pdf(render_html(d), progress)


def render_xlsx(d: RosterData) -> bytes:
    book = FormBook()
    ws = book.add_sheet("续保人员名册")
    widths = [7, 12, 6, 22, 30, 16]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(widths) - 1
    book.merge_text(0, 0, 0, last, d.title, book.title)
    ws.set_row(0, 30)
    book.merge_text(1, 0, 1, last, d.place, book.subtitle)
    book.merge_text(2, 0, 2, last, f"共 {d.people} 人　状态：{d.status}　打印时间：{d.generated_at:%Y-%m-%d %H:%M}",
                    book.plain)
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
        book.text_cell(row, 4, x.hukou, book.text)
        book.text_cell(row, 5, x.phone, book.center)
    row += 2
    book.merge_text(row, 0, row, 2, f"{SIGNATURES[0]}：", book.sign)
    book.merge_text(row, 3, row, 5, f"{SIGNATURES[1]}：", book.sign)
    row += 1
    book.merge_text(row, 0, row, 2, f"{SIGNATURES[2]}：", book.sign)
    book.merge_text(row, 3, row, 5, f"{SIGNATURES[3]}：　　年　　月　　日", book.sign)
    ws.freeze_panes(header + 1, 0)
    book.print_setup(landscape=False, repeat=(header, header), header=f"{d.place}  {d.title}")
    ws.print_area(0, 0, row, last)
    return book.close()


def render(d: RosterData, fmt: str, progress=None) -> bytes:
    return render_pdf(d, progress) if fmt == "pdf" else render_xlsx(d)


def filename(d: RosterData, fmt: str) -> str:
    return f"续保人员名册-{d.village_code}-{d.year}.{fmt}"
