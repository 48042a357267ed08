"""The weekly report (周报) of 晋城市 at its scale, on SQLite and PostgreSQL: the figures per county
and township with the week's change and each county's submission status, the xlsx workbook and
the PDF with its two charts (ECharts rendered to SVG by Node), target under 10 s for both files.

The data are ``reporting_progress_bench``'s (1,583,685 residents of 晋城 for 2024, the assistance
fund's parts and a season of own parts over the collection period); the report is of Friday
2023-11-10, with two counties' submissions (one on time, one late). Each figure is the median of
three runs after one to warm up; the report's total paid is checked against an independent count
in plain SQL (enrolments paid by the end of that Friday and not refunded by then).

``reporting_progress_bench`` measures this too over its own load (one load for both) and writes
both results; this script runs the report alone.

Usage:
    BENCH_RESIDENTS=100000 .venv/bin/python bench/reporting_reports_bench.py --only sqlite   # reduced
    .venv/bin/python bench/reporting_reports_bench.py                                         # full scale
Figures are written to bench/results/reporting_reports.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import per_database
import reporting_progress_bench as progress

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "reporting_reports.md"
REGION, YEAR, TARGET = progress.REGION, progress.YEAR, progress.TARGET
WEEK = dt.date(2023, 11, 10)
TARGET_S = 10.0
RUNS = 3


def main() -> int:
    return per_database.main(__file__, run_worker, write_results, RESULTS, today=progress.TODAY.isoformat())


def write_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    r0 = results[0]
    scale = "" if r0["persons"] >= TARGET else \
        f" **A reduced run** (`BENCH_RESIDENTS={r0['persons']}`): the target is for {TARGET:,} residents."
    lines = [
        "# Reporting: the weekly report (周报) with its xlsx and PDF",
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end. Produced by `bench/reporting_reports_bench.py` (which "
        f"`bench/reporting_progress_bench.py` also runs over its own load).{scale}",
        "",
        f"Data: {r0['persons']:,} persons of 晋城市 ({REGION}), {r0['paid']:,} paid, {r0['payments']:,} payments; "
        f"the report of the week ending {WEEK.isoformat()} ({r0['counties']} counties, {r0['townships']} townships).",
        "",
        "| database | figures | xlsx | PDF (charts included) | figures + xlsx + PDF | agrees with SQL | target met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['database']} | {r['figures_s']:.2f} s | {r['xlsx_s']:.2f} s | {r['pdf_s']:.2f} s | "
                     f"{r['total_s']:.2f} s | {'yes' if r['agree'] else 'NO'} | {'yes' if r['pass'] else 'NO'} |")
    lines += ["", f"Target: the weekly report as xlsx and as PDF in under {TARGET_S:.0f} s at full scale.", ""]
    RESULTS.write_text("\n".join(lines))


def run_worker(url: str) -> dict:
    counts, clerk, manager, _ = progress.seed()
    from yibao.reporting.services import tallies

    tallies.rebuild(REGION, YEAR)   # the season was written directly, as existing data
    return {**counts, **measure(clerk, manager)}


def measure(clerk, manager) -> dict:
    """The weekly report's figures, xlsx and PDF timed over whatever the database holds, after two
    counties' submissions (one on time, one late)."""
    from django.utils import timezone

    from yibao.reporting.services import reports, submissions

    aware = lambda h, m: timezone.make_aware(dt.datetime.combine(WEEK, dt.time(h, m)))  # noqa: E731
    submissions.submit_week(clerk, REGION, "140502", year=YEAR, now=aware(16, 30))
    submissions.submit_week(clerk, REGION, "140525", year=YEAR, now=aware(17, 30))

    def timed(run):
        run()
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            out = run()
            times.append(time.perf_counter() - t)
        return statistics.median(times), out

    figures_s, report = timed(lambda: reports.weekly(manager, REGION, YEAR, WEEK))
    xlsx_s, _ = timed(lambda: reports.weekly_xlsx(report))
    pdf_s, _ = timed(lambda: reports.weekly_pdf(report))
    total_s, _ = timed(lambda: (lambda r: (reports.weekly_xlsx(r), reports.weekly_pdf(r)))(
        reports.weekly(manager, REGION, YEAR, WEEK)))
    agree = report.total.paid == _independent_paid()
    return {"figures_s": figures_s, "xlsx_s": xlsx_s, "pdf_s": pdf_s, "total_s": total_s, "agree": agree,
            "counties": len(report.counties), "townships": report.township_count,
            "pass": agree and total_s < TARGET_S}


def _independent_paid() -> int:
    from django.db import connection
    from django.utils import timezone

    end = timezone.make_aware(dt.datetime.combine(WEEK + dt.timedelta(days=1), dt.time()))
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM resident_enrolment WHERE region_id = %s AND insurance_year = %s "
                    "AND paid_on <= %s AND (status = 'paid' OR (status = 'refunded' AND status_changed_at >= %s))",
                    [REGION, YEAR, WEEK, end])
        return cur.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
