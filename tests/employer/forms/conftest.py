"""Data of the printed declaration forms, built directly (no database), and the registered form
that prints each."""

from datetime import datetime
from decimal import Decimal

import pytest

from yibao.employer.forms import FormUnit, PrintedForm, all_forms
from yibao.employer.forms.base_report import BaseReportData, BaseReportRow
from yibao.employer.forms.commitment import CommitmentData
from yibao.employer.forms.detail import DetailData, DetailLine
from yibao.employer.forms.summary import SummaryData
from yibao.employer.models import Clamp
from yibao.policy import get_engine

FLOOR = Decimal("4242")
CEILING = Decimal("21207")
NOW = datetime(2024, 1, 15, 9, 30)
INJECTED_NAME = '=HYPERLINK("http://example.invalid","点此")'


def make_unit(**overrides) -> FormUnit:
    data = {"name": "潍坊示范机械有限公司", "unit_number": "37070500001", "uscc": "91370705MA3C00001X",
            "nature": "企业", "address": "潍坊市奎文区示范路1号", "postcode": "261000", "contact_name": "张经办",
            "contact_phone": "0536-0000000", "region_name": "潍坊市"}
    data.update(overrides)
    return FormUnit(**data)


def clamp(wage: Decimal) -> tuple[Decimal, str]:
    if wage < FLOOR:
        return FLOOR, Clamp.FLOOR
    if wage > CEILING:
        return CEILING, Clamp.CEILING
    return wage, Clamp.NONE


NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "阿卜杜热合曼·买买提", "赵敏", "孙丽"]


def make_lines(n: int, *, first_name: str = "王建国") -> list[DetailLine]:
    lines = []
    for i in range(1, n + 1):
        wage = Decimal(2800 + (i * 1733) % 26000) + Decimal("0.35")
        base, code = clamp(wage)
        name = first_name if i == 1 else NAMES[i % len(NAMES)]
        previous = None if i % 9 == 0 else Decimal(4000 + 17 * i)
        lines.append(DetailLine(seq=i, name=name, id_number=f"3707021980{i:07d}X", employee_number=f"P{i:08d}",
                                previous_base=previous, declared_amount=wage, base=base, clamp=code))
    return lines


def make_detail(n: int = 12, *, kind: str = "active", year: int = 2024, unit=None, **kw) -> DetailData:
    retiree = kind == "retiree"
    return DetailData(unit=unit or make_unit(), year=year, kind=kind,
                      amount_title="养老金月额（元）" if retiree else f"{year - 1}年度月平均实际工资（元）",
                      lines=make_lines(n, **kw), generated_at=NOW,
                      floor=None if retiree else FLOOR, ceiling=None if retiree else CEILING)


def make_summary(detail: DetailData) -> SummaryData:
    """The summary of a detail form, derived from its lines the way the app derives it."""
    lines = detail.lines
    return SummaryData(unit=detail.unit, year=detail.year, kind=detail.kind, headcount=len(lines),
                       declared_total=sum((x.declared_amount for x in lines), Decimal(0)),
                       base_total=sum((x.base for x in lines), Decimal(0)),
                       at_floor=sum(1 for x in lines if x.clamp == Clamp.FLOOR),
                       at_ceiling=sum(1 for x in lines if x.clamp == Clamp.CEILING),
                       generated_at=NOW, floor=detail.floor, ceiling=detail.ceiling)


def policy(question: str, year: int = 2024) -> dict:
    """The 聊城 policy file's answer (the wording the app prints comes from there)."""
    answer = get_engine().ask("371500", question, {"year": year})
    assert answer.ok, answer.error
    return answer.values


def make_report(year: int = 2024, note: str | None = None) -> BaseReportData:
    unit = make_unit(name="聊城示范商贸有限公司", unit_number="37150200001", region_name="聊城市",
                     address="聊城市东昌府区示范街8号", postcode="252000")
    active = BaseReportRow("在职", 44, 45, Decimal("5481469.20"), Decimal("4948148.04"))
    retired = BaseReportRow("退休", 12, 12, Decimal("0"), Decimal("0"))
    if note is None:
        note = policy("employee.base_report_form")["note"]
    return BaseReportData(unit=unit, year=year, declared_wage_total=Decimal("5481469.20"), active=active,
                          retired=retired, generated_at=NOW, note=note)


def make_letter(year: int = 2024, **wording) -> CommitmentData:
    """A 承诺书 with the 聊城 2024 wording from the policy file, or the wording given."""
    if not wording:
        wording = policy("employee.commitment_letter")
    return CommitmentData(unit=make_unit(name="聊城示范商贸有限公司", unit_number="37150200001",
                                         region_name="聊城市"), year=year, **wording)


def form_for(data) -> PrintedForm:
    """The registered form that prints this data."""
    matches = [form for form in all_forms() if type(data) is form.data_class]
    assert len(matches) == 1, type(data)
    return matches[0]


def render_pdf(data) -> bytes:
    return form_for(data).render_pdf(data)


def render_xlsx(data) -> bytes:
    return form_for(data).render_xlsx(data)


def render_html(data) -> str:
    return form_for(data).render_html(data)


@pytest.fixture(scope="session")
def forms():
    detail = make_detail(12)
    retiree_detail = make_detail(6, kind="retiree")
    return {
        "detail": detail,
        "detail-retiree": retiree_detail,
        "summary": make_summary(detail),
        "summary-retiree": make_summary(retiree_detail),
        "base-report": make_report(),
        "commitment": make_letter(),
    }


@pytest.fixture(scope="session")
def pdfs(forms):
    """Each form rendered once for the whole test session (WeasyPrint is not quick)."""
    return {key: render_pdf(data) for key, data in forms.items()}
