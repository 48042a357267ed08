"""The weekly report, the monthly bulletin and the counties' weekly submissions over the JSON API
(/api/v1/reporting/reports), within the caller's scope. Thin: one selector or service each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from yibao.access.permissions import require_capability
from yibao.http import PDF, XLSX, attachment, file_responses, refusals, responds

from .. import selectors
from ..services import reports, submissions

router = Router(tags=["统计报表"])
CODE_PATTERN = "^[0-9]{6,12}$"
VIEW, SUBMIT = "reporting.view", "reporting.submit"


class WeeklyQuery(Schema):
    region: str = Field(..., pattern=CODE_PATTERN, description="统筹区代码，如 140500")
    insurance_year: int | None = Field(None, ge=2000, le=2100, description="保险年度；省略为正在征缴的年度")
    week: dt.date | None = Field(None, description="周报截止日（星期五）；省略为最近的星期五")


class MonthlyQuery(Schema):
    region: str = Field(..., pattern=CODE_PATTERN, description="统筹区代码，如 140500")
    insurance_year: int | None = Field(None, ge=2000, le=2100, description="保险年度；省略为正在征缴的年度")
    month: str | None = Field(None, pattern="^[0-9]{4}-[0-9]{2}$", description="通报月份 YYYY-MM；省略为本月")


class FileQuery(Schema):
    format: str = Field("xlsx", pattern="^(xlsx|pdf)$", description="xlsx 或 pdf")


class WeeklyOut(Schema):
    region: str
    region_name: str
    insurance_year: int
    week_start: str
    week_ending: str
    as_of: str
    deadline: dict[str, Any] | None = Field(None, description="报送时限（due、required、citation）；未规定为 null")
    deadline_note: str = Field("", description="未规定报送时限时，政策引擎的说明")
    total: dict[str, Any]
    counties: list[dict[str, Any]] = Field(..., description="各县一行：数字、报送情况（status）和所辖乡镇（townships）")


class RankOut(Schema):
    rank: int | None
    code: str
    name: str
    county: str
    target: int | None
    paid: int
    completion: Decimal | None
    behind: bool


class MonthlyOut(Schema):
    region: str
    region_name: str
    insurance_year: int
    month: str
    as_of: dt.date
    time_share: Decimal | None = Field(None, description="集中缴费期已过的比例（时序进度）")
    average: Decimal | None = Field(None, description="全统筹区完成率")
    basis: str = Field(..., description="“落后”的判定依据")
    counties: list[RankOut]
    townships: list[RankOut]


class SubmissionIn(Schema):
    region: str = Field(..., pattern=CODE_PATTERN, description="统筹区代码")
    county: str = Field(..., pattern=CODE_PATTERN, description="县（市、区）代码")
    insurance_year: int | None = Field(None, ge=2000, le=2100, description="保险年度；省略为正在征缴的年度")
    note: str = Field("", max_length=200)


class SubmissionOut(Schema):
    id: int
    county: str
    county_name: str
    insurance_year: int
    week_ending: dt.date
    figures: dict[str, Any]
    submitted_at: dt.datetime
    submitted_by: str
    due: dt.datetime | None
    on_time: bool | None


def _submission(s) -> dict:
    return {"id": s.pk, "county": s.county_id, "county_name": s.county.name, "insurance_year": s.insurance_year,
            "week_ending": s.week_ending, "figures": s.figures, "submitted_at": s.submitted_at,
            "submitted_by": s.submitted_by_label, "due": s.due, "on_time": s.on_time}


def _rank(ln) -> dict:
    return {"rank": ln.rank or None, "code": ln.row.code, "name": ln.row.name, "county": ln.county,
            "target": ln.row.target, "paid": ln.row.paid, "completion": ln.row.completion, "behind": ln.behind}


def _weekly(request, q):
    week = reports.parse_week(q.week.isoformat() if q.week else None)
    return reports.weekly(request.user, q.region, q.insurance_year or reports.default_year(q.region), week)


def _bulletin(request, q):
    return reports.bulletin(request.user, q.region, q.insurance_year or reports.default_year(q.region),
                            reports.parse_month(q.month))


@router.get("/weekly", response=responds(WeeklyOut))
def weekly(request, q: Query[WeeklyQuery]):
    """筹资进展周报：截至星期五日终，各县（市、区）及其乡镇（街道）的参保缴费数字和本周变化，以及各县是否在
    报送时限前报送（晋城：每周五 17:00 前，晋市医保发〔2023〕10号 五（五）；通知未规定的，deadline 为 null）。
    week 不是星期五时拒绝（week_invalid）。"""
    require_capability(request.user, VIEW)
    return reports.weekly_content(_weekly(request, q))


@router.get("/weekly/file", response=refusals(),
            openapi_extra=file_responses(XLSX, PDF, description="筹资进展周报（xlsx，或附统计图的 PDF）"))
def weekly_file(request, q: Query[WeeklyQuery], f: Query[FileQuery]):
    """周报文件：xlsx，或 PDF（统计图与中文字体嵌入文件）。"""
    require_capability(request.user, VIEW)
    report = _weekly(request, q)
    name = reports.weekly_file_name(report.region.name, report.week_ending, f.format)
    if f.format == "pdf":
        return attachment(reports.weekly_pdf(report), name, PDF)
    return attachment(reports.weekly_xlsx(report), name, XLSX)


@router.get("/monthly", response=responds(MonthlyOut))
def monthly(request, q: Query[MonthlyQuery]):
    """月通报：各县（市、区）和乡镇（街道）按完成率排名，落后的标出。通知未规定“落后”的标准：完成率低于
    时序进度（集中缴费期已过的比例）的为落后；未规定集中缴费期的，以全统筹区平均完成率为准（basis 说明）。"""
    require_capability(request.user, VIEW)
    b = _bulletin(request, q)
    return {"region": b.region.key, "region_name": b.region.name, "insurance_year": b.year, "month": str(b.month),
            "as_of": b.as_of, "time_share": b.time_share, "average": b.average, "basis": b.basis,
            "counties": [_rank(ln) for ln in b.counties], "townships": [_rank(ln) for ln in b.townships]}


@router.get("/monthly/file", response=refusals(),
            openapi_extra=file_responses(XLSX, PDF, description="月通报（xlsx，或附统计图的 PDF）"))
def monthly_file(request, q: Query[MonthlyQuery], f: Query[FileQuery]):
    """月通报文件：xlsx 或 PDF。"""
    require_capability(request.user, VIEW)
    b = _bulletin(request, q)
    name = reports.bulletin_file_name(b, f.format)
    if f.format == "pdf":
        return attachment(reports.bulletin_pdf(b), name, PDF)
    return attachment(reports.bulletin_xlsx(b), name, XLSX)


@router.get("/submissions", response=responds(list[SubmissionOut]))
def submission_list(request, region: str = Query(..., pattern=CODE_PATTERN)):
    """各县每周报送的记录（调用者管辖的县），最近的在前。"""
    require_capability(request.user, SUBMIT)
    return [_submission(s) for s in selectors.submissions_for(request.user, region)]


@router.post("/submissions", response=responds(SubmissionOut, status=201))
def submit(request, payload: SubmissionIn):
    """县（市、区）经办人员报送本县本周的筹资进展（截至此刻的数字），每周一次。拒绝：county_not_found（不在
    管辖范围内）、already_submitted（409）、submission_not_required（不在集中缴费期内）。"""
    require_capability(request.user, SUBMIT)
    done = submissions.submit_week(request.user, payload.region, payload.county, year=payload.insurance_year,
                                   note=payload.note)
    return Status(201, _submission(done))
