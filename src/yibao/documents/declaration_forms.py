"""Printable forms of a unit's contribution-base declaration (缴费基数申报), as PDF and xlsx.

- 医疗保险年报明细表 (``DetailForm``): one line per person, with a column for each person's
  signature; the 潍坊 notice requires it signed by every employee (退休 version for retirees).
- 医疗保险年报汇总表 (``SummaryForm``): the unit's totals and the 诚信申报承诺书 with the places
  for the legal representative's and the clerk's signatures and the unit's stamp.
- 参保单位缴费基数申报表 (``BaseReportForm``): 聊城's grid of headcounts and annual totals for
  active and retired staff.
- 参保单位医疗保险缴费基数申报承诺书 (``CommitmentLetter``): 聊城's commitment letter.

What a notice prescribes for a form's wording (the 承诺书's title, opening, commitments and
signature lines; the 申报表's 备注) is not written here: it lives in the region's policy file
(questions ``employee.commitment_letter`` and ``employee.base_report_form``) and reaches these
data objects as fields. The only wording of our own is the 汇总表's 诚信申报承诺书 paragraph
(``summary_commitment``), for which the 潍坊 notice gives no text.

The data objects are filled by ``yibao.employer.forms_data``; every figure printed here is the
figure given (the detail form's 合计 row is the sum of its lines), so the forms agree with the
declaration. PDFs are laid out by WeasyPrint on A4 with the Noto CJK fonts of the system
(embedded as subsets, nothing fetched from anywhere); workbooks are written by XlsxWriter with
print settings, and every text cell goes through ``safe_cell`` so nothing reads as a formula.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .pdf import BASE_CSS, SANS, write_pdf
from .pdf import estimated_pages as _pages
from .xlsx import FormBook, cents

RETIREE = "retiree"


# ---------------------------------------------------------------------------------------------
# Data of the forms
# ---------------------------------------------------------------------------------------------


@dataclass
class FormUnit:
    name: str
    unit_number: str
    uscc: str = ""
    nature: str = ""
    address: str = ""
    postcode: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    region_name: str = ""


@dataclass
class FormLine:
    seq: int
    name: str
    id_number: str
    employee_number: str
    previous_base: Decimal | None
    declared_amount: Decimal | None
    base: Decimal | None
    clamp_label: str = ""


@dataclass
class DetailForm:
    unit: FormUnit
    year: int
    kind: str
    amount_title: str
    lines: list[FormLine]
    generated_at: datetime
    floor: Decimal | None = None
    ceiling: Decimal | None = None


@dataclass
class SummaryForm:
    unit: FormUnit
    year: int
    kind: str
    headcount: int
    declared_total: Decimal
    base_total: Decimal
    at_floor: int
    at_ceiling: int
    generated_at: datetime
    floor: Decimal | None = None
    ceiling: Decimal | None = None


@dataclass
class BaseReportRow:
    label: str
    headcount_prev_year_end: int
    headcount_january: int
    wage_total_prev_year: Decimal
    expected_base_total: Decimal


@dataclass
class BaseReportForm:
    unit: FormUnit
    year: int
    declared_wage_total: Decimal
    active: BaseReportRow
    retired: BaseReportRow
    generated_at: datetime
    note: str                   # the 备注 under the grid (policy: employee.base_report_form)


@dataclass
class CommitmentLetter:
    """The wording is the region's (policy: ``employee.commitment_letter``). Clauses are printed
    numbered 一、二、…; a signature line naming the 单位名称 is printed with the unit's name."""

    unit: FormUnit
    year: int
    title: str
    opening: str
    clauses: list[str]
    signature_lines: list[str]


Form = DetailForm | SummaryForm | BaseReportForm | CommitmentLetter


# ---------------------------------------------------------------------------------------------
# Titles and texts of the forms
# ---------------------------------------------------------------------------------------------


def _retiree(form) -> bool:
    return getattr(form, "kind", "") == RETIREE


def form_title(form: Form) -> str:
    if isinstance(form, DetailForm):
        return "医疗保险年报明细表（退休）" if _retiree(form) else "医疗保险年报明细表"
    if isinstance(form, SummaryForm):
        return "医疗保险年报汇总表（退休）" if _retiree(form) else "医疗保险年报汇总表"
    if isinstance(form, BaseReportForm):
        return f"{form.unit.region_name}参保单位{form.year}年度医疗保险缴费基数申报表"
    if isinstance(form, CommitmentLetter):
        return form.title
    raise TypeError(f"not a declaration form: {type(form).__name__}")


_SHORT_NAMES = {DetailForm: "医疗保险年报明细表", SummaryForm: "医疗保险年报汇总表",
                BaseReportForm: "缴费基数申报表", CommitmentLetter: "缴费基数申报承诺书"}
