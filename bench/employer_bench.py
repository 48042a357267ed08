"""Employee-scheme benchmarks at city scale, on SQLite and on PostgreSQL.

1. Import of a 100,000-row declaration xlsx, end to end (read, validate every row, clamp, store),
   through the application's own import (``yibao.employer.importing.import_file``), and the same
   import through django-import-export (a ``ModelResource`` with bulk writes, the library a Django
   user would reach for), side by side in the same run. Target: under 10 s, and at least 10 times
   faster than django-import-export.
2. The unit's declaration page and the agency's review queue with a city-scale data set
   (30,000 units, 1,500,000 declaration lines). Target: under 200 ms each (median of repeated
   requests through Django's full request stack: middleware, session, selectors, template).

Usage (after ``make bench`` installed the bench group):
    .venv/bin/python bench/employer_bench.py                # SQLite, and PostgreSQL when reachable
    .venv/bin/python bench/employer_bench.py --only sqlite
Figures are written to bench/results/employer.md.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import per_database

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "employer.md"

IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 100_000))
CITY_UNITS = int(os.environ.get("BENCH_CITY_UNITS", 30_000))
CITY_LINES = int(os.environ.get("BENCH_CITY_LINES", 1_500_000))
PAGE_REPEATS = 15


# --- orchestration (no Django here: each database runs in its own process) -------------------

def main() -> int:
    return per_database.main(__file__, run_worker, write_results, RESULTS)


def write_results(results: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Employee-scheme benchmarks",
        "",
        f"Run {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}. Produced by `bench/employer_bench.py`.",
        "",
        f"Import: one unit with {IMPORT_ROWS:,} insured employees, a filled {IMPORT_ROWS:,}-row declaration xlsx, "
        "read → validate every row (identity number, membership, amount) → clamp → store, in one transaction. "
        "The django-import-export figure is the same file, the same checks and the same writes through a "
        "`ModelResource` with `use_bulk`.",
        "",
        f"Pages: {CITY_UNITS:,} units and {CITY_LINES:,} declaration lines; median of {PAGE_REPEATS} requests "
        "through Django's full request stack (signed in; middleware, session, selectors, template).",
        "",
        "| database | import (yibao) | import (django-import-export) | speed-up | declaration page | "
        f"review queue | targets met | declaration page, {IMPORT_ROWS:,} people |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['import_s']:.2f} s | {r['iex_s']:.2f} s | {r['speedup']:.1f}× | "
            f"{r['declaration_page_ms']:.0f} ms | {r['queue_page_ms']:.0f} ms | {'yes' if r['pass'] else 'NO'} | "
            f"{r['big_declaration_page_ms']:.0f} ms |")
    lines += ["", "Targets: import under 10 s and at least 10× faster than django-import-export; "
              "each page under 200 ms (a typical unit's declaration, the review queue). The last column is "
              "for information: the page of the import's unit, whose automatic checks read all its lines.", ""]
    RESULTS.write_text("\n".join(lines))


# --- one database ----------------------------------------------------------------------------

def run_worker(url: str) -> dict:
    per_database.installed()
    from yibao.demo import load_demo
    load_demo()
    log = per_database.log

    unit, declaration, actor = _import_unit(IMPORT_ROWS)
    data = _filled_xlsx(declaration)
    log(f"import file: {len(data) / 1e6:.1f} MB, {IMPORT_ROWS} rows")
    from yibao.employer.services import import_file

    t = time.perf_counter()
    applied = import_file(declaration, data, "bench.xlsx", actor=actor)
    import_s = time.perf_counter() - t
    assert applied == IMPORT_ROWS, applied
    log(f"yibao import: {import_s:.2f} s")

    _reset_lines(declaration)
    t = time.perf_counter()
    iex_rows = _import_with_django_import_export(declaration, data)
    iex_s = time.perf_counter() - t
    assert iex_rows == IMPORT_ROWS, iex_rows
    _assert_same_result(declaration)
    log(f"django-import-export: {iex_s:.2f} s")

    t = time.perf_counter()
    sample_unit = _city(CITY_UNITS, CITY_LINES)
    log(f"city data set: {time.perf_counter() - t:.0f} s")
    decl_ms, queue_ms = _page_times(sample_unit)
    big_ms, _ = _page_times(unit, queue=False)
    log(f"pages: declaration {decl_ms:.0f} ms, queue {queue_ms:.0f} ms, {IMPORT_ROWS}-person declaration {big_ms:.0f} ms")
    ok = import_s < 10 and iex_s / import_s >= 10 and decl_ms < 200 and queue_ms < 200
    return {"import_s": import_s, "iex_s": iex_s, "speedup": iex_s / import_s,
            "declaration_page_ms": decl_ms, "queue_page_ms": queue_ms, "big_declaration_page_ms": big_ms, "pass": ok}


def _id_numbers(county: str, n: int, salt: int) -> list[str]:
    from yibao.identity import resident_id_check_char

    out, seen = [], set()
    rng = random.Random(salt)
    start = dt.date(1960, 1, 1).toordinal()
    while len(out) < n:
        birth = dt.date.fromordinal(start + rng.randrange(16000)).strftime("%Y%m%d")
        first17 = f"{county}{birth}{rng.randrange(1000):03d}"
        if first17 in seen:
            continue
        seen.add(first17)
        out.append(first17 + resident_id_check_char(first17))
    return out


def _import_unit(n: int):
    from yibao.accounts.models import User
    from yibao.employer import services
    from yibao.employer.models import Employee, Unit

    template = Unit.objects.get(unit_number="37070500001")
    unit = Unit.objects.create(unit_number="37070599999", name="基准测试大型单位", region=template.region,
                               division=template.division, agency=template.agency, nature="企业")
    ids = _id_numbers(template.division.code[:6], n, salt=1)
    Employee.objects.bulk_create([Employee(unit=unit, id_number=x, name=f"职工{i}", employee_number=f"B{i:07d}")
                                  for i, x in enumerate(ids)], batch_size=5000)
    actor = User.objects.get(username="37070500001")
    declaration = services.open_declaration(unit, 2024, actor=actor)
    return unit, declaration, actor


def _amount(i: int) -> float:
    return float(2500 + (i * 7919) % 30000) + (i % 100) / 100


def _filled_xlsx(declaration) -> bytes:
    import xlsxwriter

    from yibao.employer.exports import template_header

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "constant_memory": True})
    ws = wb.add_worksheet()
    for c, title in enumerate(template_header(declaration)):
        ws.write_string(0, c, title)
    for r, (name, id_number, number) in enumerate(
            declaration.lines.order_by("id").values_list("name", "id_number", "employee_number"), start=1):
        ws.write_number(r, 0, r)
        ws.write_string(r, 1, name)
        ws.write_string(r, 2, id_number)
        ws.write_string(r, 3, number)
        ws.write_number(r, 5, _amount(r))
    wb.close()
    return buf.getvalue()


def _reset_lines(declaration) -> None:
    declaration.lines.update(declared_amount=None, base=None, clamp="none")


def _import_with_django_import_export(declaration, data: bytes) -> int:
    """The same import as a Django developer would write it with django-import-export: the
    declared wage column mapped by its header, identity numbers validated, the base clamped
    before saving, bulk writes, one transaction."""
    import tablib
    from django.core.exceptions import ValidationError
    from import_export import fields, resources

    from yibao.employer import rules
    from yibao.employer.importing import ID_COLUMN, amount_column_title
    from yibao.employer.models import DeclarationLine
    from yibao.employer.services import refresh_totals
    from yibao.identity import IdentityError, parse_resident_id
    from yibao.money import parse_amount
    from yibao.months import Month

    bounds = rules.bounds(declaration.unit.region_id, Month.first_of(declaration.year))
    amount_title = amount_column_title(declaration.year, False)

    class LineResource(resources.ModelResource):
        id_number = fields.Field(attribute="id_number", column_name=ID_COLUMN)
        declared_amount = fields.Field(attribute="declared_amount", column_name=amount_title)

        class Meta:
            model = DeclarationLine
            import_id_fields = ("id_number",)
            fields = ("id_number", "declared_amount")
            use_bulk = True
            batch_size = 2000
            skip_diff = True
            force_init_instance = False

        def get_queryset(self):
            return DeclarationLine.objects.filter(declaration=declaration)

        def get_bulk_update_fields(self):
            return ["declared_amount", "base", "clamp"]

        def before_import_row(self, row, **kwargs):
            try:
                row[ID_COLUMN] = parse_resident_id(str(row[ID_COLUMN])).number
                row[amount_title] = parse_amount(row[amount_title])
            except (IdentityError, ValueError) as exc:
                raise ValidationError(str(exc)) from exc

        def before_save_instance(self, instance, row, **kwargs):
            instance.base, instance.clamp = _clamp(Decimal(instance.declared_amount), bounds)

    dataset = tablib.Dataset().load(data, format="xlsx")
    result = LineResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    refresh_totals(declaration)
    return result.totals["update"]


def _clamp(amount: Decimal, b) -> tuple[Decimal, str]:
    """保底封顶 by hand with bounds the engine gave once: what a django-import-export resource
    would do per row, and how the synthetic city's bases are generated. The application itself
    asks the engine's batch path (``rules.clamp_many``)."""
    if amount < b.floor:
        return b.floor, "floor"
    if amount > b.ceiling:
        return b.ceiling, "ceiling"
    return amount, "none"


