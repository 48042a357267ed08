"""Divisions (行政区划), agencies (经办机构) and enrolment targets (参保任务)."""

from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县区"
    TOWNSHIP = "township", "乡镇街道"
    VILLAGE = "village", "村居社区"


class Division(models.Model):
    """A node of the division tree. ``key`` is the GB/T 2260 / statistical code when known.

    ``path`` holds the keys from the root down to this node, each followed by "/", so a
    whole subtree is one indexed prefix query (``path__startswith``).
    """

    key = models.CharField("标识", max_length=200, primary_key=True)
    code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    path = models.CharField("路径", max_length=1000, db_index=True)
    is_pooling_region = models.BooleanField("统筹区", default=False)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: "Division") -> bool:
        return other.path.startswith(self.path)


class Agency(models.Model):
    """医保经办机构 and its contact phones as published in the notices."""

    region = models.ForeignKey(Division, verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, verbose_name="所在区划", on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField("名称", max_length=100)
    phones = models.CharField("联系电话", max_length=200, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "经办机构"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="agency_unique_name")]
        ordering = ["region", "id"]

    def __str__(self) -> str:
        return self.name


class EnrolmentTarget(models.Model):
    """参保任务: the number of residents a township or county is to enrol for a year."""

    region = models.ForeignKey(Division, verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(Division, verbose_name="区划", on_delete=models.PROTECT, related_name="targets")
    year = models.PositiveSmallIntegerField("参保年度")
    target = models.PositiveIntegerField("参保目标人数")
    source = models.CharField("依据", max_length=300)

    class Meta:
        verbose_name = "参保任务"
        constraints = [models.UniqueConstraint(fields=["division", "year"], name="target_unique_year")]
        ordering = ["region", "year", "division"]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year} {self.target}"
