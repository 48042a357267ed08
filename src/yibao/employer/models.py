"""Employee scheme (职工基本医疗保险): units, their insured people, the yearly base declaration
(缴费基数申报) and the bases approved from it (核定入库)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from yibao.fields import MonthField
from yibao.money import MONEY_FIELD as MONEY


class UnitStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "暂停"
    CLOSED = "closed", "注销"


class Unit(models.Model):
    """参保单位, identified by its 单位编号 within the pooling region and by its USCC.

    A unit registered here (单位参保登记) gets its 单位编号 from ``services.units.next_unit_number``:
    the pooling region's six-digit code followed by a six-digit sequence of that region."""

    unit_number = models.CharField("单位编号", max_length=30, unique=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, db_index=True)
    name = models.CharField("单位名称", max_length=200)
    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+")
    division = models.ForeignKey("regions.Division", verbose_name="所在区划", on_delete=models.PROTECT,
                                 related_name="units")
    agency = models.ForeignKey("regions.Agency", verbose_name="经办机构", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="units")
    nature = models.CharField("单位性质", max_length=50, blank=True)
    address = models.CharField("单位地址", max_length=200, blank=True)
    postcode = models.CharField("单位邮编", max_length=6, blank=True)
    industry = models.CharField("行业", max_length=100, blank=True)
    civil_servant_subsidy = models.BooleanField("参加公务员医疗补助", default=False)
    contact_name = models.CharField("经办人", max_length=50, blank=True)
    contact_phone = models.CharField("电话", max_length=30, blank=True)
    status = models.CharField("单位状态", max_length=10, choices=UnitStatus.choices, default=UnitStatus.NORMAL)
    status_from = models.DateField("状态生效日期", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=300, blank=True)
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "参保单位"
        ordering = ["unit_number"]
        constraints = [models.UniqueConstraint(fields=["region", "uscc"], condition=~Q(uscc=""),
                                               name="unit_uscc_unique_in_region")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit_number}）"


class UnitNumberCounter(models.Model):
    """The last sequence number given to a unit registered in a pooling region (locked while
    numbering, so two registrations never get the same 单位编号)."""

    region = models.OneToOneField("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                                  related_name="+")
    last = models.PositiveIntegerField("最后顺序号", default=0)

    class Meta:
        verbose_name = "单位编号顺序号"

    def __str__(self) -> str:
        return f"{self.region_id}: {self.last}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已驳回"


class UnitChange(models.Model):
    """单位信息变更: filed by an agency clerk, approved or rejected by another (maker-checker).
    ``changes`` maps a field of ``services.units.CHANGEABLE`` to its new value, ``before`` keeps
    the values it replaced; nothing is overwritten without a request kept here."""

    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="changes")
    changes = models.JSONField("变更内容")
    before = models.JSONField("变更前", default=dict, blank=True)
    reason = models.CharField("变更原因", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                 related_name="+")
    filed_at = models.DateTimeField("申请时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "单位信息变更"
        ordering = ["-filed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit"], condition=Q(status="pending"),
                                               name="unit_change_one_pending")]

    def __str__(self) -> str:
        return f"单位变更 {self.pk}（{self.get_status_display()}）"


class UnitStatusChange(models.Model):
    """A unit suspended, resumed or closed (暂停、恢复、注销) from a date, with the reason: the
    unit's status history (the unit row holds the current one)."""

    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="status_changes")
    status_before = models.CharField("原状态", max_length=10, choices=UnitStatus.choices)
    status = models.CharField("新状态", max_length=10, choices=UnitStatus.choices)
    effective_on = models.DateField("生效日期")
    reason = models.CharField("原因", max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "单位状态变更"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.status_before}→{self.status} {self.effective_on}"


class OnlineNoticeConfirmation(models.Model):
    """潍坊 二(一)1: the unit has read and confirmed the online-service notice (网上办事须知) of a
    declaration year before declaring; what it confirmed is kept as it was shown."""

    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="notice_confirmations")
    year = models.PositiveSmallIntegerField("申报年度")
    title = models.CharField("须知标题", max_length=200)
    points = models.JSONField("确认事项", default=list)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField("确认时间", auto_now_add=True)

    class Meta:
        verbose_name = "网上办事须知确认"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="notice_confirmed_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.confirmed_at}"


