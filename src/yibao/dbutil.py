"""Database helpers shared by the apps' services."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence

from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import NOT_PROVIDED


def _preparer(field):
    """How a value of ``field`` is handed to the driver: as the ORM would save it. Plain text,
    integer and decimal columns need no conversion beyond the backend's decimal adapter, so the
    per-value field machinery (a large share of the time for 100,000 rows) is skipped for them."""
    kind = field.get_internal_type()
    if kind == "DecimalField":
        adapt = connection.ops.adapt_decimalfield_value
        return lambda v: None if v is None else adapt(v, field.max_digits, field.decimal_places)
    if kind in ("CharField", "TextField", "BigAutoField", "AutoField", "BigIntegerField", "IntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "BooleanField"):
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, connection)


def bulk_set(model, fields: Sequence[str], rows: Iterable[tuple]) -> int:
    """Set ``fields`` on many rows of ``model`` at once: ``rows`` are (pk, value, value …).

    Django's ``bulk_update`` builds one CASE WHEN per row and field, which takes seconds for a
    few thousand rows; here the values are staged in a temporary table (COPY on PostgreSQL,
    executemany on SQLite) and applied with a single ``UPDATE … FROM`` (SQLite ≥ 3.33). Values
    are prepared by each field exactly as the ORM would save them. Must run inside the caller's
    transaction, so the change is all or nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_set must run inside a transaction")
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(f) for f in fields]
    preparers = [_preparer(f) for f in (pk, *columns)]
    prepared = [tuple(p(v) for p, v in zip(preparers, r, strict=True)) for r in rows]
    if not prepared:
        return 0
    qn = connection.ops.quote_name
    staging = qn(f"staging_{uuid.uuid4().hex[:12]}")
    names = [pk.column, *(f.column for f in columns)]
    types = [pk.rel_db_type(connection) if pk.is_relation else pk.db_type(connection).replace("serial", "integer"),
             *(f.db_type(connection) for f in columns)]
    types = ["bigint" if t in ("bigserial", "integer AUTOINCREMENT") else t for t in types]
    table = qn(meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {staging} ({', '.join(f'{qn(n)} {t}' for n, t in zip(names, types, strict=True))})")
        try:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {staging} ({', '.join(qn(n) for n in names)}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(names))
                # identifiers only, quoted by the backend; values go as parameters
                cur.executemany(f"INSERT INTO {staging} VALUES ({placeholders})", prepared)  # noqa: S608
            assignments = ", ".join(f"{qn(f.column)} = s.{qn(f.column)}" for f in columns)
            cur.execute(f"UPDATE {table} SET {assignments} FROM {staging} AS s "  # noqa: S608
                        f"WHERE {table}.{qn(pk.column)} = s.{qn(pk.column)}")
            updated = cur.rowcount
        finally:
            cur.execute(f"DROP TABLE {staging}")
    return updated


def bulk_upsert(model, fields: Sequence[str], rows: Iterable[tuple], *, unique: str) -> int:
    """Insert many rows of ``model`` (``rows`` give ``fields`` in order), updating the other
    fields of a row whose ``unique`` field already holds the value: one ``INSERT … ON CONFLICT …
    DO UPDATE`` statement run with executemany (SQLite ≥ 3.24, PostgreSQL). ``bulk_create`` with
    ``update_conflicts`` builds a model instance per row and a statement per batch, several times
    slower for tens of thousands of rows. Values are prepared by each field as the ORM would save
    them. Must run inside the caller's transaction, so the change is all or nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_upsert must run inside a transaction")
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    key = meta.get_field(unique)
    if key not in columns:
        raise ValueError(f"{unique} must be one of the fields")
    preparers = [_preparer(f) for f in columns]
    prepared = [tuple(p(v) for p, v in zip(preparers, r, strict=True)) for r in rows]
    if not prepared:
        return 0
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    assignments = ", ".join(f"{qn(f.column)} = excluded.{qn(f.column)}" for f in columns if f is not key)
    with connection.cursor() as cur:
        # identifiers only, quoted by the backend; values go as parameters
        cur.executemany(f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({placeholders}) "  # noqa: S608
                        f"ON CONFLICT ({qn(key.column)}) DO UPDATE SET {assignments}", prepared)
    return len(prepared)


def bulk_add(model, keys: Sequence[str], values: Sequence[str], rows: Iterable[tuple]) -> int:
    """Add to counters: for each row (``keys`` then ``values`` in order), insert it, or where a
    row with the same ``keys`` exists (a unique constraint on them), add the row's ``values`` to
    its own: one ``INSERT … ON CONFLICT (keys) DO UPDATE SET v = v + excluded.v`` run with
    executemany, safe against concurrent adders. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_add must run inside a transaction")
    meta = model._meta
    key_cols = [meta.get_field(f) for f in keys]
    value_cols = [meta.get_field(f) for f in values]
    columns = key_cols + value_cols
    preparers = [_preparer(f) for f in columns]
    prepared = [tuple(p(v) for p, v in zip(preparers, r, strict=True)) for r in rows]
    if not prepared:
        return 0
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    names = ", ".join(qn(f.column) for f in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    target = ", ".join(qn(f.column) for f in key_cols)
    assignments = ", ".join(f"{qn(f.column)} = {table}.{qn(f.column)} + excluded.{qn(f.column)}" for f in value_cols)
    with connection.cursor() as cur:
        # identifiers only, quoted by the backend; values go as parameters
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608
                        f"ON CONFLICT ({target}) DO UPDATE SET {assignments}", prepared)
    return len(prepared)


SQLITE_BULK_CACHE_KIB = 512 * 1024


def bulk_insert(model, fields: Sequence[str], rows: Iterable[tuple], *, prepared: bool = False) -> int:
    """Insert many new rows of ``model`` (``rows`` give ``fields`` in order, foreign keys by their
    ``…_id`` attribute): COPY on PostgreSQL, one executemany on SQLite. ``bulk_create`` builds a
    model instance per row, several times slower for a million rows. Dates may be given as
    ``datetime.date`` or ISO text; a datetime column's value is prepared as the ORM would save it
    (once per distinct value object). ``prepared``: the values are already as the database takes
    them (text, numbers, booleans, ISO dates, datetimes from ``db_value``), nothing is converted.
    Must run inside the caller's transaction. Every NOT NULL column without a database default
    must be among ``fields`` (a column added to the model later is otherwise left NULL): a
    ``ValueError`` names those missing, before anything is written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bulk_insert must run inside a transaction")
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    named = {f.attname for f in columns}
    missing = [f.attname for f in meta.concrete_fields if not f.null and not f.primary_key
               and f.db_default is NOT_PROVIDED and f.attname not in named]
    if missing:
        raise ValueError(f"bulk_insert({meta.label}): NOT NULL columns not given: {', '.join(missing)}")
    preparers = []
    for f in columns:
        kind = f.get_internal_type()
        if kind == "DateField":
            preparers.append(lambda v: v.isoformat() if v is not None and not isinstance(v, str) else v)
        elif kind == "DateTimeField":
            preparers.append(_memoised(lambda v, f=f: f.get_db_prep_save(v, connection)))
        elif kind == "DecimalField" or kind == "JSONField":
            preparers.append(_preparer(f))
        else:
            preparers.append(None)
    plain = [i for i, p in enumerate(preparers) if p is None]
    if prepared or len(plain) == len(columns):
        prepared = rows
    else:
        steps = [(i, p) for i, p in enumerate(preparers) if p is not None]

        def prepare(row):
            row = list(row)
            for i, p in steps:
                row[i] = p(row[i])
            return row

        prepared = map(prepare, rows)
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in columns)
    count = 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # the raw COPY bypasses Django's cursor wrapper: its errors are wrapped here, so that a
            # unique violation is Django's IntegrityError as for any other write
            with connection.wrap_database_errors, cur.cursor.copy(f"COPY {qn(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            batch = list(prepared)
            count = len(batch)
            if batch:
                with wide_cache():
                    # identifiers only, quoted by the backend; values go as parameters
                    cur.executemany(f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({placeholders})",  # noqa: S608
                                    batch)
    return count


@contextlib.contextmanager
def wide_cache():
    """SQLite: widen the connection's page cache (2 MB by default, far smaller than a million rows'
    index pages) for the statements inside, else most of their time goes to evicting and
    rereading pages. Nothing on PostgreSQL, whose cache is the server's."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        cache = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = {-SQLITE_BULK_CACHE_KIB}")
        try:
            yield
        finally:
            cur.execute(f"PRAGMA cache_size = {int(cache)}")


