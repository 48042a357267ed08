"""Bulk import of resident registrations at 晋城's scale, on SQLite and on PostgreSQL.

1. A csv of 1,583,685 registrations (晋城市's 2024 enrolment target), spread over the region's real
   villages (the 2023 statistical division codes), imported by the application's own import
   (``yibao.resident.services.imports.run_import``, as the job runs it): read, every row checked
   (identity number, divisions of the region and the clerk's area, phone, kind, duplicates in the
   file), conflicts looked up, written in one transaction. Target: under 60 s on PostgreSQL and
   under 90 s on SQLite, with the progress bar moving.
2. The floor: the same rows, already built, written by a plain bulk insert into the same table
   (COPY on PostgreSQL, executemany on SQLite) in the same run.
3. The batch's approval by a second clerk (persons and enrolments made in set-based statements).

Usage:
    .venv/bin/python bench/resident_import_bench.py               # SQLite, and PostgreSQL when reachable
    .venv/bin/python bench/resident_import_bench.py --only sqlite
    BENCH_RESIDENT_ROWS=100000 .venv/bin/python bench/resident_import_bench.py   # a quicker run
Figures are written to bench/results/resident_import.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import per_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "resident_import.md"
RAW = ROOT / "bench" / "results" / "resident_import.json"   # the figures, kept per database between runs
ROWS = int(os.environ.get("BENCH_RESIDENT_ROWS", 1_583_685))
REGION = "140500"
YEAR = 2024
TARGETS = {"sqlite": 90, "postgresql": 60}


# --- orchestration (no Django here: each database runs in its own process) -------------------

def main() -> int:
    return per_database.main(__file__, run_worker, write_results, RESULTS)


def write_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    kept = {r["database"]: r for r in (json.loads(RAW.read_text()) if RAW.exists() else [])}
    kept.update({r["database"]: {**r, "run": dt.datetime.now().strftime("%Y-%m-%d %H:%M")} for r in results})
    results = [kept[name] for name in ("sqlite", "postgresql") if name in kept]
    RAW.write_text(json.dumps(results, indent=1) + "\n")
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Resident registrations: bulk import",
        "",
        f"Run {', '.join(r['database'] + ' ' + r['run'] for r in results)} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}. Produced by `bench/resident_import_bench.py`.",
        "",
        f"A csv of {results[0]['rows']:,} registrations ({results[0]['mb']:.0f} MB, UTF-8) over 晋城's "
        f"{results[0]['villages']:,} real villages, imported for {YEAR} by an agency clerk of 晋城 through the "
        "application's import (as its job runs it): read → every row checked (identity number, divisions of the "
        "region and the clerk's area, phone, kind, duplicates) → conflicts looked up (other enrolments and "
        "registrations of the year, the employee scheme, persons of the region) → written in one transaction. "
        "The floor is the same rows, already built, written by a plain bulk insert into the same table "
        "(COPY on PostgreSQL, executemany on SQLite). Approval: a second clerk approves the batch "
        "(persons and enrolments made, registrations signed).",
        "",
        "| database | import | of which: read and check | conflicts | write | import, CPU time | "
        "floor (plain bulk insert) | import ÷ floor | progress updates | batch approval | approval, CPU time | "
        "load average | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['import_s']:.1f} s | {r['read_s']:.1f} s | {r['conflicts_s']:.1f} s | "
            f"{r['write_s']:.1f} s | {_s(r.get('import_cpu_s'))} | {r['floor_s']:.1f} s | "
            f"{r['import_s'] / r['floor_s']:.1f}× | {r['progress_updates']} | {r['approve_s']:.1f} s | "
            f"{_s(r.get('approve_cpu_s'))} | {_load(r.get('load'))} | {TARGETS[r['database']]} s | "
            f"{'yes' if r['pass'] else 'NO'} |")
    lines += ["", "Targets (the issue): import under 60 s on PostgreSQL and under 90 s on SQLite on this 2-core "
              "machine, with the progress bar moving: the job's progress is written every 10,000 rows while rows "
              "are read and checked (the first half of the bar); the write is one transaction and shows when it "
              "commits. The issue sets no target for the approval; ours is that it take well under the "
              "import's own time. The fresh database holds no other registration, enrolment or person, so the "
              "conflict lookups run their queries and find nothing. The floor's rows are in the file's order; the "
              "import writes them in identity-number order. On PostgreSQL both include the commit. The "
              "registration table has no database constraint on its region, divisions, batch and person, and the "
              "persons' and enrolments' places and an enrolment's form none either: the approval checks the "
              "batch's places in one statement, and its commit checks only the enrolments' persons "
              "(docs/architecture.md). CPU time: this process's and, on PostgreSQL, its server process's, "
              "what the work costs whatever else runs. The build machine's two cores are shared with other "
              "work: the load average (1 minute, at the end of the run) is given, and the wall-clock figures "
              "vary with it by a factor of two or more; the floor, measured in the same run, moves with them.", ""]
    RESULTS.write_text("\n".join(lines))


def _s(value) -> str:
    return "—" if value is None else f"{value:.1f} s"


def _load(value) -> str:
    return "—" if value is None else f"{value:.1f}"


# --- one database ----------------------------------------------------------------------------

def run_worker(url: str) -> dict:
    per_database.installed()
    from django.db import connection, transaction

    from yibao.accounts.services import create_user
    from yibao.dbutil import bulk_insert
    from yibao.regions.models import Division
    from yibao.resident.models import ImportBatch, Registration
    from yibao.resident.services import imports

    log = per_database.log
    region = Division.objects.get(key=REGION)
    villages = list(Division.objects.filter(path__startswith=region.path, level="village").values_list("key", flat=True))
    importer = create_user(role="agency_clerk", username="bench.importer", password="Bench-pass-1",
                           full_name="导入经办", division=region, check_password=False)
    checker = create_user(role="agency_clerk", username="bench.checker", password="Bench-pass-1",
                          full_name="审核经办", division=region, check_password=False)

    var = Path(os.environ["YIBAO_VAR_DIR"])
    path = var / "registrations.csv"
    t = time.perf_counter()
    _write_csv(path, ROWS, villages)
    mb = path.stat().st_size / 1e6
    log(f"csv: {ROWS:,} rows, {mb:.0f} MB, {len(villages)} villages, {time.perf_counter() - t:.0f} s to write")

    # the floor: the same rows, built beforehand, through a plain bulk insert into the same table
    rows = _rows_as_written(path, importer)
    batch = ImportBatch.objects.create(region_id=REGION, insurance_year=YEAR, kind="registrations", sha256="floor",
                                       filename="floor", rows=len(rows), owner_id=importer.pk)
    rows = [(*r, batch.pk) for r in rows]
    t = time.perf_counter()
    with transaction.atomic():   # timed with its commit, where PostgreSQL checks deferred foreign keys
        bulk_insert(Registration, imports.REGISTRATION_FIELDS, rows)
    floor_s = time.perf_counter() - t
    log(f"floor: {floor_s:.1f} s")
    del rows
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {connection.ops.quote_name(Registration._meta.db_table)}")  # noqa: S608
        ImportBatch.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"VACUUM {connection.ops.quote_name(Registration._meta.db_table)}")

    # the import, phase by phase, as the job runs it
    updates: list[tuple[float, int]] = []
    phases: dict[str, float] = {}
    start = time.perf_counter()
    original_read, original_conflicts, original_write = (imports.read_registrations, imports.find_conflicts,
                                                         imports._write_registrations)

    def timed(name, fn):
        def run(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                phases[name] = time.perf_counter() - t0
        return run

    imports.read_registrations = timed("read", original_read)
    imports.find_conflicts = timed("conflicts", original_conflicts)
    imports._write_registrations = timed("write", original_write)
    cpu = _cpu_clock(connection)
    cpu0 = cpu()
    outcome = imports.run_import("registrations", path, path.name, region=REGION, insurance_year=YEAR, actor=importer,
                                 progress=lambda done, total: updates.append((time.perf_counter() - start, done)))
    import_s = time.perf_counter() - start
    import_cpu = cpu() - cpu0
    imports.read_registrations, imports.find_conflicts, imports._write_registrations = (
        original_read, original_conflicts, original_write)
    assert outcome.ok and outcome.rows == ROWS, outcome.message
    log(f"import: {import_s:.1f} s ({', '.join(f'{k} {v:.1f} s' for k, v in phases.items())}), "
        f"{len(updates)} progress updates")

    t, cpu0 = time.perf_counter(), cpu()
    review = imports.review_batch(outcome.batch, actor=checker, approve=True)
    approve_s = time.perf_counter() - t
    approve_cpu = cpu() - cpu0
    assert review.approved == ROWS, review.message
    log(f"approval: {approve_s:.1f} s ({approve_cpu:.1f} s CPU); import CPU {import_cpu:.1f} s")
    return {"import_cpu_s": import_cpu, "approve_cpu_s": approve_cpu, "load": os.getloadavg()[0], "rows": ROWS, "mb": mb, "villages": len(villages), "import_s": import_s,
            "read_s": phases.get("read", 0), "conflicts_s": phases.get("conflicts", 0),
            "write_s": phases.get("write", 0), "floor_s": floor_s, "progress_updates": len(updates),
            "approve_s": approve_s,
            "pass": import_s < TARGETS["sqlite" if connection.vendor == "sqlite" else "postgresql"]}


def _cpu_clock(connection):
    """The CPU seconds this process and (PostgreSQL on this machine) its server process have used:
    what the work costs whatever else the shared machine runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    server = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        if Path(f"/proc/{pid}/stat").exists():
            server = Path(f"/proc/{pid}/stat")

    def clock() -> float:
        used = time.process_time()
        if server is not None:
            fields = server.read_text().rsplit(")", 1)[1].split()
            used += (int(fields[11]) + int(fields[12])) / ticks   # utime, stime
        return used

    return clock


