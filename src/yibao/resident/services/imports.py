"""Bulk imports in the offices' interchange format: registrations (参保信息登记) and the
assistance departments' hardship lists (困难群体名单).

Every file is imported whole or not at all: it is read and checked row by row first (the progress
bar moves, nothing is written), and written in one transaction only when no row has an error;
otherwise an error report (xlsx, each error beside its row) is the outcome. The same file (by
content) imported again for the same region, year and kind changes nothing: the earlier batch is
the answer.

Imported registrations wait, as a batch, for a second clerk (东明 五(一): the registering and the
reviewing clerk are different people): ``review_batch`` enrols the whole batch in a few set-based
statements. A row that conflicts with what the system already holds (the person enrolled or
registering for the year anywhere, in either scheme; a person of the region whose name, sex or
birth date disagrees) is not an error of the file: it goes in with its registration in the problem
queue (东明 五(二)), so nothing is silently dropped. Duplicates within one file are row errors.

Speed: a region's whole year (晋城, 1.6 million people) is one file. Rows are read with the csv
module or calamine, identity numbers checked on a fast path that only accepts (anything it does
not accept goes through ``yibao.identity`` for its message), divisions looked up in the region's
preloaded tree, conflicts found with one query per chunk of numbers, rows written with COPY on
PostgreSQL and executemany on SQLite (``yibao.dbutil.bulk_insert``). One audit entry per batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from yibao import clock, registry
from yibao.access.scoping import scope_of
from yibao.accounts.personal_data import sees_whole_id_numbers
from yibao.audit.services import record_event
from yibao.dbutil import bulk_insert, db_value, dropped_after, refresh_statistics, text_values, wide_cache
from yibao.documents.workbooks import sha256_of
from yibao.identity import fast_resident_id as fast_identity
from yibao.regions import reach
from yibao.regions.models import Division

from .. import rules, tallies
from ..errors import ImportRefused, ImportRejected, RegistrationError, RowError
from ..importing import MAX_CELL_CHARS, Table, iter_all, open_table
from ..models import (
    Basis,
    BatchKind,
    Channel,
    Enrolment,
    EnrolmentStatus,
    HardshipGrant,
    HardshipSource,
    ImportBatch,
    Kind,
    LifeStatus,
    Person,
    Problem,
    ProblemActor,
    ProblemSource,
    Registration,
    RegistrationStatus,
)
from . import checks

ID = "身份证号码"
NAME = "姓名"
HUKOU = "户籍地区划代码"
RESIDENCE = "居住地区划代码"
HOUSEHOLD = "户口簿编号"
PHONE = "联系电话"
KIND = "参保类型"
MOVED_IN = "迁入日期"
PAID_AT_ORIGIN = "原籍已缴费"
REGISTRATION_COLUMNS = (ID, NAME, HUKOU, RESIDENCE, HOUSEHOLD, PHONE, KIND)
CATEGORY = "困难类别"
GRANTED_ON = "认定日期"
ENDS_ON = "终止日期"
HARDSHIP_COLUMNS = (ID, NAME, CATEGORY, GRANTED_ON, ENDS_ON)

KINDS = {"": Kind.ORDINARY, **{label: value for value, label in Kind.choices}}
YES_NO = {"是": True, "否": False}
SOURCES = {label: value for value, label in HardshipSource.choices}
CONFLICT = "import_conflict"
MAX_ERRORS = 1000           # kept with their messages; beyond, only counted
CHUNK = 50_000              # numbers per conflict query
REVIEW_IN_WORKER = 20_000   # pending rows above which a batch is reviewed by the worker
PROGRESS_EVERY = 10_000

Progress = Callable[[int, int], object] | None


# --- outcomes -------------------------------------------------------------------------------------

@dataclass
class ImportOutcome:
    ok: bool
    message: str
    batch: ImportBatch | None = None
    repeated: bool = False          # the same file was imported before: nothing changed
    rows: int = 0
    problems: int = 0
    errors: list[dict] = field(default_factory=list)   # the first MAX_ERRORS row errors
    error_count: int = 0
    report: str = ""                # path of the xlsx with each error beside its row
    code: str = ""

    def public(self) -> dict:
        out = {"ok": self.ok, "message": self.message, "batch_id": self.batch.pk if self.batch else None,
               "repeated": self.repeated, "rows": self.rows, "problems": self.problems}
        if not self.ok:
            out.update(code=self.code or "import_rejected", errors=self.errors[:200], error_count=self.error_count)
        return out


@dataclass
class ReviewOutcome:
    batch: ImportBatch
    approved: int = 0
    rejected: int = 0
    problems: int = 0
    message: str = ""

    def public(self) -> dict:
        return {"batch_id": self.batch.pk, "approved": self.approved, "rejected": self.rejected,
                "problems": self.problems, "message": self.message}


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _label(user) -> str:
    return getattr(user, "display_name", "") or getattr(user, "username", "")


# --- who may import where --------------------------------------------------------------------------

def pooling_region(code: str, actor) -> Division:
    """The pooling region ``code``, reached by the actor's scope (a township clerk reaches the
    region of their township)."""
    return reach.scheme_region(code, actor, error=RegistrationError)


def import_regions(actor) -> list[Division]:
    """The pooling regions running the resident scheme that the actor may import for."""
    return reach.scheme_regions(actor, error=RegistrationError)


def _year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2999:
        raise RegistrationError("保险年度无效。", code="year_invalid", fields={"insurance_year": "无效"})
    return year


# --- starting an import: always a job --------------------------------------------------------------

def _save_upload(file) -> Path:
    path = imports_dir() / f"upload-{uuid.uuid4().hex}"
    with path.open("wb") as out:
        if hasattr(file, "chunks"):
            for chunk in file.chunks():
                out.write(chunk)
        else:
            out.write(file.read())
    return path


def start_import(kind: str, file, *, region: str, insurance_year, actor, source: str = "", in_process: bool = False):
    """Hand an uploaded file (a Django ``File``) to the worker: registrations (``kind`` =
    "registrations") or a hardship list ("hardship", ``source`` 民政 or 乡村振兴). The region and
    year are checked at once; the rows by the job, whose page shows the progress and, at the end,
    the batch or the error report. ``in_process`` runs the job here (the command line)."""
    from yibao.jobs.services import enqueue

    division = pooling_region(region, actor)
    year = _year(insurance_year)
    params = {"region": division.key, "insurance_year": year}
    if kind == BatchKind.HARDSHIP:
        params["source"] = hardship_source(source)
        rules.hardship_categories(division.key, year)   # a year without hardship subsidies: refused now
    elif kind != BatchKind.REGISTRATIONS:
        raise RegistrationError("未知的导入类型。", code="kind_invalid")
    name = Path(getattr(file, "name", "") or "upload").name[:200]
    if getattr(file, "size", 1) == 0:
        raise ImportRefused("上传的文件是空的。", code="empty", fields={"file": "空文件"})
    path = _save_upload(file)
    params.update(path=str(path), filename=name)
    what = "参保登记" if kind == BatchKind.REGISTRATIONS else f"困难群体名单（{HardshipSource(params['source']).label}）"
    return enqueue(actor, f"resident.import.{kind}", f"导入{division.name} {year} 年度{what}：{name}", params,
                   in_process=in_process)


def hardship_source(value: str) -> str:
    value = (value or "").strip()
    if value in HardshipSource.values:
        return value
    if value in SOURCES:
        return SOURCES[value]
    raise RegistrationError("名单来源应为民政或乡村振兴。", code="source_invalid", fields={"source": "无效"})


def run_import(kind: str, path: Path, filename: str, *, region: str, insurance_year: int, actor, source: str = "",
               progress: Progress = None, report_name: str = "") -> ImportOutcome:
    """Import a saved file and describe the outcome; on row errors the error report is written."""
    try:
        if kind == BatchKind.REGISTRATIONS:
            return import_registrations(path, filename, region=region, insurance_year=insurance_year, actor=actor,
                                        progress=progress)
        return import_hardship(path, filename, region=region, insurance_year=insurance_year, source=source,
                               actor=actor, progress=progress)
    except ImportRejected as exc:
        report = imports_dir() / f"errors-{report_name or uuid.uuid4().hex}.xlsx"
        columns = REGISTRATION_COLUMNS if kind == BatchKind.REGISTRATIONS else HARDSHIP_COLUMNS
        write_error_report(path, exc.errors, report, anchor=columns[0])
        return ImportOutcome(False, str(exc), errors=[e.as_dict() for e in exc.errors], error_count=exc.total,
                             report=str(report), code=exc.code)
    except (ImportRefused, RegistrationError, rules.RuleRefused) as exc:
        return ImportOutcome(False, f"未导入：{exc}", code=getattr(exc, "code", "refused"))


# --- identity numbers: a fast path that only accepts ---------------------------------------------

def _identity(raw: str, today: dt.date) -> tuple[str, str, dt.date]:
    fast = fast_identity(raw, today)
    if fast is not None:
        return fast
    parsed = checks.identity(raw)
    return parsed.number, parsed.sex, parsed.birth_date


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(text: str) -> dt.date:
    match = _DATE.match(text) or (re.match(r"^(\d{4})(\d{2})(\d{2})$", text))
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


# --- places: the region's tree, preloaded -------------------------------------------------------------

class Places:
    """Division codes of a file, each checked once (``checks.place``, ``checks.within_area``)
    against the region's townships and villages loaded in one query."""

    def __init__(self, region: Division, actor):
        self.region, self.actor = region, actor
        self.divisions = {d.key: d for d in Division.objects.filter(path__startswith=region.path,
                                                                      level__in=checks.PLACE_LEVELS)}
        self.known: dict[tuple[str, str], object] = {}
        self.good: set[str] = set()      # codes that passed ``checks.place``
        self.inside: set[str] = set()    # divisions that passed ``checks.within_area``

    def get(self, code: str, field: str, label: str) -> str:
        """The division key, or raise ``RegistrationError``."""
        if code in self.good:
            return code
        key = (code, field)
        found = self.known.get(key)
        if found is None:
            try:
                division = checks.place(code, self.region.key, field=field, label=label,
                                        divisions=self.divisions if code in self.divisions else None)
                found = division.key
                if found == code:
                    self.good.add(code)
            except RegistrationError as exc:
                found = exc
            self.known[key] = found
        if isinstance(found, RegistrationError):
            raise found
        return found

    def within_area(self, key: str) -> None:
        if key in self.inside:
            return
        found = self.known.get(("area", key))
        if found is None:
            try:
                checks.within_area(self.actor, self.divisions[key])
                found = True
                self.inside.add(key)
            except RegistrationError as exc:
                found = exc
            self.known[("area", key)] = found
        if isinstance(found, RegistrationError):
            raise found


