"""From a declaration to the data of the printed forms (pure reads; rendering lives in
``yibao.documents.declaration_forms``). Every figure is derived from the declaration's lines, so
the forms agree with them by construction; the agency's checks recompute them independently.

Decisions where the forms need a figure the lines alone do not give (聊城 申报表):
- "{year-1}年年底缴费人数": people with an approved base of the previous year that runs to
  December; where no previous-year bases are stored (first year in the system), the declared
  headcount.
- "{year-1}年缴费人员工资总额": the declared monthly average wages × 12 (an annual total).
- "{year}年预计缴费基数总额": the monthly bases × 12 (an annual total, like the wage total).
- the 退休 row counts the unit's retirees; its amounts come from a retiree declaration of the same
  year where one exists, otherwise they are 0.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from yibao.documents import declaration_forms as f

from . import rules
from .models import ApprovedBase, Clamp, Declaration, DeclarationKind, PersonStatus

MONTHS = Decimal(12)

# The 明细表 and 汇总表 serve every region (聊城 keeps the employee-signed list on file); the
# other forms are printed where the region's required materials (policy engine) name them.
FORM_FOR_MATERIAL = {"base_report": "base_report_form", "commitment": "commitment_letter"}

FORMS = {
    "detail": "医疗保险年报明细表",
    "summary": "医疗保险年报汇总表",
    "base_report": "缴费基数申报表",
    "commitment": "缴费基数申报承诺书",
}


def available_forms(declaration: Declaration) -> list[tuple[str, str]]:
    """Forms this region's materials call for (by the engine's required materials)."""
    codes = {m["code"] for m in rules.required_materials(
        declaration.unit.region_id, declaration.year, retiree=declaration.kind == DeclarationKind.RETIREE)}
    out = [("detail", FORMS["detail"]), ("summary", FORMS["summary"])]
    for form, material in FORM_FOR_MATERIAL.items():
        if material in codes:
            out.append((form, FORMS[form]))
    return out


def _unit(declaration: Declaration) -> f.FormUnit:
    u = declaration.unit
    return f.FormUnit(name=u.name, unit_number=u.unit_number, uscc=u.uscc, nature=u.nature, address=u.address,
                      postcode=u.postcode, contact_name=u.contact_name, contact_phone=u.contact_phone,
                      region_name=u.region.name)


def _bounds(declaration: Declaration):
    if declaration.kind != DeclarationKind.ACTIVE:
        return None, None
    b = rules.bounds(declaration.unit.region_id, f"{declaration.year}-01")
    return b.floor, b.ceiling


def build_form(declaration: Declaration, form: str):
    if form not in dict(available_forms(declaration)):
        return None
    now = timezone.localtime()
    unit = _unit(declaration)
    retiree = declaration.kind == DeclarationKind.RETIREE
    if form == "detail":
        from .importing import amount_column_title

        floor, ceiling = _bounds(declaration)
        lines = [f.FormLine(seq=i, name=x.name, id_number=x.id_number, employee_number=x.employee_number,
                            previous_base=x.previous_base, declared_amount=x.declared_amount, base=x.base,
                            clamp_label=Clamp(x.clamp).label if x.clamp != Clamp.NONE else "")
                 for i, x in enumerate(declaration.lines.order_by("id"), start=1)]
        return f.DetailForm(unit=unit, year=declaration.year, kind=declaration.kind,
                            amount_title=amount_column_title(declaration.year, retiree), lines=lines,
                            generated_at=now, floor=floor, ceiling=ceiling)
    if form == "summary":
        floor, ceiling = _bounds(declaration)
        agg = declaration.lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"),
                                          floor=Count("id", filter=Q(clamp=Clamp.FLOOR)),
                                          ceiling=Count("id", filter=Q(clamp=Clamp.CEILING)))
        return f.SummaryForm(unit=unit, year=declaration.year, kind=declaration.kind, headcount=agg["n"],
                             declared_total=agg["wages"] or Decimal(0), base_total=agg["bases"] or Decimal(0),
                             at_floor=agg["floor"], at_ceiling=agg["ceiling"], generated_at=now,
                             floor=floor, ceiling=ceiling)
    if form == "base_report":
        active = _report_row("在职", declaration)
        retiree_decl = Declaration.objects.filter(unit=declaration.unit, year=declaration.year,
                                                  kind=DeclarationKind.RETIREE).first()
        retired_count = declaration.unit.employees.filter(retired=True, status=PersonStatus.ACTIVE).count()
        retired = (_report_row("退休", retiree_decl) if retiree_decl else
                   f.BaseReportRow("退休", retired_count, retired_count, Decimal(0), Decimal(0)))
        return f.BaseReportForm(unit=unit, year=declaration.year, declared_wage_total=active.wage_total_prev_year,
                                active=active, retired=retired, generated_at=now,
                                note=rules.ask(declaration.unit.region_id, "employee.base_report_form",
                                               year=declaration.year)["note"])
    letter = rules.ask(declaration.unit.region_id, "employee.commitment_letter", year=declaration.year)
    return f.CommitmentLetter(unit=unit, year=declaration.year, title=letter["title"], opening=letter["opening"],
                              clauses=list(letter["clauses"]), signature_lines=list(letter["signature_lines"]))


def _report_row(label: str, declaration: Declaration) -> f.BaseReportRow:
    agg = declaration.lines.aggregate(n=Count("id"), wages=Sum("declared_amount"), bases=Sum("base"))
    year_end = ApprovedBase.objects.filter(unit=declaration.unit, year=declaration.year - 1, kind=declaration.kind,
                                           superseded=False, month_to=f"{declaration.year - 1}-12").count()
    return f.BaseReportRow(label=label, headcount_prev_year_end=year_end or agg["n"], headcount_january=agg["n"],
                           wage_total_prev_year=(agg["wages"] or Decimal(0)) * MONTHS,
                           expected_base_total=(agg["bases"] or Decimal(0)) * MONTHS)
