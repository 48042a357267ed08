"""The weekly report (周报), the monthly bulletin (月通报), the counties' weekly submissions and the
Friday job, against an independent count over the same season of 晋城 (tests/reporting/factories):
the figures per county and township, the xlsx and the PDF (charts and Chinese fonts embedded),
the deadline of 晋城 五（五） (Fridays 17:00) and its absence in 东明, each reader's scope, the
page, the API and the command line."""

import ctypes
import datetime as dt
import io
import json
import re
from collections import Counter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from factories import (
    JINCHENG,
    AgencyClerkFactory,
    BureauManagerFactory,
    TownshipClerkFactory,
    VillageAgentFactory,
    division,
)
from yibao.audit.models import AuditEntry
from yibao.errors import Conflict, NotFound
from yibao.regions.models import Division
from yibao.reporting import tasks
from yibao.reporting.errors import ReportRequestError
from yibao.reporting.models import WeeklyReport, WeeklySubmission
from yibao.reporting.services import reports, submissions

from . import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 12, 31)
WEEK = dt.date(2023, 11, 10)           # a Friday in 晋城's collection period (2023-09-01 to 2023-12-25)
CHENGQU, ZEZHOU, DONGMING = "140502", "140525", "371728"
API = "/api/v1/reporting/reports"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = TODAY


@pytest.fixture
def season():
    return f.season(people=90)


@pytest.fixture
def manager():
    return BureauManagerFactory(division=division(JINCHENG))


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def paid_on(e, day) -> bool:
    """Paid at the end of ``day``: paid by then and not refunded by then (the independent count)."""
    end = at(day + dt.timedelta(days=1), 0)
    return e.paid_on is not None and e.paid_on <= day and (
        e.status == "paid" or (e.status == "refunded" and e.status_changed_at >= end))