def _assert_same_result(declaration) -> None:
    from yibao.employer.models import Clamp

    lines = declaration.lines.order_by("id").values_list("declared_amount", "base", "clamp")[:2000]
    for i, (amount, base, clamp) in enumerate(lines, start=1):
        assert amount == Decimal(str(_amount(i))).quantize(Decimal("0.01")), (i, amount)
        assert clamp in Clamp.values and base is not None


def _city(n_units: int, n_lines: int):
    """30,000 units across 潍坊 and 聊城, 1,500,000 insured employees and declaration lines, written
    with the database's bulk path (COPY on PostgreSQL). Returns a typical unit."""
    from django.db import connection

    from yibao.employer import rules
    from yibao.employer.models import Declaration, DeclarationLine, Employee, Unit
    from yibao.identity import resident_id_check_char
    from yibao.regions.models import Division

    counties = {r: list(Division.objects.filter(level="county", path__startswith=f"{Division.objects.get(key=r).path}")
                        .exclude(code=""))
                for r in ("370700", "371500")}
    bounds = {r: rules.bounds(r, "2024-01") for r in counties}  # the engine's bounds, read once
    rng = random.Random(7)
    sizes = [max(1, int(rng.expovariate(1 / (n_lines / n_units)))) for _ in range(n_units)]
    scale = n_lines / sum(sizes)
    sizes = [max(1, round(s * scale)) for s in sizes]
    sizes[-1] += n_lines - sum(sizes)
    statuses = ["submitted"] * 6 + ["draft"] * 2 + ["approved"] * 2
    units = []
    for u in range(n_units):
        region = "370700" if u % 3 else "371500"
        county = counties[region][u % len(counties[region])]
        units.append(Unit(unit_number=f"{county.code}{u:06d}", name=f"城市规模单位{u:05d}", region_id=region,
                          division=county, nature="企业"))
    Unit.objects.bulk_create(units, batch_size=5000)
    units = list(Unit.objects.filter(name__startswith="城市规模单位").order_by("id"))
    now = dt.datetime(2024, 1, 15, 9, tzinfo=dt.UTC)
    decls = [Declaration(unit=u, year=2024, status=statuses[i % 10], submitted_at=now + dt.timedelta(seconds=i),
                         line_count=sizes[i]) for i, u in enumerate(units)]
    Declaration.objects.bulk_create(decls, batch_size=5000)
    decl_ids = dict(Declaration.objects.filter(unit__in=units).values_list("unit_id", "id"))

    emp_id = (Employee.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    line_id = (DeclarationLine.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    employees, lines = [], []
    born = dt.date(1970, 1, 1).toordinal()
    for i, u in enumerate(units):
        b = bounds[u.region_id]
        for k in range(sizes[i]):
            # unique within the unit: the birth date moves on every 1,000 people
            birth = dt.date.fromordinal(born + (i % 5000) + k // 1000).strftime("%Y%m%d")
            first17 = f"{u.unit_number[:6]}{birth}{k % 1000:03d}"
            number = first17 + resident_id_check_char(first17)
            wage = Decimal(2500 + (i * 31 + k * 977) % 30000)
            base, how = _clamp(wage, b)
            employees.append((emp_id, u.id, number, f"职工{k}", f"{i:05d}{k:05d}", False, "active"))
            lines.append((line_id, decl_ids[u.id], emp_id, number, f"职工{k}", f"{i:05d}{k:05d}", wage, base, how))
            emp_id += 1
            line_id += 1
    emp_cols = ("id", "unit_id", "id_number", "name", "employee_number", "retired", "status")
    line_cols = ("id", "declaration_id", "employee_id", "id_number", "name", "employee_number",
                 "declared_amount", "base", "clamp")
    with connection.cursor() as cur:
        _bulk(cur, Employee._meta.db_table, emp_cols, employees)
        _bulk(cur, DeclarationLine._meta.db_table, line_cols, lines)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for model in (Employee, DeclarationLine):
                table = model._meta.db_table
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        # planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) keeps them
        # in a database that has been running; bulk loads leave them stale
        cur.execute("ANALYZE")
    from yibao.employer.services import refresh_totals

    typical = sorted(range(n_units), key=lambda i: abs(sizes[i] - 50))[0]
    refresh_totals(Declaration.objects.get(unit=units[typical]))
    return units[typical]


def _bulk(cur, table: str, cols: tuple, rows: list[tuple]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    step = 50_000
    for i in range(0, len(rows), step):
        cur.executemany(sql.replace("?", "%s"), [tuple(str(v) if isinstance(v, Decimal) else v for v in r)
                                                  for r in rows[i:i + step]])


def _page_times(unit, queue: bool = True) -> tuple[float, float | None]:
    from django.test import Client

    from yibao.accounts.models import User
    from yibao.employer.models import Declaration
    from yibao.employer.services import create_unit_operator

    operator = create_unit_operator(unit, password="Bench-pass-1", check_password=False)
    clerk = User.objects.get(username="clerk.weifang")
    declaration = Declaration.objects.get(unit=unit, year=2024)

    def median_ms(user, url: str) -> float:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 200  # warm-up
        times = []
        for _ in range(PAGE_REPEATS):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
        return statistics.median(times)

    return (median_ms(operator, f"/employer/declarations/{declaration.pk}/"),
            median_ms(clerk, "/employer/review/") if queue else None)


if __name__ == "__main__":
    sys.exit(main())
