import datetime as dt
from decimal import Decimal

import pytest

from people import CIVIL_RETIREES, WEIFANG_EMPLOYEES
from yibao.audit.models import AuditEntry
from yibao.employer import services
from yibao.employer.models import ApprovedBase, DeclarationLine, DeclarationStatus, Employee
from yibao.employer.services import import_file
from yibao.errors import RuleRefused
from yibao.months import Month

from .factories import PDF, PNG, Upload, fill, filled, submit_filled, upload_all_materials, xlsx_bytes

M = Month.parse

pytestmark = pytest.mark.django_db


def test_open_lists_the_units_active_employees(declaration, people):
    d = declaration()
    roster = Employee.objects.filter(unit=people.weifang_unit, retired=False)
    assert d.line_count == roster.count() == WEIFANG_EMPLOYEES
    assert set(d.lines.values_list("id_number", flat=True)) == set(roster.values_list("id_number", flat=True))
    assert d.status == DeclarationStatus.DRAFT
    assert declaration().pk == d.pk  # opening again returns the same declaration


def test_online_edit_clamps_but_keeps_the_declared_wage(declaration, people):
    d = declaration()
    line = d.lines.first()
    low = services.set_amount(d, line.pk, "3000", actor=people.weifang_operator)
    assert (low.declared_amount, low.base, low.clamp) == (Decimal("3000.00"), Decimal("4242.00"), "floor")
    high = services.set_amount(d, line.pk, "30000.5", actor=people.weifang_operator)
    assert (high.declared_amount, high.base, high.clamp) == (Decimal("30000.50"), Decimal("21207.00"), "ceiling")
    mid = services.set_amount(d, line.pk, "6543.21", actor=people.weifang_operator)
    assert (mid.base, mid.clamp) == (Decimal("6543.21"), "none")
    entry = AuditEntry.objects.filter(action="declaration.line.set", object_id=str(line.pk)).first()
    assert entry.before["declared_amount"] == "30000.50" and entry.after["declared_amount"] == "6543.21"


@pytest.mark.parametrize("bad", ["", "abc", "-5", "0", "1e400", "NaN"])
def test_online_edit_refuses_bad_amounts(declaration, people, bad):
    d = declaration()
    line = d.lines.first()
    with pytest.raises(services.DeclarationError):
        services.set_amount(d, line.pk, bad, actor=people.weifang_operator)
    line.refresh_from_db()
    assert line.declared_amount is None


def test_upload_applies_every_row(declaration, people):
    d = declaration()
    assert fill(d, people.weifang_operator, lambda i: 3000 + i * 2500) == d.line_count
    d.refresh_from_db()
    assert d.lines.filter(declared_amount__isnull=True).count() == 0
    assert d.at_floor_count == 1  # only the first line (3000) is under the floor
    assert d.wage_total == sum(Decimal(3000 + i * 2500) for i in range(d.line_count))


def test_upload_with_one_bad_row_changes_nothing_and_reports_rows(declaration, people):
    from yibao.employer.importing import read_table
    from yibao.identity import resident_id_check_char

    d = declaration()
    rows = filled(d)
    rows[2][5] = "-100"
    rows[3][2] = rows[1][2]  # duplicate person
    outsider = "11010519491231003" + resident_id_check_char("11010519491231003")
    rows.append([99, "外人", outsider, "", None, 5000])  # valid number, not in the unit
    with pytest.raises(services.ImportRejected) as err:
        import_file(d, xlsx_bytes(rows), "x.xlsx", actor=people.weifang_operator)
    messages = {(e.row, e.message) for e in err.value.errors}
    assert (3, "金额必须大于0") in messages
    assert any(row == 4 and "重复" in m for row, m in messages)
    assert any("不是本单位" in m for _, m in messages)
    assert DeclarationLine.objects.filter(declaration=d, declared_amount__isnull=False).count() == 0
    from yibao.employer.exports import build_error_report

    report = read_table(build_error_report(err.value.header, err.value.rows, err.value.errors, err.value.header_row))
    assert report[0][:2] == ["行号", "错误说明"]
    assert "金额必须大于0" in report[2][1]