def independent(season, day):
    """Paid people per township and per county at the end of ``day``, counted from the rows."""
    parents = dict(Division.objects.filter(key__in={v.parent_id for v in season.villages})
                   .values_list("key", "parent_id"))
    township_of = {v.key: v.parent_id for v in season.villages}
    townships, counties = Counter(), Counter()
    for e in season.enrolments:
        if paid_on(e, day):
            townships[township_of[e.division_id]] += 1
            counties[parents[township_of[e.division_id]]] += 1
    return townships, counties


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def embedded_fonts(pdf: bytes) -> set[tuple[str, bool]]:
    doc = pdfium.PdfDocument(pdf)
    fonts = set()
    for i in range(len(doc)):
        for obj in doc[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
            fonts.add((buffer.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return fonts


def sheet(data: bytes, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name).to_python()


# --- the weekly report --------------------------------------------------------------------------

def test_the_weekly_report_counts_as_an_independent_count_does(season, manager):
    report = reports.weekly(manager, JINCHENG, 2024, WEEK)
    townships, counties = independent(season, WEEK)
    before_t, before_c = independent(season, WEEK - dt.timedelta(days=7))
    assert sum(counties.values()) > 0 and sum(counties.values()) != sum(before_c.values())
    assert {c.key for c in report.counties} == {d.key for d in Division.objects.filter(parent_id=JINCHENG,
                                                                                        level="county")}
    for line in report.counties:
        assert line.row.paid == counties[line.key], line.name
        assert line.row.paid_change == counties[line.key] - before_c[line.key]
        for t in line.townships:
            assert t.paid == townships[t.key] and t.paid_change == townships[t.key] - before_t[t.key]
            assert Division.objects.get(key=t.key).parent_id == line.key
    assert report.total.paid == sum(counties.values())
    chengqu = next(c for c in report.counties if c.key == CHENGQU)
    assert chengqu.row.target == 190670                      # 晋城 附件 参保任务表
    assert report.deadline.due == at(WEEK, 17) and report.deadline.required
    assert "五、工作要求（五）" in report.deadline.citation


def test_a_week_must_end_on_a_friday(manager):
    with pytest.raises(ReportRequestError) as exc:
        reports.parse_week("2023-11-09")
    assert exc.value.code == "week_invalid" and "星期五" in exc.value.message
    assert reports.parse_week("") == dt.date(2023, 12, 29)   # the latest Friday on or before the business date


def test_the_xlsx_and_the_pdf_carry_the_same_figures_charts_and_fonts(season, manager):
    report = reports.weekly(manager, JINCHENG, 2024, WEEK)
    _, counties = independent(season, WEEK)
    rows = sheet(reports.weekly_xlsx(report), "县区")
    header = rows[3]
    by_name = {r[0]: r for r in rows[4:]}
    for line in report.counties:
        assert by_name[line.name][header.index("缴费人数")] == counties[line.key]
    assert by_name["合计"][header.index("缴费人数")] == sum(counties.values())
    town_rows = sheet(reports.weekly_xlsx(report), "乡镇")
    assert len(town_rows) - 3 == report.township_count

    pdf = reports.weekly_pdf(report)
    text = pdf_text(pdf)
    assert "晋城市城乡居民医保筹资进展周报" in text and "城区" in text and "报送时限：2023-11-10 17:00" in text
    assert "各县（市、区）参保缴费完成率" in text and "本周新增缴费人数" in text   # the charts' own titles (SVG text)
    fonts = embedded_fonts(pdf)
    names = {re.sub(r"^[A-Z]{6}\+", "", name).replace("-", "") for name, _ in fonts}
    assert names and all(n.startswith(("NotoSansCJK", "NotoSerifCJK")) for n in names), names
    assert all(embedded for _, embedded in fonts)


# --- weekly submissions -------------------------------------------------------------------------

def test_a_county_clerk_submits_before_friday_17_and_is_on_time(season):
    clerk = AgencyClerkFactory(division=division(CHENGQU))
    late = AgencyClerkFactory(division=division(ZEZHOU))
    done = submissions.submit_week(clerk, JINCHENG, CHENGQU, year=2024, now=at(WEEK, 16, 59))
    assert done.on_time is True and done.week_ending == WEEK and done.due == at(WEEK, 17)
    assert done.figures["paid"] == independent(season, WEEK)[1][CHENGQU]
    entry = AuditEntry.objects.get(action="reporting.weekly_submitted", object_id=str(done.pk))
    assert entry.actor_id == clerk.pk and entry.after["county"] == CHENGQU
    with pytest.raises(Conflict) as exc:
        submissions.submit_week(clerk, JINCHENG, CHENGQU, year=2024, now=at(WEEK, 16, 59, ))
    assert exc.value.code == "already_submitted"
    after = submissions.submit_week(late, JINCHENG, ZEZHOU, year=2024, now=at(WEEK, 17, 1))
    assert after.on_time is False
    report = reports.weekly(BureauManagerFactory(division=division(JINCHENG)), JINCHENG, 2024, WEEK)
    status = {c.key: c.status for c in report.counties}
    assert status[CHENGQU] == "on_time" and status[ZEZHOU] == "late"
    assert {status[k] for k in status if k not in (CHENGQU, ZEZHOU)} == {"missing"}   # TODAY is past the deadline


def test_submissions_refused_outside_scope_and_outside_the_collection_period(season):
    clerk = AgencyClerkFactory(division=division(CHENGQU))
    with pytest.raises(NotFound):
        submissions.submit_week(clerk, JINCHENG, ZEZHOU, year=2024, now=at(WEEK, 10))
    township_clerk = AgencyClerkFactory(division=Division.objects.filter(parent_id=CHENGQU).first())
    with pytest.raises(NotFound):
        submissions.submit_week(township_clerk, JINCHENG, CHENGQU, year=2024, now=at(WEEK, 10))
    with pytest.raises(ReportRequestError) as exc:
        submissions.submit_week(clerk, JINCHENG, CHENGQU, year=2024, now=at(dt.date(2023, 12, 29), 10))
    assert exc.value.code == "submission_not_required"
    assert not WeeklySubmission.objects.exists()


def test_dongming_has_no_deadline_so_a_submission_is_not_judged():
    clerk = AgencyClerkFactory(division=division(DONGMING))
    done = submissions.submit_week(clerk, DONGMING, DONGMING, year=2024, now=at(WEEK, 18))
    assert done.on_time is None and done.due is None
    report = reports.weekly(clerk, DONGMING, 2024, WEEK)
    assert report.deadline is None and "未规定" in report.deadline_note
    assert report.counties[0].status == "no_deadline"


# --- the monthly bulletin -----------------------------------------------------------------------

def test_the_bulletin_ranks_by_completion_and_marks_those_below_the_time_elapsed(season, manager):
    b = reports.bulletin(manager, JINCHENG, 2024, reports.parse_month("2023-11"))
    assert b.as_of == dt.date(2023, 11, 30)
    # 2023-09-01 to 2023-12-25 is 116 days; 91 of them have passed by 11-30
    assert str(b.time_share) == "0.7845" and "时序进度" in b.basis and "通知未规定" in b.basis
    completions = [ln.row.completion for ln in b.counties]
    assert completions == sorted(completions, reverse=True)
    assert [ln.rank for ln in b.counties][0] == 1
    for ln in b.counties + b.townships:
        assert ln.behind == (ln.row.completion is not None and ln.row.completion < b.time_share)
    _, counties = independent(season, dt.date(2023, 11, 30))
    assert {ln.row.key: ln.row.paid for ln in b.counties} == {k: counties[k] for k in (ln.row.key for ln in b.counties)}
    rows = sheet(reports.bulletin_xlsx(b), "县区排名")
    assert [r[1] for r in rows[4:]] == [ln.row.name for ln in b.counties]
    assert "各县（市、区）完成率排名" in pdf_text(reports.bulletin_pdf(b))


# --- the Friday job -----------------------------------------------------------------------------

def test_the_friday_job_stores_the_weekly_report_once_its_deadline_has_passed(season, settings):
    settings.YIBAO_TODAY = WEEK
    assert reports.friday_reports(at(WEEK, 16, 30)) and WeeklyReport.objects.filter(
        region_id=JINCHENG, week_ending=WEEK - dt.timedelta(days=7)).exists()   # before 17:00: last week's
    assert not WeeklyReport.objects.filter(week_ending=WEEK).exists()
    # a worker down for weeks catches up: every due week of the collection period since is stored
    weeks = set(WeeklyReport.objects.filter(region_id=JINCHENG).values_list("week_ending", flat=True))
    assert {WEEK - dt.timedelta(days=7 * n) for n in range(1, 4)} <= weeks
    settings.YIBAO_TODAY = WEEK + dt.timedelta(days=1)
    made = tasks.weekly_reports.call_local()                        # the periodic task itself
    stored = WeeklyReport.objects.get(region_id=JINCHENG, week_ending=WEEK)
    assert stored.pk in made and stored.generated_by == "定时任务"
    assert stored.content["total"]["paid"] == sum(independent(season, WEEK)[1].values())
    assert bytes(stored.pdf).startswith(b"%PDF") and bytes(stored.xlsx).startswith(b"PK")
    assert AuditEntry.objects.filter(action="reporting.weekly_report_stored", object_id=str(stored.pk)).exists()
    assert tasks.weekly_reports.call_local() == []                 # stored once


# --- pages, API, command line, scope ------------------------------------------------------------

def test_the_manager_opens_the_weekly_report_page_and_downloads_it(season, manager, client):
    client.force_login(manager)
    page = client.get(f"/reporting/weekly/?region={JINCHENG}&year=2024&week={WEEK}")
    assert page.status_code == 200
    html = page.content.decode()
    total = sum(independent(season, WEEK)[1].values())
    assert f'data-testid="weekly-total-paid">{total}<' in html and "<svg" in html
    assert "各村清册" not in html                                    # the manager has no paid lists
    xlsx = client.get(f"/reporting/weekly.xlsx?region={JINCHENG}&year=2024&week={WEEK}")
    pdf = client.get(f"/reporting/weekly.pdf?region={JINCHENG}&year=2024&week={WEEK}")
    assert xlsx.status_code == 200 and pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = client.get(f"/reporting/weekly/?region={JINCHENG}&year=2024&week=2023-11-09")
    assert bad.status_code == 400 and "星期五" in bad.content.decode()
    assert client.get(f"/reporting/monthly/?region={JINCHENG}&year=2024&month=2023-11").status_code == 200


def test_a_county_clerk_sees_their_county_only_and_submits_on_the_page(season, client, settings):
    clerk = AgencyClerkFactory(division=division(CHENGQU))
    client.force_login(clerk)
    html = client.get(f"/reporting/weekly/?region={JINCHENG}&year=2024&week={WEEK}").content.decode()
    assert f'data-county="{CHENGQU}"' in html and f'data-county="{ZEZHOU}"' not in html
    assert "各村清册" in html                                        # the clerk may open the paid lists
    page = client.get(f"/reporting/submissions/?region={JINCHENG}&year=2024")
    assert page.status_code == 200 and f'value="{CHENGQU}"' in page.content.decode()
    refused = client.post(f"/reporting/submissions/submit?region={JINCHENG}&year=2024", {"county": CHENGQU},
                          follow=True)
    assert "不在 2024 保险年度的集中缴费期内" in refused.content.decode()   # 2023-12-31: the period has ended
    settings.YIBAO_TODAY = WEEK
    answer = client.post(f"/reporting/submissions/submit?region={JINCHENG}&year=2024", {"county": CHENGQU})
    assert answer.status_code == 302
    assert WeeklySubmission.objects.get(county_id=CHENGQU).week_ending == WEEK


def test_the_api_answers_the_figures_and_takes_a_submission(season, manager, client, settings):
    client.force_login(manager)
    body = client.get(f"{API}/weekly?region={JINCHENG}&insurance_year=2024&week={WEEK}").json()
    _, counties = independent(season, WEEK)
    assert {c["key"]: c["paid"] for c in body["counties"]} == {k: counties[k] for k in (c["key"] for c in body["counties"])}
    assert body["deadline"]["due"].startswith("2023-11-10T17:00")
    bad = client.get(f"{API}/weekly?region={JINCHENG}&insurance_year=2024&week=2023-11-11")
    assert bad.status_code == 400 and bad.json()["code"] == "week_invalid"
    pdf = client.get(f"{API}/weekly/file?region={JINCHENG}&insurance_year=2024&week={WEEK}&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"{API}/monthly?region={JINCHENG}&insurance_year=2024&month=2023-11").json()["counties"]
    assert client.post(f"{API}/submissions", json.dumps({"region": JINCHENG, "county": CHENGQU}),
                       content_type="application/json").status_code == 403
    settings.YIBAO_TODAY = WEEK
    clerk = AgencyClerkFactory(division=division(CHENGQU))
    client.force_login(clerk)
    payload = json.dumps({"region": JINCHENG, "county": CHENGQU, "insurance_year": 2024})
    first = client.post(f"{API}/submissions", payload, content_type="application/json")
    assert first.status_code == 201 and first.json()["county"] == CHENGQU
    again = client.post(f"{API}/submissions", payload, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_submitted"
    other = client.post(f"{API}/submissions", json.dumps({"region": JINCHENG, "county": ZEZHOU}),
                        content_type="application/json")
    assert other.status_code == 404
    assert [s["county"] for s in client.get(f"{API}/submissions?region={JINCHENG}").json()] == [CHENGQU]


def test_other_readers_are_refused_or_narrowed(season, client):
    client.force_login(VillageAgentFactory())
    assert client.get(f"/reporting/weekly/?region={JINCHENG}&year=2024&week={WEEK}").status_code == 403
    township = Division.objects.filter(parent_id=CHENGQU, level="township").order_by("key").first()
    client.force_login(TownshipClerkFactory(division=township))
    body = client.get(f"{API}/weekly?region={JINCHENG}&insurance_year=2024&week={WEEK}").json()
    assert [t["key"] for c in body["counties"] for t in c["townships"]] == [township.key]
    assert all(c.get("paid") is None for c in body["counties"])    # the county is not wholly theirs


def test_the_command_line(season, tmp_path, capsys, settings):
    from yibao.cli import main

    BureauManagerFactory(division=division(JINCHENG), username="jc_manager")
    AgencyClerkFactory(division=division(CHENGQU), username="cq_clerk")
    out = tmp_path / "w.xlsx"
    assert main(["reports", "--as", "jc_manager", "weekly", "--region", JINCHENG, "--year", "2024",
                 "--week", str(WEEK), "--out", str(out)]) == 0
    assert sheet(out.read_bytes(), "县区")[4][0]
    settings.YIBAO_TODAY = WEEK
    assert main(["reports", "--as", "cq_clerk", "submit", "--region", JINCHENG, "--county", CHENGQU,
                 "--year", "2024"]) == 0
    assert main(["reports", "--as", "cq_clerk", "submit", "--region", JINCHENG, "--county", CHENGQU,
                 "--year", "2024"]) == 2
    assert "不能重复报送" in capsys.readouterr().err
