"""The printed 已缴费人员清册 of a village for an insurance year, for the township: a title naming
the village, the township and the year; 序号、姓名、性别、身份证号码、个人缴费、资助、缴费方式、缴费日期
for each person who stands paid, identity numbers masked whatever the reader; the totals; page
numbers and signature lines. Laid out as PDF and xlsx by ``yibao.documents.person_list``, as the
village's 申报清单 is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from yibao.documents import person_list
from yibao.documents.person_list import Column, Signature
from yibao.http import PDF, XLSX
from yibao.identity import mask_id_number
from yibao.regions.models import Division
from yibao.resident import collecting

from ..models import Part, Payer, Payment

CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}
COLUMNS = (Column("seq", "序号", 7, 7, "c", "integer"), Column("name", "姓名", 16, 12),
           Column("sex", "性别", 6, 6, "c"), Column("id_number", "身份证号码", 22, 22, "c"),
           Column("own", "个人缴费", 12, 12, "r", "money", total="个人缴费"),
           Column("fund", "资助", 10, 10, "r", "money", total="医疗救助资助"),
           Column("payer", "缴费方式", 14, 14, "c"), Column("paid_on", "缴费日期", 13, 12, "c"))
HEADINGS = tuple(c.heading for c in COLUMNS)
SIGNATURES = ("制表人", "审核人", "乡镇（街道）经办人", "日期")
NOTE = "身份证号码已作部分隐藏。金额为已缴费人员的个人缴费和医疗救助基金资助（已退费的不列入）。"
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


@dataclass
class PaidList:
    year: int
    county: str
    township: str
    village: str
    village_code: str
    lines: list[PaidLine]
    generated_at: datetime

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

    def printed(self) -> person_list.PersonList:
        """The list as ``yibao.documents.person_list`` prints it."""
        return person_list.PersonList(
            title=self.title, sheet_name="已缴费人员清册", place=self.place,
            subtitle=f"{self.place}（村居代码 {self.village_code}）",
            facts=(f"保险年度：{self.year}年度　已缴费 {self.people} 人　个人缴费合计 {self.own_total} 元　"
                   f"资助合计 {self.fund_total} 元", f"打印时间：{self.generated_at:%Y-%m-%d %H:%M}"),
            columns=COLUMNS, lines=self.lines,
            signatures=tuple(Signature(s, date=s == "日期") for s in SIGNATURES),
            running_title=f"{self.year}年度已缴费人员清册", note=NOTE)


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
    return PaidList(year=year, county=county.name if county else "", township=township.name if township else "",
                    village=village.name, village_code=village.key, lines=lines, generated_at=timezone.localtime())


def render(d: PaidList, fmt: str) -> bytes:
    return person_list.render(d.printed(), fmt)


def filename(d: PaidList, fmt: str) -> str:
    return f"已缴费人员清册-{d.village_code}-{d.year}.{fmt}"