# --- registrations: reading and checking ----------------------------------------------------------

# A checked row, as the import keeps it: (identity number, name, sex, birth date, household number,
# 户籍 division, residence division, phone, kind, moved in on, paid at origin). The first four are
# what ``find_conflicts`` compares.
Row = tuple

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class Collector:
    def __init__(self):
        self.errors: list[RowError] = []
        self.total = 0

    def add(self, line: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, column, message))


def _cells(table: Table, names: tuple[str, ...]) -> list[int | None]:
    return [table.header.index(n) if n in table.header else None for n in names]


def read_registrations(table: Table, places: Places, *, progress: Progress = None) -> tuple[list[Row], Collector]:
    """Every row checked; each row's every problem is reported at once, so one round of
    corrections suffices. The loop is the import's hot path: a plainly written row costs a few
    dictionary lookups (identity number, divisions) and no query."""
    today = clock.today()
    errors = Collector()
    rows: list[Row] = []
    append = rows.append
    seen: dict[str, int] = {}
    i_id, i_name, i_hukou, i_res, i_hh, i_phone, i_kind, i_moved, i_paid = _cells(
        table, (*REGISTRATION_COLUMNS, MOVED_IN, PAID_AT_ORIGIN))
    width = max(i for i in (i_id, i_name, i_hukou, i_res, i_hh, i_phone, i_kind, i_moved, i_paid) if i is not None) + 1
    total = table.estimate
    add = errors.add
    good_places, inside = places.good, places.inside
    mobile = _MOBILE.match
    ordinary = Kind.ORDINARY
    count = 0
    for line, raw in table.rows():
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            # reading and checking is the first half of the bar; the second is the write, which
            # shows at once when its transaction commits
            progress(count, 2 * max(total, count))
        if len(raw) < width:
            if not "".join(raw).strip():
                continue
            raw = raw + [""] * (width - len(raw))
        if len(max(raw, key=len)) > MAX_CELL_CHARS:
            add(line, "", f"单元格内容过长（超过 {MAX_CELL_CHARS} 个字符）")
            continue
        number_text = raw[i_id].strip()
        name = raw[i_name].strip()
        hukou = raw[i_hukou].strip()
        residence = raw[i_res].strip()
        household = raw[i_hh].strip()
        phone = raw[i_phone].strip()
        kind_text = raw[i_kind].strip()
        if not (number_text or name or hukou or residence or household or phone or kind_text):
            continue
        ok = True
        fast = fast_identity(number_text, today)
        if fast is None:
            try:
                fast = _identity(number_text, today)
            except RegistrationError as exc:
                add(line, ID, exc.message)
                ok = False
        if fast is not None:
            number, sex, birth = fast
            first = seen.get(number)
            if first is not None:
                add(line, ID, f"与第 {first} 行重复：同一人在一个文件中只能登记一次")
                ok = False
            else:
                seen[number] = line
        if not name:
            add(line, NAME, "请填写姓名")
            ok = False
        elif len(name) > 50:
            add(line, NAME, "姓名过长（不超过 50 个字符）")
            ok = False
        if hukou not in good_places or hukou not in inside:
            try:
                hukou = places.get(hukou, "hukou_code", "户籍地")
                places.within_area(hukou)
            except RegistrationError as exc:
                add(line, HUKOU, exc.message)
                ok = False
        if not residence:
            residence = hukou
        elif residence not in good_places:
            try:
                residence = places.get(residence, "residence_code", "居住地")
            except RegistrationError as exc:
                add(line, RESIDENCE, exc.message)
                ok = False
        if len(household) > 30:
            add(line, HOUSEHOLD, "户口簿编号过长（不超过 30 个字符）")
            ok = False
        if phone and not mobile(phone):
            try:
                phone = checks.phone(phone)
            except RegistrationError as exc:
                add(line, PHONE, exc.message)
                ok = False
        moved_in_on = paid_at_origin = None
        if not kind_text:
            kind = ordinary
        else:
            kind = KINDS.get(kind_text)
            if kind is None:
                add(line, KIND, f"参保类型“{kind_text}”无效：应为普通、新生儿、迁入或补缴（空白为普通）")
                ok = False
            elif kind == Kind.MIGRANT:
                text = raw[i_moved].strip() if i_moved is not None else ""
                if not text:
                    add(line, MOVED_IN, "参保类型为迁入时须填写迁入日期")
                    ok = False
                else:
                    try:
                        moved_in_on = parse_date(text)
                        if moved_in_on > today:
                            add(line, MOVED_IN, f"迁入日期 {moved_in_on.isoformat()} 晚于今天")
                            ok = False
                    except ValueError:
                        add(line, MOVED_IN, f"迁入日期“{text}”格式不正确，应为 YYYY-MM-DD")
                        ok = False
                text = raw[i_paid].strip() if i_paid is not None else ""
                paid_at_origin = YES_NO.get(text)
                if paid_at_origin is None:
                    add(line, PAID_AT_ORIGIN, "参保类型为迁入时须填写原籍已缴费：是或否")
                    ok = False
        if ok:
            append((number, name, sex, birth, household, hukou, residence, phone, kind, moved_in_on, paid_at_origin))
    if progress:
        progress(count, 2 * count)
    return rows, errors


