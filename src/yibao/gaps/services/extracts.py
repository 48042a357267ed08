"""户籍人口库比对 (晋城 晋市医保发〔2023〕10号 五(三)：参照公安户籍人口库，对所有村（社区）户籍人口逐一
比对，摸清参保底数……清理重复参保……实现应保尽保).

An extract (xlsx, or csv in UTF-8/GBK: 身份证号码, 姓名, 户籍地区划代码, 状态 正常/死亡/迁出, 变动日期) is
read row by row and checked against the region's villages; any row error refuses the whole file
(nothing written) with an error report. Otherwise, in one transaction: the rows go into a temporary
table (COPY on PostgreSQL, executemany on SQLite), one INSERT … SELECT joins them with both
schemes' insured of the year (anti-joins against the resident scheme's live enrolments and the
employee scheme's insured, each given by the scheme as a queryset), one more flags the live
enrolments of those the registry says died or moved away, and the temporary table goes. The same file
imported again for the same region and year answers the earlier comparison (idempotent)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from yibao import clock, registry
from yibao.access.scoping import scope_of
from yibao.audit.services import record_event
from yibao.dbutil import dropped_after, wide_cache
from yibao.documents.workbooks import sha256_of
from yibao.errors import AppError
from yibao.identity import IdentityError, fast_resident_id, parse_resident_id
from yibao.regions import reach
from yibao.regions.models import Division, Level
from yibao.resident import covering
from yibao.resident.importing import cell_text, open_table

from ..errors import GapsError, RowError, RowsRejected
from ..models import STATE_BY_LABEL, EnrolmentFlag, Extract, RegistryPerson, RegistryState

COLUMNS = ("身份证号码", "姓名", "户籍地区划代码", "状态", "变动日期")
REQUIRED = COLUMNS[:4]
MAX_ERRORS_SHOWN = 1000


@dataclass
class ImportOutcome:
    ok: bool
    message: str
    extract: int | None = None
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    report: str = ""
    code: str = ""

    def public(self) -> dict:
        return {"ok": self.ok, "extract": self.extract, "errors": self.errors[:50], "error_count": self.error_count,
                "code": self.code}


def files_dir() -> Path:
    path = Path(settings.VAR_DIR) / "gaps"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _label(user) -> str:
    return getattr(user, "display_name", "") or getattr(user, "username", "")


def pooling_region(code: str, actor) -> Division:
    """The pooling region ``code`` running the resident scheme, reached by the actor's scope."""
    return reach.scheme_region(code, actor, error=GapsError)


def import_regions(actor) -> list[Division]:
    return reach.scheme_regions(actor, error=GapsError)


def _year(year) -> int:
    if year in (None, ""):
        return clock.today().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2999:
        raise GapsError("保险年度无效。", code="year_invalid", fields={"insurance_year": "无效"})
    return year


def start_import(file, *, region: str, insurance_year=None, actor, in_process: bool = False):
    """Hand an uploaded extract (a Django ``File``) to the worker; the region and year are checked
    at once, the rows by the job. ``in_process`` runs the job here (the command line)."""
    from yibao.jobs.services import enqueue

    division = pooling_region(region, actor)
    year = _year(insurance_year)
    name = Path(getattr(file, "name", "") or "upload").name[:200]
    if getattr(file, "size", 1) == 0:
        raise GapsError("上传的文件是空的。", code="empty", fields={"file": "空文件"})
    path = files_dir() / f"upload-{uuid.uuid4().hex}"
    with path.open("wb") as out:
        for chunk in (file.chunks() if hasattr(file, "chunks") else [file.read()]):
            out.write(chunk)
    params = {"region": division.key, "insurance_year": year, "path": str(path), "filename": name}
    return enqueue(actor, "gaps.import.registry", f"户籍人口库比对：{division.name} {year} 年度（{name}）", params,
                   in_process=in_process)


