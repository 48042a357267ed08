"""The audit log's hash chains: every entry carries the SHA-256 of its own fields and of the
previous entry's hash, so changing, removing or inserting an entry anywhere but at the end
breaks the chain from that entry on, and ``verify`` names the first entry that no longer fits.

One chain per pooling region (统筹区), plus the platform chain ``""`` for entries outside any
region (sign-ins, reference data, administrators' work). Why not one chain for everything:
appending must hold the chain's head locked until the transaction commits (an entry may only
build on an entry that is committed, or the chain would fork or point at a rolled-back row).
A single head would put every audited transaction of every region in one queue, and a long
transaction (a region's yearly re-clamp of its bases) would stall the whole system; a region's
transactions already touch that region's rows, so queueing them on the region's head costs
little, and the tables that grow with people are split by pooling region anyway (partitions,
distribution later). A transaction that appends to several chains locks their heads in key
order within one call; the chains are independent, and each is verified on its own.

The hash covers a canonical JSON text (keys sorted, no spaces, UTF-8) of the chain, sequence
number, time, actor id, label and role, action, object type and id, division path, the values
before and after, the source address and the previous hash: everything an entry says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

HASH_PREFIX = b"yibao-audit-v1\n"
GENESIS = ""  # the previous hash of a chain's first entry
FIELDS = ("at", "actor_id", "actor_label", "actor_role", "action", "object_type", "object_id",
          "division_path", "before", "after", "ip", "chain", "seq", "prev_hash")

# How a division path finds its pooling region: registered by the regions app (which sits above
# the audit log); without it every entry goes to the platform chain.
_pooling_region_of_paths: Callable[[set[str]], dict[str, str]] | None = None


def pooling_regions(resolver: Callable[[set[str]], dict[str, str]]):
    """Register how to tell the pooling region (its key) of each of a set of division paths."""
    global _pooling_region_of_paths
    _pooling_region_of_paths = resolver
    return resolver


def chains_of(paths: set[str]) -> dict[str, str]:
    """The chain of each division path: its pooling region's key, "" when it lies in none."""
    found = _pooling_region_of_paths({p for p in paths if p}) if _pooling_region_of_paths else {}
    return {p: found.get(p, "") for p in paths}


# --- hashing -------------------------------------------------------------------------------------

