"""The reports' own records: a county's weekly submission of its figures (一周一上报) and the
weekly reports stored by the Friday job. The figures themselves are read from the other apps
through ``yibao.reporting.selectors``; what is stored here is what was submitted or reported."""

from __future__ import annotations

from django.db import models


class WeeklySubmission(models.Model):
    """A county's figures for a week, submitted (confirmed) by a clerk of the county: 晋城 五（五）
    "各县(市、区)集中征缴期内每周五下午17:00前向市医保局报送筹资进展情况". One per county and week."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+")
    county = models.ForeignKey("regions.Division", verbose_name="县（市、区）", on_delete=models.PROTECT,
                               related_name="weekly_submissions")
    insurance_year = models.PositiveIntegerField("保险年度")
    week_ending = models.DateField("报送周的报送日")
    figures = models.JSONField("报送的数字", default=dict)
    submitted_at = models.DateTimeField("报送时间")
    submitted_by_id = models.BigIntegerField("报送人")
    submitted_by_label = models.CharField("报送人账号", max_length=150)
    due = models.DateTimeField("报送时限", null=True, blank=True)   # None: the notice gives none
    on_time = models.BooleanField("按时报送", null=True)              # None: no deadline configured
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "每周筹资进展报送"
        ordering = ["-week_ending", "county_id"]
        constraints = [models.UniqueConstraint(fields=["county", "week_ending"], name="weekly_submission_once")]
        indexes = [models.Index(fields=["region", "week_ending"], name="weekly_submission_week")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.week_ending}"


class WeeklyReport(models.Model):
    """A weekly report (周报) as generated: its figures and its two files. The Friday job stores one
    per pooling region and week; generating again replaces it."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+")
    insurance_year = models.PositiveIntegerField("保险年度")
    week_ending = models.DateField("周报截止日（星期五）")
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.CharField("生成方式", max_length=150)   # "定时任务" or the account
    content = models.JSONField("周报内容", default=dict)
    xlsx = models.BinaryField("xlsx 文件")
    pdf = models.BinaryField("PDF 文件")

    class Meta:
        verbose_name = "周报"
        ordering = ["-week_ending"]
        constraints = [models.UniqueConstraint(fields=["region", "week_ending"], name="weekly_report_once")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.week_ending}"