def test_csv_upload_in_gbk(declaration, people):
    d = declaration()
    text = "\n".join(",".join(str(c) if c is not None else "" for c in r) for r in filled(d))
    assert import_file(d, text.encode("gb18030"), "x.csv", actor=people.weifang_operator) == d.line_count


@pytest.mark.parametrize(("data", "message"), [
    (b"", "空"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    (b"PK\x03\x04garbage", "Excel"),
    (b"\x00\x01\x02binary", "CSV"),
    ("姓名,工号\n张三,1\n".encode(), "表头"),
])
def test_malformed_files_are_refused_clearly(declaration, people, data, message):
    d = declaration()
    with pytest.raises(services.DeclarationError, match=message):
        import_file(d, data, "x", actor=people.weifang_operator)


def test_formulas_are_refused_not_executed(declaration, people):
    d = declaration()
    rows = filled(d)
    rows[1][5] = "=1+1"
    with pytest.raises(services.DeclarationError, match="公式"):
        import_file(d, xlsx_bytes(rows), "x.xlsx", actor=people.weifang_operator)


def test_zip_bomb_is_refused(declaration, people):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    with pytest.raises(services.DeclarationError, match="压缩炸弹"):
        import_file(declaration(), buf.getvalue(), "bomb.xlsx", actor=people.weifang_operator)


def test_huge_cell_is_a_row_error(declaration, people):
    d = declaration()
    rows = filled(d)
    rows[1][1] = "长" * (10 * 1024 * 1024 // 3)
    with pytest.raises(services.ImportRejected) as err:
        import_file(d, xlsx_bytes(rows), "x.xlsx", actor=people.weifang_operator)
    assert "过长" in err.value.errors[0].message


def test_materials_are_typed_by_content(declaration, people):
    d = declaration()
    code = services.missing_materials(d)[0]["code"]
    with pytest.raises(services.DeclarationError, match="PDF、JPEG 或 PNG"):
        services.upload_material(d, code, Upload(b"MZ\x90\x00 not a pdf", "scan.pdf"), actor=people.weifang_operator)
    with pytest.raises(services.DeclarationError, match="不在本统筹区"):
        services.upload_material(d, "nonsense", Upload(PDF, "a.pdf"), actor=people.weifang_operator)
    m = services.upload_material(d, code, Upload(PNG, "photo.pdf"), actor=people.weifang_operator)
    assert m.content_type == "image/png"
    from django.conf import settings

    assert m.path.startswith(str(settings.MEDIA_ROOT))


def test_submit_needs_materials_and_amounts(declaration, people):
    d = declaration()
    with pytest.raises(services.DeclarationError, match="未填写"):
        services.submit(d, actor=people.weifang_operator)
    fill(d, people.weifang_operator)
    with pytest.raises(services.DeclarationError, match="请先上传"):
        services.submit(d, actor=people.weifang_operator)
    upload_all_materials(d, people.weifang_operator)
    # 潍坊 二(一)1: online, the unit confirms the online-service notice before declaring
    with pytest.raises(services.AppError, match="请先阅读并确认《缴费基数申报网上办事须知》") as refused:
        services.submit(d, actor=people.weifang_operator)
    assert refused.value.code == "notice_unconfirmed"
    services.confirm_notice(d.unit, d.year, actor=people.weifang_operator)
    d = services.submit(d, actor=people.weifang_operator)
    assert d.status == DeclarationStatus.SUBMITTED and not d.late
    with pytest.raises(services.DeclarationError):
        services.set_amount(d, d.lines.first().pk, "5000", actor=people.weifang_operator)


def test_liaocheng_refuses_submission_outside_its_window(declaration, people):
    d = declaration(people.liaocheng_unit)
    fill(d, people.liaocheng_operator)
    upload_all_materials(d, people.liaocheng_operator)
    with pytest.raises(services.DeclarationError, match="申报期尚未开始"):
        services.submit(d, actor=people.liaocheng_operator, today=dt.date(2024, 1, 3))
    with pytest.raises(services.DeclarationError, match="不在申报期内"):
        services.submit(d, actor=people.liaocheng_operator, today=dt.date(2024, 2, 1))
    d = services.submit(d, actor=people.liaocheng_operator, today=dt.date(2024, 1, 31))
    assert d.status == DeclarationStatus.SUBMITTED


def test_weifang_late_declaration_is_accepted_but_flagged(declaration, people):
    d = declaration()
    d = submit_filled(d, today=dt.date(2024, 2, 20))
    assert d.late and d.flagged


def test_review_approve_stores_bases_and_confirm(declaration, people):
    d = declaration()
    submit_filled(d, lambda i: 3000 if i == 0 else 25000 if i == 1 else 8000)
    with pytest.raises(services.DeclarationError, match="审核意见"):
        services.review(d, actor=people.weifang_clerk, approve=False)
    d = services.review(d, actor=people.weifang_clerk, approve=True)
    bases = ApprovedBase.objects.filter(declaration=d)
    assert bases.count() == d.line_count
    assert {b.month_from for b in bases} == {M("2024-01")} and {b.month_to for b in bases} == {M("2024-12")}
    assert sorted(bases.values_list("base", flat=True))[:1] == [Decimal("4242.00")]
    assert max(bases.values_list("base", flat=True)) == Decimal("21207.00")
    d = services.confirm(d, actor=people.weifang_operator)
    assert d.status == DeclarationStatus.CONFIRMED
    actions = list(AuditEntry.objects.filter(object_type="declaration", object_id=str(d.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["declaration.submit", "declaration.approve", "declaration.confirm"]


def test_reject_fix_and_resubmit(declaration, people):
    d = declaration()
    submit_filled(d)
    d = services.review(d, actor=people.weifang_clerk, approve=False, reasons="第3人工资明显偏低，请核实")
    assert d.status == DeclarationStatus.REJECTED and "偏低" in d.review_reasons
    services.set_amount(d, d.lines.order_by("id")[2].pk, "9000", actor=people.weifang_operator)
    d = services.submit(d, actor=people.weifang_operator)
    assert d.status == DeclarationStatus.SUBMITTED


def test_floor_share_over_seventy_percent_is_flagged(declaration, people):
    d = declaration()
    fill(d, people.weifang_operator, lambda i: 2000)
    checks = services.run_checks(d)
    assert checks["floor_share"]["ok"] is False
    assert checks["floor_share"]["at_floor"] == d.line_count
    assert checks["guideline"]["configured"] is False


def test_new_average_wage_reclamps_stored_bases_from_the_month_after(declaration, people):
    from yibao.regions.models import Division

    d = declaration()
    submit_filled(d, lambda i: 3000 if i == 0 else 30000 if i == 1 else 8000)
    services.review(d, actor=people.weifang_clerk, approve=True)
    recorded = services.record_average_wage(
        region=Division.objects.get(key="370700"), wage_year=2023, annual_amount="100000",
        published_on=dt.date(2024, 6, 20), actor=people.admin)
    assert recorded.bounds.effective_from == M("2024-07")
    assert (recorded.bounds.floor, recorded.bounds.ceiling) == (Decimal("5000.00"), Decimal("25000.00"))
    changed = recorded.changed
    assert changed == 2  # the one under the old floor and the one over the old ceiling
    low = ApprovedBase.objects.filter(declaration=d, declared_amount=3000).order_by("month_from")
    assert [(b.month_from, b.month_to, b.base) for b in low] == [
        (M("2024-01"), M("2024-06"), Decimal("4242.00")), (M("2024-07"), M("2024-12"), Decimal("5000.00"))]
    assert AuditEntry.objects.filter(action="approved_base.reclamp").count() == 2
    # a flexible worker choosing after publication sees the new bounds
    worker = people.flexible_worker
    with pytest.raises(RuleRefused, match="5000.00"):
        services.choose_flexible_base(worker, month="2024-08", value="4500", actor=None)


def test_retiree_declaration_only_for_civil_servant_subsidy_units(declaration, people):
    with pytest.raises(services.DeclarationError, match="公务员医疗补助"):
        declaration(people.weifang_unit, kind="retiree")
    d = declaration(people.civil_unit, kind="retiree")
    assert d.line_count == Employee.objects.filter(unit=people.civil_unit, retired=True).count() == CIVIL_RETIREES


def test_retiree_redeclaration_keeps_history(declaration, people):
    user = people.civil_operator
    d = declaration(people.civil_unit, kind="retiree")
    submit_filled(d, lambda i: 4000 + i * 100)
    services.review(d, actor=people.weifang_clerk, approve=True)
    services.confirm(d, actor=user)
    d = services.reopen_for_adjustment(d, month_from="2024-07", actor=user)
    assert d.status == DeclarationStatus.DRAFT and d.revision == 1
    first = d.lines.order_by("id").first()
    services.set_amount(d, first.pk, "4400", actor=user)
    d = services.submit(d, actor=user, today=dt.date(2024, 9, 1))  # a re-declaration has no window
    assert d.status == DeclarationStatus.SUBMITTED and not d.late
    services.review(d, actor=people.weifang_clerk, approve=True)
    spans = ApprovedBase.objects.filter(employee=first.employee, kind="retiree").order_by("month_from")
    assert [(s.month_from, s.month_to, s.declared_amount) for s in spans] == [
        (M("2024-01"), M("2024-06"), Decimal("4000.00")), (M("2024-07"), M("2024-12"), Decimal("4400.00"))]


def test_flexible_worker_chooses_within_bounds(people):
    worker = people.flexible_worker
    with pytest.raises(RuleRefused, match="4242.*21207") as refused:
        services.choose_flexible_base(worker, month="2024-01", value="21208", actor=None)
    assert refused.value.code == "out_of_range" and refused.value.status == 422
    choice = services.choose_flexible_base(worker, month="2024-01", value="4242", actor=None)
    assert choice.base == Decimal("4242") and choice.chosen_at is not None


def test_weifang_refuses_a_submission_before_its_window_opens(declaration, people):
    d = declaration()
    fill(d, people.weifang_operator)
    upload_all_materials(d, people.weifang_operator)
    with pytest.raises(services.DeclarationError, match="申报期尚未开始"):
        services.submit(d, actor=people.weifang_operator, today=dt.date(2023, 12, 1))
    d.refresh_from_db()
    assert d.status == DeclarationStatus.DRAFT and not d.late


@pytest.mark.parametrize("today", [dt.date(2024, 3, 1), dt.date(2026, 11, 25)])
def test_after_the_window_weifang_flags_late_and_liaocheng_refuses_clearly(declaration, people, today):
    """The window asked is the declaration's year's, whatever today's year: a date past it is late
    for 潍坊 (accepted, flagged) and refused for 聊城 with a message, never an error page."""
    wf = declaration()
    wf = submit_filled(wf, today=today)
    assert wf.status == DeclarationStatus.SUBMITTED and wf.late and wf.flagged
    lc = declaration(people.liaocheng_unit)
    fill(lc, people.liaocheng_operator)
    upload_all_materials(lc, people.liaocheng_operator)
    with pytest.raises(services.DeclarationError, match="2024-01-04 至 2024-01-31"):
        services.submit(lc, actor=people.liaocheng_operator, today=today)


def test_opening_refuses_an_unknown_kind_or_a_year_without_policy(people, business_date):
    with pytest.raises(services.DeclarationError, match="申报类型无效"):
        services.open_declaration(people.weifang_unit, 2024, "bonus", actor=people.weifang_operator)
    with pytest.raises(services.DeclarationError, match="1999 年度"):
        services.open_declaration(people.weifang_unit, 1999, actor=people.weifang_operator)
    from yibao.employer.models import Declaration

    assert not Declaration.objects.filter(unit=people.weifang_unit).exists()


def test_a_wage_declared_exactly_at_the_floor_counts_as_paying_on_the_floor(declaration, people):
    d = declaration()
    fill(d, people.weifang_operator, lambda i: 4242 if i == 0 else 3000 if i == 1 else 9000)
    d.refresh_from_db()
    assert d.at_floor_count == 2
    checks = services.run_checks(d)
    assert checks["floor_share"]["at_floor"] == 2


def test_bases_approved_after_a_published_wage_take_its_bounds_from_the_month_after(declaration, people):
    from yibao.regions.models import Division

    services.record_average_wage(region=Division.objects.get(key="370700"), wage_year=2023, annual_amount="100000",
                                 published_on=dt.date(2024, 6, 20), actor=people.admin)
    d = declaration()
    submit_filled(d, lambda i: 3000 if i == 0 else 30000 if i == 1 else 8000)
    services.review(d, actor=people.weifang_clerk, approve=True)
    low = ApprovedBase.objects.filter(declaration=d, declared_amount=3000).order_by("month_from")
    assert [(b.month_from, b.month_to, b.base) for b in low] == [
        (M("2024-01"), M("2024-06"), Decimal("4242.00")), (M("2024-07"), M("2024-12"), Decimal("5000.00"))]
    high = ApprovedBase.objects.filter(declaration=d, declared_amount=30000).order_by("month_from")
    assert [b.base for b in high] == [Decimal("21207.00"), Decimal("25000.00")]
    middle = ApprovedBase.objects.filter(declaration=d, declared_amount=8000)
    assert {(b.month_from, b.month_to, b.base) for b in middle} == {
        (M("2024-01"), M("2024-06"), Decimal("8000.00")), (M("2024-07"), M("2024-12"), Decimal("8000.00"))}


def test_a_flexible_workers_choice_below_the_new_floor_moves_to_it(people):
    from yibao.regions.models import Division

    worker = people.flexible_worker
    services.choose_flexible_base(worker, month="2024-01", value="4500", actor=None)
    services.record_average_wage(region=Division.objects.get(key="370700"), wage_year=2023, annual_amount="100000",
                                 published_on=dt.date(2024, 6, 20), actor=people.admin)
    latest = worker.choices.order_by("-chosen_at", "-id").first()
    assert (latest.month_from, latest.base) == (M("2024-07"), Decimal("5000.00"))
    assert worker.choices.filter(month_from="2024-01", base=Decimal("4500")).exists()  # history kept
    entry = AuditEntry.objects.get(action="flexible_base.reclamp")
    assert entry.before["base"] == "4500.00" and entry.after["base"] == "5000.00" and entry.division_path


def test_checks_catch_a_base_that_is_not_the_clamped_wage(declaration, people):
    d = declaration()
    fill(d, people.weifang_operator, lambda i: 3000 if i == 0 else 30000 if i == 1 else 8000 + i)
    assert services.run_checks(d)["bases"] == {"ok": True, "wrong": [], "wrong_count": 0}
    first, second = d.lines.order_by("id")[:2]
    # stored bases changed behind the services' back: below the floor, and not the declared wage
    DeclarationLine.objects.filter(pk=first.pk).update(base=Decimal("3000.00"))
    DeclarationLine.objects.filter(pk=d.lines.order_by("id")[2].pk).update(base=Decimal("8002.01"))
    checks = services.run_checks(d)
    assert checks["bases"]["ok"] is False and checks["bases"]["wrong_count"] == 2
    assert first.name in checks["bases"]["wrong"] and second.name not in checks["bases"]["wrong"]
    assert checks["ok"] is False