def _masked_where(place: dict, reader) -> str:
    if sees_whole_id_numbers(reader):
        return place["where"]
    scheme = "职工医保" if place["scheme"] == "employee" else "城乡居民医保"
    name = Division.objects.filter(key=place["region"]).values_list("name", flat=True).first() or place["region"]
    return f"{scheme}：{name}"


@contextlib.contextmanager
def staged_numbers(numbers: list[str]):
    """The identity numbers as a subquery for ``id_number__in=``, so that each conflict lookup is
    one set-based statement however many numbers are asked. On PostgreSQL they are staged in a
    temporary table (COPY, then ``ANALYZE``) and joined (hashed): lists of values cost the client
    more to bind than the server to answer. On SQLite they go as one JSON array (``text_values``),
    from which SQLite builds its own transient index: a temporary table of 1.6 million rows there
    is written to a temporary file, several times slower. Dropped on the way out."""
    if connection.vendor != "postgresql":
        yield text_values(numbers)
        return
    qn = connection.ops.quote_name
    table = qn(f"staged_numbers_{uuid.uuid4().hex[:12]}")
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {table} (id_number varchar(18) NOT NULL)")
        with dropped_after(cur, table):
            with connection.wrap_database_errors, cur.cursor.copy(f"COPY {table} (id_number) FROM STDIN") as copy:
                for number in numbers:
                    copy.write_row((number,))
            cur.execute(f"ANALYZE {table}")
            yield RawSQL(f"SELECT id_number FROM {table}", [])  # noqa: S608, S611 (a name made here)


