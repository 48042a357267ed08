"""户籍人口库比对 at a city's scale, on SQLite and on PostgreSQL.

晋城市 (140500) at full scale: its 1,583,685 residents enrolled for 2024 (the enrolment target),
loaded by the builders of ``resident_queries_bench`` (persons, enrolments, hardship categories,
written with COPY / executemany, then ``ANALYZE``), and a household registry extract of 2,000,000
people of its villages: every enrolled resident plus 416,315 others, of whom one in four is a
flexible worker with a 2024 base in the employee scheme; one in 500 of the extract died and one in
500 moved away. The extract is written as a csv file, then imported through the service the page,
API and command line use (``gaps.services.import_extract``: read and check every row, stage,
compare with SQL joins, flag the dead and moved's enrolments, count), timed from the file to the
committed comparison, with the CPU seconds it took of this process and of its PostgreSQL server
process (what it costs whatever else a shared machine runs). The uncovered count is checked against the count known when the file was
written. Target: under 60 s on each database.

Usage:
    .venv/bin/python bench/registry_compare_bench.py                      # SQLite, then PostgreSQL
    .venv/bin/python bench/registry_compare_bench.py --only postgresql
    BENCH_REGISTRY_ROWS=100000 .venv/bin/python bench/registry_compare_bench.py   # a quicker run
Figures are written to bench/results/registry_compare.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import per_database
import resident_import_bench
import resident_queries_bench as residents

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "registry_compare.md"
REGION = residents.REGION
YEAR = residents.YEAR
ROWS = int(os.environ.get("BENCH_REGISTRY_ROWS", 2_000_000))
ENROLLED = min(residents.TARGET, ROWS * residents.TARGET // 2_000_000)
LIMIT_S = 60.0


def main() -> int:
    return per_database.main(__file__, run_worker, write_results, RESULTS, today=residents.COVERAGE_ON.isoformat())


def write_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    cpu = platform.processor() or platform.machine()
    r0 = results[0]
    lines = [
        "# Household registry comparison (户籍人口库比对)",
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}. Produced by `bench/registry_compare_bench.py`.",
        "",
        f"Data: {r0['enrolled']:,} residents of 晋城市 ({REGION}) enrolled for {YEAR}, {r0['flexible']:,} flexible "
        f"workers with a {YEAR} base; an extract of {r0['rows']:,} people (csv, {r0['mb']:.0f} MB). Timed: "
        "`gaps.services.import_extract`, from the file to the committed comparison.",
        "",
        "| database | load | import and compare | CPU (this process and its PostgreSQL server) | rows/s | 应保未保 | "
        "flagged | as expected | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['database']} | {r['load_s']:.0f} s | {r['compare_s']:.1f} s | "
                     f"{r['cpu_s']:.1f} s | {r['rows'] / r['compare_s']:,.0f} | {r['uncovered']:,} | {r['flagged']:,} | "
                     f"{'yes' if r['expected_ok'] else 'NO'} | {'met' if r['pass'] else 'missed'} ({LIMIT_S:.0f} s) |")
    RESULTS.write_text("\n".join(lines) + "\n")


def run_worker(url: str) -> dict:
    per_database.installed()
    log = per_database.log

    t = time.perf_counter()
    counts, _ = residents._load(ENROLLED)
    tmp = Path(os.environ.get("YIBAO_VAR_DIR", "/tmp"))
    path = tmp / "registry.csv"
    expected = _write_extract(path)
    load_s = time.perf_counter() - t
    log(f"loaded {counts['persons']:,} residents, {expected['flexible']:,} flexible workers, "
        f"wrote {ROWS:,} rows in {load_s:.0f} s")

    from yibao.access.roles import Role
    from yibao.accounts.services import create_user
    from yibao.gaps import services
    from yibao.regions.models import Division

    clerk = create_user(role=Role.AGENCY_CLERK, username="bench.gaps", password="Bench-pass-1",
                        division=Division.objects.get(key=REGION), check_password=False)
    from django.db import connection

    cpu = resident_import_bench._cpu_clock(connection)
    t, c = time.perf_counter(), cpu()
    extract, _ = services.import_extract(path, path.name, region=REGION, insurance_year=YEAR, actor=clerk)
    compare_s, cpu_s = time.perf_counter() - t, cpu() - c
    log(f"compared {extract.rows:,} rows in {compare_s:.1f} s ({cpu_s:.1f} s CPU): 应保未保 {extract.uncovered:,}, "
        f"flagged {extract.flagged:,}")
    ok = (extract.rows, extract.uncovered, extract.flagged) == (ROWS, expected["uncovered"], expected["flagged"])
    return {"rows": ROWS, "enrolled": counts["persons"], "flexible": expected["flexible"], "load_s": load_s,
            "compare_s": compare_s, "cpu_s": cpu_s, "uncovered": extract.uncovered, "flagged": extract.flagged,
            "mb": path.stat().st_size / 1e6, "expected_ok": ok, "pass": ok and compare_s < LIMIT_S}


def _write_extract(path: Path) -> dict:
    """The enrolled residents (as the database holds them) and the others, the others' flexible
    workers written with the bulk path; what the comparison must find, counted here."""
    from django.db import connection, transaction

    from yibao.employer.models import FlexibleBaseChoice, FlexibleWorker
    from yibao.identity import resident_id_check_char

    villages = [key for key, _ in residents._villages()]
    expected = {"uncovered": 0, "flagged": 0, "flexible": 0}
    states = {0: ("死亡", "2023-11-02"), 1: ("迁出", "2023-12-01")}
    workers, choices = [], []
    with path.open("w", encoding="utf-8", newline="") as out, connection.cursor() as cur:
        out.write("身份证号码,姓名,户籍地区划代码,状态,变动日期\n")
        cur.execute("SELECT id_number, division_id, status FROM resident_enrolment WHERE insurance_year = %s",
                    [YEAR])
        i = 0
        for number, village, _status in cur.fetchall():
            state, date = states.get(i % 500, ("正常", ""))
            if state != "正常":
                expected["flagged"] += 1
            out.write(f"{number},户籍{i},{village},{state},{date}\n")
            i += 1
        epoch = dt.date(1940, 1, 1).toordinal()
        for k in range(ROWS - i):
            village = villages[k % len(villages)]
            born = dt.date.fromordinal(epoch + (k * 7919) % 25000)
            first17 = f"{village[:6]}{born:%Y%m%d}{900 + k // 25000:03d}"   # sequences the residents do not use
            number = first17 + resident_id_check_char(first17)
            state, date = states.get((i + k) % 500, ("正常", ""))
            if k % 4 == 0:
                workers.append((k + 1, number, f"灵活{k}", REGION))
                choices.append((k + 1, YEAR, f"{YEAR}-01", "4000.00", dt.datetime(2024, 1, 2, tzinfo=dt.UTC)))
            elif state == "正常":
                expected["uncovered"] += 1
            out.write(f"{number},户籍{i + k},{village},{state},{date}\n")
    expected["flexible"] = len(workers)
    with transaction.atomic(), connection.cursor() as cur:
        residents._bulk(cur, FlexibleWorker._meta.db_table, ("id", "id_number", "name", "region_id"), workers)
        residents._bulk(cur, FlexibleBaseChoice._meta.db_table,
                        ("worker_id", "year", "month_from", "base", "chosen_at"), choices)
        cur.execute("ANALYZE")
    return expected


if __name__ == "__main__":
    sys.exit(main())
