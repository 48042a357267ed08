"""The employee scheme's refusals, in one place: each carries a code, a Chinese message and the
fields it concerns (``yibao.errors.AppError``). Engine refusals reach callers unchanged as
``yibao.errors.RuleRefused``."""

from __future__ import annotations

from dataclasses import dataclass

from yibao.errors import AppError, Conflict, NotFound, RuleRefused

__all__ = ["AppError", "Conflict", "DeclarationError", "ImportRejected", "NotFound", "RowError", "RuleRefused", "UnitError",
           "parse_amount"]


class DeclarationError(AppError):
    """A refused action of the declaration journey; ``str(exc)`` is the Chinese message."""


@dataclass
class RowError:
    row: int          # 1-based row number in the uploaded sheet (header is row 1)
    column: str
    message: str


class ImportRejected(DeclarationError):
    """An uploaded file with row errors: nothing was imported."""

    code = "import_rejected"

    def __init__(self, errors: list[RowError], header: list[str] | None = None, rows: list[list] | None = None,
                 header_row: int = 1):
        self.errors = errors
        self.header = header or []
        self.rows = rows or []
        self.header_row = header_row
        super().__init__(f"文件中有 {len(errors)} 处错误，未导入任何数据。请按错误清单修改后重新上传。")


def parse_amount(value, field: str = "amount"):
    """A declared amount (``yibao.money.parse_amount``), refused as a ``DeclarationError``."""
    from yibao.money import parse_amount as parse

    try:
        return parse(value)
    except ValueError as exc:
        raise DeclarationError(str(exc), code="invalid_input", fields={field: str(exc)}) from None


class UnitError(AppError):
    """A refused action on a unit's registration, changes, status or account."""