def find_conflicts(rows: list, year: int, region: str, reader, *, exclude_batch: int | None = None) -> dict[str, str]:
    """The rows (identity number, name, sex, birth date, …) that conflict with what the system
    holds, with the reason: enrolled or registering for ``year`` anywhere (either scheme), or a
    person of ``region`` whose name, sex or birth date disagree. The numbers are staged once
    (``staged_numbers``) and each kind of conflict is one statement joined against them; the
    employee scheme is asked through the registry."""
    problems: dict[str, str] = {}
    active = [EnrolmentStatus.REFUNDED, EnrolmentStatus.CANCELLED]
    # registrations are indexed by region first: naming every pooling region lets the index serve
    regions = Division.objects.filter(is_pooling_region=True).values("key")
    whole = sees_whole_id_numbers(reader)
    numbers = [r[0] for r in rows]
    places: dict[str, list[dict]] = {}
    with staged_numbers(numbers) as staged:
        for number, region_name, division_name, status in (
                Enrolment.objects.filter(id_number__in=staged, insurance_year=year)
                .exclude(status__in=active).values_list("id_number", "region__name", "division__name", "status")):
            places.setdefault(number, []).append(
                {"scheme": "resident", "where": f"城乡居民医保：{region_name}{division_name}"
                                                f"（{EnrolmentStatus(status).label}）", "region_name": region_name})
        pending = Registration.objects.filter(region_id__in=regions, id_number__in=staged, insurance_year=year,
                                              status__in=[RegistrationStatus.PENDING, RegistrationStatus.PROBLEM])
        if exclude_batch is not None:
            pending = pending.exclude(batch_id=exclude_batch)
        for number, region_name, division_name, status in pending.values_list("id_number", "region__name",
                                                                              "division__name", "status"):
            places.setdefault(number, []).append(
                {"scheme": "resident", "where": f"城乡居民医保：{region_name}{division_name}"
                                                f"（登记{RegistrationStatus(status).label}）", "region_name": region_name})
        persons = {p[0]: p[1:] for p in Person.objects.filter(region_id=region, id_number__in=staged)
                   .values_list("id_number", "name", "sex", "birth_date")}
    for number, found in registry.insured_elsewhere_many(numbers, year, schemes=("employee",)).items():
        places.setdefault(number, []).extend(found)
    del numbers
    if not places and not persons:
        return problems
    for number, name, sex, birth, *_ in rows:
        if number not in places and number not in persons:
            continue
        reasons = []
        if number in places:
            shown = [p["where"] if whole else
                     (f"城乡居民医保：{p['region_name']}" if p["scheme"] == "resident" else _masked_where(p, reader))
                     for p in places[number]]
            reasons.append(f"此人 {year} 保险年度已参保或已登记：{'；'.join(shown)}")
        if number in persons:
            was = persons[number]
            differ = [f"{what}已登记为“{a}”，文件为“{b}”" for what, a, b in
                      zip(("姓名", "性别", "出生日期"), was, (name, sex, birth), strict=True) if a != b]
            if differ:
                reasons.append(f"与本统筹区已登记的参保居民信息不一致：{'，'.join(differ)}")
        if reasons:
            problems[number] = "；".join(reasons) + "。请核实后处理。"
    return problems


REGISTRATION_FIELDS = ("region_id", "insurance_year", "channel", "basis", "id_number", "name", "sex", "birth_date",
                       "hk_id_number", "hk_name", "hk_sex", "household_number", "hukou_division_id",
                       "residence_division_id", "division_id", "phone", "kind", "moved_in_on", "paid_at_origin",
                       "status", "maker_id", "maker_label", "checker_label", "submitted_at", "note", "batch_id")


def _new_batch(region: str, year: int, kind: str, source: str, sha: str, filename: str, rows: int, actor):
    """The batch of this file, or (when the same file was imported before) the earlier one."""
    earlier = ImportBatch.objects.filter(region_id=region, insurance_year=year, kind=kind, source=source,
                                         sha256=sha).first()
    if earlier is not None:
        return earlier, True
    try:
        with transaction.atomic():
            return ImportBatch.objects.create(region_id=region, insurance_year=year, kind=kind, source=source,
                                              sha256=sha, filename=filename, rows=rows, owner_id=actor.pk), False
    except IntegrityError:   # the same file, imported at the same moment by another request
        return ImportBatch.objects.get(region_id=region, insurance_year=year, kind=kind, source=source,
                                       sha256=sha), True


def _repeated(batch: ImportBatch) -> ImportOutcome:
    when = timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M")
    return ImportOutcome(True, f"此文件已于 {when} 导入（批次 {batch.pk}，{batch.rows} 行），本次未作任何改动。",
                         batch=batch, repeated=True, rows=batch.rows)


def import_registrations(path: Path, filename: str, *, region: str, insurance_year: int, actor,
                         progress: Progress = None) -> ImportOutcome:
    """Read, check and write a registrations file: all rows or none (``ImportRejected`` with the
    row errors). Rows that conflict with existing records go in with a problem."""
    division = pooling_region(region, actor)
    year = _year(insurance_year)
    sha = sha256_of(path)
    earlier = ImportBatch.objects.filter(region_id=division.key, insurance_year=year, kind=BatchKind.REGISTRATIONS,
                                         source="", sha256=sha).first()
    if earlier is not None:
        return _repeated(earlier)
    table = open_table(path, REGISTRATION_COLUMNS)
    rows, errors = read_registrations(table, Places(division, actor), progress=progress)
    if errors.total:
        raise ImportRejected(errors.errors, total=errors.total)
    if not rows:
        raise ImportRefused("文件中没有数据行。", code="empty")
    problems = find_conflicts(rows, year, division.key, actor)
    return _write_registrations(division, year, rows, problems, sha=sha, filename=filename, actor=actor)