def run_import(path: Path, filename: str, *, region: str, insurance_year: int, actor, progress=None,
               report_name: str = "") -> ImportOutcome:
    try:
        extract, repeated = import_extract(path, filename, region=region, insurance_year=insurance_year,
                                           actor=actor, progress=progress)
    except RowsRejected as exc:
        report = files_dir() / f"errors-{report_name or uuid.uuid4().hex}.xlsx"
        write_error_report(exc.errors, report)
        return ImportOutcome(False, str(exc), errors=[e.as_dict() for e in exc.errors], error_count=exc.total,
                             report=str(report), code=exc.code)
    except AppError as exc:
        return ImportOutcome(False, f"未导入：{exc}", code=exc.code)
    what = "与此前导入的同一文件相同，沿用此前的比对结果" if repeated else "已比对"
    return ImportOutcome(True, f"{extract.rows} 人{what}：应保未保 {extract.uncovered} 人，死亡 {extract.deceased} 人，"
                               f"迁出 {extract.moved_out} 人，待复核参保 {extract.flagged} 条。", extract=extract.pk)


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$|^(\d{4})(\d{2})(\d{2})$")


def _date(text: str) -> dt.date:
    m = _DATE.match(text)
    if not m:
        raise ValueError(text)
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    return dt.date(int(y), int(mo), int(d))


def read_extract(path: Path, villages: set[str], *, today: dt.date, progress=None,
                 place_name: str = "本统筹区") -> list[tuple]:
    """The rows as (line, id_number, name, village, state, changed_on as ISO text or None), ready
    for the database; every error refuses the file (``RowsRejected``, the first thousand listed)."""
    table = open_table(path, REQUIRED)
    at = {c: (table.header.index(c) if c in table.header else None) for c in COLUMNS}
    i_id, i_name, i_place, i_state, i_date = (at[c] for c in COLUMNS)
    width_needed = max(i for i in at.values() if i is not None) + 1
    rows: list[tuple] = []
    append = rows.append
    errors: list[RowError] = []
    total = 0
    seen: dict[str, int] = {}
    labels = STATE_BY_LABEL
    normal = RegistryState.NORMAL
    dates: dict[str, str | None] = {}   # a file has a few thousand distinct dates
    fast = fast_resident_id

    def err(line, column, message):
        nonlocal total
        total += 1
        if len(errors) < MAX_ERRORS_SHOWN:
            errors.append(RowError(line, column, message))

    for n, (line, cells) in enumerate(table.rows(), start=1):
        if progress is not None and n % 200_000 == 0:
            progress(n, max(table.estimate, n))
        if len(cells) < width_needed:
            cells = cells + [""] * (width_needed - len(cells))
        raw_id = cells[i_id].strip()
        name = cells[i_name].strip()
        place = cells[i_place].strip()
        state_text = cells[i_state].strip()
        date_text = cells[i_date].strip() if i_date is not None else ""
        if not (raw_id or name or place or state_text or date_text):
            continue
        before = total
        found = fast(raw_id, today)
        if found is not None:
            number = found[0]
        else:
            try:
                number = parse_resident_id(raw_id, today=today).number
            except IdentityError as exc:
                err(line, "身份证号码", exc.message)
                number = ""
        if number:
            first = seen.setdefault(number, line)
            if first != line:
                err(line, "身份证号码", f"与第 {first} 行重复")
        if not name or len(name) > 50:
            err(line, "姓名", "请填写姓名" if not name else "姓名不能超过 50 个字")
        if place not in villages:
            err(line, "户籍地区划代码", f"“{place[:20]}”不是{place_name}的村（社区）区划代码" if place else "请填写户籍地区划代码")
        state = labels.get(state_text)
        if state is None:
            err(line, "状态", f"状态应为正常、死亡或迁出，不是“{state_text[:10]}”")
        changed_on = None
        if date_text:
            changed_on = dates.get(date_text, "")
            if changed_on == "":
                try:
                    changed_on = _date(date_text).isoformat()
                except ValueError:
                    changed_on = None
                dates[date_text] = changed_on
            if changed_on is None:
                err(line, "变动日期", f"日期“{date_text[:20]}”无效，应如 2024-01-15")
        elif state is not None and state != normal:
            err(line, "变动日期", f"{state_text}人员请填写变动日期")
        if total == before:
            append((line, number, name, place, state, changed_on))
    if total:
        raise RowsRejected(errors, total)
    if not rows:
        raise GapsError("文件中没有人员。", code="empty", fields={"file": "没有数据行"})
    return rows


