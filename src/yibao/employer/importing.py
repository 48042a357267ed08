"""Reading an uploaded declaration file (报盘文件): xlsx or csv, validated row by row.

Nothing here writes to the database: ``read_declaration_file`` either returns every amount
keyed by identity number, or raises ``ImportRejected`` with the list of row errors, and the
service applies the amounts in one transaction. Formulas are never evaluated: a workbook that
contains any is refused. Damaged, encrypted and oversized files are refused with a message in
Chinese; a workbook passes the platform's checks (``yibao.documents.workbooks.check_workbook``,
with this app's limits) before it is read here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from python_calamine import CalamineWorkbook

from yibao.documents import workbooks
from yibao.identity import IdentityError, parse_resident_id

from .errors import DeclarationError, ImportRejected, RowError, parse_amount

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_ROWS = 200_000
MAX_CELL_CHARS = 500
MAX_ERRORS = 1000

ID_COLUMN = "身份证号码"
NAME_COLUMN = "姓名"


@dataclass
class ParsedFile:
    header: list[str]
    rows: list[list]          # as read, for the error report
    amounts: dict[str, Decimal]


def amount_column_title(year: int, retiree: bool) -> str:
    return "养老金月额（元）" if retiree else f"{year - 1}年度月平均实际工资（元）"


def _is_amount_title(title: str, retiree: bool) -> bool:
    return ("养老金" in title or "退休金" in title) if retiree else ("月平均" in title and "工资" in title)


def check_file_size(size: int) -> None:
    """The one limit on an uploaded declaration file's size."""
    if size > MAX_FILE_BYTES:
        raise DeclarationError(f"文件过大：不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB。", code="too_large")


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted (password-protected) xlsx is a compound file holding these two streams.
ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
DAMAGED = workbooks.DAMAGED
NOT_XLSX = workbooks.NOT_XLSX
# A workbook is checked before it is read (yibao.documents.workbooks): its first sheet is measured
# in a child process with capped memory and time, since the reader's native code aborts the
# process on a sheet too large for memory.
LIMITS = workbooks.Limits(
    unpacked_bytes=400 * 1024 * 1024,
    compression_ratio=150,
    sheet_cells=4_000_000,   # rows × columns counted from A1 (the template: 6 columns)
    probe_memory_bytes=2 * 1024 * 1024 * 1024,
    probe_seconds=120,
)
# the platform's refusals with this app's codes (the others keep DeclarationError's own)
CODES = {"too_large": "too_large", "unavailable": "unavailable"}


def read_table(data: bytes, filename: str = "") -> list[list]:
    """The first sheet of an xlsx, or a csv, as a list of rows of cell values."""
    if not data:
        raise DeclarationError("上传的文件是空的。")
    check_file_size(len(data))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == OLE2_MAGIC:
        if any(name in data for name in ENCRYPTED_STREAMS):
            raise DeclarationError("文件设有打开密码（已加密），系统无法读取。请在 Excel 中取消密码"
                                   "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再上传。",
                                   code="encrypted")
        raise DeclarationError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后上传。")
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list]:
    try:
        workbooks.check_workbook(data, LIMITS)
    except workbooks.WorkbookRefused as exc:
        message = exc.message + (f"单次最多 {MAX_ROWS} 行。" if exc.code == "too_large" else "")
        raise DeclarationError(message, code=CODES.get(exc.code)) from None
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for damaged files
        raise DeclarationError(DAMAGED) from None
    except BaseException as exc:  # a panic in the reader's native code surfaces as a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise DeclarationError(DAMAGED) from None


def _read_csv(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DeclarationError("文件既不是 Excel 文件，也不是可识别编码的 CSV 文件。")
    if "\x00" in text:
        raise DeclarationError("文件既不是 Excel 文件，也不是 CSV 文本文件。")
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:  # its messages are English: each is told in Chinese here
        if "field larger than field limit" in str(exc):
            raise DeclarationError(f"CSV 文件第 {reader.line_num} 行附近有单元格内容过长"
                                   f"（超过 {csv.field_size_limit()} 个字符），请检查文件。") from None
        raise DeclarationError(f"CSV 文件格式有误（第 {reader.line_num} 行附近），"
                               "请检查引号是否成对，或用 Excel 另存为 .xlsx 后上传。") from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_declaration_rows(rows: list[list], *, people: dict[str, str], year: int, retiree: bool,
                           progress=None) -> ParsedFile:
    """Validate every row against the declaration's people (identity number → name).
    ``progress(rows_done)`` is called as rows are checked (before anything is written, so a
    progress record written from here is visible to other connections at once)."""
    header_index = next((i for i, r in enumerate(rows[:10]) if any(_cell_text(c) == ID_COLUMN for c in r)), None)
    if header_index is None:
        raise DeclarationError(f"找不到表头：第一行应包含“{ID_COLUMN}”和“{amount_column_title(year, retiree)}”列，"
                               "请使用本系统下载的报盘文件。")
    header = [_cell_text(c) for c in rows[header_index]]
    id_col = header.index(ID_COLUMN)
    amount_col = next((i for i, t in enumerate(header) if _is_amount_title(t, retiree)), None)
    if amount_col is None:
        raise DeclarationError(f"找不到“{amount_column_title(year, retiree)}”列，请使用本系统下载的报盘文件。")
    body = rows[header_index + 1:]
    while body and not any(_cell_text(c) for c in body[-1]):
        body.pop()
    if len(body) > MAX_ROWS:
        raise DeclarationError(f"文件行数过多（{len(body)} 行），单次最多 {MAX_ROWS} 行。")
    if not body:
        raise DeclarationError("文件中没有数据行。")

    errors: list[RowError] = []
    amounts: dict[str, Decimal] = {}
    seen: dict[str, int] = {}
    amount_title = header[amount_col]
    for offset, row in enumerate(body):
        line_no = header_index + 2 + offset
        if progress:
            progress(offset + 1)
        cells = [_cell_text(c) for c in row]
        if not any(cells):
            continue
        if any(len(c) > MAX_CELL_CHARS for c in cells):
            errors.append(RowError(line_no, "", f"单元格内容过长（超过 {MAX_CELL_CHARS} 个字符）"))
            continue
        raw_id = cells[id_col] if id_col < len(cells) else ""
        raw_amount = cells[amount_col] if amount_col < len(cells) else ""
        # every problem of the row is reported at once, so one round of corrections suffices
        try:
            number = parse_resident_id(raw_id).number
        except IdentityError as exc:
            errors.append(RowError(line_no, ID_COLUMN, exc.message))
            number = None
        if number is None:
            pass
        elif number not in people:
            errors.append(RowError(line_no, ID_COLUMN, "该人员不是本单位本次申报的参保人员"))
        elif number in seen:
            errors.append(RowError(line_no, ID_COLUMN, f"与第 {seen[number]} 行重复"))
        else:
            seen[number] = line_no
        if not raw_amount:
            errors.append(RowError(line_no, amount_title, "未填写"))
        else:
            try:
                amount = parse_amount(raw_amount)
                if number is not None:
                    amounts[number] = amount
            except DeclarationError as exc:
                errors.append(RowError(line_no, amount_title, str(exc)))
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ImportRejected(errors, header, body, header_index + 1)
    return ParsedFile(header=header, rows=body, amounts=amounts)
