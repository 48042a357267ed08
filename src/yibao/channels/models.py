"""A payment channel (缴费渠道) and the tally that throttles the audit entries of refused tokens.

The channel's table is the one the resident collection made (``collection_paymentchannel``): the
model moved here with its rows, and the foreign keys of collection's payments and statements still
point at it (migration ``0001`` of this app, state only)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Scheme(models.TextChoices):
    RESIDENT = "resident", "城乡居民医保"
    EMPLOYEE = "employee", "职工医保"


#: the values ``Channel.schemes`` may hold: a scheme's code, or both joined in this order
SCHEME_SETS = ("resident", "employee", "employee,resident")


def scheme_set(schemes) -> str:
    """``["resident", "employee"]`` → ``"employee,resident"`` (one spelling for each set)."""
    return ",".join(sorted(set(schemes)))


class Channel(models.Model):
    """A system that posts payments for one pooling region to the schemes it is allowed."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("渠道名称", max_length=50)
    schemes = models.CharField("可缴险种", max_length=20, default=Scheme.RESIDENT,
                               help_text="resident、employee，或两者（employee,resident）")
    token_digest = models.CharField("令牌摘要", max_length=64, unique=True)
    token_hint = models.CharField("令牌前缀", max_length=12)  # the token's first characters, to tell tokens apart
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by_id = models.IntegerField("创建人", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by_id = models.IntegerField("吊销人", null=True, blank=True)

    class Meta:
        db_table = "collection_paymentchannel"
        verbose_name = "缴费渠道"
        ordering = ["region_id", "name", "id"]
        constraints = [models.CheckConstraint(condition=Q(schemes__in=SCHEME_SETS), name="channel_schemes_known")]

    def __str__(self) -> str:
        return f"{self.name}（{self.region_id}）"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def scheme_list(self) -> list[str]:
        return self.schemes.split(",")

    def serves(self, scheme: str) -> bool:
        return scheme in self.scheme_list

    @property
    def schemes_label(self) -> str:
        return "、".join(Scheme(s).label for s in self.scheme_list)


class RefusedTokens(models.Model):
    """Refused channel tokens counted per (reason, source address, channel) for one window: the
    first refusal of a window is audited, the others are counted here and audited as one entry
    with their number when the window has ended (``services.refusals``)."""

    key = models.CharField("计数对象", max_length=200, primary_key=True)
    reason = models.CharField("原因", max_length=20)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    channel_id = models.BigIntegerField("渠道", null=True, blank=True)
    token_hint = models.CharField("最近的令牌前缀", max_length=12, blank=True)
    division_path = models.CharField("区划路径", max_length=200, blank=True)
    count = models.PositiveIntegerField("次数", default=0)
    window_ends = models.DateTimeField("计数截止时间", db_index=True)

    class Meta:
        verbose_name = "被拒渠道令牌计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
