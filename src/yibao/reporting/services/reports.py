"""The weekly report (周报) and the monthly bulletin (月通报), built on the progress figures
(``yibao.reporting.selectors.progress``) and written as a page, an xlsx workbook and a PDF with
its charts (``yibao.documents.charts``: the same ECharts option the page shows, as SVG).

Weekly report: the week ends on a Friday (晋城 五（五）: 每周五下午17:00前报送); the figures stand at
the end of that Friday (today, while the week is running), per county and per township, with the
change since the Friday before and whether each county submitted its figures before the deadline
(``services.submissions``; the deadline is the engine's, not_configured where no notice gives it).

Monthly bulletin: counties and townships ranked by completion (paid ÷ target). No notice says
what "behind" is (晋城 五（五） only says 每月对筹资进展情况通报), so the bulletin marks a division
behind when its completion is below the share of the collection period elapsed by the bulletin's
day (时序进度, from the engine's collection period); where no collection period is configured it
falls back to the region's average completion, and the bulletin says which basis it used.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import xlsxwriter
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from yibao import clock, registry
from yibao.access.roles import Role
from yibao.audit.services import record_event
from yibao.documents import charts as chartkit
from yibao.documents.pdf import BASE_CSS, SANS, write_pdf
from yibao.documents.xlsx import safe_cell
from yibao.months import Month
from yibao.regions.models import Division, Level
from yibao.resident import selectors as resident

from .. import errors, rules, selectors
from ..models import WeeklyReport, WeeklySubmission

SYSTEM_LABEL = "定时任务"
PCT = Decimal("0.01")


def system_reader():
    """The reader the Friday job reads as: the whole of every region (an unsaved account of the
    administrator's scope; it signs nothing in and is never stored)."""
    user = get_user_model()(username=SYSTEM_LABEL, role=Role.ADMIN, is_active=True)
    user.pk = None
    return user


def default_year(region: str, day: dt.date | None = None) -> int:
    """The insurance year being collected in ``region`` on ``day`` (the business date; the engine's)."""
    try:
        return resident.coming_year(region, day or clock.today())
    except Exception:  # noqa: BLE001 - a region whose notice gives no collection period
        return clock.today().year


# --- weeks and months ---------------------------------------------------------------------------

def friday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.isoweekday() - 5) % 7)


def parse_week(text: str | None) -> dt.date:
    """The week's Friday from ``YYYY-MM-DD`` (must be a Friday); the latest Friday when empty."""
    if not text:
        return friday_on_or_before(clock.today())
    try:
        day = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise errors.bad_week(text) from None
    if day.isoweekday() != 5:
        raise errors.bad_week(text)
    return day


def parse_month(text: str | None) -> Month:
    if not text:
        return Month.of(clock.today())
    try:
        return Month.parse(str(text).strip())
    except (ValueError, TypeError):
        raise errors.bad_month(text) from None


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(PCT, rounding=ROUND_HALF_UP)}%"


def _pct_number(value: Decimal | None) -> float | None:
    return float((value * 100).quantize(PCT, rounding=ROUND_HALF_UP)) if value is not None else None


# --- the weekly report --------------------------------------------------------------------------

STATUS_LABELS = {
    "on_time": "按时报送", "late": "逾期报送", "missing": "未报送（已逾期）", "pending": "待报送",
    "no_deadline": "通知未规定报送时限", "not_required": "非集中征缴期，无须报送",
}


@dataclass
class CountyLine:
    key: str
    name: str
    row: selectors.ProgressRow | None
    townships: list[selectors.ProgressRow]
    submission: WeeklySubmission | None
    status: str

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.status]
        if self.submission is not None:
            at = timezone.localtime(self.submission.submitted_at)
            label += f"（{at:%m-%d %H:%M}）" if self.status in ("on_time", "late") else f"；已报送 {at:%m-%d %H:%M}"
        return label


