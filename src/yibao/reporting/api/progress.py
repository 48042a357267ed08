"""The progress figures over the JSON API (/api/v1/reporting): the collection progress per
division level and the employee scheme's declaration progress per agency, within the caller's
scope. Thin: one selector per operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema
from pydantic import Field

from yibao.access.permissions import require_capability
from yibao.http import XLSX, attachment, file_responses, refusals, responds

from .. import exports, selectors

router = Router(tags=["统计报表"])
YEARS = {"ge": 2000, "le": 2100}
LEVEL_PATTERN = "^(county|township|village)$"
CODE_PATTERN = "^[0-9]{6,12}$"


class CollectionProgressRowOut(Schema):
    code: str
    name: str
    level: str
    target: int | None
    registered: int
    paid: int
    subsidised: int
    by_category: dict[str, int]
    amount_individual: Decimal
    amount_fund: Decimal
    amount_family: Decimal
    completion: Decimal | None
    paid_change: int
    completion_change: Decimal | None


class CollectionProgressOut(Schema):
    region: str
    region_name: str
    insurance_year: int
    level: str
    parent: str | None
    as_of: dt.date
    rows: list[CollectionProgressRowOut]
    total: CollectionProgressRowOut


def _row(r) -> dict:
    return {"code": r.code, "name": r.name, "level": r.level, "target": r.target, "registered": r.registered,
            "paid": r.paid, "subsidised": r.subsidised, "by_category": r.by_category,
            "amount_individual": r.amount_individual, "amount_fund": r.amount_fund,
            "amount_family": r.amount_family, "completion": r.completion, "paid_change": r.paid_change,
            "completion_change": r.completion_change}


class ProgressQuery(Schema):
    region: str = Field(..., pattern=CODE_PATTERN, description="统筹区代码，如 140500")
    insurance_year: int | None = Field(None, ge=2000, le=2100, description="保险年度（省略为正在征收的年度）")
    level: str | None = Field(None, pattern=LEVEL_PATTERN,
                              description="统计层级：county、township 或 village（省略为统筹区或 parent 的下一级）")
    parent: str | None = Field(None, pattern=CODE_PATTERN, description="只列该区划之下的（下钻）")
    as_of: dt.date | None = Field(None, description="截至该日终了时的数字（省略为现在）")


@router.get("/progress", response=responds(CollectionProgressOut))
def progress(request, q: Query[ProgressQuery]):
    """征缴进度：统筹区内（或 parent 之下）某一层级每个区划一行：参保任务（未下达为 null）、已登记、已缴费、
    资助参保人数（按困难类别）、个人缴费、医疗救助资助、家庭共济金额、完成率（已缴费 ÷ 参保任务），以及近 7 日
    的变化。只含调用者管辖范围内的整个区划。"""
    require_capability(request.user, "reporting.view_progress")
    report = selectors.progress(request.user, q.region, q.insurance_year, q.level, q.parent, q.as_of)
    return {"region": report.region.key, "region_name": report.region.name, "insurance_year": report.year,
            "level": report.level, "parent": report.parent.key if report.parent else None, "as_of": report.as_of,
            "rows": [_row(r) for r in report.rows], "total": _row(report.total)}


@router.get("/progress.xlsx", response=refusals(),
            openapi_extra=file_responses(XLSX, description="征缴进度、资助类别、每日缴费与缴费渠道（xlsx）"))
def progress_xlsx(request, q: Query[ProgressQuery]):
    """征缴进度的下载：仪表板上每个图表的数据（xlsx）。"""
    require_capability(request.user, "reporting.view_progress")
    report = selectors.progress(request.user, q.region, q.insurance_year, q.level, q.parent, q.as_of)
    data, name = exports.progress_workbook(report, selectors.daily(report), selectors.channel_mix(report))
    return attachment(data, name, XLSX)


class AgencyProgressOut(Schema):
    agency: str
    units: int
    declared: int
    submitted: int
    approved: int
    confirmed: int
    not_submitted: int
    overdue: int


class DeclarationProgressOut(Schema):
    region: str
    region_name: str
    year: int
    deadline: str | None
    late: bool
    rows: list[AgencyProgressOut]
    total: dict[str, int]


@router.get("/declarations", response=responds(DeclarationProgressOut))
def declarations(request, region: str = Query(..., pattern=CODE_PATTERN),
                 year: int | None = Query(None, **YEARS, description="申报年度（省略为今年）")):
    """职工医保缴费基数申报进度，按经办机构：参保单位数、已开始申报、已提交、审核通过、已完成、未提交，以及
    过了申报截止日（政策引擎按通知判断）仍未提交的逾期单位数。"""
    require_capability(request.user, "reporting.view_declarations")
    report = selectors.declarations(request.user, region, year)
    return {"region": report.region.key, "region_name": report.region.name, "year": report.year,
            "deadline": report.deadline, "late": report.late, "rows": report.rows, "total": report.total}
