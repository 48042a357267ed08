"""The gaps app's refusals (codes on ``yibao.errors``)."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, NotFound

__all__ = ["Conflict", "GapsError", "NotFound", "RowError", "RowsRejected"]


class GapsError(AppError):
    status = 400


class RowError:
    def __init__(self, line: int, column: str, message: str):
        self.line, self.column, self.message = line, column, message

    def as_dict(self) -> dict:
        return {"row": self.line, "column": self.column, "message": self.message}


class RowsRejected(GapsError):
    """Rows with errors: nothing is written; the report lists each."""

    def __init__(self, errors: list[RowError], total: int):
        super().__init__(f"未导入：{total} 处错误，请按错误清单改正后重新导入（未写入任何数据）。", code="rows_invalid")
        self.errors, self.total = errors, total
