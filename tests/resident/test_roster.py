"""续保人员名册 (东明 东政办字〔2023〕26号 三(一)): who is on it, build → confirm → post with the
roles and areas that may, the printed roster (masked numbers, signature lines), and the page,
the API and the command line once each."""

import datetime as dt
import io
import re

import pypdfium2 as pdfium
import pytest
from python_calamine import CalamineWorkbook

from factories import (
    JINCHENG,
    TaxClerkFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
    village,
)
from yibao.audit.models import AuditEntry
from yibao.documents.grid import text_width
from yibao.errors import AppError
from yibao.identity import resident_id_check_char
from yibao.jobs.models import Job
from yibao.resident.models import Enrolment, LifeStatus, Person, Roster, RosterStatus
from yibao.resident.services import roster as rosters

from .factories import DONGMING_OTHER_TOWNSHIP_VILLAGE, DONGMING_OTHER_VILLAGE, DONGMING_VILLAGE, enrolled

# the roster's people are moved, renamed and re-dated directly (existing data): counters not checked
pytestmark = [pytest.mark.django_db, pytest.mark.tallies_unchecked]

PAID = dt.date(2023, 10, 9)
YEAR = 2025  # the roster's year: renewing the people paid for 2024


@pytest.fixture
def tax():
    return TaxClerkFactory()  # 东明县


@pytest.fixture
def agent():
    return VillageAgentFactory(division=village(DONGMING_VILLAGE), full_name="雷庄村代办员")


@pytest.fixture
def people(agent):
    """Seven people of 雷庄村 and its neighbours, enrolled for 2024: who renews and who does not."""
    out = {}
    out["paid"] = enrolled(1, maker=agent, year=2024, paid_on=PAID).person
    out["paid_too"] = enrolled(7, maker=agent, year=2024, paid_on=PAID).person
    out["deceased"] = enrolled(2, maker=agent, year=2024, paid_on=PAID).person
    Person.objects.filter(pk=out["deceased"].pk).update(life_status=LifeStatus.DECEASED,
                                                      life_status_on=dt.date(2024, 5, 1))
    out["moved"] = enrolled(3, maker=agent, year=2024, paid_on=PAID).person
    Person.objects.filter(pk=out["moved"].pk).update(division_id=DONGMING_OTHER_VILLAGE)
    out["unpaid"] = enrolled(4, maker=agent, year=2024).person
    township = TownshipClerkFactory()
    out["other_village"] = enrolled(5, maker=township, year=2024, village=DONGMING_OTHER_VILLAGE, paid_on=PAID).person
    # paid for the coming year already, not this one: not this year's insured
    # (registration for a year the notice does not configure is refused, so the row is moved directly)
    next_only = enrolled(6, maker=agent, year=2024, paid_on=PAID)
    Enrolment.objects.filter(pk=next_only.pk).update(insurance_year=YEAR)
    out["next_year_only"] = next_only.person
    return out


def whole_numbers(text: str) -> set[str]:
    return {m for m in re.findall(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])", text)
            if resident_id_check_char(m[:17]) == m[17].upper()}


def pdf_text(content: bytes) -> str:
    doc = pdfium.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def test_the_roster_holds_this_years_paid_who_are_alive_and_still_in_the_village(tax, people):
    roster = rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    on_roster = set(roster.entries.values_list("person_id", flat=True))
    assert on_roster == {people["paid"].pk, people["paid_too"].pk}
    assert roster.people == 2 and roster.status == RosterStatus.BUILT and roster.region_id == "371728"
    assert sorted(roster.entries.values_list("ordinal", flat=True)) == [1, 2]
    entry = AuditEntry.objects.get(action="resident.roster.build")
    assert entry.after["people"] == 2 and entry.actor_id == tax.pk


def test_building_again_rebuilds_until_confirmed_then_it_is_fixed(tax, agent, people):
    roster = rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    Person.objects.filter(pk=people["paid_too"].pk).update(life_status=LifeStatus.DECEASED)
    again = rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    assert again.pk == roster.pk and again.people == 1
    assert list(again.entries.values_list("person_id", flat=True)) == [people["paid"].pk]

    rosters.confirm(again, actor=tax)
    with pytest.raises(AppError, match="已核准，不能重新生成") as refused:
        rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    assert refused.value.code == "roster_fixed"
    with pytest.raises(AppError, match="不能再次核准"):
        rosters.confirm(again, actor=tax)
    posted = rosters.post(again, actor=agent)
    assert posted.status == RosterStatus.POSTED and posted.posted_by_id == agent.pk
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="resident.roster.").order_by("id")] == [
        "resident.roster.build", "resident.roster.build", "resident.roster.confirm", "resident.roster.post"]


