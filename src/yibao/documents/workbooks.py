"""Checks of an uploaded xlsx that every import shares, before the workbook is read: a readable
archive that does not inflate beyond the app's limits (a compression bomb), which parts of it a
reader may take as a sheet and the refusal of formulas in any of them (a formula's cached value is
not what an office typed), and the first sheet's extent measured in a child process with capped
memory and time. ``check_workbook`` runs them all with the limits an app passes; the apps turn
``WorkbookRefused`` into their own refusal with their own codes."""

from __future__ import annotations

import hashlib
import html
import io
import logging
import posixpath
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

# The parts a reader takes as sheets: the sheet folders, and whatever the workbook's relationships
# point at, wherever it lies.
SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/")
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
MAX_RELS_BYTES = 1024 * 1024
# A formula element, whatever its namespace prefix: ``<f>``, ``<f t="shared" …/>``, ``<x:f>``. As the
# reader's XML parser does, a name runs to the first blank and its local part follows the first colon.
FORMULA = re.compile(rb"<(?![!?/])(?:[^ \t\r\n<>:]*:)?f[ \t\r\n/>]")
MAX_TAG_BYTES = 1024 * 1024   # a longer run without "<" is no spreadsheet part
NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件。"
HAS_FORMULAS = "文件中含有公式，为防止数据被篡改，请将公式转换为数值后再上传。"
DAMAGED = "无法读取该 Excel 文件，文件可能已损坏，请重新保存后上传。"
BOMB = "文件解压后异常庞大，已拒绝（疑似压缩炸弹）。"
TOO_LARGE_OR_DAMAGED = "无法读取该 Excel 文件：文件可能已损坏，或其中的表格范围过大。请检查后重新保存再上传。"
UNAVAILABLE = "服务器暂时无法检查 Excel 文件，请稍后再试，或另存为 CSV 后上传。"


class WorkbookRefused(Exception):
    """A refused workbook: ``code`` is one of "format" (not an xlsx, or damaged), "bomb",
    "formulas", "too_large" (the first sheet's extent) and "unavailable" (the sheet could not
    be measured on this server); ``message`` is the Chinese message."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


def sheet_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """Every part that may be read as a sheet: those in the sheet folders, and every part the
    workbook's relationships point at, wherever it lies and whatever its name (the reader takes
    a sheet's path from them)."""
    by_name = {i.filename: i for i in infos}
    parts = {i.filename for i in infos if i.filename.startswith(SHEET_FOLDERS)}
    rels = by_name.get(WORKBOOK_RELS)
    if rels is not None:
        if rels.file_size > MAX_RELS_BYTES:
            raise WorkbookRefused("format", NOT_XLSX)
        text = archive.read(rels).decode("utf-8", "replace")
        for match in re.finditer(r"""\bTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""", text):
            raw = match.group(1) if match.group(1) is not None else match.group(2)
            for target in {raw, html.unescape(raw)}:
                bare = target.lstrip("/")
                for candidate in (bare, f"xl/{bare}", posixpath.normpath(bare), posixpath.normpath(f"xl/{target}")):
                    if candidate in by_name:
                        parts.add(candidate)
    return [by_name[name] for name in sorted(parts)]


