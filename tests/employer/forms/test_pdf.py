"""The printed declaration forms as PDF: A4, not blank, the right text and figures, CJK fonts
embedded, page numbers on multi-page detail forms, user text printed as text."""

import ctypes
import os
import re
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from yibao.documents.pdf import no_fetch_fetcher
from yibao.employer.forms import get_form
from yibao.employer.forms.commitment import CommitmentData

from .conftest import form_for, make_detail, make_letter, make_report, make_unit, render_html, render_pdf

A4_POINTS = (595.28, 841.89)
PREVIEW_DIR = os.environ.get("FORMS_PREVIEW_DIR")  # set it to keep the first pages as PNG


def pages_text(pdf: bytes) -> list[str]:
    doc = pypdfium2.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def flat(text: str) -> str:
    """Text without the line breaks and spaces the extraction puts where the layout wraps."""
    return re.sub(r"\s+", "", text)


def embedded_fonts(pdf: bytes) -> set[tuple[str, bool]]:
    doc = pypdfium2.PdfDocument(pdf)
    fonts = set()
    for i in range(len(doc)):
        for obj in doc[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
            fonts.add((buffer.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return fonts


FORM_KEYS = ["detail", "detail-retiree", "summary", "summary-retiree", "base-report", "commitment"]


@pytest.mark.parametrize("key", FORM_KEYS)
def test_first_page_is_a4_and_not_blank(pdfs, key):
    pdf = pdfs[key]
    assert pdf.startswith(b"%PDF")
    doc = pypdfium2.PdfDocument(pdf)
    width, height = doc[0].get_size()
    assert sorted((round(width), round(height))) == sorted(round(x) for x in A4_POINTS)
    if key.startswith("detail"):
        assert width > height  # the detail form is printed landscape
    image = doc[0].render(scale=1).to_pil().convert("L")
    if PREVIEW_DIR:
        Path(PREVIEW_DIR).mkdir(parents=True, exist_ok=True)
        doc[0].render(scale=2).to_pil().save(Path(PREVIEW_DIR) / f"{key}.png")
    dark = sum(image.histogram()[:160])
    assert dark > image.width * image.height * 0.005, "the first page is blank"


@pytest.mark.parametrize("key", FORM_KEYS)
def test_cjk_fonts_are_embedded(pdfs, key):
    fonts = embedded_fonts(pdfs[key])
    assert fonts
    names = {re.sub(r"^[A-Z]{6}\+", "", name).replace("-", "") for name, _ in fonts}
    assert all(n.startswith(("NotoSansCJK", "NotoSerifCJK")) for n in names), names
    assert all(embedded for _, embedded in fonts)


def test_detail_form_text(forms, pdfs):
    form = forms["detail"]
    text = flat("".join(pages_text(pdfs["detail"])))
    for expected in ["医疗保险年报明细表", "（2024年度）", form.unit.name, form.unit.unit_number, form.unit.uscc,
                     "序号", "姓名", "身份证号码", "个人编号", "上年度基数", "2023年度月平均实际工资（元）", "缴费基数",
                     "保底封顶", "本人签字", "合计", "单位经办人（签字）", "单位（盖章）", "第1页共1页",
                     "4,242.00", "21,207.00"]:
        assert flat(expected) in text, expected
    first = form.lines[0]
    assert first.name in text
    assert first.id_number in text  # printed whole: the form is a signed original
    totals = form.totals
    assert f"共{len(form.lines)}人" in text
    for amount in (totals.previous_base, totals.declared_amount, totals.base):
        assert f"{amount:,.2f}" in text
    assert totals.declared_amount == sum(x.declared_amount for x in form.lines)
    assert f"按下限{totals.at_floor}人，按上限{totals.at_ceiling}人" in text
    assert "按下限" in text and "按上限" in text


def test_detail_money_has_two_decimals_and_separators():
    form = make_detail(1)
    form.lines[0].declared_amount = Decimal("1234567.5")
    form.lines[0].base = Decimal("21207")
    form.lines[0].previous_base = None
    text = flat(pages_text(render_pdf(form))[0])
    assert "1,234,567.50" in text
    assert "21,207.00" in text
    assert "—" in text  # no previous base


def test_retiree_forms(forms, pdfs):
    detail = flat("".join(pages_text(pdfs["detail-retiree"])))
    assert "医疗保险年报明细表（退休）" in detail
    assert "养老金月额（元）" in detail
    assert "缴费基数下限" not in detail  # no bounds for retirees
    summary = flat("".join(pages_text(pdfs["summary-retiree"])))
    assert "医疗保险年报汇总表（退休）" in summary
    assert "诚信申报承诺书" in summary
    assert "退休人员本人签字确认" in summary
    assert f"{forms['summary-retiree'].base_total:,.2f}" in summary


def test_summary_form_text(forms, pdfs):
    form = forms["summary"]
    text = flat(pages_text(pdfs["summary"])[0])
    for expected in ["医疗保险年报汇总表", "（2024年度）", form.unit.name, form.unit.unit_number, form.unit.uscc,
                     form.unit.address, form.unit.contact_phone, "诚信申报承诺书", "法定代表人（签字）",
                     "经办人（签字）", "单位（盖章）", "年月日", f"{form.unit.name}郑重承诺", "职工本人签字确认",
                     "按下限（保底）人数", "按上限（封顶）人数"]:
        assert flat(expected) in text, expected
    for amount in (form.declared_total, form.base_total, form.floor, form.ceiling):
        assert f"{amount:,.2f}" in text
    assert f"申报人数（人）{form.headcount}" in text
    assert f"按下限（保底）人数{form.at_floor}" in text
    assert f"按上限（封顶）人数{form.at_ceiling}" in text


def test_summary_figures_agree_with_the_detail_lines(forms):
    detail, summary = forms["detail"], forms["summary"]
    totals = detail.totals
    assert (totals.headcount, totals.declared_amount, totals.base, totals.at_floor, totals.at_ceiling) == (
        summary.headcount, summary.declared_total, summary.base_total, summary.at_floor, summary.at_ceiling)


def test_base_report_layout_and_year(forms, pdfs):
    text = flat(pages_text(pdfs["base-report"])[0])
    for expected in ["聊城市参保单位2024年度医疗保险缴费基数申报表", "单位名称（盖章）", "单位性质", "单位编号", "单位地址",
                     "单位邮编", "单位申报工资总额", "经办人", "电话", "单位申报情况", "项目", "2023年年底缴费人数",
                     "2024年1月份缴费人数", "2023年缴费人员工资总额", "2024年预计缴费基数总额", "在职", "退休",
                     "申报单位经办人（签字）", "法定代表人或单位负责人（签名）", f"备注：{forms['base-report'].note}",
                     "聊城示范商贸有限公司", "37150200001", "252000"]:
        assert expected in text, expected
    assert "一式三份" in text and "稽核中心各一份" in text  # 附件2's 备注, from the policy file
    assert "在职44455,481,469.204,948,148.04" in text
    assert "退休12120.000.00" in text


def test_forms_use_the_declaration_year():
    report = flat(pages_text(render_pdf(make_report(2025)))[0])
    assert "2025年度医疗保险缴费基数申报表" in report
    assert "2024年年底缴费人数" in report and "2025年1月份缴费人数" in report
    assert "2024年缴费人员工资总额" in report and "2025年预计缴费基数总额" in report
    detail = flat(pages_text(render_pdf(make_detail(2, year=2025)))[0])
    assert "（2025年度）" in detail and "2024年度月平均实际工资" in detail and "2025年度缴费基数" in detail


def test_commitment_letter_prints_the_policy_wording(forms, pdfs):
    form = forms["commitment"]
    text = flat(pages_text(pdfs["commitment"])[0])
    for expected in [form.title, form.opening, f"一、{form.clauses[0]}", f"二、{form.clauses[1]}",
                     "单位名称（盖章）：聊城示范商贸有限公司", "法定代表人或单位负责人（签名）：", "年月日"]:
        assert flat(expected) in text, expected
    # the 聊城 2024 letter (附件1): both commitments, with 职工 signatures and 退休人员 counted
    for fact in ["聊城市参保单位医疗保险缴费基数申报承诺书", "2024年度医疗保险缴费基数申报", "职工本人签字认可",
                 "公示", "工资总额或职工人数（含退休人员）", "接受相关处罚"]:
        assert fact in text, fact


def test_commitment_letter_has_no_wording_of_its_own():
    form = make_letter(2026, title="某市承诺书", opening="我单位就2026年度申报承诺如下：",
                       clauses=["甲。", "乙。", "丙。"], signature_lines=["单位名称（盖章）", "经办人（签字）"])
    text = flat(pages_text(render_pdf(form))[0])
    for expected in ["某市承诺书", "我单位就2026年度申报承诺如下：", "一、甲。", "二、乙。", "三、丙。",
                     "单位名称（盖章）：聊城示范商贸有限公司", "经办人（签字）："]:
        assert expected in text, expected
    assert "法定代表人" not in text and "聊城市参保单位" not in text
    with pytest.raises(TypeError):
        CommitmentData(unit=make_unit(), year=2024)  # the wording must be given


def test_base_report_prints_the_note_given():
    text = flat(pages_text(render_pdf(make_report(note="本表一式两份。")))[0])
    assert "备注：本表一式两份。" in text and "稽核中心" not in text


def test_multi_page_detail_form_numbers_pages_and_repeats_the_header():
    form = make_detail(60)
    pages = pages_text(render_pdf(form))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        text = flat(page)
        assert f"第{number}页共{len(pages)}页" in text
        assert "身份证号码" in text and "本人签字" in text  # the table header on every page
        assert form.unit.name in text  # each page says whose it is
        assert "单位经办人（签字）" in text and "单位（盖章）" in text
    everything = flat("".join(pages))
    for line in form.lines:
        assert line.id_number in everything
    assert "合计" in flat(pages[-1]) and "合计" not in flat(pages[0])
    assert f"共{len(form.lines)}人" in flat(pages[-1])


def test_user_text_is_printed_as_text_not_markup():
    unit = make_unit(name='甲公司</style><b>"乙"</b>&amp;', contact_phone="0536<i>1</i>")
    form = make_detail(2, unit=unit, first_name="<img src=http://example.invalid/x.png>王五")
    html = render_html(form)
    assert "<img" not in html and "<b>" not in html and "</style><b>" not in html
    text = flat("".join(pages_text(render_pdf(form))))
    assert flat('甲公司</style><b>"乙"</b>&amp;') in text
    assert "<imgsrc=http://example.invalid/x.png>王五" in text


def test_nothing_is_fetched_from_outside():
    fetcher = no_fetch_fetcher()
    with pytest.raises(ValueError):
        fetcher("http://example.invalid/font.woff")
    with pytest.raises(ValueError):
        fetcher("file:///etc/passwd")


def filename_for(data, ext: str) -> str:
    return form_for(data).filename(data, ext)


def test_file_names(forms):
    assert filename_for(forms["detail"], "pdf") == "医疗保险年报明细表-37070500001-2024.pdf"
    assert filename_for(forms["detail-retiree"], "xlsx") == "医疗保险年报明细表（退休）-37070500001-2024.xlsx"
    assert filename_for(forms["summary"], "pdf") == "医疗保险年报汇总表-37070500001-2024.pdf"
    assert filename_for(forms["summary-retiree"], "pdf") == "医疗保险年报汇总表（退休）-37070500001-2024.pdf"
    assert filename_for(forms["base-report"], "pdf") == "缴费基数申报表-37150200001-2024.pdf"
    assert filename_for(forms["commitment"], "xlsx") == "缴费基数申报承诺书-37150200001-2024.xlsx"
    odd = make_detail(1, unit=make_unit(unit_number='../a/b:"c"'))
    assert "/" not in filename_for(odd, "pdf") and '"' not in filename_for(odd, "pdf")


def test_a_form_prints_only_its_own_data(forms):
    detail = get_form("detail")
    with pytest.raises(TypeError):
        detail.render_pdf(object())
    with pytest.raises(TypeError):
        detail.render_xlsx(forms["summary"])
    with pytest.raises(TypeError):
        detail.filename(forms["commitment"], "pdf")
    assert get_form("nope") is None