def test_each_step_is_refused_outside_the_actors_area_and_out_of_order(tax, agent, people):
    jincheng_tax = TaxClerkFactory(division=division(JINCHENG))
    with pytest.raises(AppError, match="不在您负责的区域内") as refused:
        rosters.build(village(DONGMING_VILLAGE), YEAR, actor=jincheng_tax)
    assert refused.value.code == "outside_area"
    assert not Roster.objects.exists()
    with pytest.raises(AppError, match="不是村（社区）"):
        rosters.village("371728001")

    roster = rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    with pytest.raises(AppError, match="不在您负责的区域内"):
        rosters.confirm(roster, actor=jincheng_tax)
    with pytest.raises(AppError, match="尚未经税务部门核准") as refused:
        rosters.post(roster, actor=agent)
    assert refused.value.code == "roster_not_confirmed"
    rosters.confirm(roster, actor=tax)
    neighbour = VillageAgentFactory(division=village(DONGMING_OTHER_VILLAGE))
    with pytest.raises(AppError, match="只能张贴本村（社区）的续保人员名册"):
        rosters.post(roster, actor=neighbour)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.CONFIRMED and roster.posted_by_id is None
    rosters.post(roster, actor=agent)
    with pytest.raises(AppError, match="已张贴公示"):
        rosters.post(roster, actor=agent)


def test_the_pdf_masks_every_number_and_has_the_title_and_signature_lines(tax, agent, people):
    roster = rosters.confirm(rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax), actor=tax)
    file = rosters.export(roster, "pdf", actor=agent).file  # an agent sees numbers whole elsewhere: not here
    assert file.content.startswith(b"%PDF-") and file.filename == f"续保人员名册-{DONGMING_VILLAGE}-{YEAR}.pdf"
    text = pdf_text(file.content)
    assert not whole_numbers(text)
    for p in Person.objects.all():
        assert p.id_number not in text
    assert "13800138000" not in text and "138****8000" in text
    paid = people["paid"]
    assert f"{paid.id_number[:6]}********{paid.id_number[-4:]}" in text and paid.name in text
    assert f"{YEAR}年度城乡居民基本医疗保险续保人员名册" in text
    assert "城关街道" in text and "雷庄村村民委员会" in text
    for heading in ("序号", "姓名", "性别", "身份证号码", "户籍地", "联系电话"):
        assert heading in text
    for line in ("制表人", "审核人（税务）", "村居经办人", "公示日期"):
        assert line in text
    assert "第 1 页 共 1 页" in text
    for absent in ("居民2", "居民3", "居民4", "居民5", "居民6"):
        assert absent not in text
    assert AuditEntry.objects.filter(action="resident.roster.export", actor_id=agent.pk).exists()


def test_a_long_roster_is_paginated_with_columns_that_stay_aligned(tax, agent):
    from yibao.resident.printing import roster as printed

    long_name = "阿卜杜热合曼·买买提依明托合提"
    lines = [printed.RosterLine(i, long_name if i == 2 else "王伟", "男", "371728********123X", "雷庄村村民委员会",
                                "138****8000") for i in range(1, 101)]
    sheets = printed.sheets(lines)
    assert [s.lines for s in sheets] == [printed.FIRST_SHEET_LINES, printed.SHEET_LINES,
                                         100 - printed.FIRST_SHEET_LINES - printed.SHEET_LINES]
    rows = sheets[0].text.split("\n")
    assert "…" in rows[1] and long_name not in rows[1]
    # every row's identity number starts in the same column of the monospaced font
    starts = {text_width(r[:r.index("371728")]) for r in rows}
    assert len(starts) == 1


def test_the_xlsx_has_the_same_columns_masked(tax, people):
    roster = rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    file = rosters.export(roster, "xlsx", actor=tax).file
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_index(0).to_python()
    assert f"{YEAR}年度城乡居民基本医疗保险续保人员名册" in sheet[0][0]
    header = sheet[3]
    assert header == ["序号", "姓名", "性别", "身份证号码", "户籍地", "联系电话"]
    first = people["paid"] if roster.entries.get(ordinal=1).person_id == people["paid"].pk else people["paid_too"]
    assert sheet[4][0] == 1 and sheet[4][1] == first.name
    assert sheet[4][3] == f"{first.id_number[:6]}********{first.id_number[-4:]}" and sheet[4][5] == "138****8000"
    cells = "\n".join(str(c) for row in sheet for c in row)
    assert not whole_numbers(cells) and "制表人" in cells and "公示日期" in cells