def refuse_formulas(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse a part holding a formula element; read in chunks, a tag cut by a chunk boundary
    is joined with the next chunk."""
    with archive.open(info) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            text = tail + chunk
            if FORMULA.search(text):
                raise WorkbookRefused("formulas", HAS_FORMULAS)
            tail = text[text.rfind(b"<"):] if b"<" in text else b""
            if len(tail) > MAX_TAG_BYTES:
                raise WorkbookRefused("format", NOT_XLSX)


def refuse_formulas_in_sheets(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """``refuse_formulas`` over every part a reader may take as a sheet."""
    for info in sheet_parts(archive, infos):
        refuse_formulas(archive, info)


# --- the whole check ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """An app's limits on an uploaded workbook."""

    unpacked_bytes: int       # all parts together, unpacked
    compression_ratio: int    # unpacked over packed size
    sheet_cells: int          # the first sheet's rows × columns, counted from A1
    probe_memory_bytes: int   # the measuring child's address space
    probe_seconds: int        # the measuring child's processor time


# The first sheet is measured by the reader in a child process first: a few kilobytes can declare
# a cell at XFD1048576, and the reader lays out every cell from A1 to it; the allocation fails in
# its native code, which aborts the whole process (a worker serving other requests) rather than
# raising. The child runs with capped memory and time; the sheet is read only if it fits.
SHEET_PROBE = """
import io, resource, sys
limit, seconds = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
from python_calamine import CalamineWorkbook
sheet = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read())).get_sheet_by_index(0)
end = sheet.end or (-1, -1)
print(end[0] + 1, end[1] + 1)
"""


def check_workbook(source: bytes | Path, limits: Limits) -> tuple[int, int]:
    """Check an uploaded xlsx (its bytes, or the file) before it is read, and answer its first
    sheet's rows and columns counted from A1. Refused (``WorkbookRefused``): an unreadable
    archive, one inflating beyond ``limits`` (a compression bomb), no workbook or a part named
    twice (readers differ on which of the two they take), a formula in any part a reader may take
    as a sheet, a damaged part, a first sheet larger than ``limits.sheet_cells``, or one that
    cannot be measured."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        infos = archive.infolist()
    except Exception:  # zipfile raises several error types for damaged archives
        raise WorkbookRefused("format", NOT_XLSX) from None
    with archive:
        unpacked = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if unpacked > limits.unpacked_bytes or unpacked / packed > limits.compression_ratio:
            raise WorkbookRefused("bomb", BOMB)
        names = [i.filename for i in infos]
        if "xl/workbook.xml" not in names or len(set(names)) != len(names):
            raise WorkbookRefused("format", NOT_XLSX)
        try:
            refuse_formulas_in_sheets(archive, infos)
        except WorkbookRefused:
            raise
        except Exception:  # a bad CRC, a broken deflate stream, an unsupported or encrypted member
            raise WorkbookRefused("format", DAMAGED) from None
    rows, columns = sheet_extent(source if isinstance(source, bytes) else Path(source).read_bytes(), limits)
    if rows * columns > limits.sheet_cells:
        raise WorkbookRefused("too_large", f"文件中的表格范围过大（{rows} 行 × {columns} 列），请删除多余的行、列后上传。")
    return rows, columns


def sheet_extent(data: bytes, limits: Limits) -> tuple[int, int]:
    """Rows and columns of the first sheet counted from A1, as the reader lays them out, measured
    in a child process with the memory and processor time of ``limits`` (see ``SHEET_PROBE``)."""
    try:
        command = [sys.executable, "-I", "-c", SHEET_PROBE, str(limits.probe_memory_bytes), str(limits.probe_seconds)]
        done = subprocess.run(command, input=data, capture_output=True,  # noqa: S603 (fixed command; data on stdin)
                              timeout=limits.probe_seconds * 2, check=False)
    except subprocess.TimeoutExpired:
        raise WorkbookRefused("format", TOO_LARGE_OR_DAMAGED) from None
    except OSError:  # no interpreter to start (sys.executable is not Python under this server)
        logger.exception("cannot start %s to measure an uploaded workbook", sys.executable)
        raise WorkbookRefused("unavailable", UNAVAILABLE) from None
    try:
        rows, columns = (int(n) for n in done.stdout.split())
    except ValueError:  # the reader refused the file, ran out of memory or time
        raise WorkbookRefused("format", TOO_LARGE_OR_DAMAGED) from None
    if done.returncode != 0:
        raise WorkbookRefused("format", TOO_LARGE_OR_DAMAGED)
    return max(rows, 0), max(columns, 0)


def sha256_of(path: Path) -> str:
    """An uploaded file's SHA-256 (hex), read in 4 MB chunks: how an import knows the same file
    uploaded again."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()