def _write_csv(path: Path, n: int, villages: list[str]) -> None:
    """n distinct, valid identity numbers issued in 晋城's counties, names, real villages, phones;
    a few newborns, migrants and back payments."""
    from yibao.identity import resident_id_check_char

    counties = ["140502", "140521", "140522", "140524", "140525", "140581"]
    rng = random.Random(2024)
    start = dt.date(1930, 1, 1).toordinal()
    span = dt.date(2023, 6, 30).toordinal() - start
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["身份证号码", "姓名", "户籍地区划代码", "居住地区划代码", "户口簿编号", "联系电话", "参保类型",
                    "迁入日期", "原籍已缴费"])
        # within each run of ``span`` rows the birth dates differ (7919 is prime to span); the runs differ
        # by their sequence
        for i in range(n):
            county = counties[i % len(counties)]
            birth = dt.date.fromordinal(start + (i * 7919) % span)
            first17 = f"{county}{birth:%Y%m%d}{i // span:03d}"
            village = villages[(i * 31) % len(villages)]
            kind, moved, paid = "", "", ""
            if i % 97 == 0:
                kind, moved, paid = "迁入", "2023-09-01", "否"
            elif i % 89 == 0:
                kind = "补缴"
            w.writerow([first17 + resident_id_check_char(first17),
                        surnames[i % 20] + given[(i * 5) % len(given)] + given[(i * 7) % len(given)][:1],
                        village, village if i % 5 else "", f"{county}{i:09d}", f"13{rng.randrange(10**9):09d}",
                        kind, moved, paid])


def _rows_as_written(path: Path, importer) -> list[tuple]:
    """The file's rows as the import writes them (without the batch), built before the clock starts."""
    from django.utils import timezone

    from yibao.identity import parse_resident_id

    now = timezone.now()
    kinds = {"": "ordinary", "迁入": "migrant", "补缴": "back_payment", "新生儿": "newborn"}
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for number, name, hukou, residence, household, phone, kind, moved, paid in reader:
            parsed = parse_resident_id(number)
            out.append((REGION, YEAR, "import", "hukou", number, name, parsed.sex, parsed.birth_date.isoformat(), "",
                        "", "", household, hukou, residence or hukou, hukou, phone, kinds[kind], moved or None,
                        {"是": True, "否": False}.get(paid), "pending", importer.pk, "导入经办", "", now, ""))
    return out


if __name__ == "__main__":
    sys.exit(main())
