"""The household registry extract (户籍人口库) of a pooling region, compared with both schemes'
insured of an insurance year; enrolments flagged for review; duplicates resolved.

An extract's rows are written two million at a time: like the resident scheme's forms, their
region, village and batch carry no database constraint (checked by the import against the
region's tree before anything is written; see ``yibao.resident.models.PLACE_REFERENCE``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

REFERENCE = {"db_constraint": False, "db_index": False}


class RegistryState(models.TextChoices):
    NORMAL = "normal", "正常"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "迁出"


STATE_BY_LABEL = {label: value for value, label in RegistryState.choices}


class Extract(models.Model):
    """One imported extract of a region's household registry, compared for an insurance year, for
    the importer's area (the whole region, or the township or county of a clerk who holds only that
    part). A village's lists show the latest extract whose area holds the village."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("regions.Division", verbose_name="比对范围", on_delete=models.PROTECT, related_name="+",
                             null=True, blank=True, help_text="空：整个统筹区")
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveIntegerField("人数", default=0)
    uncovered = models.PositiveIntegerField("应保未保", default=0)
    deceased = models.PositiveIntegerField("死亡", default=0)
    moved_out = models.PositiveIntegerField("迁出", default=0)
    flagged = models.PositiveIntegerField("待复核参保", default=0)
    owner_id = models.IntegerField("导入人")
    owner_label = models.CharField("导入人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "户籍人口库比对"
        indexes = [models.Index(fields=["region", "insurance_year", "-created_at"], name="extract_latest")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.insurance_year} 户籍比对 {self.pk}"

    @property
    def place(self):
        """The division the extract compares: its area, else the whole region."""
        return self.area or self.region

    def covers(self, division) -> bool:
        return division.path.startswith(self.place.path)


class RegistryPerson(models.Model):
    """A person of the extract with what the comparison found: enrolled in the resident scheme,
    insured in the employee scheme (both as of the comparison)."""

    extract = models.ForeignKey(Extract, verbose_name="比对批次", on_delete=models.CASCADE, related_name="+",
                                **REFERENCE)
    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+",
                               **REFERENCE)
    division = models.ForeignKey("regions.Division", verbose_name="户籍村居", on_delete=models.PROTECT,
                                 related_name="+", **REFERENCE)
    line = models.PositiveIntegerField("行号")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    state = models.CharField("状态", max_length=10, choices=RegistryState.choices)
    changed_on = models.DateField("变动日期", null=True, blank=True)
    resident = models.BooleanField("居民医保参保", default=False)
    employee = models.BooleanField("职工医保参保", default=False)

    class Meta:
        verbose_name = "户籍人口"
        indexes = [models.Index(fields=["extract", "division"], name="registryperson_village")]

    def __str__(self) -> str:
        return f"{self.name} {self.division_id}"

    @property
    def uncovered(self) -> bool:
        return self.state == RegistryState.NORMAL and not self.resident and not self.employee


class FlagStatus(models.TextChoices):
    OPEN = "open", "待复核"
    CLEARED = "cleared", "已复核"


class EnrolmentFlag(models.Model):
    """A live enrolment of someone the registry says died or moved away, flagged for a clerk's
    review. The enrolment itself is not changed: the clerk clears the flag with a note (after
    cancelling or refunding it the usual way, or finding the registry wrong)."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("regions.Division", verbose_name="参保村居", on_delete=models.PROTECT,
                                 related_name="+", db_constraint=False)
    enrolment = models.ForeignKey("resident.Enrolment", verbose_name="参保登记", on_delete=models.PROTECT,
                                  related_name="+")
    extract = models.ForeignKey(Extract, verbose_name="比对批次", on_delete=models.PROTECT, related_name="flags")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    state = models.CharField("户籍状态", max_length=10, choices=RegistryState.choices)
    changed_on = models.DateField("变动日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    note = models.CharField("复核意见", max_length=500, blank=True)
    cleared_by_id = models.IntegerField("复核人", null=True, blank=True)
    cleared_by_label = models.CharField("复核人姓名", max_length=100, blank=True)
    cleared_at = models.DateTimeField("复核时间", null=True, blank=True)
    created_at = models.DateTimeField("标记时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保待复核标记"
        constraints = [models.UniqueConstraint(fields=["enrolment"], condition=Q(status="open"),
                                               name="enrolmentflag_one_open")]
        indexes = [models.Index(fields=["region", "status", "division"], name="enrolmentflag_queue")]
        ordering = ["division_id", "id_number"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_state_display()}"


class Kept(models.TextChoices):
    RESIDENT = "resident", "保留居民医保"
    EMPLOYEE = "employee", "保留职工医保"


class Resolution(models.Model):
    """A clerk's resolution of a duplicate enrolment (重复参保): which record stays; where the
    resident enrolment goes, whether it was cancelled (unpaid) or a refund applied for (paid)."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey("regions.Division", verbose_name="参保村居", on_delete=models.PROTECT,
                                 related_name="+", db_constraint=False)
    enrolment = models.ForeignKey("resident.Enrolment", verbose_name="居民医保参保登记", on_delete=models.PROTECT,
                                  related_name="+")
    id_number = models.CharField("身份证号码", max_length=18)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    kept = models.CharField("保留", max_length=10, choices=Kept.choices)
    cancelled = models.BooleanField("居民医保已注销", default=False)
    refund_id = models.IntegerField("退费申请", null=True, blank=True)
    note = models.CharField("处理说明", max_length=500, blank=True)
    actor_id = models.IntegerField("处理人")
    actor_label = models.CharField("处理人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("处理时间", auto_now_add=True)

    class Meta:
        verbose_name = "重复参保处理"
        constraints = [models.UniqueConstraint(fields=["enrolment"], name="resolution_one_per_enrolment")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.id_number[:6]}… {self.insurance_year} {self.get_kept_display()}"
