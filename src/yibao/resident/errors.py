"""The resident scheme's refusals: each carries a code, a Chinese message and the fields it
concerns (``yibao.errors.AppError``). Engine refusals reach callers as ``RuleRefused``."""

from __future__ import annotations

from yibao.errors import AppError, Conflict, Forbidden, NotFound, RuleRefused

__all__ = ["AccountNumberTaken", "AppError", "Conflict", "DuplicateEnrolment", "Forbidden", "ImportRefused",
           "ImportRejected", "NotFound", "RegistrationError", "RowError", "RuleRefused"]


class RegistrationError(AppError):
    """A refused registration, review, change or problem action."""


class DuplicateEnrolment(Conflict):
    """The person is already enrolled (or registering) for the year elsewhere in the system."""

    code = "duplicate_enrolment"

    def __init__(self, message: str, places: list[str]):
        self.places = places
        super().__init__(message, code=self.code, fields={"id_number": message})


class AccountNumberTaken(Conflict):
    """An approved identity number change whose new number another sign-in account already
    holds: the resident's own account could not follow it, so the change is not applied."""

    code = "account_number_taken"

    def __init__(self, number: str):
        super().__init__(f"新的身份证号码 {number} 已是另一个网上服务账号的登录账号，本人账号无法随之变更，"
                         "变更未生效。请核实该账号归属（如为本人另行注册，请先由系统管理员注销该账号）后再审核。",
                         code=self.code, fields={"id_number": "已是另一账号的登录账号"})


class RosterError(AppError):
    """A refused action on a renewal roster (续保人员名册): build, confirm, post or export."""


# --- bulk imports -------------------------------------------------------------------------------

class ImportRefused(AppError):
    """A file refused as a whole (unreadable, no header, a column missing, too large); nothing
    was written."""

    code = "import_refused"


class RowError:
    """One row's problem: the file's line number, the column and the Chinese message."""

    __slots__ = ("column", "line", "message")

    def __init__(self, line: int, column: str, message: str):
        self.line, self.column, self.message = line, column, message

    def as_dict(self) -> dict:
        return {"row": self.line, "column": self.column, "message": self.message}


class ImportRejected(ImportRefused):
    """Rows with errors: the whole file is refused, each error named with its row."""

    code = "import_rejected"

    def __init__(self, errors: list[RowError], *, total: int | None = None):
        self.errors = errors
        self.total = total if total is not None else len(errors)
        more = "及更多" if self.total > len(errors) else ""
        super().__init__(f"文件中有 {self.total} 处错误{more}，整份文件未导入。请下载错误清单，逐行改正后重新导入。")
