"""资助参保 over the JSON API: the generation of the fund's payments (a job, 202), the ledger and
the statement (xlsx). The same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.errors import AppError
from yibao.http import XLSX, attachment, file_responses, refusals, responds
from yibao.jobs.schemas import JobStartedOut, job_started

from .. import rules
from ..printing import fund as printing
from ..selectors import fund as selectors
from ..services import fund as services

router = Router(tags=["城乡居民医保征收"])
YEARS = {"ge": 1900, "le": 2999}


class GenerateIn(Schema):
    region: str
    insurance_year: int
    on: dt.date | None = None


@router.post("/fund/generate", response={202: JobStartedOut, **responds(JobStartedOut, status=202)})
def generate(request, payload: GenerateIn):
    """为统筹区、保险年度生成医疗救助基金资助缴费（后台任务 202，进度见 ``/api/v1/jobs/{job_id}``）。已记录的不再
    重复记录；任务结果列出新记录笔数、金额、各类别人数与未记录的原因。"""
    require_capability(request.user, "collection.fund")
    job = services.start_generation(payload.region, payload.insurance_year, on=payload.on, actor=request.user)
    return Status(202, job_started(job))


def _where(request, region: str, insurance_year: int | None):
    """The region asked for (by default the caller's first region running the resident scheme;
    one outside the caller's area answers 404 like a missing one) and the year (by default the
    one being collected)."""
    if region:
        try:
            division = services.pooling_region(region, request.user)
        except AppError:
            raise HttpError(404, "统筹区不存在。") from None
    else:
        regions = services.regions_for(request.user)
        if not regions:
            raise AppError("您负责的区域内没有经办城乡居民医保的统筹区。", code="no_region")
        division = regions[0]
    return division, insurance_year or rules.current_year(division.key, clock.today())


class LedgerRowOut(Schema):
    key: str
    label: str
    people: int
    refunds: int
    amount: Decimal


class LedgerOut(Schema):
    region: str
    region_name: str
    insurance_year: int
    people: int
    refunds: int
    amount: Decimal
    by_category: list[LedgerRowOut]
    by_township: list[LedgerRowOut]


@router.get("/fund/ledger", response=responds(LedgerOut))
def ledger(request, region: str = "", insurance_year: int | None = Query(None, **YEARS)):
    """资助台账：按资助类别、按乡镇（街道）的资助人数、退费笔数与金额（退费以负数冲减）。默认为调用者区域内的
    第一个统筹区、正在征收的保险年度。"""
    require_capability(request.user, "collection.fund_view")
    ledger = selectors.ledger(request.user, *_where(request, region, insurance_year))
    return {"region": ledger.region, "region_name": ledger.region_name, "insurance_year": ledger.insurance_year,
            "people": ledger.people, "refunds": ledger.refunds, "amount": ledger.amount,
            "by_category": [r.__dict__ for r in ledger.by_category],
            "by_township": [r.__dict__ for r in ledger.by_township]}


@router.get("/fund/statement", response=refusals(),
            openapi_extra=file_responses(XLSX, description="医疗救助基金资助参保结算单（xlsx）"))
def statement(request, region: str = "", insurance_year: int | None = Query(None, **YEARS)):
    """医疗救助基金资助参保结算单（xlsx：汇总与明细；身份证号码按调用者的权限显示或隐去）。"""
    require_capability(request.user, "collection.fund_view")
    data, name = printing.render_statement(request.user, *_where(request, region, insurance_year))
    return attachment(data, name, XLSX)