@dataclass
class Weekly:
    region: Division
    year: int
    week_ending: dt.date
    as_of: dt.date
    counties: list[CountyLine]
    total: selectors.ProgressRow
    deadline: rules.Deadline | None
    deadline_note: str
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def week_start(self) -> dt.date:
        return self.week_ending - dt.timedelta(days=6)

    @property
    def title(self) -> str:
        return f"{self.region.name}城乡居民医保筹资进展周报"

    @property
    def period_text(self) -> str:
        return f"{self.week_start.isoformat()} 至 {self.week_ending.isoformat()}"

    @property
    def township_count(self) -> int:
        return sum(len(c.townships) for c in self.counties)

    def charts(self) -> list[chartkit.Chart]:
        names = [c.name for c in self.counties if c.row]
        rows = [c.row for c in self.counties if c.row]
        completion = {
            "title": {"text": "各县（市、区）参保缴费完成率", "left": "center", "textStyle": {"fontSize": 14}},
            "legend": {"bottom": 0, "data": ["本周", "上周"]},
            "grid": {"left": 48, "right": 16, "top": 60, "bottom": 48},
            "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0}},
            "yAxis": {"type": "value", "name": "%"},
            "series": [
                {"name": "本周", "type": "bar", "data": [_pct_number(r.completion) for r in rows],
                 "label": {"show": True, "position": "top", "fontSize": 10}},
                {"name": "上周", "type": "bar", "data": [_pct_number(r.completion_week_before) for r in rows],
                 "label": {"show": True, "position": "top", "fontSize": 10}},
            ],
        }
        change = {
            "title": {"text": "本周新增缴费人数", "left": "center", "textStyle": {"fontSize": 14}},
            "grid": {"left": 64, "right": 16, "top": 60, "bottom": 32},
            "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0}},
            "yAxis": {"type": "value", "name": "人"},
            "series": [{"name": "本周新增", "type": "bar", "data": [r.paid_change for r in rows],
                        "label": {"show": True, "position": "top", "fontSize": 10}}],
        }
        return [chartkit.Chart(completion, height=300), chartkit.Chart(change, height=260)]


def _status(deadline: rules.Deadline | None, submission: WeeklySubmission | None, now: dt.datetime) -> str:
    if deadline is None:
        return "no_deadline"
    if not deadline.required:
        return "not_required"
    if submission is not None:
        return "on_time" if submission.on_time else "late"
    return "missing" if now > deadline.due else "pending"


def weekly(user, region: str, year: int, week_ending: dt.date) -> Weekly:
    """The weekly report of the week ending on Friday ``week_ending``, as the reader may see it."""
    if week_ending.isoweekday() != 5:
        raise errors.bad_week(week_ending.isoformat())
    as_of = min(week_ending, clock.today())
    counties = selectors.progress(user, region, year, Level.COUNTY, as_of=as_of)
    townships = selectors.progress(user, region, year, Level.TOWNSHIP, as_of=as_of)
    reg = counties.region
    parent_of = dict(Division.objects.filter(key__in=[t.key for t in townships.rows]).values_list("key", "parent_id"))
    by_county: dict[str, list] = {}
    for t in townships.rows:
        by_county.setdefault(parent_of.get(t.key, ""), []).append(t)
    deadline, note = rules.weekly_deadline_or_none(reg.key, year, week_ending)
    submissions = {s.county_id: s for s in WeeklySubmission.objects.filter(region=reg, week_ending=week_ending)}
    from .submissions import business_now

    now = business_now()   # the business date's, as the submissions are judged
    lines = [CountyLine(r.key, r.name, r, by_county.pop(r.key, []), submissions.get(r.key),
                        _status(deadline, submissions.get(r.key), now)) for r in counties.rows]
    # townships whose county the reader does not hold whole (a township clerk's own township)
    if by_county:
        names = dict(Division.objects.filter(key__in=list(by_county)).values_list("key", "name"))
        for key, rows in sorted(by_county.items()):
            lines.append(CountyLine(key, names.get(key, key), None, rows, submissions.get(key),
                                    _status(deadline, submissions.get(key), now)))
    total = counties.total if counties.rows else townships.total
    return Weekly(reg, year, week_ending, as_of, lines, total, deadline, note)