def test_the_pages_build_confirm_and_post(client_for, tax, agent, people):
    c = client_for(tax)
    page = c.get("/resident/rosters/?year=2025&township=371728001")
    assert page.status_code == 200 and "雷庄村村民委员会" in page.content.decode() and "生成名册" in page.content.decode()
    built = c.post("/resident/rosters/build/", {"village": DONGMING_VILLAGE, "year": "2025"})
    roster = Roster.objects.get()
    assert built.status_code == 302 and built["Location"] == f"/resident/rosters/{roster.pk}/"
    detail = c.get(f"/resident/rosters/{roster.pk}/").content.decode()
    assert "核准名册" in detail and people["paid"].name in detail and people["paid"].id_number not in detail
    assert c.post(f"/resident/rosters/{roster.pk}/confirm/").status_code == 302
    assert c.post(f"/resident/rosters/{roster.pk}/post/").status_code == 403  # the tax clerk does not post

    a = client_for(agent)
    mine = a.get("/resident/rosters/mine/?year=2025").content.decode()
    assert "已张贴公示" in mine and "核准名册" not in mine
    assert a.post(f"/resident/rosters/{roster.pk}/confirm/").status_code == 403
    assert a.post(f"/resident/rosters/{roster.pk}/post/").status_code == 302
    roster.refresh_from_db()
    assert roster.status == RosterStatus.POSTED
    download = a.get(f"/resident/rosters/{roster.pk}/roster.xlsx")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")


def test_a_large_villages_pdf_is_a_job_with_progress(client_for, tax, people, monkeypatch):
    monkeypatch.setattr(rosters, "PDF_INLINE_PEOPLE", 1)
    roster = rosters.build(village(DONGMING_VILLAGE), YEAR, actor=tax)
    answer = client_for(tax).get(f"/resident/rosters/{roster.pk}/roster.pdf")
    job = Job.objects.get(kind="resident.roster.pdf")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.total >= 1 and job.done == job.total
    assert job.result["filename"].endswith(".pdf")


