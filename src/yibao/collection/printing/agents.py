"""A village agent's printed receipt (代收收据) for one collection, and a village's 申报清单 (the
persons and amounts behind a deposit) as PDF and xlsx, laid out by ``yibao.documents.person_list``
as the 已缴费人员清册 is. Identity numbers are masked whatever the reader: the receipt goes to the
payer, the list to the tax sub-bureau."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from yibao.documents import pdf, person_list
from yibao.documents.person_list import Column, Signature
from yibao.http import PDF, XLSX
from yibao.identity import mask_id_number
from yibao.money import capital_yuan, yuan

from ..models import Deposit, Payment

CONTENT_TYPES = {"pdf": PDF, "xlsx": XLSX}
FORMATS = tuple(CONTENT_TYPES)
@dataclass
class Receipt:
    number: str
    region: str
    village: str
    township: str
    county: str
    insurance_year: int
    name: str
    id_number: str   # masked
    amount: Decimal
    amount_words: str
    standard: Decimal
    subsidy: Decimal
    category: str
    paid_on: str
    agent: str
    printed_at: datetime

    @property
    def title(self) -> str:
        return f"{self.insurance_year}年度城乡居民基本医疗保险费代收收据"


def _places(division):
    township = division.parent
    county = township.parent if township else None
    return (township.name if township else ""), (county.name if county else "")


def receipt(payment: Payment) -> Receipt:
    township, county = _places(payment.division)
    return Receipt(number=payment.receipt_number, region=payment.region_id, village=payment.division.name,
                   township=township, county=county, insurance_year=payment.insurance_year, name=payment.name,
                   id_number=mask_id_number(payment.id_number), amount=payment.amount,
                   amount_words=capital_yuan(payment.amount), standard=payment.standard, subsidy=payment.subsidy,
                   category=payment.category, paid_on=payment.paid_on.isoformat(), agent=payment.actor_label,
                   printed_at=timezone.localtime())


def receipt_pdf(payment: Payment) -> bytes:
    data = receipt(payment)
    return pdf.write_pdf(render_to_string("collection/print/receipt.html", {
        "r": data, "amount": yuan(data.amount), "standard": yuan(data.standard), "subsidy": yuan(data.subsidy),
        "base_css": pdf.BASE_CSS, "fonts": {"sans": pdf.SANS, "serif": pdf.SERIF}}))


def receipt_filename(payment: Payment) -> str:
    return f"代收收据-{payment.receipt_number}.pdf"


# --- the 申报清单 -----------------------------------------------------------------------------------

COLUMNS = (Column("seq", "序号", 6, 6, "c", "integer"), Column("receipt_number", "收据编号", 26, 24, "c"),
           Column("name", "姓名", 14, 10), Column("id_number", "身份证号码", 22, 22, "c"),
           Column("paid_on", "收款日期", 12, 12, "c"), Column("category", "资助类别", 14, 14),
           Column("amount", "金额（元）", 12, 12, "r", "money", total="金额"))
HEADINGS = tuple(c.heading for c in COLUMNS)
NOTE = ("代收现金已缴存乡镇（街道）财政部门指定账户；税务分局核对本清单与银行到账记录后申报，乡镇（街道）财政划缴。"
        "身份证号码已作部分隐藏。")


@dataclass
class Line:
    seq: int
    receipt_number: str
    name: str
    id_number: str   # masked
    paid_on: str
    category: str
    amount: Decimal


@dataclass
class DeclarationList:
    number: str
    insurance_year: int
    village: str
    village_code: str
    township: str
    county: str
    status: str
    deposited_on: str
    bank_reference: str
    agent: str
    amount: Decimal
    people: int
    lines: list[Line]
    note: str
    printed_at: datetime

    @property
    def title(self) -> str:
        return f"{self.insurance_year}年度城乡居民医保费代收申报清单"

    @property
    def place(self) -> str:
        return f"{self.county}{self.township}{self.village}"


def declaration_list(deposit: Deposit) -> DeclarationList:
    township, county = _places(deposit.division)
    rows = Payment.objects.filter(deposit=deposit).order_by("receipt_number", "id")
    lines = [Line(n, p.receipt_number, p.name, mask_id_number(p.id_number), p.paid_on.isoformat(), p.category,
                  p.amount) for n, p in enumerate(rows, start=1)]
    return DeclarationList(number=deposit.number, insurance_year=deposit.insurance_year, village=deposit.division.name,
                           village_code=deposit.division_id, township=township, county=county,
                           status=deposit.get_status_display(),
                           deposited_on=deposit.deposited_on.isoformat() if deposit.deposited_on else "",
                           bank_reference=deposit.bank_reference, agent=deposit.agent_label,
                           amount=sum((x.amount for x in lines), Decimal("0.00")), people=len(lines), lines=lines,
                           note=deposit.note, printed_at=timezone.localtime())


def printed(d: DeclarationList) -> person_list.PersonList:
    """The 申报清单 as ``yibao.documents.person_list`` prints it."""
    return person_list.PersonList(
        title=d.title, sheet_name="申报清单", place=d.place,
        subtitle=f"{d.place}（村居代码 {d.village_code}）　清单编号 {d.number}",
        facts=(f"缴存日期 {d.deposited_on}　银行回单号 {d.bank_reference}　代收员 {d.agent}",
               f"状态：{d.status}　打印时间：{d.printed_at:%Y-%m-%d %H:%M}"),
        columns=COLUMNS, lines=d.lines,
        signatures=(Signature("村（社区）代收员", d.agent), Signature("税务核对人")),
        running_title=f"申报清单 {d.number}", note=NOTE, totals_note=f"（大写）{capital_yuan(d.amount)}")


def declaration_pdf(d: DeclarationList) -> bytes:
    return person_list.render_pdf(printed(d))


def declaration_xlsx(d: DeclarationList) -> bytes:
    return person_list.render_xlsx(printed(d))


def declaration_file(deposit: Deposit, fmt: str) -> tuple[bytes, str, str]:
    d = declaration_list(deposit)
    content = declaration_pdf(d) if fmt == "pdf" else declaration_xlsx(d)
    return content, f"申报清单-{d.number}.{fmt}", CONTENT_TYPES[fmt]