def weekly_content(report: Weekly) -> dict:
    """The report's figures as JSON (what the Friday job stores beside the files, and the API)."""
    def row(r):
        return None if r is None else {
            "key": r.key, "code": r.code, "name": r.name, "target": r.target, "registered": r.registered,
            "paid": r.paid, "subsidised": r.subsidised, "amount_individual": str(r.amount_individual),
            "amount_fund": str(r.amount_fund), "amount_family": str(r.amount_family),
            "amount_total": str(r.amount_total), "completion": str(r.completion) if r.completion is not None else None,
            "completion_week_before": (str(r.completion_week_before) if r.completion_week_before is not None
                                       else None),
            "paid_week_before": r.paid_week_before, "paid_change": r.paid_change}
    d = report.deadline
    return {
        "region": report.region.key, "region_name": report.region.name, "insurance_year": report.year,
        "week_start": report.week_start.isoformat(), "week_ending": report.week_ending.isoformat(),
        "as_of": report.as_of.isoformat(),
        "deadline": ({"due": timezone.localtime(d.due).isoformat(), "required": d.required,
                      "citation": d.citation} if d else None),
        "deadline_note": report.deadline_note,
        "total": row(report.total),
        "counties": [{**(row(c.row) or {"key": c.key, "name": c.name}), "status": c.status,
                      "status_label": c.status_label,
                      "submitted_at": (timezone.localtime(c.submission.submitted_at).isoformat()
                                       if c.submission else None),
                      "townships": [row(t) for t in c.townships]} for c in report.counties],
    }


# --- the monthly bulletin -----------------------------------------------------------------------

@dataclass
class RankLine:
    rank: int
    row: selectors.ProgressRow
    county: str
    behind: bool


@dataclass
class Bulletin:
    region: Division
    year: int
    month: Month
    as_of: dt.date
    time_share: Decimal | None        # share of the collection period elapsed by as_of
    average: Decimal | None           # the region's completion (total paid ÷ total target)
    basis: str
    counties: list[RankLine]
    townships: list[RankLine]
    total: selectors.ProgressRow
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        return f"{self.region.name}城乡居民医保筹资进展通报（{self.month.year}年{self.month.month}月）"

    @property
    def threshold(self) -> Decimal | None:
        return self.time_share if self.time_share is not None else self.average

    def charts(self) -> list[chartkit.Chart]:
        lines = self.counties
        series = {"name": "完成率", "type": "bar", "data": [_pct_number(r.row.completion) for r in lines],
                  "label": {"show": True, "position": "top", "fontSize": 10}}
        if self.threshold is not None:
            series["markLine"] = {"symbol": "none", "data": [{"yAxis": _pct_number(self.threshold),
                                                              "name": "时序进度" if self.time_share is not None
                                                              else "全市平均"}],
                                  "label": {"formatter": "{b} {c}%"}}
        option = {
            "title": {"text": "各县（市、区）完成率排名", "left": "center", "textStyle": {"fontSize": 14}},
            "grid": {"left": 48, "right": 64, "top": 40, "bottom": 32},
            "xAxis": {"type": "category", "data": [r.row.name for r in lines], "axisLabel": {"interval": 0}},
            "yAxis": {"type": "value", "name": "%"},
            "series": [series],
        }
        return [chartkit.Chart(option, height=300)]


def _rank(rows, threshold: Decimal | None, county_of: dict[str, str]) -> list[RankLine]:
    ordered = sorted(rows, key=lambda r: (r.completion is None, -(r.completion or 0), r.code))
    out, rank, last = [], 0, object()
    for n, r in enumerate(ordered, start=1):
        if r.completion != last:
            rank, last = n, r.completion
        behind = r.completion is not None and threshold is not None and r.completion < threshold
        out.append(RankLine(rank if r.completion is not None else 0, r, county_of.get(r.key, ""), behind))
    return out