@transaction.atomic
def _write_registrations(division: Division, year: int, rows: list[Row], problems: dict[str, str], *, sha: str,
                         filename: str,
                         actor) -> ImportOutcome:
    batch, repeated = _new_batch(division.key, year, BatchKind.REGISTRATIONS, "", sha, filename, len(rows), actor)
    if repeated:
        return _repeated(batch)
    now = db_value(Registration, "submitted_at", timezone.now())
    maker, maker_label, batch_id = actor.pk, _label(actor), batch.pk
    hukou = Basis.HUKOU
    pending, problem = RegistrationStatus.PENDING, RegistrationStatus.PROBLEM
    region = division.key
    channel = Channel.IMPORT
    # in identity-number order, the indexes on the number grow at their end instead of everywhere
    rows.sort(key=operator.itemgetter(0))
    bulk_insert(Registration, REGISTRATION_FIELDS, (
        (region, year, channel, hukou, number, name, sex, birth.isoformat(), "", "", "", household, hukou_code, residence,
         hukou_code, phone, kind, moved_in_on and moved_in_on.isoformat(), paid_at_origin,
         problem if number in problems else pending, maker, maker_label, "", now, "", batch_id)
        for number, name, sex, birth, household, hukou_code, residence, phone, kind, moved_in_on, paid_at_origin
        in rows), prepared=True)
    if problems:
        _file_problems(batch, problems)
    record_event(actor, "resident.import.registrations", "import_batch", batch.pk,
                 after={"region": region, "insurance_year": year, "filename": filename, "sha256": sha,
                        "rows": len(rows), "problems": len(problems)},
                 division_path=division.path)
    message = f"已导入 {len(rows)} 条参保登记（批次 {batch.pk}），待另一名经办人员审核。"
    if problems:
        message += f"其中 {len(problems)} 条与已有记录冲突，已转入待处理信息。"
    return ImportOutcome(True, message, batch=batch, rows=len(rows), problems=len(problems))


def _file_problems(batch: ImportBatch, problems: dict[str, str]) -> None:
    """A problem for each conflicting row of the batch (identity number → reason), waiting for a clerk."""
    found = []
    numbers = list(problems)
    for start in range(0, len(numbers), CHUNK):
        found += list(Registration.objects.filter(batch=batch, id_number__in=text_values(numbers[start:start + CHUNK]))
                      .values_list("pk", "id_number", "division_id"))
    Problem.objects.bulk_create(
        [Problem(region_id=batch.region_id, division_id=division, registration_id=pk, source=ProblemSource.IMPORT,
                 code=CONFLICT, message=problems[number][:1000], actor=ProblemActor.CLERK)
         for pk, number, division in found], batch_size=2000)


# --- reviewing a batch -------------------------------------------------------------------------------

def start_review(batch: ImportBatch, *, actor, approve: bool, note: str = "", in_process: bool = False):
    """Review a batch at once, or hand a large one to the worker (its ``Job``)."""
    from yibao.jobs.services import enqueue

    _may_review(batch, actor, approve, note)
    pending = batch.registrations.filter(status=RegistrationStatus.PENDING).count()
    if pending <= REVIEW_IN_WORKER and not in_process:
        return review_batch(batch, actor=actor, approve=approve, note=note)
    return enqueue(actor, "resident.import.review", f"审核导入批次 {batch.pk}（{pending} 条）",
                   {"batch": batch.pk, "approve": approve, "note": note}, in_process=in_process)


def _may_review(batch: ImportBatch, actor, approve: bool, note: str) -> None:
    if batch.kind != BatchKind.REGISTRATIONS:
        raise RegistrationError("困难群体名单不需要审核。", code="not_reviewable")
    if batch.owner_id == actor.pk:
        raise RegistrationError("导入人与审核人不能是同一人：请由另一名经办人员审核此批次。", code="same_reviewer")
    scope = scope_of(actor)
    if not scope.sees_everything:
        outside = "—" if not scope.division_path else None
        region_path = Division.objects.filter(key=batch.region_id).values_list("path", flat=True).first() or ""
        if outside is None and not region_path.startswith(scope.division_path):
            # a reviewer whose area holds the batch's whole region reaches every row (an import's
            # places lie in its region: ``Places``); anyone else: one statement, stopping at the
            # first row outside the area (the area's divisions are a hashed subquery)
            inside = Division.objects.filter(path__startswith=scope.division_path).values("key")
            outside = (Registration.objects.filter(batch=batch).exclude(division_id__in=inside)
                       .values_list("division__name", flat=True).first())
        if outside:
            raise RegistrationError(f"此批次含有不在您负责区域内的登记（{outside}），不能审核。", code="outside_area")
    if not approve and not (note or "").strip():
        raise RegistrationError("退回须写明原因。", code="note_missing", fields={"note": "必填"})