class UnitOperator(models.Model):
    """参保单位经办人: the account a unit signs in with, linked to its unit. The link lives here,
    beside the units, so that accounts know no domain model; ``apps.py`` tells the access
    layer how a user reaches its unit through it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.PROTECT,
                                related_name="unit_link")
    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="operators")

    class Meta:
        verbose_name = "参保单位经办人"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.unit_id}"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "参保缴费"
    STOPPED = "stopped", "暂停缴费"


class Employee(models.Model):
    """An insured person of a unit: in service (在职) or retired (退休)."""

    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="employees")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    employee_number = models.CharField("个人编号", max_length=30, blank=True)
    retired = models.BooleanField("退休人员", default=False)
    status = models.CharField("参保状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    joined_on = models.DateField("参保日期", null=True, blank=True)

    class Meta:
        verbose_name = "参保职工"
        constraints = [models.UniqueConstraint(fields=["unit", "id_number"], name="employee_unique_in_unit")]
        indexes = [models.Index(fields=["unit", "retired", "status"])]
        ordering = ["unit", "employee_number", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_number or self.id_number[-4:]}）"


class DeclarationKind(models.TextChoices):
    ACTIVE = "active", "在职人员缴费基数"
    RETIREE = "retiree", "退休人员个人账户划入基数"


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "审核中"
    APPROVED = "approved", "审核通过"
    REJECTED = "rejected", "审核未通过"
    CONFIRMED = "confirmed", "已完成"


class Declaration(models.Model):
    """A unit's declaration for one year: its active employees' wages (kind ``active``) or its
    retirees' pensions (kind ``retiree``, units in the civil-servant subsidy)."""

    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="declarations")
    year = models.PositiveSmallIntegerField("申报年度")
    kind = models.CharField("申报类型", max_length=10, choices=DeclarationKind.choices, default=DeclarationKind.ACTIVE)
    status = models.CharField("状态", max_length=10, choices=DeclarationStatus.choices,
                              default=DeclarationStatus.DRAFT, db_index=True)
    revision = models.PositiveIntegerField("修订次数", default=0)
    adjust_from = MonthField("调整起始月份", blank=True, help_text="重新申报（养老金调整）时新基数的起始月份")
    late = models.BooleanField("逾期申报", default=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    review_reasons = models.TextField("审核意见", blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    checks = models.JSONField("自动检查结果", null=True, blank=True)
    # Denormalised totals, recomputed by the services whenever lines change; they let the
    # agency queue sort and filter a city's declarations without touching the lines.
    line_count = models.PositiveIntegerField("人数", default=0)
    wage_total = models.DecimalField("申报工资总额", default=0, **MONEY)
    base_total = models.DecimalField("缴费基数总额", default=0, **MONEY)
    at_floor_count = models.PositiveIntegerField("按下限缴费人数", default=0)
    flagged = models.BooleanField("需关注", default=False, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "缴费基数申报"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "kind"], name="declaration_unique_year")]
        indexes = [models.Index(fields=["status", "year"]),
                   # the review queue: a status, oldest submission first
                   models.Index(fields=["status", "submitted_at", "id"], name="declaration_queue_order")]
        ordering = ["-year", "unit"]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}年度{self.get_kind_display()}"

    @property
    def editable(self) -> bool:
        return self.status in (DeclarationStatus.DRAFT, DeclarationStatus.REJECTED)


class Clamp(models.TextChoices):
    NONE = "none", ""
    FLOOR = "floor", "按下限"
    CEILING = "ceiling", "按上限"