def _villages(area: Division) -> set[str]:
    return set(Division.objects.filter(path__startswith=area.path, level=Level.VILLAGE)
               .values_list("key", flat=True))


def import_area(region: Division, actor) -> Division | None:
    """What an import by ``actor`` compares: None for the whole region, or the county or township
    the actor holds inside it. A clerk of part of a region imports for that part only, so that the
    other parts' lists and flags stay as their own imports made them."""
    scope = scope_of(actor)
    if scope.sees_everything or not scope.division_path or scope.division_path == region.path \
            or region.path.startswith(scope.division_path):
        return None
    return Division.objects.filter(path=scope.division_path).first()


def import_extract(path: Path, filename: str, *, region: str, insurance_year: int, actor,
                   progress=None) -> tuple[Extract, bool]:
    """Read, check and compare an extract; (the extract, whether it repeats an earlier import)."""
    division = pooling_region(region, actor)
    year = _year(insurance_year)
    area = import_area(division, actor)
    sha = sha256_of(path)
    latest = Extract.objects.filter(region=division, area=area, insurance_year=year) \
        .order_by("-created_at", "-id").first()
    if latest is not None and latest.sha256 == sha:
        return latest, True
    rows = read_extract(path, _villages(area or division), today=clock.today(), progress=progress,
                        place_name="本统筹区" if area is None else area.name)
    if progress is not None:
        progress(len(rows), len(rows))
    with transaction.atomic():
        extract = Extract.objects.create(region=division, area=area, insurance_year=year, filename=filename[:200],
                                         sha256=sha,
                                         rows=len(rows), owner_id=actor.pk, owner_label=_label(actor))
        compare(extract, rows)
        record_event(actor, "gaps.extract.import", "extract", extract.pk,
                     after={"region": division.key, "area": area.key if area else None,
                            "insurance_year": year, "filename": extract.filename,
                            "sha256": sha, "rows": extract.rows, "uncovered": extract.uncovered,
                            "deceased": extract.deceased, "moved_out": extract.moved_out,
                            "flagged": extract.flagged},
                     division_path=(area or division).path)
    return extract, False


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


SQLITE_STAGE_CACHE_KIB = 1024 * 1024
STAGE_COLUMNS = ("line", "id_number", "name", "division_id", "state", "changed_on")