@transaction.atomic
def review_batch(batch: ImportBatch, *, actor, approve: bool, note: str = "", progress: Progress = None) -> ReviewOutcome:
    """The second signature for a whole batch: approve (every pending registration's person
    recorded and enrolled for the year, in a few set-based statements) or return it with a note.
    Registrations that now conflict (someone enrolled them meanwhile) go to the problem queue
    instead. Refused to the importer and to a clerk outside the batch's area."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _may_review(batch, actor, approve, note)
    pending_qs = Registration.objects.filter(batch=batch, status=RegistrationStatus.PENDING)
    now = timezone.now()
    note = (note or "").strip()
    label = _label(actor)
    division = Division.objects.get(key=batch.region_id)
    if not pending_qs.exists():
        raise RegistrationError("此批次没有待审核的登记。", code="not_pending")
    step = lambda n: progress and progress(n, 5)  # noqa: E731
    if not approve:
        rejected = pending_qs.update(status=RegistrationStatus.REJECTED, checker_id=actor.pk, checker_label=label,
                                     reviewed_at=now, note=note[:500])
        record_event(actor, "resident.import.review", "import_batch", batch.pk,
                     after={"approve": False, "rejected": rejected, "note": note}, division_path=division.path)
        return ReviewOutcome(batch, rejected=rejected, message=f"已退回批次 {batch.pk} 的 {rejected} 条登记。")
    step(0)
    with wide_cache():
        return _approve(batch, pending_qs, actor, label, now, note, division, step)


def _approve(batch: ImportBatch, pending_qs, actor, label: str, now, note: str, division: Division,
             step) -> ReviewOutcome:
    """The approval's statements, over the whole batch (``review_batch``)."""
    refresh_statistics(Registration)   # the batch was written in one go: the planner has not seen it
    conflicts = _batch_conflicts(batch, pending_qs, actor)
    problems = len(conflicts)
    if conflicts:
        numbers = list(conflicts)
        for start in range(0, len(numbers), CHUNK):
            pending_qs.filter(id_number__in=text_values(numbers[start:start + CHUNK])).update(
                status=RegistrationStatus.PROBLEM)
        _file_problems(batch, conflicts)
    step(1)
    _check_batch_places(batch, pending_qs, division)
    _update_existing_persons(batch, actor)
    step(2)
    approved = _enrol_batch(batch, actor, label, now, note, step)
    record_event(actor, "resident.import.review", "import_batch", batch.pk,
                 after={"approve": True, "approved": approved, "problems": problems, "note": note},
                 division_path=division.path)
    message = f"批次 {batch.pk}：已审核通过 {approved} 条，参保登记已生成。"
    if problems:
        message += f"{problems} 条与已有记录冲突，已转入待处理信息。"
    return ReviewOutcome(batch, approved=approved, problems=problems, message=message)


def _batch_conflicts(batch: ImportBatch, pending_qs, reader) -> dict[str, str]:
    """``find_conflicts`` for the batch's pending rows, asked set-based first: one statement per
    kind of conflict finds the rows that may have one (enrolled or registering for the year
    elsewhere, a person of the region with other particulars), and the employee scheme is asked
    for every number; only those rows go through ``find_conflicts`` for their reasons."""
    year = batch.insurance_year
    regions = list(Division.objects.filter(is_pooling_region=True).values_list("key", flat=True))
    same = {"id_number": OuterRef("id_number"), "insurance_year": OuterRef("insurance_year")}
    enrolled = (Enrolment.objects.filter(**same)
                .exclude(status__in=[EnrolmentStatus.REFUNDED, EnrolmentStatus.CANCELLED]))
    registering = (Registration.objects.filter(region_id__in=regions, **same,
                                               status__in=[RegistrationStatus.PENDING, RegistrationStatus.PROBLEM])
                   .exclude(batch_id=batch.pk))
    differing = (Person.objects.filter(region_id=OuterRef("region_id"), id_number=OuterRef("id_number"))
                 .exclude(name=OuterRef("name"), sex=OuterRef("sex"), birth_date=OuterRef("birth_date")))
    fields = ("id_number", "name", "sex", "birth_date")
    rows = {r[0]: r for found in (enrolled, registering, differing)
            for r in pending_qs.filter(Exists(found)).values_list(*fields)}
    numbers = list(pending_qs.values_list("id_number", flat=True))
    employed = [n for start in range(0, len(numbers), CHUNK)
                for n in registry.insured_elsewhere_many(numbers[start:start + CHUNK], year, schemes=("employee",))]
    del numbers
    for start in range(0, len(employed), CHUNK):
        rows.update((r[0], r) for r in pending_qs.filter(id_number__in=text_values(employed[start:start + CHUNK]))
                    .values_list(*fields))
    if not rows:
        return {}
    return find_conflicts(list(rows.values()), year, batch.region_id, reader, exclude_batch=batch.pk)


def _check_batch_places(batch: ImportBatch, pending_qs, region: Division) -> None:
    """The places the persons and enrolments are about to take from the batch's pending forms,
    checked in one statement: every form's region is the batch's, and its 户籍, residence and
    insured village are townships or villages of that region. The durable tables keep no
    database constraint on their places (``models.PLACE_REFERENCE``); this is the set-wise check
    that stands for the nine row-by-row checks at commit."""
    places = Division.objects.filter(path__startswith=region.path, level__in=checks.PLACE_LEVELS).values("key")
    bad = (pending_qs.filter(~Q(region_id=batch.region_id) | ~Q(hukou_division_id__in=places)
                             | ~Q(residence_division_id__in=places) | ~Q(division_id__in=places))
           .values_list("id_number", flat=True).first())
    if bad is not None:
        raise RegistrationError(f"此批次中身份证号码为 {bad[:6]}…{bad[-4:]} 的登记所填区划已不存在或不在本统筹区内，"
                                "不能审核通过：请退回此批次，核对区划代码后重新导入。", code="division_unknown")


def _update_existing_persons(batch: ImportBatch, actor) -> None:
    """A person already recorded in the region takes the registration's household, places and
    phone (a blank phone keeps the recorded one), with history kept (``apply_values``); only those
    whose values change are read and touched, found by one statement."""
    from .persons import apply_values

    r = Registration.objects.filter(batch=batch, status=RegistrationStatus.PENDING,
                                    region_id=OuterRef("region_id"), id_number=OuterRef("id_number"))
    same = r.filter(household_number=OuterRef("household_number"), hukou_division=OuterRef("hukou_division"),
                    residence_division=OuterRef("residence_division"), division=OuterRef("division"))
    unchanged = same.filter(Q(phone="") | Q(phone=OuterRef("phone")))
    changing = (Person.objects.filter(region_id=batch.region_id).filter(Exists(r)).exclude(Exists(unchanged))
                .order_by("pk"))
    for person in changing.iterator(chunk_size=2000):
        household, hukou, residence, division, phone = (
            Registration.objects.filter(batch=batch, status=RegistrationStatus.PENDING, region_id=person.region_id,
                                        id_number=person.id_number)
            .values_list("household_number", "hukou_division_id", "residence_division_id", "division_id", "phone")[0])
        apply_values(person, {"household_number": household, "hukou_division": hukou,
                              "residence_division": residence, "division": division,
                              "phone": phone or person.phone}, actor=actor)


