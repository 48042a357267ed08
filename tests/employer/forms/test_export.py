"""Exporting a printed form of a stored declaration: the availability check, the file, the audit
entry, the background job for a long 明细表, and figures that agree with the lines."""

import pytest

from yibao.audit.models import AuditEntry
from yibao.employer.forms import get_form
from yibao.employer.forms.detail import DetailForm
from yibao.employer.forms.export import PDF, XLSX, FormNotAvailable, export_form
from yibao.employer.models import Clamp
from yibao.jobs.models import Job

from ..factories import fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_declaration(declaration, people):
    """潍坊's unit with wages below the floor, within the bounds and above the ceiling."""
    d = declaration(people.weifang_unit)
    fill(d, people.weifang_operator, lambda i: 2000 + i * 7000)
    d.refresh_from_db()
    return d


def exports_of(declaration):
    return AuditEntry.objects.filter(action="declaration.form.export", object_id=str(declaration.pk))


def test_export_returns_the_file_and_audits_it(filled_declaration, people):
    d = filled_declaration
    actor = people.weifang_operator
    result = export_form(d, "summary", "xlsx", actor=actor)
    assert result.job is None
    assert result.file.content.startswith(b"PK") and result.file.content_type == XLSX
    assert result.file.filename == f"医疗保险年报汇总表-{people.weifang_unit.unit_number}-2024.xlsx"
    pdf = export_form(d, "detail", "pdf", actor=actor).file
    assert pdf.content.startswith(b"%PDF") and pdf.content_type == PDF
    assert pdf.filename == f"医疗保险年报明细表-{people.weifang_unit.unit_number}-2024.pdf"
    assert [(e.after["form"], e.after["format"]) for e in exports_of(d).order_by("id")] == [
        ("summary", "xlsx"), ("detail", "pdf")]


def test_a_form_the_declaration_does_not_print_is_refused(filled_declaration, people):
    d = filled_declaration
    for code, fmt in (("base_report", "pdf"), ("commitment", "xlsx"), ("nope", "pdf"), ("detail", "docx")):
        with pytest.raises(FormNotAvailable) as refused:
            export_form(d, code, fmt, actor=people.weifang_operator)
        assert refused.value.available == ["detail", "summary"]
        assert str(refused.value) == "没有这种表格。"
    assert not exports_of(d).exists()


def test_a_long_detail_pdf_goes_to_the_worker_only_where_a_job_can_be_shown(filled_declaration, people,
                                                                              monkeypatch):
    d = filled_declaration
    actor = people.weifang_operator
    monkeypatch.setattr(DetailForm, "pdf_inline_lines", d.line_count - 1)
    # the API and the command line always get the file
    assert export_form(d, "detail", "pdf", actor=actor).file is not None
    # an xlsx, or another form, is always rendered at once
    assert export_form(d, "detail", "xlsx", actor=actor, allow_job=True).file is not None
    assert export_form(d, "summary", "pdf", actor=actor, allow_job=True).file is not None
    assert not Job.objects.filter(kind="declaration.form").exists()
    result = export_form(d, "detail", "pdf", actor=actor, allow_job=True)
    assert result.file is None
    job = Job.objects.get(pk=result.job.pk)  # run at once in the tests (HUEY_IMMEDIATE)
    assert job.label == f"生成医疗保险年报明细表（{d.line_count} 人）"
    assert job.params == {"declaration": d.pk, "form": "detail", "format": "pdf"}
    assert job.status == "done" and job.done == job.total >= 1
    assert job.result == {"filename": f"医疗保险年报明细表-{people.weifang_unit.unit_number}-2024.pdf"}
    assert job.message == f"已生成 医疗保险年报明细表-{people.weifang_unit.unit_number}-2024.pdf"
    with open(job.result_file, "rb") as fh:
        assert fh.read(4) == b"%PDF"
    assert exports_of(d).count() == 4


def test_the_figures_come_from_the_lines(filled_declaration):
    d = filled_declaration
    lines = list(d.lines.all())
    at_floor = sum(1 for x in lines if x.clamp == Clamp.FLOOR)
    at_ceiling = sum(1 for x in lines if x.clamp == Clamp.CEILING)
    assert at_floor and at_ceiling
    detail = get_form("detail").data(d)
    summary = get_form("summary").data(d)
    totals = detail.totals
    assert (totals.at_floor, totals.at_ceiling) == (summary.at_floor, summary.at_ceiling) == (at_floor, at_ceiling)
    assert totals.headcount == summary.headcount == d.line_count
    assert totals.base == summary.base_total == sum(x.base for x in lines)
    assert totals.declared_amount == summary.declared_total == sum(x.declared_amount for x in lines)
    assert (detail.floor, detail.ceiling) == (summary.floor, summary.ceiling) != (None, None)


def test_liaocheng_prints_its_own_forms(declaration, people):
    d = declaration(people.liaocheng_unit)
    actor = people.liaocheng_operator
    report = export_form(d, "base_report", "pdf", actor=actor).file
    assert report.filename == f"缴费基数申报表-{people.liaocheng_unit.unit_number}-2024.pdf"
    letter = export_form(d, "commitment", "xlsx", actor=actor).file
    assert letter.filename == f"缴费基数申报承诺书-{people.liaocheng_unit.unit_number}-2024.xlsx"
    data = get_form("base_report").data(d)
    assert data.active.headcount_january == d.line_count
    assert data.note.startswith("本表一式三份")