def bulletin(user, region: str, year: int, month: Month) -> Bulletin:
    """The monthly bulletin of ``month``: figures at the end of the month (today within it)."""
    as_of = min(month.last_day, clock.today())
    counties = selectors.progress(user, region, year, Level.COUNTY, as_of=as_of)
    townships = selectors.progress(user, region, year, Level.TOWNSHIP, as_of=as_of)
    reg = counties.region
    total = counties.total if counties.rows else townships.total
    period = rules.collection_period(reg.key, year)
    time_share = None
    if period:
        start, end = period
        days = (end - start).days + 1
        elapsed = min(max((as_of - start).days + 1, 0), days)
        time_share = (Decimal(elapsed) / Decimal(days)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        basis = (f"通知未规定“落后”的标准；本通报以时序进度为准：集中缴费期 {start.isoformat()} 至 {end.isoformat()} "
                 f"共 {days} 天，截至 {as_of.isoformat()} 已过 {elapsed} 天（{percent(time_share)}），"
                 "完成率低于时序进度的标为落后。")
    else:
        basis = ("通知未规定“落后”的标准，也未规定集中缴费期；本通报以全市平均完成率为准，"
                 "完成率低于平均的标为落后。")
    average = total.completion
    threshold = time_share if time_share is not None else average
    parents = dict(Division.objects.filter(key__in=[t.key for t in townships.rows]).values_list("key", "parent__name"))
    return Bulletin(reg, year, month, as_of, time_share, average, basis,
                    _rank(counties.rows, threshold, {}), _rank(townships.rows, threshold, parents), total)


# --- documents ----------------------------------------------------------------------------------

COLUMNS = ["任务数", "登记人数", "缴费人数", "资助参保人数", "个人缴费（元）", "医疗救助资助（元）",
           "家庭共济（元）", "合计（元）", "完成率", "上周完成率", "本周新增缴费人数"]


def figures_of(r) -> list:
    return [r.target, r.registered, r.paid, r.subsidised, r.amount_individual, r.amount_fund, r.amount_family,
            r.amount_total, percent(r.completion), percent(r.completion_week_before), r.paid_change]


class _Book:
    def __init__(self):
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                    "strings_to_numbers": False, "strings_to_urls": False})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.head = self.wb.add_format({"bold": True, "border": 1, "bg_color": "#EEEEEE", "text_wrap": True})
        self.money = self.wb.add_format({"num_format": "#,##0.00", "border": 1})
        self.cell = self.wb.add_format({"border": 1})
        self.bold = self.wb.add_format({"border": 1, "bold": True})

    def table(self, ws, start: int, header: list[str], rows: list[list], *, bold_last: bool = False) -> int:
        for c, h in enumerate(header):
            ws.write_string(start, c, h, self.head)
        for n, values in enumerate(rows, start=1):
            fmt_default = self.bold if bold_last and n == len(rows) else self.cell
            for c, v in enumerate(values):
                if v is None:
                    ws.write_blank(start + n, c, None, fmt_default)
                elif isinstance(v, str):
                    ws.write_string(start + n, c, safe_cell(v), fmt_default)
                elif isinstance(v, Decimal):
                    ws.write_number(start + n, c, float(v), self.money)
                else:
                    ws.write_number(start + n, c, v, fmt_default)
        return start + len(rows) + 1

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def weekly_file_name(region_name: str, week_ending: dt.date, ext: str) -> str:
    """The weekly report's file name, the same from the page, the API and the command line."""
    return f"{region_name}筹资进展周报_{week_ending.isoformat()}.{ext}"


def bulletin_file_name(b: Bulletin, ext: str) -> str:
    """The monthly bulletin's file name, the same from the page, the API and the command line."""
    return f"{b.region.name}筹资进展通报_{b.month}.{ext}"