_UNSAFE_IN_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f\x7f]+")


def filename_for(form: Form, ext: str) -> str:
    """File name of a download, e.g. ``医疗保险年报明细表-37070500001-2024.pdf``."""
    title = _SHORT_NAMES.get(type(form))
    if title is None:
        raise TypeError(f"not a declaration form: {type(form).__name__}")
    if _retiree(form):
        title += "（退休）"
    number = _UNSAFE_IN_NAME.sub("_", form.unit.unit_number).strip(". ") or "unit"
    return f"{title}-{number}-{form.year}.{ext.lstrip('.')}"


def _amount_total_label(form: SummaryForm) -> str:
    return "养老金月额合计（元）" if _retiree(form) else f"{form.year - 1}年度月平均实际工资合计（元）"


def _base_label(form) -> str:
    return "个人账户划入基数" if _retiree(form) else "缴费基数"


def summary_commitment(form: SummaryForm) -> str:
    """The 诚信申报承诺书 paragraph of the summary form, in the unit's name.

    This is the project's own wording: the 潍坊 notice (《关于做好2024年度参保单位职工基本医疗保险
    缴费基数申报调整工作的通知》 二、申报流程（一）2 and （二）3) requires the 汇总表 to carry a
    诚信申报承诺书 but gives no text for it, so the policy file has none (``employee.commitment_letter``
    answers not_configured for 潍坊)."""
    if _retiree(form):
        return (f"{form.unit.name}郑重承诺：本单位已按规定如实申报退休人员养老金月额，本表及所附"
                f"《医疗保险年报明细表（退休）》所列{form.year}年度退休人员医疗保险个人账户划入基数等"
                "数据真实、准确、完整，并经退休人员本人签字确认。如有虚报、瞒报、漏报，"
                "本单位愿承担由此产生的一切责任。")
    return (f"{form.unit.name}郑重承诺：本单位已按规定如实申报职工{form.year - 1}年度月平均实际工资收入"
            f"（高于缴费基数上限或低于下限的亦如实申报），本表及所附《医疗保险年报明细表》所列"
            f"{form.year}年度缴费基数等数据真实、准确、完整，并经职工本人签字确认。"
            "如有虚报、瞒报、漏报，本单位愿承担由此产生的一切责任。")


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (1 to 99)."""
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def numbered_clauses(form: CommitmentLetter) -> list[str]:
    """The commitments as printed: 一、…, 二、…"""
    return [f"{_cn_number(i)}、{c}" for i, c in enumerate(form.clauses, start=1)]


def signature_texts(form: CommitmentLetter) -> list[str]:
    """The signature lines as printed: the 单位名称 line carries the unit's name."""
    return [f"{label}：{form.unit.name}" if "单位名称" in label else f"{label}："
            for label in form.signature_lines]


def report_note(form: BaseReportForm) -> str:
    return f"备注：{form.note}" if form.note else ""


def _report_columns(year: int) -> list[str]:
    return [f"{year - 1}年年底缴费人数", f"{year}年1月份缴费人数", f"{year - 1}年缴费人员工资总额",
            f"{year}年预计缴费基数总额"]


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------


def money(value, empty: str = "—") -> str:
    """Two decimals with thousands separators: ``21,207.00``."""
    v = cents(value)
    return empty if v is None else f"{v:,.2f}"


def _total(values: Iterable) -> Decimal:
    return sum((Decimal(str(v)) if not isinstance(v, Decimal) else v for v in values if v is not None),
               Decimal(0))


@dataclass
class DetailTotals:
    headcount: int
    previous_base: Decimal
    declared_amount: Decimal
    base: Decimal
    at_floor: int = 0
    at_ceiling: int = 0


def detail_totals(form: DetailForm) -> DetailTotals:
    """The 合计 row: headcount and the sums of the lines' amounts."""
    lines = form.lines
    return DetailTotals(
        headcount=len(lines),
        previous_base=_total(x.previous_base for x in lines),
        declared_amount=_total(x.declared_amount for x in lines),
        base=_total(x.base for x in lines),
        at_floor=sum(1 for x in lines if x.clamp_label and ("下限" in x.clamp_label or "保底" in x.clamp_label)),
        at_ceiling=sum(1 for x in lines if x.clamp_label and ("上限" in x.clamp_label or "封顶" in x.clamp_label)),
    )


