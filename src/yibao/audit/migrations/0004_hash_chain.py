"""The audit log becomes tamper-evident and append-only against raw SQL too.

- Each entry carries its chain (the pooling region, "" for none), its sequence number in that
  chain, the previous entry's hash and its own (yibao.audit.chain); one head row per chain is
  locked by every append. The entries already there are chained here, oldest first.
- Triggers: on SQLite UPDATE, DELETE and an INSERT that would replace an entry (INSERT OR
  REPLACE deletes the conflicting row without firing DELETE triggers) are refused; on
  PostgreSQL UPDATE, DELETE (each row) and TRUNCATE (the statement), and the triggers fire
  "always", so ``session_replication_role = replica`` does not silence them.
- The time of an entry is given by the application when it is built (it is part of the hash),
  no longer filled in by the ORM at save: the column is unchanged.

The UPDATE trigger of migration 0002 is lifted only while this migration chains the existing
rows, inside its transaction, and the full set is put in place before it ends.
"""

import django.utils.timezone
from django.db import migrations, models

from yibao.audit.chain import FIELDS, GENESIS, entry_hash
from yibao.dbutil import bulk_set

MESSAGE = "audit log is append-only (审计日志只能追加)"

SQLITE_OLD = ["DROP TRIGGER IF EXISTS audit_auditentry_no_update"]
SQLITE_OLD_BACK = ["""CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"""]
SQLITE_NEW = [
    f"""CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditentry_no_replace BEFORE INSERT ON audit_auditentry
WHEN EXISTS (SELECT 1 FROM audit_auditentry WHERE id = NEW.id OR (chain = NEW.chain AND seq = NEW.seq))
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_NEW_BACK = ["DROP TRIGGER IF EXISTS audit_auditentry_no_update",
                   "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
                   "DROP TRIGGER IF EXISTS audit_auditentry_no_replace"]

PG_OLD = ["DROP TRIGGER IF EXISTS audit_auditentry_no_change ON audit_auditentry"]
PG_OLD_BACK = ["""CREATE TRIGGER audit_auditentry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_auditentry_refuse_change()"""]
PG_NEW = [
    f"""CREATE OR REPLACE FUNCTION audit_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}'; END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditentry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_auditentry_refuse_change()""",
    """CREATE TRIGGER audit_auditentry_no_truncate BEFORE TRUNCATE ON audit_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_refuse_change()""",
    "ALTER TABLE audit_auditentry ENABLE ALWAYS TRIGGER audit_auditentry_no_change",
    "ALTER TABLE audit_auditentry ENABLE ALWAYS TRIGGER audit_auditentry_no_truncate",
]
PG_NEW_BACK = ["DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry",
               "DROP TRIGGER IF EXISTS audit_auditentry_no_change ON audit_auditentry",
               """CREATE OR REPLACE FUNCTION audit_auditentry_refuse_change() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit log is append-only'; END;
$$ LANGUAGE plpgsql"""]


def _run(schema_editor, by_vendor):
    for sql in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def lift_old_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_OLD, "postgresql": PG_OLD})


def restore_old_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_OLD_BACK, "postgresql": PG_OLD_BACK})


def put_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_NEW, "postgresql": PG_NEW})


def remove_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_NEW_BACK, "postgresql": PG_NEW_BACK})


def chain_existing_entries(apps, schema_editor):
    """Chain the entries already there, per pooling region, oldest first (by id)."""
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChain = apps.get_model("audit", "AuditChain")
    Division = apps.get_model("regions", "Division")
    pooling = sorted(Division.objects.filter(is_pooling_region=True).values_list("path", "key"),
                     key=lambda r: -len(r[0]))
    paths = set(AuditEntry.objects.order_by().values_list("division_path", flat=True).distinct())
    chain_of = {p: next((key for path, key in pooling if p and p.startswith(path)), "") for p in paths}
    heads: dict[str, tuple[int, str]] = {}
    batch = []
    names = [f for f in FIELDS if f not in ("chain", "seq", "prev_hash")]
    for row in AuditEntry.objects.order_by("id").values_list("id", *names).iterator(chunk_size=5000):
        fields = dict(zip(("id", *names), row, strict=True))
        key = chain_of[fields["division_path"]]
        seq, prev = heads.get(key, (0, GENESIS))
        fields.update(chain=key, seq=seq + 1, prev_hash=prev)
        digest = entry_hash(fields)
        heads[key] = (seq + 1, digest)
        batch.append((fields["id"], key, seq + 1, prev, digest))
        if len(batch) == 5000:
            bulk_set(AuditEntry, ["chain", "seq", "prev_hash", "hash"], batch)
            batch = []
    bulk_set(AuditEntry, ["chain", "seq", "prev_hash", "hash"], batch)
    AuditChain.objects.bulk_create([AuditChain(key=k, seq=s, hash=h) for k, (s, h) in heads.items()])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_actor_id"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(lift_old_triggers, restore_old_triggers),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(model_name="auditentry", name="at",
                                      field=models.DateTimeField(db_index=True, default=django.utils.timezone.now,
                                                                 verbose_name="时间")),
            ],
        ),
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False, verbose_name="哈希链")),
                ("seq", models.BigIntegerField(default=0, verbose_name="最后序号")),
                ("hash", models.CharField(blank=True, default="", max_length=64, verbose_name="最后哈希")),
            ],
            options={"verbose_name": "审计日志哈希链"},
        ),
        migrations.AddField(model_name="auditentry", name="chain",
                            field=models.CharField(blank=True, default="", max_length=200, verbose_name="哈希链")),
        migrations.AddField(model_name="auditentry", name="seq",
                            field=models.BigIntegerField(default=0, verbose_name="链内序号")),
        migrations.AddField(model_name="auditentry", name="prev_hash",
                            field=models.CharField(blank=True, default="", max_length=64, verbose_name="前一条哈希")),
        migrations.AddField(model_name="auditentry", name="hash",
                            field=models.CharField(blank=True, default="", max_length=64, verbose_name="哈希")),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop),
        migrations.AddConstraint(model_name="auditentry",
                                 constraint=models.UniqueConstraint(fields=("chain", "seq"),
                                                                    name="audit_entry_chain_seq")),
        migrations.RunPython(put_triggers, remove_triggers),
    ]