@contextlib.contextmanager
def _refused_on_a_race():
    """A person or enrolment written by another clerk while the approval ran breaks a unique key:
    the whole approval is refused, nothing half-written."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise RegistrationError("此批次中有人刚由其他经办人员登记，本次审核未作任何改动，请刷新后重试。",
                                code="concurrent_registration") from None


def _enrol_batch(batch: ImportBatch, actor, label: str, now, note: str, step) -> int:
    """Persons, enrolments and the second signature for the batch's pending registrations: three
    set-based statements, none of which depends on a join order the planner could get wrong (the
    persons not yet recorded go in as plain inserts, an anti-join on their unique key: a person
    recorded meanwhile by another clerk breaks the unique key and the whole approval is refused,
    to be run again; the statistics are refreshed before the joins)."""
    qn = connection.ops.quote_name
    reg, per, enr = (qn(m._meta.db_table) for m in (Registration, Person, Enrolment))
    stamp = Registration._meta.get_field("reviewed_at").get_db_prep_save(now, connection)
    pending = RegistrationStatus.PENDING
    with connection.cursor() as cur, _refused_on_a_race():
        # identifiers are the models' own table names, quoted by the backend; values go as parameters
        cur.execute(
            f"INSERT INTO {per} (region_id, id_number, name, sex, birth_date, household_number, basis, "  # noqa: S608
            f"hukou_division_id, residence_division_id, division_id, phone, life_status, valid_from, created_at) "
            f"SELECT r.region_id, r.id_number, r.name, r.sex, r.birth_date, r.household_number, r.basis, "
            f"r.hukou_division_id, r.residence_division_id, r.division_id, r.phone, %s, %s, %s FROM {reg} r "
            f"WHERE r.batch_id = %s AND r.status = %s AND NOT EXISTS (SELECT 1 FROM {per} p "
            f"WHERE p.region_id = r.region_id AND p.id_number = r.id_number)",
            [LifeStatus.ACTIVE, stamp, stamp, batch.pk, pending])
        refresh_statistics(Person)
        step(3)
        try:
            with transaction.atomic():
                cur.execute(
                    f"INSERT INTO {enr} (region_id, person_id, id_number, insurance_year, status, kind, "  # noqa: S608
                    f"division_id, moved_in_on, paid_at_origin, registration_id, created_at) "
                    f"SELECT r.region_id, p.id, r.id_number, r.insurance_year, %s, r.kind, r.division_id, "
                    f"r.moved_in_on, r.paid_at_origin, r.id, %s FROM {reg} r JOIN {per} p "
                    f"ON p.region_id = r.region_id AND p.id_number = r.id_number "
                    f"WHERE r.batch_id = %s AND r.status = %s",
                    [EnrolmentStatus.REGISTERED, stamp, batch.pk, pending])
        except IntegrityError:
            raise RegistrationError("此批次中有人已在本保险年度参保登记，请刷新后重试。", code="duplicate_enrolment") from None
        # the progress counters of the batch's villages, set-based, in the same transaction
        touched = defaultdict(set)
        for region_id, year, village in (Registration.objects.filter(batch=batch, status=pending).order_by()
                                         .values_list("region_id", "insurance_year", "division_id").distinct()):
            touched[(region_id, year)].add(village)
        for (region_id, year), villages in sorted(touched.items()):
            tallies.refresh(region_id, year, villages)
        step(4)
        # one pass over the batch's registrations: the person, the second signature
        cur.execute(
            f"UPDATE {reg} SET person_id = p.id, status = %s, checker_id = %s, checker_label = %s, "  # noqa: S608
            f"reviewed_at = %s, note = %s FROM {per} p WHERE {reg}.batch_id = %s AND {reg}.status = %s "
            f"AND p.region_id = {reg}.region_id AND p.id_number = {reg}.id_number",
            [RegistrationStatus.APPROVED, actor.pk, label[:100], stamp, note[:500], batch.pk, pending])
        approved = cur.rowcount
    step(5)
    return approved


# --- hardship lists ----------------------------------------------------------------------------------

def import_hardship(path: Path, filename: str, *, region: str, insurance_year: int, source: str, actor,
                    progress: Progress = None) -> ImportOutcome:
    """An assistance department's list: one grant per person and category (several categories
    separated by 、), each named as the region's policy file names it. All rows or none."""
    division = pooling_region(region, actor)
    year = _year(insurance_year)
    source = hardship_source(source)
    configured = rules.hardship_categories(division.key, year)
    sha = sha256_of(path)
    earlier = ImportBatch.objects.filter(region_id=division.key, insurance_year=year, kind=BatchKind.HARDSHIP,
                                         source=source, sha256=sha).first()
    if earlier is not None:
        return _repeated(earlier)
    table = open_table(path, HARDSHIP_COLUMNS)
    i_id, i_name, i_cat, i_from, i_to = _cells(table, HARDSHIP_COLUMNS)
    width = max(i_id, i_name, i_cat, i_from, i_to) + 1
    today = clock.today()
    errors = Collector()
    grants: list[tuple] = []
    seen: dict[tuple, int] = {}
    allowed = set(configured)
    for count, (line, raw) in enumerate(table.rows(), start=1):
        if progress and count % 1000 == 0:
            progress(count, max(table.estimate, count))
        cells = [c.strip() for c in raw] + [""] * max(0, width - len(raw))
        if not any(cells):
            continue
        if any(len(c) > MAX_CELL_CHARS for c in cells):
            errors.add(line, "", f"单元格内容过长（超过 {MAX_CELL_CHARS} 个字符）")
            continue
        ok = True
        try:
            number = _identity(cells[i_id], today)[0]
        except RegistrationError as exc:
            errors.add(line, ID, exc.message)
            ok, number = False, None
        name = cells[i_name]
        if not name:
            errors.add(line, NAME, "请填写姓名")
            ok = False
        categories = [c.strip() for c in cells[i_cat].split("、") if c.strip()]
        if not categories:
            errors.add(line, CATEGORY, "请填写困难类别")
            ok = False
        for category in categories:
            if category not in allowed:
                errors.add(line, CATEGORY, f"困难类别“{category}”不是本统筹区 {year} 保险年度配置的类别"
                                           f"（可选：{'、'.join(configured)}）")
                ok = False
        valid_from = valid_to = None
        try:
            valid_from = parse_date(cells[i_from])
        except ValueError:
            errors.add(line, GRANTED_ON, "请填写认定日期（YYYY-MM-DD）" if not cells[i_from]
                       else f"认定日期“{cells[i_from]}”格式不正确，应为 YYYY-MM-DD")
            ok = False
        if cells[i_to]:
            try:
                valid_to = parse_date(cells[i_to])
                if valid_from and valid_to < valid_from:
                    errors.add(line, ENDS_ON, f"终止日期 {valid_to.isoformat()} 早于认定日期 {valid_from.isoformat()}")
                    ok = False
            except ValueError:
                errors.add(line, ENDS_ON, f"终止日期“{cells[i_to]}”格式不正确，应为 YYYY-MM-DD")
                ok = False
        if not ok:
            continue
        for category in categories:
            key = (number, category, valid_from)
            if key in seen:
                errors.add(line, ID, f"与第 {seen[key]} 行重复：同一人同一类别同一认定日期只能出现一次")
                ok = False
                break
            seen[key] = line
        if ok:
            grants += [(number, name, c, valid_from, valid_to) for c in categories]
    if errors.total:
        raise ImportRejected(errors.errors, total=errors.total)
    if not grants:
        raise ImportRefused("文件中没有数据行。", code="empty")
    return _write_hardship(division, year, source, grants, sha=sha, filename=filename, actor=actor)


