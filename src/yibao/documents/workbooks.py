"""Checks of an uploaded xlsx that every import shares: which parts of the archive a reader may
take as a sheet, and the refusal of formulas in any of them (a formula's cached value is not what
an office typed). The apps turn ``WorkbookRefused`` into their own refusal."""

from __future__ import annotations

import html
import posixpath
import re
import zipfile

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


class WorkbookRefused(Exception):
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
