"""The platform's check of an uploaded xlsx (yibao.documents.workbooks.check_workbook), with the
limits each app passes: the employer's declaration upload and the resident imports turn its
refusals into their own."""

from __future__ import annotations

import io

import pytest
import xlsxwriter

from yibao.documents import workbooks

LIMITS = workbooks.Limits(unpacked_bytes=10 * 1024 * 1024, compression_ratio=150, sheet_cells=1000,
                          probe_memory_bytes=2 * 1024 * 1024 * 1024, probe_seconds=60)


def workbook(rows: int = 3, columns: int = 4, *, formula: bool = False, filler: int = 0) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    for r in range(rows):
        for c in range(columns):
            sheet.write_string(r, c, f"{r}-{c}")
    if formula:
        sheet.write_formula(0, 0, "=1+1", None, 2)
    if filler:
        sheet.write_string(rows, 0, "0" * filler)  # compresses very well
    book.close()
    return buf.getvalue()


def refusal(source, limits=LIMITS) -> workbooks.WorkbookRefused:
    with pytest.raises(workbooks.WorkbookRefused) as refused:
        workbooks.check_workbook(source, limits)
    return refused.value


def test_a_plain_workbook_passes_with_its_first_sheets_extent(tmp_path):
    data = workbook(3, 4)
    assert workbooks.check_workbook(data, LIMITS) == (3, 4)
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    assert workbooks.check_workbook(path, LIMITS) == (3, 4)


def test_the_limits_are_the_callers():
    wide = workbook(40, 30)  # 1200 cells
    refused = refusal(wide)
    assert refused.code == "too_large" and "40 行 × 30 列" in refused.message
    assert workbooks.check_workbook(wide, workbooks.Limits(**{**LIMITS.__dict__, "sheet_cells": 1200})) == (40, 30)
    bomb = workbook(filler=30_000)
    assert workbooks.check_workbook(bomb, LIMITS)
    tight = workbooks.Limits(**{**LIMITS.__dict__, "compression_ratio": 5})
    assert refusal(bomb, tight).code == "bomb" and "压缩炸弹" in refusal(bomb, tight).message
    small = workbooks.Limits(**{**LIMITS.__dict__, "unpacked_bytes": 1024})
    assert refusal(workbook(), small).code == "bomb"


def test_formulas_and_what_is_no_workbook_are_refused():
    assert refusal(workbook(formula=True)).code == "formulas"
    assert refusal(b"PK\x03\x04 not really a zip").code == "format"
    empty_zip = b"PK\x05\x06" + b"\x00" * 18
    assert refusal(empty_zip).message == workbooks.NOT_XLSX


def test_a_server_that_cannot_measure_the_sheet_refuses_it_as_unavailable(monkeypatch):
    monkeypatch.setattr(workbooks.sys, "executable", "/nonexistent/python")
    refused = refusal(workbook())
    assert refused.code == "unavailable" and "暂时无法检查" in refused.message
