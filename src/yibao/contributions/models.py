"""Insurance spans (参保期间), staff changes (增减员) and monthly bills (缴费单据) of the employee
scheme. Units and employees are the employer app's (foreign keys by name, never an import)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from yibao.fields import MonthField
from yibao.money import MONEY_FIELD


class SpanStart(models.TextChoices):
    APPROVED = "approved", "核定参保"
    NEW_HIRE = "new_hire", "新参保"
    TRANSFER_IN = "transfer_in", "转入"


class SpanEnd(models.TextChoices):
    LEAVE = "leave", "离职"
    RETIRE = "retire", "退休"
    DEATH = "death", "死亡"
    TRANSFER_OUT = "transfer_out", "转出"


class InsuranceSpan(models.Model):
    """Who is insured by which unit from which month to which month. ``month_to`` empty: still
    insured. A span whose ``month_to`` falls before its ``month_from`` was ended the month it
    began (never insured there) and counts for nothing. On PostgreSQL an exclusion constraint
    keeps one person's spans from overlapping (migration 0002): one unit a month."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    unit = models.ForeignKey("employer.Unit", verbose_name="参保单位", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey("employer.Employee", verbose_name="职工", on_delete=models.PROTECT,
                                 related_name="+")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    month_from = MonthField("起始月份")
    month_to = MonthField("终止月份", null=True, blank=True)
    start_reason = models.CharField("参保原因", max_length=12, choices=SpanStart.choices)
    end_reason = models.CharField("停保原因", max_length=12, choices=SpanEnd.choices, blank=True)
    declared_wage = models.DecimalField("申报工资", null=True, blank=True, **MONEY_FIELD)
    base = models.DecimalField("新参保缴费基数", null=True, blank=True, **MONEY_FIELD)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保期间"
        indexes = [models.Index(fields=["region", "month_from"], name="span_region_month"),
                   models.Index(fields=["id_number", "month_from"], name="span_person")]

    def __str__(self) -> str:
        return f"{self.id_number} {self.unit_id} {self.month_from}..{self.month_to or ''}"


class StaffChange(models.Model):
    """增员 / 减员: one person added to or removed from a unit from a month."""

    class Direction(models.TextChoices):
        ADD = "add", "增员"
        REMOVE = "remove", "减员"

    unit = models.ForeignKey("employer.Unit", verbose_name="参保单位", on_delete=models.PROTECT, related_name="+")
    span = models.ForeignKey(InsuranceSpan, verbose_name="参保期间", on_delete=models.PROTECT, related_name="changes")
    direction = models.CharField("增减", max_length=6, choices=Direction.choices)
    reason = models.CharField("原因", max_length=12)
    month = MonthField("生效月份")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    declared_wage = models.DecimalField("申报工资", null=True, blank=True, **MONEY_FIELD)
    base = models.DecimalField("缴费基数", null=True, blank=True, **MONEY_FIELD)
    actor_id = models.IntegerField("经办人", null=True)
    counter = models.BooleanField("窗口代办", default=False)
    created_at = models.DateTimeField("办理时间", auto_now_add=True)

    class Meta:
        verbose_name = "增减员"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.id_number} {self.month}"


class BillKind(models.TextChoices):
    REGULAR = "regular", "正常缴费"
    ADJUSTMENT = "adjustment", "补差"


class BillStatus(models.TextChoices):
    DRAFT = "draft", "待申报"
    DECLARED = "declared", "已申报"


