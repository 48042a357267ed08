"""Bulk imports of registrations and hardship lists: whole files or nothing, idempotent, conflicts
into the problem queue, a batch reviewed by another clerk; the command line, the API and a page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from factories import DONGMING, JINCHENG, TownshipClerkFactory, VillageAgentFactory, village
from yibao import cli
from yibao.audit.models import AuditEntry
from yibao.errors import AppError
from yibao.jobs.models import Job
from yibao.resident import services
from yibao.resident.models import (
    Enrolment,
    HardshipGrant,
    ImportBatch,
    Person,
    Problem,
    Registration,
    RegistrationStatus,
)

from .factories import (
    DONGMING_OTHER_TOWNSHIP_VILLAGE,
    DONGMING_OTHER_VILLAGE,
    DONGMING_VILLAGE,
    JINCHENG_VILLAGE,
    enrolled,
    resident_number,
)

pytestmark = pytest.mark.django_db

HEADER = ["身份证号码", "姓名", "户籍地区划代码", "居住地区划代码", "户口簿编号", "联系电话", "参保类型"]
HARDSHIP = ["身份证号码", "姓名", "困难类别", "认定日期", "终止日期"]


def people(n: int, start: int = 1, place: str = DONGMING_VILLAGE) -> list[list[str]]:
    return [[resident_number(i), f"居民{i}", place, "", f"HK{i:06d}", "13800138000", ""]
            for i in range(start, start + n)]


def csv_upload(header, body, *, encoding="utf-8", name="导入.csv") -> SimpleUploadedFile:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(body)
    return SimpleUploadedFile(name, buf.getvalue().encode(encoding))


def xlsx_upload(header, body, name="导入.xlsx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([header, *body]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return SimpleUploadedFile(name, buf.getvalue())


def imported(file, actor, *, kind="registrations", region=DONGMING, year=2024, source="") -> Job:
    job = services.start_import(kind, file, region=region, insurance_year=year, actor=actor, source=source)
    job.refresh_from_db()
    return job


@pytest.fixture
def clerk():
    return TownshipClerkFactory()     # 城关街道, 东明


@pytest.fixture
def checker():
    return TownshipClerkFactory()


def test_a_utf8_csv_goes_in_as_one_batch_waiting_for_review(clerk):
    job = imported(csv_upload(HEADER, people(3)), clerk)
    assert job.status == "done" and job.result["ok"], job.message
    batch = ImportBatch.objects.get()
    assert job.result["batch_id"] == batch.pk and batch.rows == 3 and batch.owner_id == clerk.pk
    regs = Registration.objects.filter(batch=batch)
    assert regs.count() == 3
    assert {(r.channel, r.status, r.maker_id, r.division_id) for r in regs} == {
        ("import", "pending", clerk.pk, DONGMING_VILLAGE)}
    first = regs.get(id_number=resident_number(1))
    assert first.residence_division_id == DONGMING_VILLAGE and first.kind == "ordinary" and first.sex in ("男", "女")
    assert not Person.objects.exists() and not Enrolment.objects.exists()
    # one audit entry for the batch, not one per row
    assert AuditEntry.objects.filter(action="resident.import.registrations").count() == 1
    assert job.total == job.done > 0


def test_a_gbk_csv_with_the_header_in_another_order_and_a_title_row(clerk):
    order = [HEADER[i] for i in (6, 1, 5, 0, 3, 2, 4)]
    body = [[row[HEADER.index(h)] for h in order] for row in people(2)]
    body[0][order.index("参保类型")] = "补缴"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["东明县城关街道 2024 年度参保登记"])
    writer.writerow(order)
    writer.writerows(body)
    job = imported(SimpleUploadedFile("gbk.csv", buf.getvalue().encode("gbk")), clerk)
    assert job.result["ok"], job.message
    assert Registration.objects.get(id_number=resident_number(1)).kind == "back_payment"
    assert Registration.objects.get(id_number=resident_number(2)).name == "居民2"


def test_an_xlsx_with_a_migrant_and_a_township_code(clerk):
    header = [*HEADER, "迁入日期", "原籍已缴费"]
    body = [[*people(1)[0], "", ""], [resident_number(2), "居民2", "371728001", DONGMING_OTHER_VILLAGE, "", "", "迁入",
                                      "2023-08-01", "是"]]
    job = imported(xlsx_upload(header, body), clerk)
    assert job.result["ok"], job.message
    migrant = Registration.objects.get(id_number=resident_number(2))
    assert (migrant.kind, str(migrant.moved_in_on), migrant.paid_at_origin) == ("migrant", "2023-08-01", True)
    assert (migrant.hukou_division_id, migrant.residence_division_id) == ("371728001", DONGMING_OTHER_VILLAGE)


def report_rows(job) -> list[list]:
    sheet = CalamineWorkbook.from_path(job.result_file).get_sheet_by_index(0)
    return sheet.to_python()


def test_every_row_error_is_named_in_chinese_and_nothing_goes_in(clerk):
    rows = people(12)
    rows[0][0] = "371728199001011235"                  # check character
    rows[1][0] = resident_number(3)                    # the same person on lines 3 and 4
    rows[2][1] = ""                                    # no name
    rows[3][2] = "371728999999"                        # unknown village
    rows[4][2] = JINCHENG_VILLAGE                      # another pooling region
    rows[5][2] = DONGMING_OTHER_TOWNSHIP_VILLAGE       # outside the clerk's township
    rows[6][5] = "12345"                               # phone
    rows[7][6] = "外地"                                 # kind
    rows[8][6] = "迁入"                                 # migrant without date and 原籍已缴费
    rows[9][3] = "37172800"                            # residence code of the wrong length
    job = imported(csv_upload(HEADER, rows), clerk)
    assert job.status == "done" and not job.result["ok"]
    assert "整份文件未导入" in job.message
    assert not ImportBatch.objects.exists() and not Registration.objects.exists() and not Problem.objects.exists()
    messages = {(e["row"], e["column"]): e["message"] for e in job.result["errors"]}
    assert "校验码" in messages[(2, "身份证号码")]
    assert "与第 3 行重复" in messages[(4, "身份证号码")]
    assert messages[(4, "姓名")] == "请填写姓名"
    assert "不存在" in messages[(5, "户籍地区划代码")]
    assert "不在本统筹区" in messages[(6, "户籍地区划代码")]
    assert "不在您负责的区域内" in messages[(7, "户籍地区划代码")]
    assert "联系电话" in messages[(8, "联系电话")]
    assert "参保类型“外地”无效" in messages[(9, "参保类型")]
    assert "须填写迁入日期" in messages[(10, "迁入日期")]
    assert "原籍已缴费" in messages[(10, "原籍已缴费")]
    assert "不存在" in messages[(11, "居住地区划代码")]
    # the report: every row again, each error beside its row
    report = report_rows(job)
    assert report[0][0] == "行号" and report[0][-1] == "错误说明" and report[0][1:-1] == HEADER
    by_line = {int(r[0]): r for r in report[1:]}
    assert len(by_line) == 12
    assert "请填写姓名" in by_line[4][-1] and by_line[12][-1] == ""
    assert by_line[9][HEADER.index("参保类型") + 1] == "外地"


def test_a_file_without_a_required_column_is_refused(clerk):
    job = imported(csv_upload([h for h in HEADER if h != "户籍地区划代码"], [["x"] * 6]), clerk)
    assert not job.result["ok"] and "表头缺少列：户籍地区划代码" in job.message
    assert not ImportBatch.objects.exists()


def test_the_same_file_twice_changes_nothing(clerk):
    first = imported(csv_upload(HEADER, people(3)), clerk)
    second = imported(csv_upload(HEADER, people(3)), clerk)
    assert second.result["ok"] and second.result["repeated"]
    assert second.result["batch_id"] == first.result["batch_id"]
    assert "本次未作任何改动" in second.message
    assert ImportBatch.objects.count() == 1 and Registration.objects.count() == 3
    assert AuditEntry.objects.filter(action="resident.import.registrations").count() == 1


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_conflicts_go_in_with_a_problem_not_as_errors(clerk):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    enrolled(1, maker=agent)                                       # already enrolled for 2024
    other_year = enrolled(2, maker=agent)                          # a person of the region, for another year
    Enrolment.objects.filter(pk=other_year.pk).update(insurance_year=2023)  # (2023 is not registrable: no notice)
    rows = people(3)
    rows[1][1] = "改了名"                                          # disagrees with the recorded person
    job = imported(csv_upload(HEADER, rows), clerk)
    assert job.result["ok"] and job.result["problems"] == 2, job.message
    batch = ImportBatch.objects.get()
    statuses = dict(Registration.objects.filter(batch=batch).values_list("id_number", "status"))
    assert statuses == {resident_number(1): "problem", resident_number(2): "problem", resident_number(3): "pending"}
    problems = {p.registration.id_number: p for p in Problem.objects.filter(registration__batch=batch)}
    assert {p.source for p in problems.values()} == {"import"}
    assert {p.actor for p in problems.values()} == {"clerk"}
    assert "2024 保险年度已参保或已登记" in problems[resident_number(1)].message
    assert "姓名已登记为“居民2”，文件为“改了名”" in problems[resident_number(2)].message


def test_a_batch_is_reviewed_by_another_clerk_and_enrols_its_people(clerk, checker):
    imported(csv_upload(HEADER, people(4)), clerk)
    batch = ImportBatch.objects.get()
    with pytest.raises(AppError, match="导入人与审核人不能是同一人"):
        services.start_review(batch, actor=clerk, approve=True)
    outsider = TownshipClerkFactory(division=village(DONGMING_OTHER_TOWNSHIP_VILLAGE).parent)
    with pytest.raises(AppError, match="不在您负责区域内"):
        services.start_review(batch, actor=outsider, approve=True)
    with pytest.raises(AppError, match="退回须写明原因"):
        services.start_review(batch, actor=checker, approve=False)
    assert not Enrolment.objects.exists()
    outcome = services.start_review(batch, actor=checker, approve=True)
    assert outcome.approved == 4
    regs = Registration.objects.filter(batch=batch)
    assert {(r.status, r.checker_id, r.maker_id) for r in regs} == {("approved", checker.pk, clerk.pk)}
    assert all(r.person_id for r in regs)
    enrolments = Enrolment.objects.filter(insurance_year=2024)
    assert enrolments.count() == 4 and {e.registration.batch_id for e in enrolments} == {batch.pk}
    assert Person.objects.filter(region_id=DONGMING).count() == 4
    assert AuditEntry.objects.filter(action="resident.import.review").count() == 1
    with pytest.raises(AppError, match="没有待审核的登记"):
        services.start_review(batch, actor=checker, approve=True)


def _enrolled_in_jincheng(number: str) -> Enrolment:
    """Enrolled in 晋城 for 2024 directly, as if by another clerk between import and approval."""
    from django.utils import timezone

    from .factories import JINCHENG_VILLAGE

    person = Person.objects.create(region_id=JINCHENG, id_number=number, name="居民", sex="男",
                                   birth_date="1980-01-01", hukou_division_id=JINCHENG_VILLAGE,
                                   residence_division_id=JINCHENG_VILLAGE, division_id=JINCHENG_VILLAGE,
                                   valid_from=timezone.now())
    return Enrolment.objects.create(region_id=JINCHENG, person=person, id_number=number, insurance_year=2024,
                                    division_id=JINCHENG_VILLAGE)


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_at_approval_a_row_enrolled_meanwhile_becomes_a_problem_and_a_known_person_is_updated(clerk, checker):
    agent = VillageAgentFactory(division=village(DONGMING_VILLAGE))
    known = enrolled(3, maker=agent)                               # a person of the region, enrolled for 2023
    Enrolment.objects.filter(pk=known.pk).update(insurance_year=2023)
    rows = people(3)
    rows[2][4], rows[2][5] = "HK999999", ""                        # a new household number, no phone
    imported(csv_upload(HEADER, rows), clerk)
    _enrolled_in_jincheng(resident_number(2))
    batch = ImportBatch.objects.get()
    outcome = services.start_review(batch, actor=checker, approve=True)
    assert (outcome.approved, outcome.problems) == (2, 1)
    statuses = dict(Registration.objects.filter(batch=batch).values_list("id_number", "status"))
    assert statuses == {resident_number(1): "approved", resident_number(2): "problem",
                        resident_number(3): "approved"}
    problem = Problem.objects.get(registration__batch=batch)
    assert problem.registration.id_number == resident_number(2) and "晋城" in problem.message
    person = Person.objects.get(region_id=DONGMING, id_number=resident_number(3))
    assert (person.household_number, person.phone) == ("HK999999", "13800138000")   # a blank phone keeps it
    assert list(person.versions.values_list("household_number", flat=True)) == ["HK000003"]
    assert Person.objects.filter(region_id=DONGMING).count() == 2
    assert set(Enrolment.objects.filter(region_id=DONGMING, insurance_year=2024)
               .values_list("registration__id_number", flat=True)) == {resident_number(1), resident_number(3)}


@pytest.mark.tallies_unchecked   # writes enrolments or payments directly
def test_a_duplicate_that_gets_past_the_approval_s_check_refuses_the_whole_approval(clerk, checker, monkeypatch):
    from yibao.resident.services import imports

    imported(csv_upload(HEADER, people(2)), clerk)
    _enrolled_in_jincheng(resident_number(2))
    monkeypatch.setattr(imports, "_batch_conflicts", lambda *args, **kwargs: {})   # checked before it was enrolled
    batch = ImportBatch.objects.get()
    with pytest.raises(AppError, match="此批次中有人已在本保险年度参保登记"):
        services.start_review(batch, actor=checker, approve=True)
    assert not Enrolment.objects.filter(region_id=DONGMING).exists()
    assert set(Registration.objects.filter(batch=batch).values_list("status", flat=True)) == {"pending"}


def test_a_large_batch_is_reviewed_by_the_worker(clerk, checker, monkeypatch):
    from yibao.resident.services import imports

    monkeypatch.setattr(imports, "REVIEW_IN_WORKER", 2)
    imported(csv_upload(HEADER, people(3)), clerk)
    job = services.start_review(ImportBatch.objects.get(), actor=checker, approve=True)
    job.refresh_from_db()
    assert isinstance(job, Job) and job.status == "done", job.message
    assert Enrolment.objects.count() == 3


def test_a_returned_batch_enrols_nobody(clerk, checker):
    imported(csv_upload(HEADER, people(2)), clerk)
    outcome = services.start_review(ImportBatch.objects.get(), actor=checker, approve=False, note="户口簿编号缺失")
    assert outcome.rejected == 2 and not Enrolment.objects.exists()
    assert set(Registration.objects.values_list("status", flat=True)) == {RegistrationStatus.REJECTED}


def test_a_hardship_list_with_several_categories(clerk):
    rows = [[resident_number(1), "居民1", "特困人员、低保对象", "2023-05-01", ""],
            [resident_number(2), "居民2", "返贫致贫人口", "2023/06/01", "2024-12-31"]]
    job = imported(csv_upload(HARDSHIP, rows), clerk, kind="hardship", source="民政")
    assert job.result["ok"], job.message
    grants = HardshipGrant.objects.order_by("id_number", "category")
    assert [(g.id_number, g.category, g.source) for g in grants] == [
        (resident_number(1), "低保对象", "civil_affairs"), (resident_number(1), "特困人员", "civil_affairs"),
        (resident_number(2), "返贫致贫人口", "civil_affairs")]
    again = imported(csv_upload(HARDSHIP, rows), clerk, kind="hardship", source="民政")
    assert again.result["repeated"] and HardshipGrant.objects.count() == 3


def test_a_hardship_category_the_region_does_not_configure_is_refused(clerk):
    rows = [[resident_number(1), "居民1", "低保对象、重度残疾人", "2023-05-01", ""],   # 晋城's, not 东明's
            [resident_number(2), "居民2", "低保对象", "2023-05-01", "2022-01-01"]]
    job = imported(csv_upload(HARDSHIP, rows), clerk, kind="hardship", source="乡村振兴")
    assert not job.result["ok"]
    messages = {(e["row"], e["column"]): e["message"] for e in job.result["errors"]}
    assert "困难类别“重度残疾人”不是本统筹区 2024 保险年度配置的类别" in messages[(2, "困难类别")]
    assert "早于认定日期" in messages[(3, "终止日期")]
    assert not HardshipGrant.objects.exists() and not ImportBatch.objects.exists()


def test_a_year_without_hardship_subsidies_and_a_region_out_of_reach_are_refused_at_once(clerk):
    with pytest.raises(AppError, match="未规定困难群体参保资助"):
        services.start_import("hardship", csv_upload(HARDSHIP, []), region=DONGMING, insurance_year=2031,
                              source="民政", actor=clerk)
    with pytest.raises(AppError, match="不在您负责的区域内"):
        services.start_import("registrations", csv_upload(HEADER, people(1)), region=JINCHENG, insurance_year=2024,
                              actor=clerk)
    assert not Job.objects.exists()


def test_the_command_line(clerk, checker, tmp_path, capsys):
    path = tmp_path / "登记.csv"
    path.write_bytes(csv_upload(HEADER, people(2)).read())
    code = cli.main(["resident", "--as", clerk.username, "import-registrations", "--region", DONGMING,
                     "--year", "2024", str(path)])
    out = capsys.readouterr().out
    assert code == 0 and "已导入 2 条参保登记" in out
    batch = ImportBatch.objects.get()
    assert cli.main(["resident", "--as", clerk.username, "review-batch", str(batch.pk), "--approve"]) == 2
    assert "导入人与审核人不能是同一人" in capsys.readouterr().err
    assert cli.main(["resident", "--as", checker.username, "review-batch", str(batch.pk), "--approve"]) == 0
    assert Enrolment.objects.count() == 2


def test_the_api(clerk, checker, client):
    client.force_login(clerk)
    response = client.post("/api/v1/resident/imports/registrations",
                           {"region": DONGMING, "insurance_year": 2024, "file": csv_upload(HEADER, people(2))})
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job_id"])
    batch_id = job.result["batch_id"]
    assert client.get(f"/api/v1/resident/imports/{batch_id}").json()["counts"]["pending"] == 2
    refused = client.post(f"/api/v1/resident/imports/{batch_id}/review", {"approve": True},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "same_reviewer"
    client.force_login(checker)
    done = client.post(f"/api/v1/resident/imports/{batch_id}/review", {"approve": True},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["approved"] == 2


def test_the_pages(clerk, checker, client):
    client.force_login(clerk)
    page = client.get("/resident/imports/")
    assert page.status_code == 200 and "导入参保登记" in page.content.decode()
    response = client.post("/resident/imports/registrations/",
                           {"region": DONGMING, "insurance_year": "2024", "file": xlsx_upload(HEADER, people(2))})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    batch = ImportBatch.objects.get()
    assert "待审核 2" in client.get(f"/resident/imports/{batch.pk}/").content.decode()
    client.force_login(checker)
    response = client.post(f"/resident/imports/{batch.pk}/review/", {"decision": "approve"})
    assert response.status_code == 302
    assert "已审核 2" in client.get(f"/resident/imports/{batch.pk}/").content.decode()
    assert Enrolment.objects.count() == 2


def test_an_error_report_is_downloaded_from_the_job_page(clerk, client):
    client.force_login(clerk)
    rows = people(2)
    rows[1][1] = ""
    response = client.post("/resident/imports/registrations/",
                           {"region": DONGMING, "insurance_year": "2024", "file": csv_upload(HEADER, rows)})
    job_url = response["Location"]
    download = client.get(f"{job_url}download/")
    assert download.status_code == 200
    assert Path(Job.objects.get().result_file).exists()


def test_the_fast_path_for_identity_numbers_accepts_exactly_what_the_parser_accepts():
    import datetime as dt
    import random

    from yibao.identity import IdentityError, parse_resident_id, resident_id_check_char
    from yibao.resident.services.imports import fast_identity

    rng = random.Random(7)
    today = dt.date(2024, 1, 15)
    samples = []
    for _ in range(3000):
        first17 = f"{rng.choice(['140502', '371728', '990101', '000000', '830000'])}" \
                  f"{rng.randrange(1890, 2026)}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}{rng.randrange(1000):03d}"
        check = resident_id_check_char(first17)
        samples += [first17 + check, first17 + rng.choice("0123456789X"), (first17 + check).lower()]
    for number in samples:
        try:
            parsed = parse_resident_id(number, today=today)
            expected = (parsed.number, parsed.sex, parsed.birth_date)
        except IdentityError:
            expected = None
        fast = fast_identity(number, today)
        assert fast is None or fast == expected, number
        if number.isdigit() or number[-1] == "X":
            assert fast == expected, number


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.bin", "xl/data/cells.xml"])
def test_a_formula_in_any_part_a_reader_takes_as_a_sheet_is_refused(clerk, part):
    """The import refuses formulas wherever the workbook's relationships put the sheet (the checks
    the employer's upload uses: yibao.documents.workbooks)."""
    from employer.test_upload_refusals import rezip

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet()
    for c, title in enumerate(HEADER):
        sheet.write_string(0, c, title)
    row = people(1)[0]
    for c, value in enumerate(row):
        sheet.write_string(1, c, value)
    sheet.write_formula(1, 1, '="居民"&"1"', None, "居民1")
    book.close()
    data = rezip(buf.getvalue(), rename={"xl/worksheets/sheet1.xml": part})
    job = imported(SimpleUploadedFile("公式.xlsx", data), clerk)
    assert not job.result["ok"] and "公式" in job.message, job.message
    assert not Registration.objects.exists()