def test_the_api_lists_builds_confirms_posts_and_downloads(client_for, tax, agent, people):
    c = client_for(tax)
    rows = c.get("/api/v1/resident/rosters?year=2025&township=371728001").json()
    row = next(r for r in rows if r["village"] == DONGMING_VILLAGE)
    assert row["insured_last_year"] == 4 and row["roster"] is None  # paid, paid_too, deceased, moved
    built = c.post("/api/v1/resident/rosters", {"village": DONGMING_VILLAGE, "year": YEAR},
                   content_type="application/json")
    assert built.status_code == 200 and built.json()["people"] == 2
    pk = built.json()["id"]
    detail = c.get(f"/api/v1/resident/rosters/{pk}").json()
    assert all("*" in e["id_number"] and "*" in e["phone"] for e in detail["entries"])
    assert c.post(f"/api/v1/resident/rosters/{pk}/post", content_type="application/json").status_code == 403
    assert c.post(f"/api/v1/resident/rosters/{pk}/confirm", content_type="application/json").json()["status"] == "confirmed"
    neighbour = client_for(VillageAgentFactory(division=village(DONGMING_OTHER_VILLAGE)))
    assert neighbour.post(f"/api/v1/resident/rosters/{pk}/post", content_type="application/json").status_code == 404
    posted = client_for(agent).post(f"/api/v1/resident/rosters/{pk}/post", content_type="application/json")
    assert posted.status_code == 200 and posted.json()["status"] == "posted"
    c = client_for(tax)
    assert c.get(f"/api/v1/resident/rosters/{pk}/file?format=pdf").content.startswith(b"%PDF-")
    assert c.get(f"/api/v1/resident/rosters/{pk}/file?format=docx").status_code == 404
    again = c.post("/api/v1/resident/rosters", {"village": DONGMING_VILLAGE, "year": YEAR},
                   content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "roster_fixed"


def test_the_command_line_builds_confirms_posts_and_exports(tax, agent, people, tmp_path, capsys):
    from yibao.cli import main

    base = ["resident", "--as"]
    where = ["--village", DONGMING_VILLAGE, "--year", str(YEAR)]
    assert main([*base, tax.username, "roster", "build", *where]) == 0
    assert "2 人" in capsys.readouterr().out
    assert main([*base, agent.username, "roster", "confirm", *where]) == 2
    assert "无权" in capsys.readouterr().err
    assert main([*base, tax.username, "roster", "confirm", *where]) == 0
    assert main([*base, agent.username, "roster", "post", *where]) == 0
    out = tmp_path / "roster.xlsx"
    assert main([*base, agent.username, "roster", "export", *where, "--format", "xlsx", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"PK")
    assert Roster.objects.get().status == RosterStatus.POSTED
    assert main([*base, tax.username, "roster", "build", "--village", DONGMING_OTHER_TOWNSHIP_VILLAGE,
                 "--year", str(YEAR)]) == 0
    assert main([*base, TaxClerkFactory(division=division(JINCHENG)).username, "roster", "build", *where]) == 2


# --- the coming insurance year ------------------------------------------------------------------

@pytest.mark.parametrize(("region", "today", "year"), [
    ("371728", "2023-06-01", 2024),  # the 2024 collection period is the next to open
    ("371728", "2023-10-09", 2024),  # it is open
    ("371728", "2024-03-01", 2025),  # it has closed; 2025's notice is not configured yet
    ("140500", "2023-12-25", 2024),  # 晋城's last day
    ("140500", "2023-12-28", 2025),
])
def test_the_coming_insurance_year_is_the_engines(region, today, year):
    from yibao.resident import rules

    assert rules.renewal_year(region, dt.date.fromisoformat(today)) == year


def test_the_open_collection_period_comes_before_the_next(monkeypatch):
    """Two years' periods configured: the one open wins; none open, the next to open."""
    from yibao.resident import rules

    periods = {2024: ("2023-11-01", "2024-02-28"), 2025: ("2024-09-01", "2024-12-31")}

    def period(region, insurance_year):
        if insurance_year not in periods:
            raise rules.RuleRefused("未规定", code="not_configured")
        return dict(zip(("start", "end"), periods[insurance_year], strict=True))

    monkeypatch.setattr(rules, "collection_period", period)
    assert rules.renewal_year("371728", dt.date(2024, 1, 15)) == 2024
    assert rules.renewal_year("371728", dt.date(2024, 5, 1)) == 2025
    assert rules.renewal_year("371728", dt.date(2024, 10, 1)) == 2025
    assert rules.renewal_year("371728", dt.date(2025, 1, 2)) == 2026
    periods.clear()
    with pytest.raises(rules.RuleRefused):
        rules.renewal_year("371728", dt.date(2024, 1, 15))


def test_the_page_the_api_and_the_command_line_default_to_the_coming_year(settings, client_for, tax, agent, people,
                                                                          capsys):
    from yibao.cli import main

    settings.YIBAO_TODAY = dt.date(2023, 6, 1)  # before the 2024 collection period
    assert "续保人员名册（2024年度）" in client_for(tax).get("/resident/rosters/").content.decode()
    settings.YIBAO_TODAY = dt.date(2024, 3, 1)  # after it
    c = client_for(tax)
    assert "续保人员名册（2025年度）" in c.get("/resident/rosters/").content.decode()
    assert main(["resident", "--as", tax.username, "roster", "build", "--village", DONGMING_VILLAGE]) == 0
    assert "2025 年度续保人员名册：2 人" in capsys.readouterr().out
    roster = Roster.objects.get()
    assert roster.insurance_year == YEAR
    rows = c.get("/api/v1/resident/rosters?township=371728001").json()
    assert next(r for r in rows if r["village"] == DONGMING_VILLAGE)["roster"]["id"] == roster.pk
    mine = client_for(agent).get("/resident/rosters/mine/").content.decode()
    assert f"{YEAR}" in mine and people["paid"].name in mine


def test_where_no_resident_scheme_runs_the_default_year_is_refused(client_for):
    weifang = client_for(TaxClerkFactory(division=division("370700")))
    page = weifang.get("/resident/rosters/")
    assert page.status_code == 200 and "未开展城乡居民医保" in page.content.decode()
    answer = weifang.get("/api/v1/resident/rosters")
    assert answer.status_code == 400 and answer.json()["code"] == "no_region"


def test_a_printed_line_keeps_its_columns_with_ideographic_padding():
    from yibao.documents import grid
    from yibao.resident.printing import roster as printing

    line = printing.RosterLine(12, "欧阳娜娜", "女", "371728********123X", "雷庄村村民委员会", "138****0001")
    text = printing.row_text(line)
    assert grid.text_width(text) == sum(width for _, width, _ in printing.COLUMNS)
    assert "  " not in text and printing.IDEOGRAPHIC_SPACE in text
    # every column starts where the heading's column starts
    starts, left = [], 0
    for _, width, _ in printing.COLUMNS:
        starts.append(left)
        left += width
    assert grid.text_width(text[:text.index("欧阳娜娜")]) < starts[2]
    assert grid.text_width(text[:text.index("371728")]) >= starts[3]
    assert grid.text_width(text[:text.index("138****")]) >= starts[5]