def refresh_statistics(model) -> None:
    """PostgreSQL: ``ANALYZE`` the table of ``model`` (a sample, well under a second for millions
    of rows), for statements that join rows written moments ago in bulk, which autovacuum has not
    counted yet. Planned with the stale figures (a table of a few rows), such a join can become a
    nested loop over a sequential scan, quadratic in the rows. Inside a transaction it sees that
    transaction's own rows. Nothing on SQLite, whose planner goes by its indexes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _memoised(fn):
    last: list = [object(), None]

    def call(v):
        if v is not last[0]:
            last[0], last[1] = v, fn(v)
        return last[1]

    return call


def text_values(values: Sequence[str]):
    """A subquery of many text values in one parameter, for ``field__in=text_values(numbers)``:
    ``json_each`` on SQLite, ``unnest`` of an array on PostgreSQL. Django's ``__in`` with a list
    prepares every value and binds one parameter each, which for a million identity numbers costs
    more than the queries themselves. On PostgreSQL the values go as one JSON text too: the
    driver binds an array parameter (Django's client-side binding) by quoting element by element
    in Python, several times slower than the query for 50,000 numbers."""
    import json

    from django.db.models.expressions import RawSQL

    if connection.vendor == "postgresql":
        return RawSQL("SELECT jsonb_array_elements_text(%s::jsonb)", [json.dumps(list(values))])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(values))])


FEW_VALUES = 64


def in_values(values: Sequence[str]):
    """For ``field__in=``: a few values (up to ``FEW_VALUES``) as a plain list, more through
    ``text_values``. With a plain list the planner knows how many there are and looks each up by
    its index; a set-returning function it guesses at a hundred rows may lead it to read, say, a
    whole channel's payments to find the one a single payment asks about."""
    return list(values) if len(values) <= FEW_VALUES else text_values(values)


def db_value(model, field: str, value):
    """``value`` of ``model.field`` as the database takes it (for ``bulk_insert(prepared=True)``)."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def lost_race(exc: Exception) -> bool:
    """A race lost to a concurrent transaction, so that the caller may read again and try again: a
    unique row it took first (PostgreSQL 23505, SQLite's UNIQUE/PRIMARY KEY constraint), or a
    deadlock or serialization failure broken by the database. Any other integrity error (a NOT
    NULL or foreign key broken) is a fault, not a race."""
    cause = getattr(exc, "__cause__", None)
    state = getattr(cause, "sqlstate", None)
    if state is not None:
        return state in ("23505", "40P01", "40001")
    return getattr(cause, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


def until_won(attempt, tries: int) -> bool:
    """Run ``attempt()`` in a savepoint until it does not lose a race to a concurrent transaction
    (``lost_race``), at most ``tries`` times; whether it got through. Other errors are raised."""
    for _ in range(tries):
        try:
            with transaction.atomic():
                attempt()
            return True
        except (IntegrityError, OperationalError) as exc:
            if not lost_race(exc):
                raise
    return False


@contextlib.contextmanager
def dropped_after(cur, table: str):
    """Drop the temporary ``table`` (a quoted name made by the caller) on the way out. On an error
    the original is raised: in a failed PostgreSQL transaction the DROP itself fails ("current
    transaction is aborted"), and the rollback takes the table away anyway."""
    try:
        yield table
    except BaseException:
        with contextlib.suppress(DatabaseError):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        raise
    cur.execute(f"DROP TABLE {table}")


def locked_counter(model, **key):
    """The counter row of ``model`` for ``key`` (a model with a ``last`` integer and a unique
    constraint over ``key``'s fields), created at 0 if missing and locked until the caller's
    transaction ends: concurrent numberings of the same key queue on it. Used for every
    sequence number handed out (receipts, units), so a refusal later in the transaction rolls
    the number back with everything else: no gaps, no duplicates."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked_counter must run inside a transaction")
    row, _ = model.objects.get_or_create(**key)
    return model.objects.select_for_update().get(pk=row.pk)


def next_in_sequence(model, **key) -> int:
    """The next number of ``model``'s counter for ``key`` (1, 2, …), the row locked until the
    caller's transaction ends (``locked_counter``)."""
    row = locked_counter(model, **key)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last
