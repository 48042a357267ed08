"""Generating the assistance fund's payments (资助参保) at a pooling region's scale, on SQLite and on
PostgreSQL.

晋城市 (140500) enrols 1,583,685 residents for 2024 (its enrolment target). That many persons are
written with 2024 enrolments across its 1,729 real villages (one in eight still unpaid), and a
hardship category for about 9% of them (特困人员, 低保对象, 返贫致贫人口, 易返贫致贫人口 in turn, a
few with two categories, a few on 重度残疾人 alone, whose subsidy the notice does not give), with
the database's bulk path (COPY on PostgreSQL, executemany on SQLite), then ``ANALYZE``. Then:

- the generation itself (``services.fund.generate``: the subsidised enrolments and their
  categories, the engine per set of categories, the payments in chunks with the enrolments whose
  own part is 0 made paid and an audit entry per chunk), target under 30 s;
- the same generation again, which must write nothing;
- a check against independent sums: one fund payment per subsidised enrolment the engine gives a
  subsidy for, the amounts per category equal to the engine's subsidy times the people.

Usage:
    .venv/bin/python bench/collection_fund_bench.py                     # SQLite, then PostgreSQL
    .venv/bin/python bench/collection_fund_bench.py --only postgresql
    BENCH_RESIDENTS=100000 .venv/bin/python bench/collection_fund_bench.py   # a quicker run
Figures are written to bench/results/collection_fund.md.
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
RESULTS = ROOT / "bench" / "results" / "collection_fund.md"

REGION = "140500"
TARGET = 1_583_685                       # 晋城市 2024 enrolment target
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", TARGET))
LIMIT_S = 30.0
YEAR = 2024
ON = dt.date(2023, 12, 20)               # in 晋城's 2024 collection period
CHUNK = 100_000
CATEGORIES = [("特困人员",), ("低保对象",), ("返贫致贫人口",), ("易返贫致贫人口",), ("低保对象",),
              ("易返贫致贫人口", "低保对象"), ("特困人员", "重度残疾人"), ("低保对象",), ("返贫致贫人口",),
              ("易返贫致贫人口",), ("重度残疾人",)]


def main() -> int:
    return per_database.main(__file__, run_worker, write_results, RESULTS, today=ON.isoformat())


def write_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    cpu = platform.processor() or platform.machine()
    r0 = results[0]
    lines = [
        "# Collection: generating the assistance fund's payments (资助参保)",
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end. "
        "Produced by `bench/collection_fund_bench.py`.",
        "",
        f"Data: {r0['persons']:,} persons of 晋城市 ({REGION}) in {r0['villages']:,} villages, each with a {YEAR} "
        f"enrolment ({r0['unpaid']:,} unpaid), {r0['subsidised']:,} of them ({r0['subsidised'] / r0['persons']:.1%}) "
        "on a hardship list (one or two categories; some on 重度残疾人 alone, which the notice gives no subsidy "
        "for), written with the bulk path (COPY on PostgreSQL, executemany on SQLite), then `ANALYZE`.",
        "",
        "| database | load | generation | payments written | amount (元) | made paid (own part 0) | left out "
        "(not_configured) | again (writes nothing) | independent sums agree | target met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['database']} | {r['load_s']:.0f} s | {r['generate_s']:.1f} s | {r['created']:,} | "
                     f"{r['amount']} | {r['paid_now']:,} | {r['skipped']:,} | {r['again_s']:.1f} s, "
                     f"{r['again_created']} new | {'yes' if r['sums_agree'] else 'NO'} | "
                     f"{'yes' if r['pass'] else 'NO'} |")
    lines += ["", f"Target: the generation under {LIMIT_S:.0f} s, and the figures equal to the independent sums.", ""]
    RESULTS.write_text("\n".join(lines))


def run_worker(url: str) -> dict:
    per_database.installed()
    log = per_database.log

    from yibao.access.roles import Role
    from yibao.accounts.services import create_user
    from yibao.collection.services import fund
    from yibao.regions.models import Division

    t = time.perf_counter()
    counts = _load(RESIDENTS)
    load_s = time.perf_counter() - t
    log(f"loaded {counts} in {load_s:.0f} s")
    region = Division.objects.get(key=REGION)
    clerk = create_user(role=Role.AGENCY_CLERK, username="bench.fund", password="Bench-pass-1", full_name="基准经办",
                        division=region, check_password=False)
    t = time.perf_counter()
    outcome = fund.generate(region, YEAR, on=ON, actor=clerk)
    generate_s = time.perf_counter() - t
    log(f"generated {outcome.created} in {generate_s:.1f} s: {outcome.message}")
    t = time.perf_counter()
    again = fund.generate(region, YEAR, on=ON, actor=clerk)
    again_s = time.perf_counter() - t
    log(f"again: {again.created} new in {again_s:.1f} s")
    agree = _independent_sums(outcome)
    return {**counts, "load_s": load_s, "generate_s": generate_s, "created": outcome.created,
            "amount": f"{outcome.amount:.2f}", "paid_now": outcome.paid_now, "skipped": outcome.skipped_people,
            "again_s": again_s, "again_created": again.created, "sums_agree": agree,
            "pass": generate_s < LIMIT_S and agree and again.created == 0}


def _independent_sums(outcome) -> bool:
    """The payments as written, recounted with SQL, against the engine's subsidy per category times
    the people the loader put on each list."""
    from django.db.models import Count, Sum

    from yibao.collection import rules
    from yibao.collection.models import Payment
    from yibao.resident.models import Enrolment

    rows = {r["category"]: (r["n"], r["amount"]) for r in Payment.objects.filter(region_id=REGION, payer="fund")
            .values("category").annotate(n=Count("id"), amount=Sum("amount"))}
    expected: dict[str, list] = {}
    people = 0
    premiums: dict[tuple, object] = {}
    for i in range(RESIDENTS):
        cats = _categories_of(i)
        if not cats:
            continue
        if cats not in premiums:
            try:
                premiums[cats] = rules.premium(REGION, YEAR, list(cats))
            except rules.RuleRefused:
                premiums[cats] = None
        p = premiums[cats]
        if p is None:
            continue
        entry = expected.setdefault(p.category, [0, 0])
        entry[0] += 1
        entry[1] += p.subsidy
        people += 1
    same = {c: (n, a) for c, (n, a) in rows.items()} == {c: (n, a) for c, (n, a) in expected.items()}
    unique = (Payment.objects.filter(region_id=REGION, payer="fund").values("enrolment_id").distinct().count()
              == people == outcome.created)
    paid_free = Enrolment.objects.filter(region_id=REGION, status="paid", paid_on=ON).count() == outcome.paid_now
    return same and unique and paid_free


def _categories_of(i: int) -> tuple[str, ...]:
    return CATEGORIES[(i // 11) % len(CATEGORIES)] if i % 11 == 4 else ()


def _load(n: int) -> dict:
    from django.db import connection, transaction
    from resident_queries_bench import ENROLMENT_COLS, GRANT_COLS, PERSON_COLS, _bulk, _villages

    from yibao.identity import resident_id_check_char
    from yibao.resident.models import Enrolment, HardshipGrant, Person

    villages = _villages()
    now = dt.datetime(2023, 9, 1, 8, tzinfo=dt.UTC)
    epoch = dt.date(1940, 1, 1).toordinal()
    counts = {"persons": 0, "unpaid": 0, "subsidised": 0, "villages": len(villages)}
    grant_id = 1
    with transaction.atomic(), connection.cursor() as cur:
        for start in range(0, n, CHUNK):
            persons, enrolments, grants = [], [], []
            for i in range(start, min(n, start + CHUNK)):
                pid = i + 1
                village, code = villages[i % len(villages)]
                born = dt.date.fromordinal(epoch + (i * 7919) % 25000)
                first17 = f"{code[:6]}{born:%Y%m%d}{i // 25000:03d}"
                number = first17 + resident_id_check_char(first17)
                persons.append((pid, REGION, number, f"居民{i}", "男" if int(first17[16]) % 2 else "女", born,
                                f"HK{i:08d}", "hukou", village, village, village, "", "active", None, now, now))
                unpaid = i % 8 == 1 or i % 11 == 4 and i % 2 == 0
                enrolments.append((pid, REGION, pid, number, YEAR, "registered" if unpaid else "paid", "ordinary",
                                   village, None, None, None if unpaid else dt.date(2023, 10, 10), now, now))
                counts["unpaid"] += unpaid
                cats = _categories_of(i)
                counts["subsidised"] += bool(cats)
                for category in cats:
                    grants.append((grant_id, REGION, number, f"居民{i}", category, "civil_affairs",
                                   dt.date(2023, 1, 1), None, now))
                    grant_id += 1
            _bulk(cur, Person._meta.db_table, PERSON_COLS, persons)
            _bulk(cur, Enrolment._meta.db_table, ENROLMENT_COLS, enrolments)
            _bulk(cur, HardshipGrant._meta.db_table, GRANT_COLS, grants)
            counts["persons"] += len(persons)
            print(f"  {counts['persons']:,} persons", file=sys.stderr, flush=True)
        if connection.vendor == "postgresql":
            for model in (Person, Enrolment, HardshipGrant):
                table = model._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return counts


if __name__ == "__main__":
    sys.exit(main())