@transaction.atomic
def _write_hardship(division: Division, year: int, source: str, grants: list[tuple], *, sha: str, filename: str,
                    actor) -> ImportOutcome:
    batch, repeated = _new_batch(division.key, year, BatchKind.HARDSHIP, source, sha, filename, len(grants), actor)
    if repeated:
        return _repeated(batch)
    before = HardshipGrant.objects.filter(region_id=division.key).count()
    HardshipGrant.objects.bulk_create(
        [HardshipGrant(region_id=division.key, id_number=n, name=name, category=c, source=source, valid_from=f,
                       valid_to=t, batch=batch) for n, name, c, f, t in grants],
        batch_size=2000, ignore_conflicts=True)
    added = HardshipGrant.objects.filter(region_id=division.key).count() - before
    record_event(actor, "resident.import.hardship", "import_batch", batch.pk,
                 after={"region": division.key, "insurance_year": year, "source": source, "filename": filename,
                        "sha256": sha, "grants": len(grants), "added": added}, division_path=division.path)
    message = f"已导入困难群体名单（{HardshipSource(source).label}，批次 {batch.pk}）：{added} 条认定记录。"
    if added < len(grants):
        message += f"另有 {len(grants) - added} 条此前已导入，未重复写入。"
    return ImportOutcome(True, message, batch=batch, rows=added)


# --- the error report ---------------------------------------------------------------------------------

FULL_REPORT_ROWS = 100_000


def write_error_report(path: Path, errors: list[RowError], out: Path, *, anchor: str) -> None:
    """The file again with 错误说明 beside each row that has errors (the rows with errors only,
    with their line numbers, for files over ``FULL_REPORT_ROWS`` rows)."""
    import xlsxwriter

    from yibao.documents.xlsx import safe_cell

    by_line: dict[int, list[RowError]] = {}
    for e in errors:
        by_line.setdefault(e.line, []).append(e)
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    sheet = book.add_worksheet("错误清单")
    head = book.add_format({"bold": True, "bg_color": "#DDE7F3", "border": 1})
    bad = book.add_format({"bg_color": "#FDE2E1"})
    note = book.add_format({"font_color": "#B3261E", "bg_color": "#FDE2E1", "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    rows = iter_all(path)
    header: list[str] = []
    header_line = 0
    for header_line, row in enumerate(rows, start=1):
        if anchor in [re.sub(r"[\s*＊]", "", c or "") for c in row]:
            header = row
            break
        if header_line >= 10:
            break
    total_lines = max(by_line) if by_line else 0
    full = total_lines <= FULL_REPORT_ROWS + header_line
    sheet.write_string(0, 0, "行号", head)
    for col, title in enumerate(header, start=1):
        sheet.write_string(0, col, safe_cell(title), head)
    sheet.write_string(0, len(header) + 1, "错误说明", head)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, len(header), 16)
    sheet.set_column(len(header) + 1, len(header) + 1, 60)
    out_row = 1
    for line, row in enumerate(rows, start=header_line + 1):
        problems = by_line.get(line)
        if not full and not problems:
            if line > total_lines:
                break
            continue
        fmt = bad if problems else None
        sheet.write_number(out_row, 0, line, fmt)
        for col, value in enumerate(row, start=1):
            sheet.write_string(out_row, col, safe_cell(value), fmt or text)
        if problems:
            sheet.write_string(out_row, len(header) + 1,
                               "；".join(f"{e.column}：{e.message}" if e.column else e.message for e in problems), note)
        out_row += 1
    sheet.freeze_panes(1, 0)
    book.close()
