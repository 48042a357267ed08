"""PostgreSQL only: the database keeps the two rules the services keep.

* ``span_no_double_insurance``: one person's insurance spans never overlap (one unit a month),
  an exclusion constraint over (identity number, month range) with btree_gist; months are
  "YYYY-MM" text, taken as year × 12 + month. Spans ended the month they began are left out.
* ``bill_frozen``: a declared bill and its lines are never updated or deleted (a trigger); the
  one change allowed on a declared bill is the amount paid (payments recorded against it).
SQLite relies on the services' checks (the same checks run on both)."""

from django.db import migrations

MONTH = "(substr({c}, 1, 4)::int * 12 + substr({c}, 6, 2)::int)"
FROM = MONTH.format(c="month_from")
TO = MONTH.format(c="coalesce(month_to, '9999-12')")

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE contributions_insurancespan ADD CONSTRAINT span_no_double_insurance
        EXCLUDE USING gist (id_number WITH =, int4range({FROM}, {TO}, '[]') WITH &&)
        WHERE (month_to IS NULL OR month_to >= month_from)""",
    """CREATE FUNCTION contributions_bill_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_TABLE_NAME = 'contributions_bill' THEN
        IF OLD.status = 'declared' AND (TG_OP = 'DELETE' OR
            (NEW.status, NEW.month, NEW.unit_id, NEW.kind, NEW.person_count, NEW.base_total, NEW.unit_total,
             NEW.individual_total, NEW.amount_due, NEW.declared_at)
            IS DISTINCT FROM
            (OLD.status, OLD.month, OLD.unit_id, OLD.kind, OLD.person_count, OLD.base_total, OLD.unit_total,
             OLD.individual_total, OLD.amount_due, OLD.declared_at)) THEN
          RAISE EXCEPTION 'bill_frozen: declared bill % cannot change', OLD.id USING ERRCODE = 'check_violation';
        END IF;
      ELSIF EXISTS (SELECT 1 FROM contributions_bill b WHERE b.id = OLD.bill_id AND b.status = 'declared') THEN
        RAISE EXCEPTION 'bill_frozen: lines of declared bill % cannot change', OLD.bill_id
          USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER bill_frozen BEFORE UPDATE OR DELETE ON contributions_bill
       FOR EACH ROW EXECUTE FUNCTION contributions_bill_frozen()""",
    """CREATE TRIGGER bill_line_frozen BEFORE UPDATE OR DELETE ON contributions_billline
       FOR EACH ROW EXECUTE FUNCTION contributions_bill_frozen()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS bill_line_frozen ON contributions_billline",
    "DROP TRIGGER IF EXISTS bill_frozen ON contributions_bill",
    "DROP FUNCTION IF EXISTS contributions_bill_frozen()",
    "ALTER TABLE contributions_insurancespan DROP CONSTRAINT IF EXISTS span_no_double_insurance",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql, None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("contributions", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