@contextlib.contextmanager
def _staged(rows: list[tuple]):
    """The rows in a temporary table of this connection (dropped on the way out): COPY on
    PostgreSQL (no write-ahead log, no index), one executemany on SQLite (its pages kept in memory)."""
    table = connection.ops.quote_name(f"gaps_stage_{uuid.uuid4().hex[:12]}")
    names = ", ".join(STAGE_COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # the temporary table's pages stay in memory rather than spilling to a temporary file
            cur.execute(f"PRAGMA temp.cache_size = {-SQLITE_STAGE_CACHE_KIB}")
        cur.execute(f"CREATE TEMPORARY TABLE {table} (line integer NOT NULL, id_number varchar(18) NOT NULL, "
                    "name varchar(50) NOT NULL, division_id varchar(200) NOT NULL, state varchar(10) NOT NULL, "
                    "changed_on date NULL)")
        with dropped_after(cur, table):
            if connection.vendor == "postgresql":
                with connection.wrap_database_errors, cur.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cur.execute(f"ANALYZE {table}")
            else:
                with wide_cache():
                    cur.executemany(f"INSERT INTO {table} ({names}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608
                                    rows)
            yield table


def compare(extract: Extract, rows: list[tuple]) -> None:
    """Stage the rows, join them with both schemes' insured (one INSERT … SELECT with two anti-
    joins' worth of LEFT JOINs), flag the enrolments of the dead and moved, and count: set-based,
    inside the caller's transaction."""
    year = extract.insurance_year
    qn = connection.ops.quote_name
    resident_sql, resident_params = _sql(covering.live_numbers(year))
    employee_parts = [_sql(qs) for qs in registry.insured_numbers(year, schemes=("employee",))]
    # the schemes' own compiled querysets (their parameters passed apart)
    employee_sql = " UNION ".join(f"SELECT * FROM ({sql}) q{i}"  # noqa: S608
                                  for i, (sql, _) in enumerate(employee_parts))
    employee_params = tuple(p for _, params in employee_parts for p in params)
    person = qn(RegistryPerson._meta.db_table)
    with _staged(rows) as staged, connection.cursor() as cur, wide_cache():
        # identifiers only; every value is a parameter
        cur.execute(
            f"INSERT INTO {person} (extract_id, region_id, division_id, line, id_number, name, state, changed_on, "  # noqa: S608
            f"resident, employee) "
            f"SELECT %s, %s, s.division_id, s.line, s.id_number, s.name, s.state, s.changed_on, "
            f"r.id_number IS NOT NULL, e.id_number IS NOT NULL FROM {staged} s "
            f"LEFT JOIN ({resident_sql}) r ON r.id_number = s.id_number "
            f"LEFT JOIN (SELECT DISTINCT u.id_number FROM ({employee_sql}) u) e ON e.id_number = s.id_number",
            (extract.pk, extract.region_id, *resident_params, *employee_params))
    flags = _flag_enrolments(extract)
    counts = RegistryPerson.objects.filter(extract=extract).aggregate(
        uncovered=Count("id", filter=Q(state=RegistryState.NORMAL, resident=False, employee=False)),
        deceased=Count("id", filter=Q(state=RegistryState.DECEASED)),
        moved_out=Count("id", filter=Q(state=RegistryState.MOVED_OUT)))
    extract.uncovered, extract.deceased, extract.moved_out = counts["uncovered"], counts["deceased"], counts["moved_out"]
    extract.flagged = flags
    extract.save(update_fields=["uncovered", "deceased", "moved_out", "flagged"])


def _flag_enrolments(extract: Extract) -> int:
    """A flag (待复核) on each live enrolment in the extract's area of someone the extract says died or moved
    away, unless one is open already. The enrolment itself is not changed."""
    qn = connection.ops.quote_name
    live = covering.live_enrolments(extract.insurance_year).filter(region_id=extract.region_id)
    if extract.area_id:
        live = live.filter(division__path__startswith=extract.area.path)
    live_sql, live_params = _sql(live)
    flag, person = qn(EnrolmentFlag._meta.db_table), qn(RegistryPerson._meta.db_table)
    now = EnrolmentFlag._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {flag} (region_id, division_id, enrolment_id, extract_id, id_number, name, insurance_year, "  # noqa: S608
            f"state, changed_on, status, note, cleared_by_label, created_at) "
            f"SELECT %s, e.division_id, e.id, %s, p.id_number, p.name, %s, p.state, p.changed_on, 'open', '', '', %s "
            f"FROM {person} p JOIN ({live_sql}) e ON e.id_number = p.id_number "
            f"WHERE p.extract_id = %s AND p.state <> %s "
            f"AND NOT EXISTS (SELECT 1 FROM {flag} f WHERE f.enrolment_id = e.id AND f.status = 'open')",
            (extract.region_id, extract.pk, extract.insurance_year, now, *live_params, extract.pk,
             RegistryState.NORMAL))
        return max(cur.rowcount, 0)


def write_error_report(errors: list[RowError], out: Path) -> None:
    """错误清单: each row error with its line, column and what is wrong."""
    import xlsxwriter

    from yibao.documents.xlsx import safe_cell

    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("错误清单")
    head = book.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1})
    for col, title in enumerate(("行号", "列", "错误说明")):
        sheet.write_string(0, col, title, head)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 60)
    for i, e in enumerate(errors, start=1):
        sheet.write_number(i, 0, e.line)
        sheet.write_string(i, 1, safe_cell(e.column))
        sheet.write_string(i, 2, safe_cell(e.message))
    book.close()


__all__ = ["COLUMNS", "ImportOutcome", "cell_text", "compare", "import_extract", "import_regions", "pooling_region",
           "read_extract", "run_import", "start_import", "write_error_report"]