class DeclarationLine(models.Model):
    """One person on a declaration. ``declared_amount`` is kept exactly as declared (the wage, or
    the pension for retirees); ``base`` is what the policy derives from it."""

    declaration = models.ForeignKey(Declaration, verbose_name="申报", on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey(Employee, verbose_name="职工", on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    employee_number = models.CharField("个人编号", max_length=30, blank=True)
    previous_base = models.DecimalField("上年度缴费基数", null=True, blank=True, **MONEY)
    declared_amount = models.DecimalField("申报金额", null=True, blank=True, **MONEY)
    base = models.DecimalField("缴费基数", null=True, blank=True, **MONEY)
    clamp = models.CharField("保底封顶", max_length=8, choices=Clamp.choices, default=Clamp.NONE)

    class Meta:
        verbose_name = "申报明细"
        constraints = [models.UniqueConstraint(fields=["declaration", "employee"], name="line_unique_person")]
        # a person's line within a declaration, by identity number (uploads, searches)
        indexes = [models.Index(fields=["declaration", "id_number"], name="line_person_number")]
        ordering = ["declaration", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.declared_amount} → {self.base}"


class Material(models.Model):
    """A scanned, signed and stamped form uploaded with a declaration. Stored under
    MEDIA_ROOT (outside the web root) and served only through a scoped view. A new upload of the
    same material replaces the current one, which stays as history (``superseded_at`` set); the
    database holds at most one current material per declaration and type."""

    declaration = models.ForeignKey(Declaration, verbose_name="申报", on_delete=models.CASCADE,
                                    related_name="materials")
    code = models.CharField("材料类型", max_length=60)
    title = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    path = models.CharField("存储位置", max_length=300)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT,
                                    related_name="+")
    superseded_at = models.DateTimeField("被替换时间", null=True, blank=True,
                                         help_text="重新上传同一材料时，原文件作为历史保留")

    class Meta:
        verbose_name = "申报材料"
        ordering = ["declaration", "code", "-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "code"], condition=Q(superseded_at__isnull=True),
                                               name="material_one_current")]

    def __str__(self) -> str:
        return f"{self.title}（{self.original_name}）"

    @property
    def current(self) -> bool:
        return self.superseded_at is None


class ApprovedBase(models.Model):
    """核定入库: the base a person contributes on for a span of months of a year. Read-only once
    written; a change (a new average wage, a re-declared pension) closes the span and opens a new
    one, so the history stays."""

    unit = models.ForeignKey(Unit, verbose_name="参保单位", on_delete=models.PROTECT, related_name="approved_bases")
    employee = models.ForeignKey(Employee, verbose_name="职工", on_delete=models.PROTECT, related_name="bases")
    declaration = models.ForeignKey(Declaration, verbose_name="来源申报", on_delete=models.PROTECT,
                                    related_name="approved_bases")
    kind = models.CharField("类型", max_length=10, choices=DeclarationKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    month_from = MonthField("起始月份")
    month_to = MonthField("终止月份")
    declared_amount = models.DecimalField("申报金额", **MONEY)
    base = models.DecimalField("缴费基数", **MONEY)
    clamp = models.CharField("保底封顶", max_length=8, choices=Clamp.choices, default=Clamp.NONE)
    reason = models.CharField("变更原因", max_length=200, blank=True)
    superseded = models.BooleanField("已被替代", default=False)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)

    class Meta:
        verbose_name = "核定缴费基数"
        indexes = [models.Index(fields=["unit", "year", "kind"]), models.Index(fields=["employee", "year"])]
        ordering = ["employee", "month_from"]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.month_from}..{self.month_to} {self.base}"


class AverageWage(models.Model):
    """全省全口径城镇单位就业人员平均工资 as published, recorded by an administrator: the
    published fact only. The bounds it brings and the month they hold from are the engine's
    (``rules.wage_effect``), never stored beside it."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+")
    wage_year = models.PositiveSmallIntegerField("工资年度")
    annual_amount = models.DecimalField("年平均工资", **MONEY)
    published_on = models.DateField("公布日期")
    document = models.CharField("公布文件", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "社会平均工资"
        constraints = [models.UniqueConstraint(fields=["region", "wage_year"], name="average_wage_unique_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.wage_year}年度 {self.annual_amount}"


class FlexibleWorker(models.Model):
    """灵活就业人员 registered in a pooling region; signs in with the identity number."""

    id_number = models.CharField("身份证号码", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=50)
    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+")
    registered_on = models.DateField("登记日期", null=True, blank=True)

    class Meta:
        verbose_name = "灵活就业人员"

    def __str__(self) -> str:
        return self.name


class FlexibleBaseChoice(models.Model):
    """A flexible worker's chosen monthly base; every choice is kept with its date."""

    worker = models.ForeignKey(FlexibleWorker, verbose_name="灵活就业人员", on_delete=models.PROTECT,
                               related_name="choices")
    year = models.PositiveSmallIntegerField("年度")
    month_from = MonthField("起始月份")
    base = models.DecimalField("月缴费基数", **MONEY)
    chosen_at = models.DateTimeField("选择时间", auto_now_add=True)

    class Meta:
        verbose_name = "灵活就业缴费基数"
        ordering = ["-chosen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.worker_id} 自{self.month_from} {self.base}"
