"""The append-only audit log (操作日志)."""

from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    def bulk_create(self, objs, batch_size=None, **kwargs):
        """Append ``objs`` to their hash chains (see ``yibao.audit.chain``); nothing else is
        accepted, so no path of the ORM writes an entry outside a chain."""
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        from .chain import append

        return append(list(objs), insert=lambda rows: super(AuditQuerySet, self).bulk_create(
            rows, batch_size=batch_size or 1000))


class AuditEntry(models.Model):
    """Who did what to which object, when, with the values before and after.

    Rows are never changed or removed: the model refuses it, database triggers refuse UPDATE,
    DELETE, REPLACE and TRUNCATE (migrations 0002 and 0004), and on PostgreSQL the application's
    role holds only SELECT and INSERT on the table. Each entry carries the SHA-256 of its fields
    and of the previous entry of its chain (``yibao.audit.chain``), so a change made by whoever
    owns the database shows when the chain is verified (``yibao audit verify``).
    """

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # The acting account, by id, beside its name and role as they were: the audit log is the
    # lowest platform piece and points at no model above it.
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True, db_index=True)
    actor_label = models.CharField("操作人", max_length=200, blank=True)
    actor_role = models.CharField("角色", max_length=20, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, db_index=True)
    object_id = models.CharField("对象标识", max_length=200, blank=True, db_index=True)
    division_path = models.CharField("区划路径", max_length=1000, blank=True, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    # The hash chain: one chain per pooling region ("" for entries outside any region).
    chain = models.CharField("哈希链", max_length=200, blank=True, default="")
    seq = models.BigIntegerField("链内序号", default=0)
    prev_hash = models.CharField("前一条哈希", max_length=64, blank=True, default="")
    hash = models.CharField("哈希", max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        type(self).objects.bulk_create([self])

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除。")


class AuditChain(models.Model):
    """The head of one hash chain: its last sequence number and hash. Appending locks this row
    (SELECT … FOR UPDATE) until the transaction ends, so two transactions appending at once
    cannot both build on the same entry; the head also tells whether entries went missing from
    the end of a chain."""

    key = models.CharField("哈希链", max_length=200, primary_key=True)
    seq = models.BigIntegerField("最后序号", default=0)
    hash = models.CharField("最后哈希", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "审计日志哈希链"

    def __str__(self) -> str:
        return f"{self.key or '平台'} #{self.seq}"