def weekly_xlsx(report: Weekly) -> bytes:
    book = _Book()
    ws = book.wb.add_worksheet("县区")
    ws.write_string(0, 0, f"{report.title}（{report.period_text}，{report.year} 保险年度）", book.title)
    ws.write_string(1, 0, _deadline_text(report))
    rows = [[c.name, *(figures_of(c.row) if c.row else [None] * len(COLUMNS)), c.status_label]
            for c in report.counties]
    rows.append(["合计", *figures_of(report.total), ""])
    end = book.table(ws, 3, ["县（市、区）", *COLUMNS, "报送情况"], rows, bold_last=True)
    ws.set_column(0, 0, 14)
    ws.set_column(1, len(COLUMNS), 12)
    ws.set_column(len(COLUMNS) + 1, len(COLUMNS) + 1, 28)
    counted = [c for c in report.counties if c.row]
    if counted:
        chart = book.wb.add_chart({"type": "column"})
        chart.add_series({"name": "缴费人数", "categories": ["县区", 4, 0, 3 + len(counted), 0],
                          "values": ["县区", 4, 3, 3 + len(counted), 3]})
        chart.set_title({"name": "各县（市、区）缴费人数"})
        chart.set_legend({"none": True})
        ws.insert_chart(end + 1, 0, chart, {"x_scale": 1.6, "y_scale": 1.2})
    ws2 = book.wb.add_worksheet("乡镇")
    ws2.write_string(0, 0, f"{report.title}：乡镇（街道）（{report.period_text}）", book.title)
    trows = [[c.name, t.name, *figures_of(t)] for c in report.counties for t in c.townships]
    book.table(ws2, 2, ["县（市、区）", "乡镇（街道）", *COLUMNS], trows)
    ws2.set_column(0, 1, 14)
    ws2.set_column(2, len(COLUMNS) + 1, 12)
    return book.close()


def bulletin_xlsx(b: Bulletin) -> bytes:
    book = _Book()
    ws = book.wb.add_worksheet("县区排名")
    ws.write_string(0, 0, b.title, book.title)
    ws.write_string(1, 0, b.basis)
    header = ["名次", "县（市、区）", "任务数", "缴费人数", "完成率", "是否落后"]
    book.table(ws, 3, header, [[ln.rank or None, ln.row.name, ln.row.target, ln.row.paid, percent(ln.row.completion),
                                "落后" if ln.behind else ""] for ln in b.counties])
    ws.set_column(0, 5, 14)
    ws2 = book.wb.add_worksheet("乡镇排名")
    ws2.write_string(0, 0, b.title + "：乡镇（街道）", book.title)
    book.table(ws2, 2, ["名次", "县（市、区）", "乡镇（街道）", "任务数", "缴费人数", "完成率", "是否落后"],
               [[ln.rank or None, ln.county, ln.row.name, ln.row.target, ln.row.paid, percent(ln.row.completion),
                 "落后" if ln.behind else ""] for ln in b.townships])
    ws2.set_column(0, 6, 14)
    return book.close()


def _deadline_text(report: Weekly) -> str:
    d = report.deadline
    if d is None:
        return f"报送时限：{report.deadline_note}"
    due = timezone.localtime(d.due)
    return (f"报送时限：{due:%Y-%m-%d %H:%M} 前（" + (d.citation or "") + "）"
            + ("" if d.required else "；本周不在集中缴费期内，无须报送"))


PDF_CSS = mark_safe(f"""
@page {{ size: A4 landscape; margin: 12mm 10mm 14mm 10mm; }}
table {{ font-size: 8pt; margin-bottom: 4mm; }}
th {{ background: #eee; font-family: {SANS}; font-weight: normal; padding: 1mm; }}
td {{ padding: 0.6mm 1mm; }}
tr.total td {{ font-weight: bold; }}
tr.behind td {{ color: #b00000; }}
.chart {{ text-align: center; margin: 2mm 0; }}
.chart svg {{ width: 180mm; height: auto; }}
.note {{ font-size: 9pt; margin: 1mm 0 3mm 0; }}
h2 {{ font-size: 12pt; margin: 3mm 0 2mm 0; }}
.county-block {{ break-inside: avoid; }}
""")  # noqa: S308  (our own rules; the only value put in is the font stack)


