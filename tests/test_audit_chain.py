"""Every audit entry is chained to the previous one of its pooling region by a SHA-256 hash, and
``yibao audit verify`` names the first entry that no longer fits (a change, a removal, an
insertion made by whoever can lift the database's triggers)."""

import contextlib
import json

import pytest
from django.db import connection

from yibao import cli
from yibao.accounts.services import create_user
from yibao.audit.chain import GENESIS, verify
from yibao.audit.models import AuditChain, AuditEntry
from yibao.audit.services import record_event, record_events
from yibao.regions.models import Division

pytestmark = pytest.mark.django_db

WEIFANG = "370000/370700/370705/"
LIAOCHENG = "370000/371500/"


@pytest.fixture
def clerk(db):
    return create_user(role="agency_clerk", username="chain.clerk", password="Chain-test-2024",
                       division=Division.objects.get(key="370700"))


@contextlib.contextmanager
def triggers_lifted():
    """What the database's owner could do: lift the append-only triggers (inside the test's
    transaction, so they come back when it is rolled back)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditentry'")
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield cursor
            for _, sql in triggers:
                cursor.execute(sql)
        else:
            names = ("audit_auditentry_no_change", "audit_auditentry_no_truncate")
            for name in names:
                cursor.execute(f"ALTER TABLE audit_auditentry DISABLE TRIGGER {name}")
            yield cursor
            for name in names:
                cursor.execute(f"ALTER TABLE audit_auditentry ENABLE ALWAYS TRIGGER {name}")


def _verify_cli(capsys):
    code = cli.main(["audit", "verify"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_entries_chain_per_pooling_region(clerk):
    first = record_event(clerk, "probe.chain", "thing", 1, division_path=WEIFANG)
    second = record_event(clerk, "probe.chain", "thing", 2, division_path=WEIFANG, after={"n": 2})
    other = record_event(clerk, "probe.chain", "thing", 3, division_path=LIAOCHENG)
    platform = record_event(None, "probe.chain", "thing", 4)
    assert (first.chain, other.chain, platform.chain) == ("370700", "371500", "")
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert len(second.hash) == 64 and second.hash != first.hash
    head = AuditChain.objects.get(key="370700")
    assert (head.seq, head.hash) == (second.seq, second.hash)
    # read back from the database, every entry still hashes to what it carries
    stored = AuditEntry.objects.get(pk=second.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (second.seq, second.prev_hash, second.hash)
    result = verify()
    assert result.ok and result.intact == AuditEntry.objects.count()


def test_first_entry_of_a_chain_builds_on_nothing(clerk):
    record_event(clerk, "probe.chain", "thing", 1, division_path="370000/140500/")  # no such region there
    entry = AuditEntry.objects.filter(chain="").order_by("seq").first()
    assert entry.seq == 1 and entry.prev_hash == GENESIS


def test_bulk_path_chains_each_entry_across_regions(clerk):
    count = record_events(clerk, [
        {"action": "probe.bulk", "object_type": "thing", "object_id": i,
         "division_path": WEIFANG if i % 2 else LIAOCHENG, "before": {"base": "4000.00"}, "after": {"base": i}}
        for i in range(2500)])
    assert count == 2500
    weifang = list(AuditEntry.objects.filter(action="probe.bulk", chain="370700").order_by("seq")
                   .values_list("seq", "prev_hash", "hash"))
    assert len(weifang) == 1250
    assert all(b[1] == a[2] and b[0] == a[0] + 1 for a, b in zip(weifang, weifang[1:], strict=False))
    assert verify().ok


def test_values_hash_as_they_read_back(clerk):
    entry = record_event(clerk, "probe.values", "thing", "x", division_path=WEIFANG, ip="::ffff:10.0.0.1",
                         before={"big": 1e20, "small": 0.1, "whole": 2.0, "nested": [{"b": 1, "a": "中文"}]},
                         after={"none": None, "flag": True})
    assert verify().ok, verify().breaks
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash


def test_verify_names_a_changed_entry(clerk, capsys):
    entries = [record_event(clerk, "probe.tamper", "thing", i, division_path=WEIFANG, after={"base": "5000.00"})
               for i in range(3)]
    assert _verify_cli(capsys)[0] == 0
    with triggers_lifted() as cursor:
        cursor.execute("UPDATE audit_auditentry SET after = %s WHERE id = %s",
                       [json.dumps({"base": "9000.00"}), entries[1].pk])
    code, out = _verify_cli(capsys)
    assert code == 1
    assert f"编号 {entries[1].pk}" in out and "内容与哈希不符" in out
    assert "哈希链“370700”" in out


def test_verify_names_the_entry_after_a_removed_one(clerk, capsys):
    entries = [record_event(clerk, "probe.tamper", "thing", i, division_path=WEIFANG) for i in range(3)]
    with triggers_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    code, out = _verify_cli(capsys)
    assert code == 1 and f"编号 {entries[2].pk}" in out and "被删除" in out


def test_verify_sees_entries_cut_from_the_end(clerk, capsys):
    entries = [record_event(clerk, "probe.tamper", "thing", i, division_path=WEIFANG) for i in range(3)]
    with triggers_lifted() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    code, out = _verify_cli(capsys)
    assert code == 1 and "末尾的条目被删除" in out


def test_verify_sees_a_rehashed_entry(clerk, capsys):
    """Rewriting an entry and its own hash still breaks the link from the next one."""
    from yibao.audit.chain import FIELDS, entry_hash

    entries = [record_event(clerk, "probe.tamper", "thing", i, division_path=WEIFANG) for i in range(3)]
    forged = {name: getattr(entries[1], name) for name in FIELDS} | {"action": "probe.forged"}
    with triggers_lifted() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
                       ["probe.forged", entry_hash(forged), entries[1].pk])
    code, out = _verify_cli(capsys)
    assert code == 1 and f"编号 {entries[2].pk}" in out and "不相连" in out


def test_verify_counts_intact_entries(clerk, capsys):
    record_event(clerk, "probe.count", "thing", 1, division_path=WEIFANG)
    code, out = _verify_cli(capsys)
    assert code == 0
    assert f"{AuditEntry.objects.count()} 条记录的哈希链全部校验通过" in out


def test_verify_sees_an_entry_slipped_in_past_the_head(clerk, capsys):
    """A well-linked entry inserted with raw SQL, without the chain's head: not appended by
    the application (appends move the head in the same transaction)."""
    from django.utils import timezone

    from yibao.audit.chain import entry_hash

    last = record_event(clerk, "probe.tamper", "thing", 1, division_path=WEIFANG)
    forged = {"at": timezone.now(), "actor_id": clerk.pk, "actor_label": clerk.username, "actor_role": clerk.role,
              "action": "probe.forged", "object_type": "thing", "object_id": "2", "division_path": WEIFANG,
              "before": None, "after": None, "ip": None, "chain": "370700", "seq": last.seq + 1,
              "prev_hash": last.hash}
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_auditentry (at, actor_id, actor_label, actor_role, action, object_type, "
                       "object_id, division_path, chain, seq, prev_hash, hash) "
                       "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       [forged["at"], clerk.pk, clerk.username, clerk.role, "probe.forged", "thing", "2", WEIFANG,
                        "370700", last.seq + 1, last.hash, entry_hash(forged)])
    code, out = _verify_cli(capsys)
    assert code == 1 and "其后还有条目" in out
