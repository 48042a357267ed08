"""The reports' refusals, each a code and a Chinese message: the progress figures' (region, level,
year, drill-down), then the weekly report's, the bulletin's and the submissions'."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, NotFound


class ReportError(AppError):
    code = "report_invalid"


NO_REGION = "region_not_found"
NO_PARENT = "parent_not_found"
BAD_LEVEL = "level_invalid"
BAD_YEAR = "year_invalid"
BAD_DATE = "as_of_invalid"


def region_not_found(key: str) -> NotFound:
    # the same answer whether it does not exist or is outside the reader's scope
    return NotFound("统筹区不存在或不在您的管辖范围内。", code=NO_REGION)


def parent_not_found(key: str) -> NotFound:
    return NotFound("下钻的区划不存在、不属于该统筹区或不在您的管辖范围内。", code=NO_PARENT)


BAD_WEEK = "week_invalid"
BAD_MONTH = "month_invalid"
BAD_FORMAT = "format_invalid"
NOT_COUNTY = "county_not_found"
ALREADY = "already_submitted"
NOT_DUE = "submission_not_required"
NO_REPORT = "report_not_found"


class ReportRequestError(AppError):
    code = BAD_WEEK


def bad_week(text) -> ReportRequestError:
    return ReportRequestError(f"周报截止日“{text}”无效：应为星期五的日期（YYYY-MM-DD）。", code=BAD_WEEK,
                              fields={"week": str(text)})


def bad_month(text) -> ReportRequestError:
    return ReportRequestError(f"通报月份“{text}”无效：应为 YYYY-MM。", code=BAD_MONTH, fields={"month": str(text)})


def bad_format(text) -> ReportRequestError:
    return ReportRequestError(f"文件格式“{text}”无效：应为 xlsx 或 pdf。", code=BAD_FORMAT, fields={"format": str(text)})


def county_not_found(key) -> NotFound:
    return NotFound(f"县（市、区）“{key}”不存在、不属于该统筹区或不在您的管辖范围内。", code=NOT_COUNTY,
                    fields={"county": str(key)})


def already_submitted(county: str, week, at) -> Conflict:
    return Conflict(f"{county} {week} 所在周的筹资进展已于 {at:%Y-%m-%d %H:%M} 报送，不能重复报送。", code=ALREADY,
                    fields={"week": str(week)})


def report_not_found(week) -> NotFound:
    return NotFound(f"{week} 的周报尚未生成。", code=NO_REPORT, fields={"week": str(week)})
