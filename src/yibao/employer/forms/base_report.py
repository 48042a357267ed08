"""参保单位缴费基数申报表 (聊城 附件2): a grid of headcounts and annual totals for active and
retired staff, printed where the region's required materials name ``base_report_form``.

Its 备注 is the region's (policy: ``employee.base_report_form``). Where the grid needs a figure
the lines alone do not give:
- "{year-1}年年底缴费人数": people with an approved base of the previous year that runs to
  December; where no previous-year bases are stored (first year in the system), the declared
  headcount.
- "{year-1}年缴费人员工资总额": the declared monthly average wages × 12 (an annual total).
- "{year}年预计缴费基数总额": the monthly bases × 12 (an annual total, like the wage total).
- the 退休 row counts the unit's retirees; its amounts come from a retiree declaration of the same
  year where one exists, otherwise they are 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Sum

from yibao.documents.xlsx import FormBook
from yibao.months import Month

from .. import rules
from ..models import ApprovedBase, Declaration, DeclarationKind, PersonStatus
from .base import FormData, PrintedForm, now, stamp, unit_of
from .registry import register

MONTHS = Decimal(12)


@dataclass
class BaseReportRow:
    label: str
    headcount_prev_year_end: int
    headcount_january: int
    wage_total_prev_year: Decimal
    expected_base_total: Decimal


@dataclass
class BaseReportData(FormData):
    declared_wage_total: Decimal
    active: BaseReportRow
    retired: BaseReportRow
    generated_at: datetime
    note: str                   # the 备注 under the grid (policy: employee.base_report_form)

    @property
    def columns(self) -> list[str]:
        year = self.year
        return [f"{year - 1}年年底缴费人数", f"{year}年1月份缴费人数", f"{year - 1}年缴费人员工资总额",
                f"{year}年预计缴费基数总额"]

    @property
    def rows(self) -> list[BaseReportRow]:
        return [self.active, self.retired]

    @property
    def printed_note(self) -> str:
        return f"备注：{self.note}" if self.note else ""


def _report_row(label: str, declaration: Declaration) -> BaseReportRow:
    agg = declaration.lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"))
    year_end = ApprovedBase.objects.filter(unit=declaration.unit, year=declaration.year - 1, kind=declaration.kind,
                                           superseded=False, month_to=Month.last_of(declaration.year - 1)).count()
    return BaseReportRow(label=label, headcount_prev_year_end=year_end or agg["n"], headcount_january=agg["n"],
                         wage_total_prev_year=(agg["wages"] or Decimal(0)) * MONTHS,
                         expected_base_total=(agg["bases"] or Decimal(0)) * MONTHS)


@register
class BaseReportForm(PrintedForm):
    code = "base_report"
    order = 30
    title = "缴费基数申报表"
    template_name = "employer/forms/base_report.html"
    data_class = BaseReportData
    material = "base_report_form"

    def data(self, declaration: Declaration) -> BaseReportData:
        active = _report_row("在职", declaration)
        retiree_decl = Declaration.objects.filter(unit=declaration.unit, year=declaration.year,
                                                  kind=DeclarationKind.RETIREE).first()
        retired_count = declaration.unit.employees.filter(retired=True, status=PersonStatus.ACTIVE).count()
        retired = (_report_row("退休", retiree_decl) if retiree_decl else
                   BaseReportRow("退休", retired_count, retired_count, Decimal(0), Decimal(0)))
        note = rules.ask(declaration.unit.region_id, "employee.base_report_form", year=declaration.year)["note"]
        return BaseReportData(unit=unit_of(declaration), year=declaration.year,
                              declared_wage_total=active.wage_total_prev_year, active=active, retired=retired,
                              generated_at=now(), note=note)

    def heading(self, data: BaseReportData) -> str:
        return f"{data.unit.region_name}参保单位{data.year}年度医疗保险缴费基数申报表"

    def write_xlsx(self, book: FormBook, data: BaseReportData) -> None:
        u = data.unit
        ws = book.add_sheet("申报表")
        for col, width in enumerate([18, 16, 20, 20, 22, 22]):
            ws.set_column(col, col, width)
        book.merge_text(0, 0, 0, 5, self.heading(data), book.title)
        ws.set_row(0, 40)
        book.text_cell(1, 0, "单位名称（盖章）", book.key)
        book.merge_text(1, 1, 1, 2, u.name, book.text)
        book.text_cell(1, 3, "单位性质", book.key)
        book.merge_text(1, 4, 1, 5, u.nature, book.text)
        book.merge_text(2, 0, 3, 0, "单位编号", book.key)
        book.merge_text(2, 1, 3, 2, u.unit_number, book.text)
        book.text_cell(2, 3, "单位地址", book.key)
        book.merge_text(2, 4, 2, 5, u.address, book.text)
        book.text_cell(3, 3, "单位邮编", book.key)
        book.merge_text(3, 4, 3, 5, u.postcode, book.text)
        book.text_cell(4, 0, "单位申报工资总额", book.key)
        book.number_cell(4, 1, data.declared_wage_total, book.number)
        book.text_cell(4, 2, "经办人", book.key)
        book.text_cell(4, 3, u.contact_name, book.text)
        book.text_cell(4, 4, "电话", book.key)
        book.text_cell(4, 5, u.contact_phone, book.text)
        book.merge_text(5, 0, 7, 0, "单位申报情况", book.key)
        book.text_cell(5, 1, "项目", book.key)
        for col, name in enumerate(data.columns, start=2):
            book.text_cell(5, col, name, book.key)
        for row, r in ((6, data.active), (7, data.retired)):
            book.text_cell(row, 1, r.label, book.center)
            ws.write_number(row, 2, r.headcount_prev_year_end, book.integer)
            ws.write_number(row, 3, r.headcount_january, book.integer)
            book.number_cell(row, 4, r.wage_total_prev_year, book.number)
            book.number_cell(row, 5, r.expected_base_total, book.number)
        for r in range(1, 8):
            ws.set_row(r, 36)
        book.merge_text(8, 0, 8, 2, "申报单位经办人（签字）：\n\n\n\n\n                    年    月    日", book.letter)
        book.merge_text(8, 3, 8, 5, "法定代表人或单位负责人（签名）：\n\n\n\n\n                    年    月    日",
                        book.letter)
        ws.set_row(8, 140)
        book.merge_text(9, 0, 9, 5, data.printed_note, book.plain)
        book.merge_text(10, 0, 10, 5, f"金额单位：元　　打印时间：{stamp(data.generated_at)}", book.plain)
        book.print_setup(landscape=False)
        ws.print_area(0, 0, 10, 5)
