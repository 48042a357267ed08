"""Reading an interchange file of the resident scheme (registrations, hardship lists): xlsx, or
csv in UTF-8 or GBK, read row by row without holding the file's text in memory.

Nothing here writes to the database. A workbook is checked before it is read, as the employee
scheme's declaration files are, by ``yibao.documents.workbooks.check_workbook`` with this
scheme's limits: no formulas, no compression bombs, and the first sheet's extent measured in a
child process with capped memory (a few kilobytes can declare a sheet the reader cannot lay out,
and its native code aborts the process rather than raising).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from yibao.documents import workbooks

from .errors import ImportRefused

MAX_FILE_BYTES = 400 * 1024 * 1024       # 1.6 million rows of csv are about 150 MB
MAX_XLSX_BYTES = 100 * 1024 * 1024
MAX_CELL_CHARS = 200
HEADER_SEARCH_ROWS = 10

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DAMAGED = workbooks.DAMAGED
NOT_XLSX = workbooks.NOT_XLSX
LIMITS = workbooks.Limits(
    unpacked_bytes=1500 * 1024 * 1024,
    compression_ratio=150,
    sheet_cells=1_048_576 * 16,
    probe_memory_bytes=3 * 1024 * 1024 * 1024,
    probe_seconds=300,
)
# the platform's refusals with this scheme's codes: "format" for any other
CODES = {"formulas": "formulas", "too_large": "too_large"}


def clean_header(value) -> str:
    """A header cell as written by hand: spaces, asterisks (required-field marks) dropped."""
    return re.sub(r"[\s*＊]", "", cell_text(value))


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    """An opened file: its header (cleaned), the line of the header, the number of data rows
    (for the progress bar: an estimate for csv), and ``rows()``: (line number, cells as text)."""

    path: Path
    kind: str                     # "csv" or "xlsx"
    encoding: str
    header: list[str]
    header_line: int
    estimate: int
    sheet: object = None          # the workbook's first sheet, read once

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        if self.kind == "csv":
            with self.path.open(encoding=self.encoding, newline="") as fh:
                reader = csv.reader(fh)
                try:
                    for line, row in enumerate(reader, start=1):
                        if line > self.header_line:
                            yield line, row
                except csv.Error:
                    raise ImportRefused(f"CSV 文件格式有误（第 {reader.line_num} 行附近），请检查引号是否成对，"
                                        "或用 Excel 另存为 .xlsx 后上传。") from None
        else:
            try:
                for line, row in enumerate(self.sheet.iter_rows(), start=1):
                    if line > self.header_line:
                        yield line, [cell_text(c) for c in row]
            except Exception:  # calamine's own error types for damaged cells
                raise ImportRefused(DAMAGED, code="format") from None


def open_table(path: Path, required: tuple[str, ...]) -> Table:
    """Open the file and find its header: the first of its first rows holding the first required
    column. Refused (``ImportRefused``) when unreadable or a required column is missing."""
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused("上传的文件是空的。", code="empty")
    if size > MAX_FILE_BYTES:
        raise ImportRefused(f"文件过大：不能超过 {MAX_FILE_BYTES // 1024 // 1024} MB，请分成几个文件导入。",
                            code="too_large")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head[:4] == b"PK\x03\x04":
        _check_xlsx(path)
        kind, encoding = "xlsx", ""
        sheet = _sheet(path)
        first = []
        try:
            for i, row in enumerate(sheet.iter_rows()):
                first.append(row)
                if i + 1 >= HEADER_SEARCH_ROWS:
                    break
        except Exception:  # calamine's own error types
            raise ImportRefused(DAMAGED, code="format") from None
        sheet_rows = sheet.height
    elif head == OLE2_MAGIC:
        raise ImportRefused("不支持旧版 Excel（.xls）文件或加密的文件，请另存为 .xlsx 或 CSV 后上传。", code="format")
    else:
        kind, encoding = "csv", _csv_encoding(path)
        first = []
        with path.open(encoding=encoding, newline="") as fh:
            try:
                for i, row in enumerate(csv.reader(fh)):
                    first.append(row)
                    if i + 1 >= HEADER_SEARCH_ROWS:
                        break
            except csv.Error:
                raise ImportRefused("CSV 文件格式有误，请检查后重新保存。", code="format") from None
        sheet, sheet_rows = None, _count_lines(path)
    anchor = required[0]
    for index, row in enumerate(first):
        header = [clean_header(c) for c in row]
        if anchor in header:
            missing = [c for c in required if c not in header]
            if missing:
                raise ImportRefused(f"表头缺少列：{'、'.join(missing)}。表头应包含：{'、'.join(required)}（顺序不限）。",
                                    code="columns_missing", fields={"file": "缺少列"})
            return Table(path, kind, encoding, header, index + 1, max(0, sheet_rows - index - 1), sheet)
    raise ImportRefused(f"找不到表头：文件前 {HEADER_SEARCH_ROWS} 行中应有一行包含{'、'.join(required)}（顺序不限）。",
                        code="header_missing", fields={"file": "找不到表头"})


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without its mark) when the whole file decodes as such, else GBK (read as
    GB 18030, its superset); neither: refused."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("gb18030")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 22):
                if b"\x00" in chunk:
                    raise UnicodeDecodeError("gb18030", b"", 0, 1, "nul")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportRefused("文件既不是 Excel 文件，也不是 UTF-8 或 GBK 编码的 CSV 文件。", code="format") from None
    return "gb18030"


def _count_lines(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


# --- xlsx --------------------------------------------------------------------------------------

def _check_xlsx(path: Path) -> None:
    if path.stat().st_size > MAX_XLSX_BYTES:
        raise ImportRefused(f"Excel 文件过大：不能超过 {MAX_XLSX_BYTES // 1024 // 1024} MB，大文件请另存为 CSV 后导入。",
                            code="too_large")
    try:
        workbooks.check_workbook(path, LIMITS)
    except workbooks.WorkbookRefused as exc:
        raise ImportRefused(exc.message, code=CODES.get(exc.code, "format")) from None


def _sheet(path: Path):
    try:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception:  # calamine raises its own error types for damaged files
        raise ImportRefused(DAMAGED, code="format") from None


def _xlsx_rows(path: Path):
    try:
        yield from _sheet(path).iter_rows()
    except ImportRefused:
        raise
    except Exception:
        raise ImportRefused(DAMAGED, code="format") from None


def iter_all(path: Path) -> Iterator[list[str]]:
    with path.open("rb") as fh:
        head = fh.read(4)
    if head == b"PK\x03\x04":
        for row in _xlsx_rows(path):
            yield [cell_text(c) for c in row]
        return
    with path.open(encoding=_csv_encoding(path), newline="") as fh:
        yield from csv.reader(fh)


__all__ = ["MAX_CELL_CHARS", "Table", "cell_text", "clean_header", "iter_all", "open_table"]
