"""The progress reports' refusals: a code and a Chinese message."""

from __future__ import annotations

from yibao.errors import AppError, NotFound


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