class Bill(models.Model):
    """缴费单据: a unit's contributions for one month, or an adjusting entry (补差) for a month
    already declared. Declared bills are frozen (the service refuses, and on PostgreSQL a trigger
    refuses any change to a declared bill or its lines); a correction is a new adjusting entry.
    ``amount_due``/``amount_paid`` carry what payments will be recorded against."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    unit = models.ForeignKey("employer.Unit", verbose_name="参保单位", on_delete=models.PROTECT, related_name="+")
    month = MonthField("费款所属期")
    kind = models.CharField("类型", max_length=12, choices=BillKind.choices, default=BillKind.REGULAR)
    status = models.CharField("状态", max_length=10, choices=BillStatus.choices, default=BillStatus.DRAFT)
    adjusts = models.ForeignKey("self", verbose_name="所补差的单据", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="adjustments")
    reason = models.CharField("补差原因", max_length=200, blank=True)
    person_count = models.PositiveIntegerField("人数", default=0)
    base_total = models.DecimalField("缴费基数合计", default=0, **MONEY_FIELD)
    unit_total = models.DecimalField("单位缴费合计", default=0, **MONEY_FIELD)
    individual_total = models.DecimalField("个人缴费合计", default=0, **MONEY_FIELD)
    amount_due = models.DecimalField("应缴金额", default=0, **MONEY_FIELD)
    amount_paid = models.DecimalField("已缴金额", default=0, **MONEY_FIELD)
    # late fees of earlier bills carried on this one (a unit-only item, part of amount_due, never of
    # unit_total/individual_total nor of any person's line)
    late_fee_total = models.DecimalField("滞纳金", default=0, **MONEY_FIELD)
    rounding = models.CharField("取整规则", max_length=20, blank=True)
    generated_at = models.DateTimeField("生成时间")
    declared_at = models.DateTimeField("申报时间", null=True, blank=True)
    # the business date (业务日期) of the declaration: a payment dated before it is refused
    # (``before_declared``); empty on bills declared before it was kept
    declared_on = models.DateField("申报日期", null=True, blank=True)
    declared_by_id = models.IntegerField("申报人", null=True, blank=True)

    class Meta:
        verbose_name = "缴费单据"
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], condition=Q(kind="regular"), name="bill_one_regular_month"),
            models.CheckConstraint(condition=Q(status="draft", declared_at__isnull=True)
                                   | Q(status="declared", declared_at__isnull=False), name="bill_declared_has_time"),
            # payments never take a bill beyond what is due (an adjusting refund entry: nothing paid)
            models.CheckConstraint(condition=Q(amount_paid=0) | Q(amount_paid__gt=0, amount_paid__lte=F("amount_due")),
                                   name="bill_paid_within_due"),
        ]
        indexes = [models.Index(fields=["region", "month", "kind", "status"], name="bill_region_month")]
        ordering = ["-month", "unit_id", "id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month} {self.get_kind_display()}"

    @property
    def balance(self):
        return self.amount_due - self.amount_paid

    @property
    def contributions_due(self):
        """What the bill asks for its own month (unit and individual contributions), without the
        late fees of earlier bills carried on it: the amount a late fee is charged on."""
        return self.amount_due - self.late_fee_total

    @property
    def frozen(self) -> bool:
        return self.status == BillStatus.DECLARED


class BillLine(models.Model):
    """One person on a bill: base and shares. On an adjusting entry: the base billed before
    (``previous_base``, none for a person not billed then), the base now, and the shares'
    differences (negative for a refund)."""

    bill = models.ForeignKey(Bill, verbose_name="缴费单据", on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey("employer.Employee", verbose_name="职工", on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    base = models.DecimalField("缴费基数", **MONEY_FIELD)
    previous_base = models.DecimalField("原缴费基数", null=True, blank=True, **MONEY_FIELD)
    unit_share = models.DecimalField("单位缴费", **MONEY_FIELD)
    individual_share = models.DecimalField("个人缴费", **MONEY_FIELD)

    class Meta:
        verbose_name = "缴费单据明细"
        indexes = [models.Index(fields=["bill", "employee"], name="billline_bill_person")]
        ordering = ["bill", "id"]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.id_number} {self.base}"


class BillPayment(models.Model):
    """缴费: money received against a declared bill, from a channel (the tax system, with its
    transaction id) or at the agency's counter (窗口缴费, ``counter``, recorded by a clerk).

    The database keeps the rules that races could break: a channel's transaction is recorded once
    (unique channel + transaction id), an amount is positive, a channel payment names its
    transaction and a counter payment has no channel. ``Bill.amount_paid`` is the sum of a bill's
    payments, kept in step by the service that writes them, and never above what is due (the
    bill's check constraint ``bill_paid_within_due``)."""

    bill = models.ForeignKey(Bill, verbose_name="缴费单据", on_delete=models.PROTECT, related_name="payments")
    unit = models.ForeignKey("employer.Unit", verbose_name="参保单位", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    amount = models.DecimalField("缴费金额", **MONEY_FIELD)
    paid_on = models.DateField("缴费日期")
    channel = models.ForeignKey("channels.Channel", verbose_name="缴费渠道", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    transaction_id = models.CharField("交易流水号", max_length=64, blank=True)
    content_digest = models.CharField("内容摘要", max_length=64, blank=True)  # what a replay must repeat
    balance_after = models.DecimalField("缴后欠费", **MONEY_FIELD)  # the bill's balance once this was paid
    counter = models.BooleanField("窗口缴费", default=False)
    recorded_by_id = models.IntegerField("经办人", null=True, blank=True)
    recorded_by_label = models.CharField("经办人账号", max_length=150, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # 收据号 of a counter payment (``services.payments.receipt_number``); channel payments have none
    receipt_number = models.CharField("收据号", max_length=40, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴费记录"
        ordering = ["bill", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "transaction_id"], condition=Q(channel__isnull=False),
                                    name="billpayment_channel_transaction"),
            models.UniqueConstraint(fields=["region", "receipt_number"], condition=~Q(receipt_number=""),
                                    name="billpayment_receipt_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="billpayment_amount_positive"),
            models.CheckConstraint(condition=Q(counter=True, channel__isnull=True)
                                   | (Q(counter=False, channel__isnull=False) & ~Q(transaction_id="")),
                                   name="billpayment_channel_or_counter"),
        ]
        indexes = [models.Index(fields=["bill", "id"], name="billpayment_bill"),
                   models.Index(fields=["unit", "paid_on"], name="billpayment_unit_day")]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.amount} {self.paid_on}"


class ReceiptCounter(models.Model):
    """The last 收据号 sequence given to a counter payment in a pooling region for a year (locked
    while numbering: ``yibao.dbutil.next_in_sequence``)."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("最后顺序号", default=0)

    class Meta:
        verbose_name = "收据号顺序号"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="bill_receipt_counter_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.last}"


class LateFee(models.Model):
    """滞纳金 charged to a unit: one late payment against a bill (社会保险法 第八十六条).

    The part of a payment that settles the bill's contributions after its due date is charged
    ``amount × daily_rate × days`` (the engine's ``employee.late_fee``, its rounding), days from
    the day after the due date to the day paid. The fee is carried (``carried_on``) on the unit's
    next regular bill still to be declared, as a unit-only item added to its ``late_fee_total``
    and ``amount_due``; none waiting for such a bill has ``carried_on`` empty until the next
    month's bills are generated. Accrual on a balance still unpaid is computed to date when
    shown, never stored."""

    region = models.ForeignKey("regions.Division", verbose_name="统筹区", on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    unit = models.ForeignKey("employer.Unit", verbose_name="参保单位", on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(Bill, verbose_name="欠缴单据", on_delete=models.PROTECT, related_name="late_fees")
    payment = models.OneToOneField("contributions.BillPayment", verbose_name="逾期缴费", on_delete=models.PROTECT,
                                   related_name="late_fee")
    amount = models.DecimalField("逾期缴纳金额", **MONEY_FIELD)
    due_date = models.DateField("缴费截止日")
    paid_on = models.DateField("缴纳日期")
    days = models.PositiveIntegerField("滞纳天数")
    daily_rate = models.DecimalField("日费率", max_digits=8, decimal_places=6)
    fee = models.DecimalField("滞纳金", **MONEY_FIELD)
    carried_on = models.ForeignKey(Bill, verbose_name="计入单据", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="carried_late_fees")
    created_at = models.DateTimeField("计收时间", auto_now_add=True)

    class Meta:
        verbose_name = "滞纳金"
        ordering = ["bill", "id"]
        constraints = [models.CheckConstraint(condition=Q(fee__gt=0, days__gt=0, amount__gt=0),
                                              name="latefee_positive")]
        indexes = [models.Index(fields=["unit", "paid_on"], name="latefee_unit_day")]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.amount}×{self.days}天 {self.fee}"
