"""The printed declaration forms as xlsx: the same figures as the data (numbers, two decimals),
nothing a spreadsheet would run as a formula, and set up to print on A4."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from .conftest import INJECTED_NAME, form_for, make_detail, make_report, make_unit, render_xlsx


def read_rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert len(book.sheet_names) == 1  # one sheet per form
    return book.get_sheet_by_index(0).to_python()


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def workbook_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()


def row_starting(rows, first) -> list:
    return next(r for r in rows if r and r[0] == first)


def cell_right_of(rows, label):
    for row in rows:
        for i, value in enumerate(row):
            if value == label:
                return row[i + 1]
    raise AssertionError(f"{label} not in sheet")


def money(value) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


@pytest.mark.parametrize("key", ["detail", "detail-retiree", "summary", "summary-retiree", "base-report",
                                 "commitment"])
def test_each_form_is_a_printable_workbook(forms, key):
    data = render_xlsx(forms[key])
    assert data[:2] == b"PK"
    rows = read_rows(data)
    assert form_for(forms[key]).heading(forms[key]) in rows[0]  # the merged title on top
    xml = sheet_xml(data)
    assert "<f>" not in xml  # no formulas anywhere
    setup = re.search(r"<pageSetup [^>]*>", xml).group(0)
    assert 'paperSize="9"' in setup  # A4
    assert ('orientation="landscape"' in setup) == key.startswith("detail")
    assert 'fitToPage="1"' in xml and 'fitToHeight="0"' in setup  # fit to the page width
    assert "<pageMargins " in xml and "<cols>" in xml and "<mergeCells " in xml
    assert "_xlnm.Print_Area" in workbook_xml(data)


def test_detail_workbook_lines_and_totals(forms):
    form = forms["detail"]
    data = render_xlsx(form)
    rows = read_rows(data)
    header = row_starting(rows, "序号")
    assert header == ["序号", "姓名", "身份证号码", "个人编号", "上年度基数（元）", "2023年度月平均实际工资（元）",
                      "2024年度缴费基数（元）", "保底封顶", "本人签字"]
    start = rows.index(header) + 1
    for line, row in zip(form.lines, rows[start:start + len(form.lines)], strict=True):
        assert row[0] == line.seq
        assert row[1:4] == [line.name, line.id_number, line.employee_number]
        assert row[4] == ("" if line.previous_base is None else money(line.previous_base))
        assert row[5] == money(line.declared_amount)
        assert row[6] == money(line.base)
        assert row[7] == line.clamp_label
    total = row_starting(rows, "合计")
    totals = form.totals
    assert total[2] == len(form.lines)
    assert total[4:7] == [money(totals.previous_base), money(totals.declared_amount), money(totals.base)]
    assert total[7] == f"按下限 {totals.at_floor} 人，按上限 {totals.at_ceiling} 人"
    assert cell_right_of(rows, "基数下限（元/月）") == 4242.0
    assert cell_right_of(rows, "基数上限（元/月）") == 21207.0
    flat = [v for r in rows for v in r]
    assert "单位经办人（签字）：" in flat and "单位（盖章）" in flat
    xml = sheet_xml(data)
    assert "_xlnm.Print_Titles" in workbook_xml(data)  # header row repeated on every printed page
    assert "第 &amp;P 页 共 &amp;N 页" in xml  # page numbers in the printed footer
    header_row = rows.index(header) + 1
    assert f'<pane ySplit="{header_row}"' in xml


def test_money_cells_are_numbers_with_two_decimals(forms):
    data = render_xlsx(forms["detail"])
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    money_format = re.search(r'<numFmt numFmtId="(\d+)" formatCode="0.00"/>', styles).group(1)
    xfs = re.search(r"<cellXfs [^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xf_formats = re.findall(r'<xf numFmtId="(\d+)"', xfs)
    cell = re.search(r'<c r="F7" s="(\d+)"><v>([\d.]+)</v></c>', sheet_xml(data))  # the first declared wage
    assert cell, "the declared wage is not written as a number"
    assert xf_formats[int(cell.group(1))] == money_format


def test_formula_like_text_is_neutralised():
    unit = make_unit(name="+cmd|' /C calc'!A0", contact_phone="-1+2", nature="@SUM(1)")
    form = make_detail(3, unit=unit, first_name=INJECTED_NAME)
    for data in (render_xlsx(form), render_xlsx(make_report_for(unit))):
        rows = read_rows(data)
        texts = {v for r in rows for v in r if isinstance(v, str)}
        assert not any(t.startswith(("=", "+", "-", "@")) for t in texts), texts
        assert "<f>" not in sheet_xml(data)
    rows = read_rows(render_xlsx(form))
    names = [r[1] for r in rows if r and isinstance(r[0], float)]
    assert names[0] == "'" + INJECTED_NAME
    assert "'+cmd|' /C calc'!A0" in {v for r in rows for v in r}


def make_report_for(unit):
    report = make_report()
    report.unit = unit
    return report


def test_summary_workbook_figures(forms):
    form = forms["summary"]
    rows = read_rows(render_xlsx(form))
    assert cell_right_of(rows, "单位名称") == form.unit.name
    assert cell_right_of(rows, "申报人数（人）") == form.headcount
    assert cell_right_of(rows, "2023年度月平均实际工资合计（元）") == money(form.declared_total)
    assert cell_right_of(rows, "缴费基数合计（元）") == money(form.base_total)
    assert cell_right_of(rows, "按下限（保底）人数") == form.at_floor
    assert cell_right_of(rows, "按上限（封顶）人数") == form.at_ceiling
    assert cell_right_of(rows, "缴费基数下限（元/月）") == 4242.0
    assert cell_right_of(rows, "缴费基数上限（元/月）") == 21207.0
    flat = [v for r in rows for v in r]
    assert "诚信申报承诺书" in flat
    assert any(isinstance(v, str) and v.strip().startswith(f"{form.unit.name}郑重承诺") for v in flat)
    for place in ("法定代表人（签字）：", "经办人（签字）：", "单位（盖章）", "年    月    日"):
        assert place in flat


def test_retiree_summary_workbook(forms):
    form = forms["summary-retiree"]
    rows = read_rows(render_xlsx(form))
    assert rows[0][0] == "医疗保险年报汇总表（退休）"
    assert cell_right_of(rows, "养老金月额合计（元）") == money(form.declared_total)
    assert cell_right_of(rows, "个人账户划入基数合计（元）") == money(form.base_total)


def test_base_report_workbook(forms):
    form = forms["base-report"]
    rows = read_rows(render_xlsx(form))
    assert rows[0][0] == "聊城市参保单位2024年度医疗保险缴费基数申报表"
    assert cell_right_of(rows, "单位名称（盖章）") == form.unit.name
    assert cell_right_of(rows, "单位编号") == form.unit.unit_number
    assert cell_right_of(rows, "单位申报工资总额") == money(form.declared_wage_total)
    assert cell_right_of(rows, "单位邮编") == form.unit.postcode
    assert cell_right_of(rows, "电话") == form.unit.contact_phone
    assert cell_right_of(rows, "项目") == "2023年年底缴费人数"
    for r in (form.active, form.retired):
        row = next(x for x in rows if r.label in x)
        i = row.index(r.label)
        assert row[i + 1:i + 5] == [r.headcount_prev_year_end, r.headcount_january,
                                    money(r.wage_total_prev_year), money(r.expected_base_total)]
    flat = [v for r in rows for v in r]
    assert f"备注：{form.note}" in flat and form.note.startswith("本表一式三份")
    assert any(isinstance(v, str) and v.startswith("法定代表人或单位负责人（签名）") for v in flat)


def test_commitment_workbook(forms):
    form = forms["commitment"]
    rows = read_rows(render_xlsx(form))
    flat = [v.strip("　") for r in rows for v in r if isinstance(v, str)]
    assert rows[0][0] == form.title == "聊城市参保单位医疗保险缴费基数申报承诺书"
    assert form.opening in flat and "2024年度医疗保险缴费基数申报" in form.opening
    assert f"一、{form.clauses[0]}" in flat and f"二、{form.clauses[1]}" in flat
    assert "单位名称（盖章）：聊城示范商贸有限公司" in flat
    assert "法定代表人或单位负责人（签名）：" in flat


def test_large_detail_workbook_is_quick():
    import time

    form = make_detail(2000)
    started = time.perf_counter()
    rows = read_rows(render_xlsx(form))
    assert time.perf_counter() - started < 10
    assert row_starting(rows, "合计")[2] == 2000