def _pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, {**context, "base_css": BASE_CSS, "pdf_css": PDF_CSS, "pdf": True})
    return write_pdf(html)


def weekly_pdf(report: Weekly) -> bytes:
    svgs = chartkit.render_svgs(report.charts())
    return _pdf("reporting/report_weekly_pdf.html", {"report": report, "svgs": svgs,
                                                      "deadline_text": _deadline_text(report), "columns": COLUMNS})


def bulletin_pdf(b: Bulletin) -> bytes:
    svgs = chartkit.render_svgs(b.charts())
    return _pdf("reporting/report_monthly_pdf.html", {"b": b, "svgs": svgs})


# --- stored reports and the Friday job ----------------------------------------------------------

def store_weekly(reader, region: str, year: int, week_ending: dt.date, *, actor=None) -> WeeklyReport:
    """Generate the weekly report of the whole region and store it with its files (replacing an
    earlier one of that week). ``actor`` None: the Friday job."""
    report = weekly(reader, region, year, week_ending)
    xlsx, pdf = weekly_xlsx(report), weekly_pdf(report)
    content = weekly_content(report)
    with transaction.atomic():
        stored, created = WeeklyReport.objects.update_or_create(
            region=report.region, week_ending=week_ending,
            defaults={"insurance_year": year, "generated_at": report.generated_at,
                      "generated_by": actor.username if actor is not None else SYSTEM_LABEL,
                      "content": content, "xlsx": xlsx, "pdf": pdf})
        record_event(actor, "reporting.weekly_report_stored", "WeeklyReport", stored.pk,
                     after={"region": report.region.key, "week_ending": week_ending, "insurance_year": year,
                            "replaced": not created, "paid": report.total.paid},
                     division_path=report.region.path)
    return stored


#: how many weeks back the scheduled job looks for a report not yet made
CATCH_UP_WEEKS = 8


def friday_reports(now: dt.datetime | None = None) -> list[WeeklyReport]:
    """What the scheduled job does (hourly; see ``tasks.py``): for every pooling region running the
    resident scheme, every week of the last ``CATCH_UP_WEEKS`` whose report is due and not yet
    stored is generated and stored (so a worker down for weeks catches up when it returns). A
    week's report is due once its deadline has passed (Friday 17:00 in 晋城, the engine's
    ``resident.progress_report_deadline``) or, where no notice gives a deadline, once the Friday
    has ended; weeks outside the collection period are skipped."""
    from .submissions import business_now

    now = timezone.localtime(now or business_now())
    reader = system_reader()
    stored = []
    for region, schemes in sorted(registry.schemes_by_region().items()):
        if "resident" not in schemes:
            continue
        year = default_year(region, now.date())
        friday = friday_on_or_before(now.date())
        for back in range(CATCH_UP_WEEKS, -1, -1):      # oldest first, as they would have been made
            candidate = friday - dt.timedelta(days=7 * back)
            deadline, _ = rules.weekly_deadline_or_none(region, year, candidate)
            if deadline is not None:
                due, required = deadline.due, deadline.required
            else:
                period = rules.collection_period(region, year)
                due = timezone.make_aware(dt.datetime.combine(candidate + dt.timedelta(days=1), dt.time()))
                required = period is None or period[0] <= candidate <= period[1]
            if now < due:
                continue          # not due yet (this week before its deadline)
            if required and not WeeklyReport.objects.filter(region_id=region, week_ending=candidate).exists():
                stored.append(store_weekly(reader, region, year, candidate))
    return stored
