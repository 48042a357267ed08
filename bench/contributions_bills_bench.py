"""Monthly bills (缴费单据) for a city: 30,000 units and 1,500,000 insured persons, on SQLite and on
PostgreSQL, and the what-if of a newly published average wage over their 1,500,000 bases.

The city (潍坊, 370700) is written with the bulk path (COPY on PostgreSQL, executemany on SQLite):
units, employees (50 a unit), one confirmed declaration a unit and an approved 2024 base per
employee (from the floor up to above the ceiling), then `ANALYZE`. The demo-rates overlay gives the
rates (国发〔1998〕44号, 演示配置). Then:

- the insurance spans seeded from the approved bases (one per employee, once);
- the January bills generated (``services.generate_bills``): target under 60 s;
- the same generation again (replaces the undeclared bills whole: same figures);
- the floor: the same 1,500,000 lines written by a plain ``bulk_insert`` of prepared rows;
- the what-if of a new average wage (``selectors.what_if``): target under 5 s;
- a check: the bills' totals equal the lines' sums, and the lines' shares equal 6% / 2% of the
  bases rounded half up to the fen, recomputed independently.

Usage:
    .venv/bin/python bench/contributions_bills_bench.py                    # SQLite, then PostgreSQL
    .venv/bin/python bench/contributions_bills_bench.py --only postgresql
    BENCH_UNITS=3000 .venv/bin/python bench/contributions_bills_bench.py  # a quicker run
Figures are written to bench/results/contributions_bills.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import per_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "contributions_bills.md"
REGION = "370700"
COUNTY = "370705"
UNITS = int(os.environ.get("BENCH_UNITS", 30_000))
PER_UNIT = 50
LIMIT_S = 60.0
WHAT_IF_LIMIT_S = 5.0
CHUNK = 100_000
os.environ.setdefault("YIBAO_POLICY_OVERLAYS", "demo-rates")


def main() -> int:
    return per_database.main(__file__, run_worker, write_results, RESULTS)


def write_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    cpu = platform.processor() or platform.machine()
    r0 = results[0]
    lines = [
        "# Contributions: monthly bills for a city, and the what-if of a new average wage",
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}. Produced by `bench/contributions_bills_bench.py`. The machine is "
        "shared with other work: the load average (1 min) is given per run, before and after.",
        "",
        f"Data: {r0['units']:,} units of 潍坊 ({REGION}), {r0['persons']:,} employees with an approved 2024 base "
        "each, written with the bulk path, then `ANALYZE`; rates from the demo-rates overlay (演示配置，非本地通知).",
        "",
        "| database | load avg | load | spans seeded | bills generated | again (replaced) | plain bulk insert "
        "floor | what-if (new average wage) | bases changed | sums agree | targets met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['load_before']:.1f} → {r['load_after']:.1f} | {r['load_s']:.0f} s | "
            f"{r['seed_s']:.1f} s | **{r['generate_s']:.1f} s** ({r['bills']:,} bills, {r['lines']:,} lines) | "
            f"{r['again_s']:.1f} s | {r['floor_s']:.1f} s | **{r['what_if_s']:.2f} s** | {r['changed']:,} | "
            f"{'yes' if r['sums_agree'] else 'NO'} | {'yes' if r['pass'] else 'NO'} |")
    lines += ["", f"Targets: the generation under {LIMIT_S:.0f} s, the what-if under {WHAT_IF_LIMIT_S:.0f} s. "
              "The floor is the same lines written by `yibao.dbutil.bulk_insert` from rows already prepared: the "
              "generation's cost above it is reading the spans and the bases, the engine's batch shares and "
              "replacing the month's undeclared bills.", ""]
    RESULTS.write_text("\n".join(lines))


def run_worker(url: str) -> dict:
    per_database.installed()
    from django.db import transaction
    log = per_database.log
    load_before = os.getloadavg()[0]

    from yibao.access.roles import Role
    from yibao.accounts.services import create_user
    from yibao.contributions import selectors, services
    from yibao.contributions.models import BillLine
    from yibao.dbutil import bulk_insert, refresh_statistics
    from yibao.months import Month
    from yibao.regions.models import Division

    t = time.perf_counter()
    counts = _load(UNITS)
    load_s = time.perf_counter() - t
    log(f"loaded {counts} in {load_s:.0f} s")
    clerk = create_user(role=Role.AGENCY_CLERK, username="bench.bills", password="Bench-pass-1", full_name="基准经办",
                        division=Division.objects.get(key=REGION), check_password=False)
    jan = Month(2024, 1)
    t = time.perf_counter()
    with transaction.atomic():
        services.seed_spans(REGION, 2024)
    seed_s = time.perf_counter() - t
    from yibao.contributions.models import InsuranceSpan

    refresh_statistics(InsuranceSpan)
    log(f"spans seeded in {seed_s:.1f} s")
    t = time.perf_counter()
    result = services.generate_bills(REGION, jan, actor=clerk)
    generate_s = time.perf_counter() - t
    log(f"generated in {generate_s:.1f} s: {result.message}")
    t = time.perf_counter()
    again = services.generate_bills(REGION, jan, actor=clerk)
    again_s = time.perf_counter() - t
    log(f"again in {again_s:.1f} s: {again.message}")
    agree = _sums_agree(result)
    # the floor: the same lines, prepared, written by the plain bulk path (then rolled back)
    rows = list(BillLine.objects.values_list("bill_id", "employee_id", "id_number", "name", "base", "previous_base",
                                             "unit_share", "individual_share").iterator(chunk_size=100_000))
    rows = [(b, e, n, m, str(base), None, str(u), str(p)) for b, e, n, m, base, _, u, p in rows]
    t = time.perf_counter()
    try:
        with transaction.atomic():
            bulk_insert(BillLine, ["bill_id", "employee_id", "id_number", "name", "base", "previous_base", "unit_share",
                                   "individual_share"], rows, prepared=True)
            floor_s = time.perf_counter() - t
            raise _Rollback
    except _Rollback:
        pass
    del rows
    log(f"floor {floor_s:.1f} s")
    t = time.perf_counter()
    preview = selectors.what_if(REGION, "91200", dt.date(2024, 6, 30))
    what_if_s = time.perf_counter() - t
    log(f"what-if in {what_if_s:.2f} s: {preview.changed} of {preview.bases} change, {preview.total_change} a month")
    return {**counts, "load_s": load_s, "seed_s": seed_s, "generate_s": generate_s, "bills": result.bills,
            "lines": result.lines, "again_s": again_s, "floor_s": floor_s, "what_if_s": what_if_s,
            "changed": preview.changed, "sums_agree": agree and again.lines == result.lines,
            "load_before": load_before, "load_after": os.getloadavg()[0],
            "pass": generate_s < LIMIT_S and what_if_s < WHAT_IF_LIMIT_S and agree}


class _Rollback(Exception):
    pass


def _sums_agree(result) -> bool:
    """The bills' totals against the lines' sums, and every share against 6% / 2% of its base
    rounded half up to the fen, recomputed here in integer fen."""
    from django.db.models import Sum

    from yibao.contributions.models import Bill, BillLine

    bills = Bill.objects.filter(region_id=REGION, month="2024-01").aggregate(
        u=Sum("unit_total"), p=Sum("individual_total"), b=Sum("base_total"))
    lines = BillLine.objects.filter(bill__region_id=REGION, bill__month="2024-01").aggregate(
        u=Sum("unit_share"), p=Sum("individual_share"), b=Sum("base"))
    fen = lambda v: round((v or 0) * 100)  # noqa: E731  (SQLite sums decimals as floating point)
    if {k: fen(v) for k, v in bills.items()} != {k: fen(v) for k, v in lines.items()}:
        return False
    for base, unit, person in BillLine.objects.values_list("base", "unit_share", "individual_share") \
            .iterator(chunk_size=100_000):
        fen = int(base * 100)
        if int(unit * 100) != (fen * 6 * 2 + 100) // 200 or int(person * 100) != (fen * 2 * 2 + 100) // 200:
            return False
    return True


def _load(units: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from yibao.dbutil import bulk_insert, refresh_statistics
    from yibao.employer.models import ApprovedBase, Declaration, Employee, Unit

    now = timezone.now()
    with transaction.atomic():
        bulk_insert(Unit, ["id", "unit_number", "uscc", "name", "region_id", "division_id", "nature", "address",
                           "postcode", "industry", "civil_servant_subsidy", "contact_name", "contact_phone", "status",
                           "status_reason"],
                    ((u + 1, f"9{u:010d}", "", f"基准单位{u}", REGION, COUNTY, "企业", "", "", "", False, "", "",
                      "normal", "")
                     for u in range(units)))
        bulk_insert(Declaration, ["id", "unit_id", "year", "kind", "status", "revision", "adjust_from", "late",
                                  "review_reasons", "line_count", "wage_total", "base_total", "at_floor_count",
                                  "flagged", "created_at", "updated_at"],
                    ((u + 1, u + 1, 2024, "active", "confirmed", 0, "", False, "", PER_UNIT, 0, 0, 0, False, now, now)
                     for u in range(units)))
        n = units * PER_UNIT
        for start in range(0, n, CHUNK):
            people = range(start, min(n, start + CHUNK))
            bulk_insert(Employee, ["id", "unit_id", "id_number", "name", "employee_number", "retired", "status"],
                        ((i + 1, i // PER_UNIT + 1, f"{COUNTY}{i:011d}0", f"职工{i}", f"{i:08d}", False, "active")
                         for i in people))
            bulk_insert(ApprovedBase, ["unit_id", "employee_id", "declaration_id", "kind", "year", "month_from",
                                       "month_to", "declared_amount", "base", "clamp", "reason", "superseded",
                                       "created_at"],
                        ((i // PER_UNIT + 1, i + 1, i // PER_UNIT + 1, "active", 2024, "2024-01", "2024-12",
                          _amount(i), _amount(i), "none", "核定入库", False, now) for i in people),
                        prepared=False)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for model in (Unit, Declaration, Employee):
                    table = model._meta.db_table
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    for model in (Unit, Employee, ApprovedBase):
        refresh_statistics(model)
    return {"units": units, "persons": units * PER_UNIT}


def _amount(i: int) -> str:
    """Approved bases from 潍坊's floor (4242) to its ceiling (21207), in fen steps."""
    return f"{4242 + (i * 7919) % 1696500 / 100:.2f}"


if __name__ == "__main__":
    sys.exit(main())
