"""Reading an uploaded declaration file (报盘文件): xlsx or csv, validated row by row.

Nothing here writes to the database: ``read_declaration_file`` either returns every amount
keyed by identity number, or raises ``ImportRejected`` with the list of row errors, and the
service applies the amounts in one transaction. Formulas are never evaluated: a workbook that
contains any is refused.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from python_calamine import CalamineWorkbook

from yibao.identity import IdentityError, parse_resident_id

from .errors import DeclarationError, ImportRejected, RowError, parse_amount

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
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


def read_table(data: bytes, filename: str = "") -> list[list]:
    """The first sheet of an xlsx, or a csv, as a list of rows of cell values."""
    if not data:
        raise DeclarationError("上传的文件是空的。")
    check_file_size(len(data))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DeclarationError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后上传。")
    return _read_csv(data)


def _read_xlsx(data: bytes) -> list[list]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile:
        raise DeclarationError("文件不是有效的 Excel（.xlsx）文件。") from None
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise DeclarationError("文件解压后异常庞大，已拒绝（疑似压缩炸弹）。")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise DeclarationError("文件不是有效的 Excel（.xlsx）文件。")
    formula = re.compile(rb"<(?:\w+:)?f[\s>/]")
    for name in names:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with archive.open(name) as fh:
                tail = b""
                while chunk := fh.read(1 << 20):
                    if formula.search(tail + chunk):
                        raise DeclarationError("文件中含有公式，为防止数据被篡改，请将公式转换为数值后再上传。")
                    tail = chunk[-16:]
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for damaged files
        raise DeclarationError("无法读取该 Excel 文件，文件可能已损坏。") from None


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
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DeclarationError(f"CSV 文件格式有误：{exc}") from None


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