def _canonical_value(value):
    """The value as it reads back from either database: PostgreSQL's jsonb returns a float
    written in exponent form (Python writes 1e+20 from 1e16 on) as the integer it is."""
    if isinstance(value, dict):
        return {k: _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    if isinstance(value, float) and abs(value) >= 1e16 and value == value and abs(value) != float("inf"):
        return int(value)
    return value


def _canonical_time(value) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _canonical_ip(value) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return str(value)


def canonical(fields: dict) -> bytes:
    """The canonical JSON text of an entry's fields (a dict holding ``FIELDS``)."""
    doc = {
        "at": _canonical_time(fields["at"]),
        "actor_id": fields["actor_id"],
        "actor_label": fields["actor_label"] or "",
        "actor_role": fields["actor_role"] or "",
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"] or "",
        "division_path": fields["division_path"] or "",
        "before": fields["before"],
        "after": fields["after"],
        "ip": _canonical_ip(fields["ip"]),
        "chain": fields["chain"],
        "seq": fields["seq"],
        "prev_hash": fields["prev_hash"],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if "e+" in text:  # a float in exponent form, perhaps: rewritten as it reads back
        doc["before"], doc["after"] = _canonical_value(doc["before"]), _canonical_value(doc["after"])
        text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


def entry_hash(fields: dict) -> str:
    return hashlib.sha256(HASH_PREFIX + canonical(fields)).hexdigest()


def _fields_of(entry) -> dict:
    return {name: getattr(entry, name) for name in FIELDS}


# --- appending -----------------------------------------------------------------------------------

def append(entries: list, *, insert: Callable[[list], list]) -> list:
    """Give ``entries`` (unsaved AuditEntry objects) their chain, sequence number, previous hash
    and hash, and insert them with ``insert``, in one transaction that holds their chains' heads
    locked until it ends."""
    from django.db import transaction

    from .models import AuditChain

    if not entries:
        return entries
    chain_by_path = chains_of({e.division_path or "" for e in entries})
    by_chain: dict[str, list] = {}
    for e in entries:
        if e.pk is not None:
            from .models import AppendOnlyError

            raise AppendOnlyError("审计日志只能追加，不能修改。")
        e.chain = chain_by_path[e.division_path or ""]
        by_chain.setdefault(e.chain, []).append(e)
    # Inside the caller's transaction, no savepoint of its own: an entry that cannot be appended
    # fails the whole action, and every audited action saves two round trips.
    with transaction.atomic(savepoint=False):
        for key in sorted(by_chain):  # one order for every transaction: no deadlock between them
            head = AuditChain.objects.select_for_update().filter(key=key).first()
            if head is None:
                AuditChain.objects.bulk_create([AuditChain(key=key)], ignore_conflicts=True)
                head = AuditChain.objects.select_for_update().get(key=key)
            seq, prev = head.seq, head.hash
            for e in by_chain[key]:
                seq += 1
                e.seq, e.prev_hash = seq, prev
                e.hash = prev = entry_hash(_fields_of(e))
            AuditChain.objects.filter(key=key).update(seq=seq, hash=prev)
        insert(entries)
    return entries


# --- verifying -----------------------------------------------------------------------------------

@dataclass
class Break:
    chain: str
    seq: int
    entry_id: int | None
    reason: str

    def describe(self) -> str:
        chain = f"哈希链“{self.chain}”" if self.chain else "平台哈希链"
        where = f"第 {self.seq} 条（编号 {self.entry_id}）" if self.entry_id is not None else f"第 {self.seq} 条"
        return f"{chain}{where}：{self.reason}"


@dataclass
class Verification:
    intact: int
    chains: dict[str, tuple[int, str]]  # key → (entries, last hash)
    breaks: list[Break]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _walk(key: str, rows: Iterable[tuple], head) -> tuple[int, str, Break | None]:
    """Check one chain's rows (ordered by sequence number). Returns (intact, last hash, break)."""
    expected_seq, prev, intact = 1, GENESIS, 0
    for row in rows:
        fields = dict(zip(("id", *FIELDS, "hash"), row, strict=True))
        if fields["seq"] != expected_seq:
            why = "前面的条目被删除" if fields["seq"] > expected_seq else "条目不在链上或序号重复"
            return intact, prev, Break(key, expected_seq, fields["id"],
                                       f"序号应为 {expected_seq}，实为 {fields['seq']}（{why}）")
        if fields["prev_hash"] != prev:
            return intact, prev, Break(key, expected_seq, fields["id"], "与前一条的哈希不相连（前面的条目被改动、删除或插入）")
        if entry_hash(fields) != fields["hash"]:
            return intact, prev, Break(key, expected_seq, fields["id"], "内容与哈希不符（条目被改动）")
        prev = fields["hash"]
        intact += 1
        expected_seq += 1
    if head is None:
        return intact, prev, Break(key, intact, None, "链头记录缺失") if intact else None
    if (head.seq, head.hash) != (intact, prev):
        why = "末尾的条目被删除" if head.seq > intact else "链头与最后一条不符"
        return intact, prev, Break(key, intact + 1, None, f"链头记录有 {head.seq} 条，实有 {intact} 条（{why}）")
    return intact, prev, None


def verify(*, chunk: int = 5000) -> Verification:
    """Walk every chain from its first entry up to its head as read at the start; the first entry
    of each chain that does not fit is reported (a chain is not checked past its first break).
    Entries appended while it runs are left for the next run, so it may run beside the server."""
    from django.db.models import Max

    from .models import AuditChain, AuditEntry

    heads = {h.key: h for h in AuditChain.objects.all()}
    keys = sorted(set(heads) | set(AuditEntry.objects.order_by().values_list("chain", flat=True).distinct()))
    result = Verification(0, {}, [])
    for key in keys:
        head = heads.get(key) or AuditChain.objects.filter(key=key).first()  # a chain begun meanwhile
        rows = AuditEntry.objects.filter(chain=key)
        if head is not None:
            rows = rows.filter(seq__lte=head.seq)
        intact, last, broken = _walk(key, rows.order_by("seq").values_list("id", *FIELDS, "hash")
                                     .iterator(chunk_size=chunk), head)
        if broken is None and head is not None:
            # Entries commit with their head's update: one past the head as it is now was not appended.
            beyond = AuditEntry.objects.filter(chain=key).aggregate(m=Max("seq"))["m"] or 0
            now = AuditChain.objects.filter(key=key).values_list("seq", flat=True).first() or 0
            if beyond > now:
                extra = AuditEntry.objects.filter(chain=key, seq__gt=now).order_by("seq").first()
                broken = Break(key, extra.seq, extra.pk, f"链头记录有 {now} 条，其后还有条目（条目被插入）")
        result.intact += intact
        result.chains[key] = (intact, last)
        if broken:
            result.breaks.append(broken)
    return result