def _stamp(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


# ---------------------------------------------------------------------------------------------
# PDF (WeasyPrint)
# ---------------------------------------------------------------------------------------------

def _h(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _css_string(value: str) -> str:
    """A CSS string literal; anything that could end the string or the <style> element is escaped."""
    out = []
    for ch in value:
        if ch.isalnum() or ch in " （）()·-_.,，、：:" or ord(ch) > 0x7F and ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _html(title: str, css: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{_h(title)}</title>'
            f"<style>{css}</style></head><body>{body}</body></html>")


# -- 明细表 --------------------------------------------------------------------------------------

DETAIL_CSS = f"""
@page {{
  size: A4 landscape;
  margin: 15mm 12mm 19mm 12mm;
  @top-left {{ content: RUNNING_UNIT; font-family: {SANS}; font-size: 8pt; color: #333;
              vertical-align: bottom; padding-bottom: 2mm; }}
  @top-right {{ content: RUNNING_TITLE; font-family: {SANS}; font-size: 8pt; color: #333;
               vertical-align: bottom; padding-bottom: 2mm; }}
  @bottom-left {{ content: "单位经办人（签字）：＿＿＿＿＿＿＿＿　　单位（盖章）：　　　　　　　　　　　　年　　月　　日";
                 font-family: {SANS}; font-size: 9.5pt; vertical-align: top; padding-top: 4mm; width: 75%; }}
  @bottom-right {{ content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-family: {SANS};
                  font-size: 8.5pt; vertical-align: top; padding-top: 4.5mm; }}
  @bottom-center {{ content: none; }}
}}
.meta {{ font-family: {SANS}; font-size: 9pt; }}
.meta span + span {{ margin-left: 6mm; }}
table.lines {{ table-layout: fixed; font-family: {SANS}; font-size: 9pt; }}
table.lines th {{ font-weight: bold; font-size: 8.5pt; background: #eee; padding: 1mm 1mm;
                 text-align: center; vertical-align: middle; line-height: 1.25; }}
table.lines td {{ height: 7.4mm; padding: 0 1.4mm; vertical-align: middle; line-height: 1.2; }}
table.lines td.name {{ overflow-wrap: anywhere; word-break: break-all; }}
table.lines td.id {{ font-size: 9pt; letter-spacing: 0.15pt; white-space: nowrap; text-align: center; }}
table.lines tr {{ page-break-inside: avoid; }}
table.lines tr.total {{ break-before: avoid; }}
table.lines tr.total td {{ font-weight: bold; background: #f4f4f4; }}
"""

DETAIL_WIDTHS = ["5%", "11%", "15.5%", "10.5%", "10%", "12%", "10%", "7%", "19%"]


def _detail_html(form: DetailForm) -> str:
    title = form_title(form)
    u = form.unit
    t = detail_totals(form)
    base = _base_label(form)
    running_unit = f"{u.name}（单位编号：{u.unit_number}）"
    running_title = f"{title} · {form.year}年度"
    css = (BASE_CSS + DETAIL_CSS).replace("RUNNING_UNIT", _css_string(running_unit)).replace(
        "RUNNING_TITLE", _css_string(running_title))

    meta = [f"<span>单位名称：{_h(u.name)}</span>", f"<span>单位编号：{_h(u.unit_number)}</span>"]
    if u.uscc:
        meta.append(f"<span>统一社会信用代码：{_h(u.uscc)}</span>")
    contact = [f"<span>经办人：{_h(u.contact_name)}</span>" if u.contact_name else "",
               f"<span>联系电话：{_h(u.contact_phone)}</span>" if u.contact_phone else ""]
    meta2 = [f"<span>申报年度：{form.year}年</span>"]
    if form.floor is not None or form.ceiling is not None:
        meta2.append(f"<span>缴费基数下限：{money(form.floor)} 元/月　上限：{money(form.ceiling)} 元/月"
                     "（低于下限的按下限、高于上限的按上限确定缴费基数）</span>")
    meta2.append(f"<span>打印时间：{_h(_stamp(form.generated_at))}</span>")

    head = ["序号", "姓名", "身份证号码", "个人编号", "上年度基数（元）", _h(form.amount_title),
            f"{form.year}年度{base}（元）", "保底封顶", "本人签字"]
    out = [
        f"<h1>{_h(title)}</h1>",
        f'<p class="subtitle">（{form.year}年度）</p>',
        f'<div class="meta"><div>{"".join(meta)}</div><div>{"".join(contact)}</div></div>',
        f'<div class="meta"><div>{"".join(meta2[:-1])}</div><div>{meta2[-1]}</div></div>',
        '<table class="lines"><colgroup>',
        "".join(f'<col style="width:{w}">' for w in DETAIL_WIDTHS),
        "</colgroup><thead><tr>",
        "".join(f"<th>{x}</th>" for x in head),
        "</tr></thead><tbody>",
    ]
    row = ('<tr><td class="c">{}</td><td class="name">{}</td><td class="id">{}</td><td class="c">{}</td>'
           '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="c">{}</td>'
           "<td></td></tr>")
    out.extend(row.format(x.seq, _h(x.name), _h(x.id_number), _h(x.employee_number), money(x.previous_base),
                          money(x.declared_amount), money(x.base), _h(x.clamp_label))
               for x in form.lines)
    clamps = f"按下限 {t.at_floor} 人，按上限 {t.at_ceiling} 人" if not _retiree(form) else ""
    out.append(f'<tr class="total"><td class="c" colspan="2">合计</td><td class="c">共 {t.headcount} 人</td>'
               f'<td></td><td class="num">{money(t.previous_base)}</td>'
               f'<td class="num">{money(t.declared_amount)}</td><td class="num">{money(t.base)}</td>'
               f'<td class="c" colspan="2">{clamps}</td></tr>')
    out.append("</tbody></table>")
    return _html(title, css, "".join(out))


# -- 汇总表 --------------------------------------------------------------------------------------

SUMMARY_CSS = f"""
table.sheet {{ table-layout: fixed; font-size: 10.5pt; }}
table.sheet td {{ padding: 2mm 2.2mm; height: 8.5mm; vertical-align: middle; }}
table.sheet td.k {{ background: #f2f2f2; text-align: center; font-family: {SANS}; font-size: 9.5pt; }}
table.sheet td.section {{ text-align: center; font-weight: bold; font-family: {SANS};
                          background: #e6e6e6; }}
table.sheet td.letter {{ padding: 5mm 7mm 6mm 7mm; vertical-align: top; }}
.letter h2 {{ text-align: center; font-size: 15pt; margin: 0 0 4mm 0; letter-spacing: 2pt; }}
.letter p {{ text-indent: 2em; line-height: 1.9; margin: 0 0 8mm 0; text-align: justify; }}
table.signs {{ width: 100%; font-size: 10.5pt; }}
table.signs td {{ border: none; padding: 0; height: 13mm; vertical-align: bottom; }}
table.signs td.line {{ border-bottom: 0.6pt solid #000; }}
table.signs td.stamp {{ text-align: center; vertical-align: top; padding-top: 2mm; }}
table.signs td.date {{ text-align: right; padding-right: 4mm; }}
"""


def _summary_html(form: SummaryForm) -> str:
    title = form_title(form)
    u = form.unit
    retiree = _retiree(form)
    base = _base_label(form)
    k = '<td class="k">{}</td>'.format
    rows = [
        f'<tr>{k("单位名称")}<td colspan="3">{_h(u.name)}</td></tr>',
        f'<tr>{k("单位编号")}<td>{_h(u.unit_number)}</td>{k("统一社会信用代码")}<td>{_h(u.uscc)}</td></tr>',
        f'<tr>{k("单位性质")}<td>{_h(u.nature)}</td>{k("所属统筹区")}<td>{_h(u.region_name)}</td></tr>',
        f'<tr>{k("单位地址")}<td>{_h(u.address)}</td>{k("单位邮编")}<td>{_h(u.postcode)}</td></tr>',
        f'<tr>{k("经办人")}<td>{_h(u.contact_name)}</td>{k("联系电话")}<td>{_h(u.contact_phone)}</td></tr>',
        f'<tr><td class="section" colspan="4">{form.year}年度申报汇总</td></tr>',
        f'<tr>{k("申报人数（人）")}<td class="num">{form.headcount}</td>'
        f'{k(_amount_total_label(form))}<td class="num">{money(form.declared_total)}</td></tr>',
        f'<tr>{k(f"{base}合计（元）")}<td class="num">{money(form.base_total)}</td>'
        f'{k("申报年度")}<td class="num">{form.year}</td></tr>',
    ]
    if not retiree or form.floor is not None or form.ceiling is not None:
        rows.append(f'<tr>{k("按下限（保底）人数")}<td class="num">{form.at_floor}</td>'
                    f'{k("按上限（封顶）人数")}<td class="num">{form.at_ceiling}</td></tr>')
        rows.append(f'<tr>{k("缴费基数下限（元/月）")}<td class="num">{money(form.floor)}</td>'
                    f'{k("缴费基数上限（元/月）")}<td class="num">{money(form.ceiling)}</td></tr>')
    letter = (
        '<tr><td class="letter" colspan="4"><h2>诚信申报承诺书</h2>'
        f"<p>{_h(summary_commitment(form))}</p>"
        '<table class="signs"><colgroup><col style="width:27%"><col style="width:30%"><col style="width:5%">'
        '<col style="width:38%"></colgroup>'
        '<tr><td>法定代表人（签字）：</td><td class="line"></td><td></td>'
        '<td class="stamp" rowspan="2">单位（盖章）</td></tr>'
        '<tr><td>经办人（签字）：</td><td class="line"></td><td></td></tr>'
        '<tr><td>联系电话：</td><td class="line">' + _h(u.contact_phone) + '</td><td></td>'
        '<td class="date">年　　月　　日</td></tr></table></td></tr>'
    )
    body = (
        f"<h1>{_h(title)}</h1>"
        f'<p class="subtitle">（{form.year}年度）</p>'
        f'<div class="meta"><div>单位编号：{_h(u.unit_number)}</div>'
        f"<div>打印时间：{_h(_stamp(form.generated_at))}</div></div>"
        '<table class="sheet"><colgroup><col style="width:24%"><col style="width:26%">'
        '<col style="width:24%"><col style="width:26%"></colgroup><tbody>'
        + "".join(rows) + letter + "</tbody></table>"
    )
    return _html(title, BASE_CSS + SUMMARY_CSS, body)


# -- 缴费基数申报表 (聊城 附件2) -----------------------------------------------------------------

REPORT_CSS = """
@page { margin: 22mm 18mm 20mm 18mm; }
h1 { font-size: 17pt; margin-bottom: 6mm; }
.meta { font-size: 9pt; }
table.grid { table-layout: fixed; font-size: 10.5pt; }
table.grid td { padding: 1.6mm 1.8mm; height: 14mm; text-align: center; vertical-align: middle;
                 line-height: 1.35; }
table.grid td.v { text-align: left; }
table.grid td.num { text-align: right; }
table.grid td.sig { height: 52mm; text-align: left; vertical-align: top; padding: 4mm 4mm; }
.sig .date { margin-top: 30mm; text-align: right; padding-right: 6mm; }
.note { margin-top: 3mm; font-size: 10pt; }
"""


def _report_html(form: BaseReportForm) -> str:
    title = form_title(form)
    u = form.unit
    cols = _report_columns(form.year)

    def figures(r: BaseReportRow) -> str:
        return (f'<td class="c">{_h(r.label)}</td><td class="num">{r.headcount_prev_year_end}</td>'
                f'<td class="num">{r.headcount_january}</td><td class="num">{money(r.wage_total_prev_year)}</td>'
                f'<td class="num">{money(r.expected_base_total)}</td>')

    body = (
        f"<h1>{_h(title)}</h1>"
        '<table class="grid"><colgroup><col style="width:15%"><col style="width:17%"><col style="width:16%">'
        '<col style="width:16%"><col style="width:18%"><col style="width:18%"></colgroup><tbody>'
        f'<tr><td>单位名称（盖章）</td><td class="v" colspan="2">{_h(u.name)}</td><td>单位性质</td>'
        f'<td class="v" colspan="2">{_h(u.nature)}</td></tr>'
        f'<tr><td rowspan="2">单位编号</td><td class="v" rowspan="2" colspan="2">{_h(u.unit_number)}</td>'
        f'<td>单位地址</td><td class="v" colspan="2">{_h(u.address)}</td></tr>'
        f'<tr><td>单位邮编</td><td class="v" colspan="2">{_h(u.postcode)}</td></tr>'
        f'<tr><td>单位申报工资总额</td><td class="num">{money(form.declared_wage_total)}</td><td>经办人</td>'
        f'<td class="v">{_h(u.contact_name)}</td><td>电话</td><td class="v">{_h(u.contact_phone)}</td></tr>'
        '<tr><td rowspan="3">单位申报情况</td><td>项目</td>'
        + "".join(f"<td>{_h(c)}</td>" for c in cols) + "</tr>"
        f"<tr>{figures(form.active)}</tr><tr>{figures(form.retired)}</tr>"
        '<tr><td class="sig" colspan="3">申报单位经办人（签字）：<div class="date">年　　月　　日</div></td>'
        '<td class="sig" colspan="3">法定代表人或单位负责人（签名）：<div class="date">年　　月　　日</div></td></tr>'
        "</tbody></table>"
        + (f'<p class="note">{_h(report_note(form))}</p>' if form.note else "")
        + '<div class="meta"><div>金额单位：元</div>'
        f"<div>打印时间：{_h(_stamp(form.generated_at))}</div></div>"
    )
    return _html(title, BASE_CSS + REPORT_CSS, body)


# -- 承诺书 (聊城 附件1) -------------------------------------------------------------------------

LETTER_CSS = """
@page { margin: 30mm 26mm 28mm 26mm; @bottom-center { content: none; } }
h1 { font-size: 18pt; line-height: 1.5; margin: 6mm 0 10mm 0; }
p { font-size: 14pt; line-height: 2; text-indent: 2em; margin: 0 0 3mm 0; text-align: justify; }
.signs { margin: 24mm 0 0 0; font-size: 14pt; line-height: 2.6; padding-left: 30%; }
.signs .date { text-align: right; padding-right: 10mm; margin-top: 4mm; }
"""


def _letter_html(form: CommitmentLetter) -> str:
    title = form_title(form)
    body = (
        f"<h1>{_h(title)}</h1>"
        f"<p>{_h(form.opening)}</p>"
        + "".join(f"<p>{_h(c)}</p>" for c in numbered_clauses(form))
        + '<div class="signs">'
        + "".join(f"<div>{_h(line)}</div>" for line in signature_texts(form))
        + '<div class="date">年　　月　　日</div></div>'
    )
    return _html(title, BASE_CSS + LETTER_CSS, body)


def render_html(form: Form) -> str:
    """The HTML the PDF is laid out from (also handy to preview a form in a browser)."""
    if isinstance(form, DetailForm):
        return _detail_html(form)
    if isinstance(form, SummaryForm):
        return _summary_html(form)
    if isinstance(form, BaseReportForm):
        return _report_html(form)
    if isinstance(form, CommitmentLetter):
        return _letter_html(form)
    raise TypeError(f"not a declaration form: {type(form).__name__}")


# Rows of the 明细表 on one landscape A4 page (measured: 2,000 lines make 96 pages), used to
# estimate the page count for a progress bar before the layout is done.
DETAIL_ROWS_PER_PAGE = 21


def estimated_pages(form: Form) -> int:
    if isinstance(form, DetailForm):
        return _pages(len(form.lines) + 1, DETAIL_ROWS_PER_PAGE)
    return 1


def render_pdf(form: Form, progress=None) -> bytes:
    """The form as an A4 PDF with the Noto CJK fonts embedded. ``progress(page)`` is called as
    each page is laid out (compare with ``estimated_pages``)."""
    return write_pdf(render_html(form), progress)


# ---------------------------------------------------------------------------------------------
# xlsx (XlsxWriter)
# ---------------------------------------------------------------------------------------------


def _Book(sheet_name: str) -> FormBook:
    book = FormBook()
    book.add_sheet(sheet_name)
    return book


def _detail_xlsx(form: DetailForm) -> bytes:
    title = form_title(form)
    u = form.unit
    t = detail_totals(form)
    book = _Book("明细表（退休）" if _retiree(form) else "明细表")
    ws = book.ws
    widths = [6, 12, 22, 14, 14, 16, 14, 10, 24]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(widths) - 1
    book.merge_text(0, 0, 0, last, title, book.title)
    ws.set_row(0, 30)
    book.merge_text(1, 0, 1, last, f"（{form.year}年度）", book.subtitle)
    book.merge_text(2, 0, 2, 1, "单位名称", book.key)
    book.merge_text(2, 2, 2, 4, u.name, book.text)
    book.text_cell(2, 5, "单位编号", book.key)
    book.text_cell(2, 6, u.unit_number, book.text)
    book.text_cell(2, 7, "信用代码", book.key)
    book.text_cell(2, 8, u.uscc, book.text)
    book.merge_text(3, 0, 3, 1, "申报年度", book.key)
    book.merge_text(3, 2, 3, 4, f"{form.year}年", book.text)
    if form.floor is not None or form.ceiling is not None:
        book.text_cell(3, 5, "基数下限（元/月）", book.key)
        book.number_cell(3, 6, form.floor, book.number)
        book.text_cell(3, 7, "基数上限（元/月）", book.key)
        book.number_cell(3, 8, form.ceiling, book.number)
    else:
        book.text_cell(3, 5, "打印时间", book.key)
        book.merge_text(3, 6, 3, 8, _stamp(form.generated_at), book.text)
    header_row = 5
    head = ["序号", "姓名", "身份证号码", "个人编号", "上年度基数（元）", form.amount_title,
            f"{form.year}年度{_base_label(form)}（元）", "保底封顶", "本人签字"]
    for col, name in enumerate(head):
        book.text_cell(header_row, col, name, book.head)
    ws.set_row(header_row, 36)
    row = header_row
    for line in form.lines:
        row += 1
        ws.write_number(row, 0, line.seq, book.center)
        book.text_cell(row, 1, line.name, book.text)
        book.text_cell(row, 2, line.id_number, book.center)
        book.text_cell(row, 3, line.employee_number, book.center)
        book.number_cell(row, 4, line.previous_base, book.number)
        book.number_cell(row, 5, line.declared_amount, book.number)
        book.number_cell(row, 6, line.base, book.number)
        book.text_cell(row, 7, line.clamp_label, book.center)
        ws.write_blank(row, 8, None, book.text)
        ws.set_row(row, 24)
    row += 1
    book.merge_text(row, 0, row, 1, "合计", book.total_text)
    ws.write_number(row, 2, t.headcount, book.total_count)
    ws.write_blank(row, 3, None, book.total_text)
    book.number_cell(row, 4, t.previous_base, book.total_number)
    book.number_cell(row, 5, t.declared_amount, book.total_number)
    book.number_cell(row, 6, t.base, book.total_number)
    clamps = "" if _retiree(form) else f"按下限 {t.at_floor} 人，按上限 {t.at_ceiling} 人"
    book.merge_text(row, 7, row, 8, clamps, book.total_text)
    ws.set_row(row, 24)
    row += 2
    book.merge_text(row, 0, row, 3, "单位经办人（签字）：", book.sign)
    book.merge_text(row, 4, row, 5, f"联系电话：{u.contact_phone}", book.sign)
    book.merge_text(row, 6, row, 8, "单位（盖章）", book.sign)
    ws.set_row(row, 30)
    row += 1
    book.merge_text(row, 6, row, 8, "年    月    日", book.sign)
    ws.set_row(row, 30)
    if form.floor is not None or form.ceiling is not None:
        book.merge_text(row + 1, 0, row + 1, last, f"打印时间：{_stamp(form.generated_at)}", book.plain)
    ws.freeze_panes(header_row + 1, 0)
    book.print_setup(landscape=True, repeat=(header_row, header_row),
                     header=f"{u.name}（单位编号：{u.unit_number}）  {title} · {form.year}年度",
                     signature_footer=True)
    ws.print_area(0, 0, row + 1, last)
    return book.close()


def _summary_xlsx(form: SummaryForm) -> bytes:
    u = form.unit
    book = _Book("汇总表（退休）" if _retiree(form) else "汇总表")
    ws = book.ws
    for col, width in enumerate([24, 30, 26, 28]):
        ws.set_column(col, col, width)
    book.merge_text(0, 0, 0, 3, form_title(form), book.title)
    ws.set_row(0, 30)
    book.merge_text(1, 0, 1, 3, f"（{form.year}年度）", book.subtitle)
    row = 2
    book.merge_text(row, 0, row, 0, "单位名称", book.key)
    book.merge_text(row, 1, row, 3, u.name, book.text)
    pairs = [("单位编号", u.unit_number, "统一社会信用代码", u.uscc),
             ("单位性质", u.nature, "所属统筹区", u.region_name),
             ("单位地址", u.address, "单位邮编", u.postcode),
             ("经办人", u.contact_name, "联系电话", u.contact_phone)]
    for k1, v1, k2, v2 in pairs:
        row += 1
        book.text_cell(row, 0, k1, book.key)
        book.text_cell(row, 1, v1, book.text)
        book.text_cell(row, 2, k2, book.key)
        book.text_cell(row, 3, v2, book.text)
    row += 1
    book.merge_text(row, 0, row, 3, f"{form.year}年度申报汇总", book.section)
    row += 1
    book.text_cell(row, 0, "申报人数（人）", book.key)
    ws.write_number(row, 1, form.headcount, book.integer)
    book.text_cell(row, 2, _amount_total_label(form), book.key)
    book.number_cell(row, 3, form.declared_total, book.number)
    row += 1
    book.text_cell(row, 0, f"{_base_label(form)}合计（元）", book.key)
    book.number_cell(row, 1, form.base_total, book.number)
    book.text_cell(row, 2, "申报年度", book.key)
    ws.write_number(row, 3, form.year, book.integer)
    if not _retiree(form) or form.floor is not None or form.ceiling is not None:
        row += 1
        book.text_cell(row, 0, "按下限（保底）人数", book.key)
        ws.write_number(row, 1, form.at_floor, book.integer)
        book.text_cell(row, 2, "按上限（封顶）人数", book.key)
        ws.write_number(row, 3, form.at_ceiling, book.integer)
        row += 1
        book.text_cell(row, 0, "缴费基数下限（元/月）", book.key)
        book.number_cell(row, 1, form.floor, book.number)
        book.text_cell(row, 2, "缴费基数上限（元/月）", book.key)
        book.number_cell(row, 3, form.ceiling, book.number)
    for r in range(2, row + 1):
        ws.set_row(r, 22)
    row += 1
    book.merge_text(row, 0, row, 3, "诚信申报承诺书", book.section)
    ws.set_row(row, 26)
    row += 1
    book.merge_text(row, 0, row, 3, "　　" + summary_commitment(form), book.letter)
    ws.set_row(row, 96)
    row += 2
    book.text_cell(row, 0, "法定代表人（签字）：", book.sign)
    book.text_cell(row, 2, "单位（盖章）", book.sign)
    ws.set_row(row, 30)
    row += 1
    book.text_cell(row, 0, "经办人（签字）：", book.sign)
    ws.set_row(row, 30)
    row += 1
    book.text_cell(row, 2, "年    月    日", book.sign)
    ws.set_row(row, 30)
    row += 1
    book.merge_text(row, 0, row, 3, f"打印时间：{_stamp(form.generated_at)}", book.plain)
    book.print_setup(landscape=False)
    ws.print_area(0, 0, row, 3)
    return book.close()


def _report_xlsx(form: BaseReportForm) -> bytes:
    u = form.unit
    book = _Book("申报表")
    ws = book.ws
    for col, width in enumerate([18, 16, 20, 20, 22, 22]):
        ws.set_column(col, col, width)
    book.merge_text(0, 0, 0, 5, form_title(form), book.title)
    ws.set_row(0, 40)
    book.text_cell(1, 0, "单位名称（盖章）", book.key)
    book.merge_text(1, 1, 1, 2, u.name, book.text)
    book.text_cell(1, 3, "单位性质", book.key)
    book.merge_text(1, 4, 1, 5, u.nature, book.text)
    book.merge_text(2, 0, 3, 0, "单位编号", book.key)
    book.merge_text(2, 1, 3, 2, u.unit_number, book.text)
    book.text_cell(2, 3, "单位地址", book.key)
    book.merge_text(2, 4, 2, 5, u.address, book.text)
    book.text_cell(3, 3, "单位邮编", book.key)
    book.merge_text(3, 4, 3, 5, u.postcode, book.text)
    book.text_cell(4, 0, "单位申报工资总额", book.key)
    book.number_cell(4, 1, form.declared_wage_total, book.number)
    book.text_cell(4, 2, "经办人", book.key)
    book.text_cell(4, 3, u.contact_name, book.text)
    book.text_cell(4, 4, "电话", book.key)
    book.text_cell(4, 5, u.contact_phone, book.text)
    book.merge_text(5, 0, 7, 0, "单位申报情况", book.key)
    book.text_cell(5, 1, "项目", book.key)
    for col, name in enumerate(_report_columns(form.year), start=2):
        book.text_cell(5, col, name, book.key)
    for row, r in ((6, form.active), (7, form.retired)):
        book.text_cell(row, 1, r.label, book.center)
        ws.write_number(row, 2, r.headcount_prev_year_end, book.integer)
        ws.write_number(row, 3, r.headcount_january, book.integer)
        book.number_cell(row, 4, r.wage_total_prev_year, book.number)
        book.number_cell(row, 5, r.expected_base_total, book.number)
    for r in range(1, 8):
        ws.set_row(r, 36)
    book.merge_text(8, 0, 8, 2, "申报单位经办人（签字）：\n\n\n\n\n                    年    月    日", book.letter)
    book.merge_text(8, 3, 8, 5, "法定代表人或单位负责人（签名）：\n\n\n\n\n                    年    月    日",
                    book.letter)
    ws.set_row(8, 140)
    book.merge_text(9, 0, 9, 5, report_note(form), book.plain)
    book.merge_text(10, 0, 10, 5, f"金额单位：元　　打印时间：{_stamp(form.generated_at)}", book.plain)
    book.print_setup(landscape=False)
    ws.print_area(0, 0, 10, 5)
    return book.close()


def _wrapped_height(text: str, per_line: int = 40) -> int:
    """Row height (points) for a paragraph wrapped across the letter's six merged columns."""
    return 16 * max(1, -(-(len(text) + 2) // per_line)) + 8


def _letter_xlsx(form: CommitmentLetter) -> bytes:
    book = _Book("承诺书")
    ws = book.ws
    ws.set_column(0, 5, 15)
    book.merge_text(0, 0, 0, 5, form_title(form), book.title)
    ws.set_row(0, 48)
    row = 1
    for text in [form.opening, *numbered_clauses(form)]:
        row += 1
        book.merge_text(row, 0, row, 5, "　　" + text, book.wrap)
        ws.set_row(row, _wrapped_height(text))
    row += 1
    for line in signature_texts(form):
        row += 1
        book.merge_text(row, 2, row, 5, line, book.sign)
        ws.set_row(row, 30)
    row += 1
    book.merge_text(row, 4, row, 5, "年    月    日", book.sign)
    ws.set_row(row, 30)
    book.print_setup(landscape=False)
    ws.print_area(0, 0, row, 5)
    return book.close()


def render_xlsx(form: Form) -> bytes:
    """The form as a one-sheet workbook set up to print on A4."""
    if isinstance(form, DetailForm):
        return _detail_xlsx(form)
    if isinstance(form, SummaryForm):
        return _summary_xlsx(form)
    if isinstance(form, BaseReportForm):
        return _report_xlsx(form)
    if isinstance(form, CommitmentLetter):
        return _letter_xlsx(form)
    raise TypeError(f"not a declaration form: {type(form).__name__}")
