"""Audit cases (稽核案件): one per unit and reason, with an owner, a status (open → investigating
→ concluded), findings, a timeline of events and the bases it corrected. Foreign keys to the
employer's units and employees are by name (``"employer.Unit"``): this app builds on the
employee scheme and reads it only through its selectors."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from yibao.fields import MonthField
from yibao.money import MONEY_FIELD as MONEY


class CaseKind(models.TextChoices):
    SELF_INSPECTION = "self_inspection", "基数自查自纠"
    BELOW_GUIDELINE = "below_guideline", "基数明显低于行业工资指导线"
    COMPLAINT = "complaint", "举报投诉"
    FALSE_MATERIALS = "false_materials", "涉嫌提供虚假资料"
    SUMMARY_MISMATCH = "summary_mismatch", "申报汇总数与明细不符"
    HEADCOUNT_DROP = "headcount_drop", "职工人数少于上年度"
    WAGE_TOTAL_DROP = "wage_total_drop", "工资总额明显低于上年度"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待处理"
    INVESTIGATING = "investigating", "稽核中"
    CONCLUDED = "concluded", "已办结"


class Case(models.Model):
    """稽核案件. ``source_key`` names what opened it (a year's list, a declaration), so that a
    check run again opens nothing twice (a unique constraint); a complaint has none."""

    kind = models.CharField("案件类型", max_length=20, choices=CaseKind.choices)
    unit = models.ForeignKey("employer.Unit", verbose_name="参保单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    source_key = models.CharField("来源标识", max_length=60, blank=True)
    status = models.CharField("状态", max_length=15, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    summary = models.CharField("立案事由", max_length=300)
    facts = models.JSONField("立案依据", default=dict, blank=True)
    source = models.CharField("举报来源", max_length=100, blank=True)
    content = models.TextField("举报内容", blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="立案人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("立案时间", auto_now_add=True)
    unit_response = models.TextField("单位自查结果", blank=True)
    responded_at = models.DateTimeField("自查结果提交时间", null=True, blank=True)
    findings = models.TextField("稽核结论", blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办结人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "稽核案件"
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "year", "source_key"], condition=~Q(source_key=""),
                                    name="case_opened_once"),
            models.CheckConstraint(condition=~Q(status="concluded") | ~Q(findings=""), name="case_concluded_with_findings"),
        ]
        indexes = [models.Index(fields=["region", "status", "kind"]), models.Index(fields=["unit", "kind"])]

    def __str__(self) -> str:
        return f"稽核案件 {self.pk}（{self.get_kind_display()}）"


class EventKind(models.TextChoices):
    OPENED = "opened", "立案"
    ASSIGNED = "assigned", "指定承办人"
    INVESTIGATING = "investigating", "开始稽核"
    RESPONDED = "responded", "单位提交自查结果"
    BASE_CORRECTED = "base_corrected", "更正缴费基数"
    CONCLUDED = "concluded", "办结"


class CaseEvent(models.Model):
    """One step of a case's timeline (each also in the audit log)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=EventKind.choices)
    text = models.TextField("说明", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件记录"
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class CorrectedBase(models.Model):
    """A base the case corrected: the person's wage as found, from a month; the spans it opened
    are the employer's approved bases (reason 稽核更正：案件 N)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="corrections")
    employee = models.ForeignKey("employer.Employee", verbose_name="职工", on_delete=models.PROTECT, related_name="+")
    month_from = MonthField("更正起始月份")
    wage = models.DecimalField("核实工资", **MONEY)
    base = models.DecimalField("更正后缴费基数", **MONEY)
    previous_base = models.DecimalField("原缴费基数", null=True, blank=True, **MONEY)
    note = models.CharField("说明", max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = "稽核更正基数"
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.employee_id} 自{self.month_from} {self.base}"
