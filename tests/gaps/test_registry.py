"""户籍人口库比对 (晋城 晋市医保发〔2023〕10号 五(三)): an extract compared with both schemes' insured,
village by village; the dead and moved marked and their enrolments flagged (not changed); bad
files refused whole with row errors; a township clerk sees only their area."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from employer.factories import FlexibleWorkerFactory
from factories import (
    DONGMING,
    AgencyClerkFactory,
    BureauManagerFactory,
    TownshipClerkFactory,
    division,
    resident_id,
)
from resident.factories import (
    DONGMING_OTHER_TOWNSHIP_VILLAGE,
    DONGMING_OTHER_VILLAGE,
    DONGMING_VILLAGE,
    enrolled,
)
from yibao.audit.models import AuditEntry
from yibao.employer.models import FlexibleBaseChoice
from yibao.errors import AppError
from yibao.gaps import selectors, services
from yibao.gaps.errors import RowsRejected
from yibao.gaps.models import EnrolmentFlag, Extract, FlagStatus, RegistryPerson
from yibao.gaps.services.extracts import run_import
from yibao.months import Month
from yibao.resident.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db
YEAR = 2024
VILLAGES = (DONGMING_VILLAGE, DONGMING_OTHER_VILLAGE, DONGMING_OTHER_TOWNSHIP_VILLAGE)
HEADER = "身份证号码,姓名,户籍地区划代码,状态,变动日期\n"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 12, 20)


@pytest.fixture
def clerk():
    return AgencyClerkFactory(division=division(DONGMING))


def csv_file(tmp_path: Path, lines: list[str], name="户籍.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def number(n: int) -> str:
    return resident_id("371728", n, series=8)


@pytest.fixture
def world(tmp_path):
    """24 people of 东明 in three villages: every fourth enrolled in the resident scheme, every
    fifth a flexible worker with a base for the year, two died and one moved away."""
    maker, checker = (AgencyClerkFactory(division=division(DONGMING)) for _ in range(2))
    lines, resident, employee, state = [], set(), set(), {}
    for n in range(24):
        village = VILLAGES[n % 3]
        no = number(n)
        if n % 4 == 0:
            enrolled(n, maker=maker, checker=checker, village=village, id_number=no, hk_id_number=no)
            resident.add(no)
        if n % 5 == 0:
            worker = FlexibleWorkerFactory(id_number=no)
            FlexibleBaseChoice.objects.create(worker=worker, year=YEAR, month_from=Month(YEAR, 1),
                                              base=Decimal("4000.00"))
            employee.add(no)
        status, date = {4: ("死亡", "2023-11-02"), 7: ("死亡", "2023/10/1"), 8: ("迁出", "20231201")}.get(n, ("正常", ""))
        state[no] = status
        lines.append(f"{no},户籍{n},{village},{status},{date}")
    return {"lines": lines, "resident": resident, "employee": employee, "state": state,
            "file": csv_file(tmp_path, lines)}


def _import(path, actor, region=DONGMING):
    extract, repeated = services.import_extract(path, path.name, region=region, insurance_year=YEAR, actor=actor)
    return extract, repeated


def test_the_comparison_matches_an_independent_count_village_by_village(world, clerk):
    extract, repeated = _import(world["file"], clerk)
    assert not repeated and extract.rows == 24
    # the independent count over the same data: registry lines against the two sets of insured
    expected: dict[str, int] = {v: 0 for v in VILLAGES}
    for line in world["lines"]:
        no, _, village, status, _ = line.split(",")
        if status == "正常" and no not in world["resident"] and no not in world["employee"]:
            expected[village] += 1
    rows = {v.key: v for v in selectors.villages(clerk, extract)}
    assert {k: v.uncovered for k, v in rows.items()} == expected
    assert extract.uncovered == sum(expected.values()) > 0
    assert (extract.deceased, extract.moved_out) == (2, 1)
    listed = {p.id_number for v in VILLAGES for p in selectors.uncovered_in(clerk, extract, division(v))}
    assert listed == {line.split(",")[0] for line in world["lines"]
                      if line.split(",")[3] == "正常" and line.split(",")[0] not in world["resident"] | world["employee"]}
    assert AuditEntry.objects.filter(action="gaps.extract.import", object_id=str(extract.pk)).exists()


def test_the_dead_and_moved_are_marked_and_their_enrolments_flagged_not_changed(world, clerk):
    extract, _ = _import(world["file"], clerk)
    dead_enrolled = number(4)   # n=4: enrolled (4 % 4 == 0) and dead
    moved_enrolled = number(8)  # n=8: enrolled and moved away
    flags = {f.id_number: f for f in EnrolmentFlag.objects.all()}
    assert set(flags) == {dead_enrolled, moved_enrolled} and extract.flagged == 2
    assert flags[dead_enrolled].state == "deceased" and flags[dead_enrolled].changed_on == dt.date(2023, 11, 2)
    assert Enrolment.objects.get(id_number=dead_enrolled, insurance_year=YEAR).status == EnrolmentStatus.REGISTERED
    marked = {p.id_number: p.state for p in RegistryPerson.objects.filter(extract=extract).exclude(state="normal")}
    assert marked == {number(4): "deceased", number(7): "deceased", number(8): "moved_out"}

    # the same file again: the earlier comparison, nothing new
    again, repeated = _import(world["file"], clerk)
    assert repeated and again.pk == extract.pk and EnrolmentFlag.objects.count() == 2
    # another file naming them again: no second open flag
    other = csv_file(world["file"].parent, world["lines"][:12], name="户籍2.csv")
    _import(other, clerk)
    assert EnrolmentFlag.objects.filter(status=FlagStatus.OPEN).count() == 2

    flag = flags[dead_enrolled]
    with pytest.raises(AppError) as no_note:
        services.clear_flag(flag, note="", actor=clerk)
    assert no_note.value.code == "note_required"
    services.clear_flag(flag, note="已核实死亡，另行办理注销", actor=clerk)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.CLEARED and flag.cleared_by_id == clerk.pk
    assert AuditEntry.objects.filter(action="gaps.flag.clear", object_id=str(flag.pk)).exists()
    with pytest.raises(AppError) as twice:
        services.clear_flag(flag, note="再次", actor=clerk)
    assert twice.value.code == "not_open"


def test_bad_rows_refuse_the_whole_file_with_an_error_report(tmp_path, clerk):
    good = number(1)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    path = csv_file(tmp_path, [f"{good},甲,{DONGMING_VILLAGE},正常,",
                               f"{bad_check},乙,{DONGMING_VILLAGE},正常,",
                               f"{number(2)},丙,140502001001,正常,",          # 晋城's village: not 东明's
                               f"{number(3)},丁,{DONGMING_VILLAGE},失踪,",
                               f"{number(4)},戊,{DONGMING_VILLAGE},死亡,",
                               f"{good},己,{DONGMING_VILLAGE},正常,"])
    outcome = run_import(path, path.name, region=DONGMING, insurance_year=YEAR, actor=clerk, report_name="t")
    assert not outcome.ok and outcome.code == "rows_invalid" and outcome.error_count == 5
    by_row = {(e["row"], e["column"]) for e in outcome.errors}
    assert by_row == {(3, "身份证号码"), (4, "户籍地区划代码"), (5, "状态"), (6, "变动日期"), (7, "身份证号码")}
    assert any("校验" in e["message"] for e in outcome.errors if e["row"] == 3)
    assert not Extract.objects.exists() and not RegistryPerson.objects.exists()
    report = CalamineWorkbook.from_path(outcome.report).get_sheet_by_index(0).to_python()
    assert report[0] == ["行号", "列", "错误说明"] and len(report) == 6


def test_a_file_without_the_required_columns_is_refused(tmp_path, clerk):
    path = tmp_path / "x.csv"
    path.write_text("身份证号码,姓名\n" + f"{number(1)},甲\n", encoding="utf-8")
    outcome = run_import(path, path.name, region=DONGMING, insurance_year=YEAR, actor=clerk)
    assert not outcome.ok and outcome.code == "columns_missing" and "户籍地区划代码" in outcome.message
    assert not Extract.objects.exists()


def test_an_xlsx_extract_is_read_too(tmp_path, clerk):
    import xlsxwriter

    path = tmp_path / "户籍.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([HEADER.strip().split(","), [number(1), "甲", DONGMING_VILLAGE, "正常", ""]]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    extract, _ = _import(path, clerk)
    assert extract.rows == 1 and extract.uncovered == 1


def test_a_township_clerk_sees_only_their_township(world, clerk, client_for):
    extract, _ = _import(world["file"], clerk)
    township = TownshipClerkFactory()   # 城关街道: the first two villages
    assert {v.key for v in selectors.villages(township, extract)} == {DONGMING_VILLAGE, DONGMING_OTHER_VILLAGE}
    client = client_for(township)
    inside = client.get(f"/gaps/villages/{DONGMING_VILLAGE}/?year={YEAR}")
    assert inside.status_code == 200 and "应保未保" in inside.content.decode()
    outside = client.get(f"/gaps/villages/{DONGMING_OTHER_TOWNSHIP_VILLAGE}/?year={YEAR}")
    missing = client.get(f"/gaps/villages/371728999999/?year={YEAR}")
    assert outside.status_code == missing.status_code == 404
    api_out = client.get(f"/api/v1/gaps/villages/{DONGMING_OTHER_TOWNSHIP_VILLAGE}/uncovered?year={YEAR}")
    assert api_out.status_code == 404
    api_in = client.get(f"/api/v1/gaps/villages/{DONGMING_VILLAGE}/uncovered?year={YEAR}").json()
    counts = {v.key: v.uncovered for v in selectors.villages(township, extract)}
    assert api_in["extract"] == extract.pk and len(api_in["people"]) == counts[DONGMING_VILLAGE] > 0


def test_the_export_masks_identity_numbers_for_roles_without_the_right(world, clerk, client_for):
    extract, _ = _import(world["file"], clerk)
    expected = sorted(p.id_number for p in selectors.uncovered_in(clerk, extract, division(DONGMING_VILLAGE)))

    def exported(user):
        response = client_for(user).get(f"/gaps/villages/{DONGMING_VILLAGE}/export.xlsx?year={YEAR}")
        assert response.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
        return [r[1] for r in rows[2:]]

    assert sorted(exported(clerk)) == expected
    masked = exported(BureauManagerFactory(division=division(DONGMING)))
    assert len(masked) == len(expected) and all("*" in n and n not in expected for n in masked)


def test_the_import_runs_as_a_job_from_the_page(world, clerk, client_for):
    from yibao.jobs.models import Job

    client = client_for(clerk)
    with world["file"].open("rb") as fh:
        response = client.post("/gaps/import/", {"region": DONGMING, "insurance_year": YEAR, "file": fh})
    assert response.status_code == 302
    job = Job.objects.get(kind="gaps.import.registry")
    assert job.status == "done" and job.result["ok"] and "应保未保" in job.message
    page = client.get("/gaps/").content.decode()
    assert "雷庄村" in page


def test_the_command_line_and_the_api_import_and_list(world, clerk, client_for, capsys, tmp_path):
    from yibao.cli import main

    assert main(["gaps", "--as", clerk.username, "import-registry", "--region", DONGMING, "--year", str(YEAR),
                 str(world["file"])]) == 0
    assert "应保未保" in capsys.readouterr().out
    extract = Extract.objects.get()
    out = tmp_path / "list.xlsx"
    assert main(["gaps", "--as", clerk.username, "uncovered", DONGMING_VILLAGE, "--year", str(YEAR),
                 "--xlsx", str(out)]) == 0
    printed = capsys.readouterr().out
    expected = [p.id_number for p in selectors.uncovered_in(clerk, extract, division(DONGMING_VILLAGE))]
    assert expected and all(n in printed for n in expected)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sorted(r[1] for r in rows[2:]) == sorted(expected)

    bad = csv_file(tmp_path, [f"{number(1)},甲,999999999999,正常,"], name="bad.csv")
    assert main(["gaps", "--as", clerk.username, "import-registry", "--region", DONGMING, str(bad)]) == 1
    assert "户籍地区划代码" in capsys.readouterr().out

    client = client_for(clerk)
    with bad.open("rb") as fh:
        started = client.post("/api/v1/gaps/imports", {"region": DONGMING, "insurance_year": YEAR, "file": fh})
    assert started.status_code == 202
    job = client.get(f"/api/v1/jobs/{started.json()['job_id']}").json()
    assert job["result"]["ok"] is False and job["result"]["error_count"] == 1
    assert Extract.objects.count() == 1
    listed = client.get("/api/v1/gaps/extracts").json()
    assert [e["id"] for e in listed] == [extract.pk] and listed[0]["uncovered"] == extract.uncovered


def test_a_township_clerk_imports_for_their_township_only(world, clerk, tmp_path):
    """A clerk of part of the region compares that part: rows of another township are row errors,
    enrolments are flagged only inside it, and an import of the whole region answers for the other
    township's villages while the newer import of the part answers for its own."""
    township = TownshipClerkFactory()   # 城关街道: the first two villages
    with pytest.raises(RowsRejected) as refused:
        _import(world["file"], township)
    assert {e.message for e in refused.value.errors} == {
        f"“{DONGMING_OTHER_TOWNSHIP_VILLAGE}”不是城关街道的村（社区）区划代码"}
    own = [line for line in world["lines"] if f",{DONGMING_OTHER_TOWNSHIP_VILLAGE}," not in line]
    part, _ = _import(csv_file(tmp_path, own, "城关.csv"), township)
    assert part.area.name == "城关街道" and part.region_id == DONGMING
    flagged = set(EnrolmentFlag.objects.filter(extract=part).values_list("division__path", flat=True))
    assert flagged and all(path.startswith(part.area.path) for path in flagged)
    region_wide, _ = _import(world["file"], clerk)
    assert region_wide.area is None
    other, inside = division(DONGMING_OTHER_TOWNSHIP_VILLAGE), division(DONGMING_VILLAGE)
    assert selectors.extract_covering(clerk, other, YEAR) == region_wide
    assert selectors.extract_covering(township, inside, YEAR) == region_wide   # the newest covering it
    again, repeated = _import(csv_file(tmp_path, own, "城关.csv"), township)
    assert repeated and again == part   # the same file for the same area answers the earlier comparison
