"""医疗保险年报汇总表: the unit's totals and the 诚信申报承诺书, with the places for the legal
representative's and the clerk's signatures and the unit's stamp (退休 version for retirees)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from yibao.documents.xlsx import FormBook

from ..models import Clamp, Declaration
from .base import FormData, KindLabels, PrintedForm, declaration_bounds, now, stamp, unit_of
from .registry import register


@dataclass
class SummaryData(KindLabels, FormData):
    kind: str
    headcount: int
    declared_total: Decimal
    base_total: Decimal
    at_floor: int
    at_ceiling: int
    generated_at: datetime
    floor: Decimal | None = None
    ceiling: Decimal | None = None

    @property
    def amount_total_label(self) -> str:
        return "养老金月额合计（元）" if self.retiree else f"{self.year - 1}年度月平均实际工资合计（元）"

    @property
    def shows_bounds(self) -> bool:
        """The rows of the counts on the floor and ceiling and of the bounds themselves."""
        return not self.retiree or self.floor is not None or self.ceiling is not None


@register
class SummaryForm(PrintedForm):
    code = "summary"
    order = 20
    title = "医疗保险年报汇总表"
    template_name = "employer/forms/summary.html"
    data_class = SummaryData

    def data(self, declaration: Declaration) -> SummaryData:
        floor, ceiling = declaration_bounds(declaration)
        agg = declaration.lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"),
                                          floor=Count("id", filter=Q(clamp=Clamp.FLOOR)),
                                          ceiling=Count("id", filter=Q(clamp=Clamp.CEILING)))
        return SummaryData(unit=unit_of(declaration), year=declaration.year, kind=declaration.kind,
                           headcount=agg["n"], declared_total=agg["wages"] or Decimal(0),
                           base_total=agg["bases"] or Decimal(0), at_floor=agg["floor"], at_ceiling=agg["ceiling"],
                           generated_at=now(), floor=floor, ceiling=ceiling)

    def heading(self, data: SummaryData) -> str:
        return self.title + ("（退休）" if data.retiree else "")

    file_title = heading

    def commitment(self, data: SummaryData) -> str:
        """The 诚信申报承诺书 paragraph, in the unit's name.

        This is the project's own wording: the 潍坊 notice (《关于做好2024年度参保单位职工基本医疗
        保险缴费基数申报调整工作的通知》 二、申报流程（一）2 and （二）3) requires the 汇总表 to carry a
        诚信申报承诺书 but gives no text for it, so the policy file has none (``employee.commitment_letter``
        answers not_configured for 潍坊)."""
        if data.retiree:
            return (f"{data.unit.name}郑重承诺：本单位已按规定如实申报退休人员养老金月额，本表及所附"
                    f"《医疗保险年报明细表（退休）》所列{data.year}年度退休人员医疗保险个人账户划入基数等"
                    "数据真实、准确、完整，并经退休人员本人签字确认。如有虚报、瞒报、漏报，"
                    "本单位愿承担由此产生的一切责任。")
        return (f"{data.unit.name}郑重承诺：本单位已按规定如实申报职工{data.year - 1}年度月平均实际工资收入"
                f"（高于缴费基数上限或低于下限的亦如实申报），本表及所附《医疗保险年报明细表》所列"
                f"{data.year}年度缴费基数等数据真实、准确、完整，并经职工本人签字确认。"
                "如有虚报、瞒报、漏报，本单位愿承担由此产生的一切责任。")

    def context(self, data: SummaryData) -> dict:
        return {**super().context(data), "commitment": self.commitment(data)}

    def write_xlsx(self, book: FormBook, data: SummaryData) -> None:
        u = data.unit
        ws = book.add_sheet("汇总表（退休）" if data.retiree else "汇总表")
        for col, width in enumerate([24, 30, 26, 28]):
            ws.set_column(col, col, width)
        book.merge_text(0, 0, 0, 3, self.heading(data), book.title)
        ws.set_row(0, 30)
        book.merge_text(1, 0, 1, 3, f"（{data.year}年度）", book.subtitle)
        row = 2
        book.merge_text(row, 0, row, 0, "单位名称", book.key)
        book.merge_text(row, 1, row, 3, u.name, book.text)
        pairs = [("单位编号", u.unit_number, "统一社会信用代码", u.uscc),
                 ("单位性质", u.nature, "所属统筹区", u.region_name),
                 ("单位地址", u.address, "单位邮编", u.postcode),
                 ("经办人", u.contact_name, "联系电话", u.contact_phone)]
        for k1, v1, k2, v2 in pairs:
            row += 1
            book.text_cell(row, 0, k1, book.key)
            book.text_cell(row, 1, v1, book.text)
            book.text_cell(row, 2, k2, book.key)
            book.text_cell(row, 3, v2, book.text)
        row += 1
        book.merge_text(row, 0, row, 3, f"{data.year}年度申报汇总", book.section)
        row += 1
        book.text_cell(row, 0, "申报人数（人）", book.key)
        ws.write_number(row, 1, data.headcount, book.integer)
        book.text_cell(row, 2, data.amount_total_label, book.key)
        book.number_cell(row, 3, data.declared_total, book.number)
        row += 1
        book.text_cell(row, 0, f"{data.base_label}合计（元）", book.key)
        book.number_cell(row, 1, data.base_total, book.number)
        book.text_cell(row, 2, "申报年度", book.key)
        ws.write_number(row, 3, data.year, book.integer)
        if data.shows_bounds:
            row += 1
            book.text_cell(row, 0, "按下限（保底）人数", book.key)
            ws.write_number(row, 1, data.at_floor, book.integer)
            book.text_cell(row, 2, "按上限（封顶）人数", book.key)
            ws.write_number(row, 3, data.at_ceiling, book.integer)
            row += 1
            book.text_cell(row, 0, "缴费基数下限（元/月）", book.key)
            book.number_cell(row, 1, data.floor, book.number)
            book.text_cell(row, 2, "缴费基数上限（元/月）", book.key)
            book.number_cell(row, 3, data.ceiling, book.number)
        for r in range(2, row + 1):
            ws.set_row(r, 22)
        row += 1
        book.merge_text(row, 0, row, 3, "诚信申报承诺书", book.section)
        ws.set_row(row, 26)
        row += 1
        book.merge_text(row, 0, row, 3, "　　" + self.commitment(data), book.letter)
        ws.set_row(row, 96)
        row += 2
        book.text_cell(row, 0, "法定代表人（签字）：", book.sign)
        book.text_cell(row, 2, "单位（盖章）", book.sign)
        ws.set_row(row, 30)
        row += 1
        book.text_cell(row, 0, "经办人（签字）：", book.sign)
        ws.set_row(row, 30)
        row += 1
        book.text_cell(row, 2, "年    月    日", book.sign)
        ws.set_row(row, 30)
        row += 1
        book.merge_text(row, 0, row, 3, f"打印时间：{stamp(data.generated_at)}", book.plain)
        book.print_setup(landscape=False)
        ws.print_area(0, 0, row, 3)
