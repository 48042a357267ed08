"""城乡居民医保费的征收: payments from every payer
(a channel of ``yibao.channels``, a village agent's cash, the medical-assistance fund, a family mutual-aid account),
village agents' receipts and deposits with their 申报清单 through the tax sub-bureau to the
township's transfer (划缴), channel statements for daily reconciliation (对账), and refunds.

A payment is one row whatever its payer; a refund is a negative row pointing at the payment it
returns. The database enforces what must never happen twice: a channel's transaction id
(idempotency), a person's own part or the fund's part for an enrolment, a refund of a payment,
a receipt number. Tables that grow with people carry the pooling region in their keys and leading
index columns (docs/scale-out.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from yibao.money import MONEY_FIELD

REGION = {"to": "regions.Division", "verbose_name": "统筹区", "on_delete": models.PROTECT, "related_name": "+"}


def _division(verbose_name: str, **extra):
    return models.ForeignKey("regions.Division", verbose_name=verbose_name, on_delete=models.PROTECT,
                             related_name="+", **extra)


def _money(verbose_name: str, **extra):
    return models.DecimalField(verbose_name, **MONEY_FIELD, **extra)


class Payer(models.TextChoices):
    CHANNEL = "channel", "缴费渠道"
    AGENT = "agent", "村代收"
    FUND = "fund", "医疗救助基金"
    FAMILY = "family", "家庭共济账户"


class Part(models.TextChoices):
    OWN = "own", "个人缴费"
    FUND = "fund", "救助资助"


class Payment(models.Model):
    """One payment towards a resident's enrolment for an insurance year, or (negative, with
    ``refund_of``) its refund. The premium the engine gave when it was recorded (standard,
    subsidy, payable) is kept beside it."""

    region = models.ForeignKey(**REGION)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    enrolment = models.ForeignKey("resident.Enrolment", verbose_name="参保登记", on_delete=models.PROTECT,
                                  related_name="+")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    division = _division("参保村居", db_index=False)
    payer = models.CharField("缴费方", max_length=10, choices=Payer.choices)
    part = models.CharField("缴费部分", max_length=6, choices=Part.choices, default=Part.OWN)
    amount = _money("金额（元）")
    standard = _money("个人缴费标准")
    subsidy = _money("资助金额")
    payable = _money("个人应缴")
    category = models.CharField("资助类别", max_length=30, blank=True)
    channel = models.ForeignKey("channels.Channel", verbose_name="缴费渠道", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="payments")
    transaction_id = models.CharField("交易流水号", max_length=64, blank=True)
    content_digest = models.CharField("请求内容摘要", max_length=64, blank=True)
    paid_at = models.DateTimeField("缴费时间")
    paid_on = models.DateField("缴费日期")
    receipt_number = models.CharField("收据编号", max_length=40, blank=True)
    deposit = models.ForeignKey("Deposit", verbose_name="缴存", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payments")
    payer_id_number = models.CharField("共济账户人身份证号码", max_length=18, blank=True)
    payer_name = models.CharField("共济账户人姓名", max_length=50, blank=True)
    relationship = models.CharField("与参保人关系", max_length=20, blank=True)
    refund_of = models.ForeignKey("self", verbose_name="退费原缴费", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    actor_id = models.IntegerField("经办人", null=True, blank=True)
    actor_label = models.CharField("经办人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴费记录"
        constraints = [
            # idempotency: a channel's transaction id is recorded once
            # (a refund carries its channel, not a transaction id of the channel's)
            models.UniqueConstraint(fields=["channel", "transaction_id"],
                                    condition=Q(channel__isnull=False, refund_of__isnull=True),
                                    name="payment_unique_channel_transaction"),
            # a person's own part, and the fund's part, are each paid once per enrolment
            models.UniqueConstraint(fields=["region", "enrolment", "part"], condition=Q(refund_of__isnull=True),
                                    name="payment_once_per_part"),
            # a payment is refunded once
            models.UniqueConstraint(fields=["refund_of"], condition=Q(refund_of__isnull=False),
                                    name="payment_refunded_once"),
            models.UniqueConstraint(fields=["region", "receipt_number"], condition=~Q(receipt_number=""),
                                    name="payment_unique_receipt"),
            models.CheckConstraint(condition=Q(refund_of__isnull=True, amount__gte=0)
                                   | Q(refund_of__isnull=False, amount__lt=0), name="payment_sign"),
        ]
        indexes = [models.Index(fields=["region", "insurance_year", "division"], name="payment_region_year_div"),
                   models.Index(fields=["region", "id_number", "insurance_year"], name="payment_person_year"),
                   models.Index(fields=["region", "paid_on"], name="payment_region_day")]
        ordering = ["-paid_at", "-id"]

    def __str__(self) -> str:
        return f"{self.id_number[:6]}… {self.insurance_year} {self.amount}"


class DepositStatus(models.TextChoices):
    OPEN = "open", "待缴存"
    SUBMITTED = "submitted", "已报送清单"
    RETURNED = "returned", "已退回"
    DECLARED = "declared", "已申报"
    TRANSFERRED = "transferred", "已划缴"


class Deposit(models.Model):
    """A village agent's deposit of collected cash into the township finance account
    (乡镇（街道）财政部门指定账户) with the village's 申报清单: the persons and amounts behind it.
    The tax sub-bureau checks it against the bank's record and declares it; township finance
    records the transfer (划缴)."""

    region = models.ForeignKey(**REGION)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    division = _division("村居", db_index=False)
    township = _division("乡镇（街道）", db_index=False)
    number = models.CharField("清单编号", max_length=40)
    status = models.CharField("状态", max_length=12, choices=DepositStatus.choices, default=DepositStatus.OPEN)
    amount = _money("清单金额")
    people = models.PositiveIntegerField("人数", default=0)
    deposited_on = models.DateField("缴存日期", null=True, blank=True)
    bank_reference = models.CharField("银行回单号", max_length=60, blank=True)
    agent_id = models.IntegerField("代收员")
    agent_label = models.CharField("代收员姓名", max_length=100, blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    # the tax clerk's check against the bank's record
    bank_amount = _money("银行到账金额", null=True, blank=True)
    bank_date = models.DateField("银行到账日期", null=True, blank=True)
    bank_record_reference = models.CharField("银行流水号", max_length=60, blank=True)
    checked_by_id = models.IntegerField("核对人", null=True, blank=True)
    checked_by_label = models.CharField("核对人姓名", max_length=100, blank=True)
    checked_at = models.DateTimeField("核对时间", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    declared_at = models.DateTimeField("申报时间", null=True, blank=True)
    # township finance's transfer
    transferred_on = models.DateField("划缴日期", null=True, blank=True)
    transfer_reference = models.CharField("划缴凭证号", max_length=60, blank=True)
    transferred_by_id = models.IntegerField("划缴登记人", null=True, blank=True)
    transferred_by_label = models.CharField("划缴登记人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "代收缴存与申报清单"
        constraints = [models.UniqueConstraint(fields=["region", "number"], name="deposit_unique_number")]
        indexes = [models.Index(fields=["region", "insurance_year", "township", "status"], name="deposit_township")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ReceiptCounter(models.Model):
    """The last receipt number given in a village for an insurance year (locked while numbering)."""

    region = models.ForeignKey(**REGION)
    division = _division("村居", db_index=False)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    last = models.PositiveIntegerField("最后编号", default=0)

    class Meta:
        verbose_name = "收据编号"
        constraints = [models.UniqueConstraint(fields=["region", "division", "insurance_year"],
                                               name="receipt_counter_unique")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.insurance_year}: {self.last}"


class StatementStatus(models.TextChoices):
    OPEN = "open", "待处理差异"
    RECONCILED = "reconciled", "已对平"


class Statement(models.Model):
    """A channel's statement file for one day (对账单), compared with what was recorded."""

    region = models.ForeignKey(**REGION)
    channel = models.ForeignKey("channels.Channel", verbose_name="缴费渠道", on_delete=models.PROTECT,
                                related_name="statements")
    day = models.DateField("对账日期")
    digest = models.CharField("文件摘要", max_length=64)
    filename = models.CharField("文件名", max_length=200)
    lines = models.PositiveIntegerField("对账单笔数", default=0)
    amount = _money("对账单金额", default=0)
    recorded = models.PositiveIntegerField("系统记录笔数", default=0)
    recorded_amount = _money("系统记录金额", default=0)
    status = models.CharField("状态", max_length=12, choices=StatementStatus.choices, default=StatementStatus.OPEN)
    actor_id = models.IntegerField("上传人", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "渠道对账单"
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="statement_unique_day")]
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.day}"


class DifferenceKind(models.TextChoices):
    MISSING_HERE = "missing_here", "对账单有、系统无"
    MISSING_THERE = "missing_there", "系统有、对账单无"
    AMOUNT = "amount", "金额不一致"
    PERSON = "person", "身份证号码不一致"  # the same transaction id, paid for another person


class DifferenceStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已处理"


class StatementDifference(models.Model):
    """One difference between a statement and the recorded payments, for a clerk to resolve."""

    statement = models.ForeignKey(Statement, verbose_name="对账单", on_delete=models.CASCADE,
                                  related_name="differences")
    kind = models.CharField("差异类型", max_length=14, choices=DifferenceKind.choices)
    transaction_id = models.CharField("交易流水号", max_length=64)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    statement_id_number = models.CharField("对账单身份证号码", max_length=18, blank=True)
    statement_amount = _money("对账单金额", null=True, blank=True)
    recorded_amount = _money("系统金额", null=True, blank=True)
    payment = models.ForeignKey(Payment, verbose_name="缴费记录", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    status = models.CharField("状态", max_length=10, choices=DifferenceStatus.choices, default=DifferenceStatus.OPEN)
    resolution = models.CharField("处理结果", max_length=500, blank=True)
    resolved_by_id = models.IntegerField("处理人", null=True, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "对账差异"
        ordering = ["statement_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.transaction_id}"


class RefundReason(models.TextChoices):
    DEATH = "death", "死亡"
    EMPLOYEE_SCHEME = "employee_scheme", "参加职工医保"
    ELSEWHERE = "insured_elsewhere", "在统筹区外参保"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已退费"
    REJECTED = "rejected", "已驳回"


class Refund(models.Model):
    """An application to refund a payment (东明 二(三)), with its reason and evidence; another clerk
    reviews it, and the approval records the negative payment to the original payer."""

    region = models.ForeignKey(**REGION)
    payment = models.ForeignKey(Payment, verbose_name="原缴费", on_delete=models.PROTECT, related_name="refunds")
    division = _division("参保村居", db_index=False)
    reason = models.CharField("退费原因", max_length=20, choices=RefundReason.choices)
    event_date = models.DateField("事由发生日期")
    evidence = models.FileField("证明材料", upload_to="refunds/%Y/%m", blank=True)
    evidence_name = models.CharField("材料文件名", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    maker_id = models.IntegerField("申请经办人")
    maker_label = models.CharField("申请经办人姓名", max_length=100, blank=True)
    checker_id = models.IntegerField("审核人", null=True, blank=True)
    checker_label = models.CharField("审核人姓名", max_length=100, blank=True)
    note = models.CharField("审核意见", max_length=500, blank=True)
    refund_payment = models.OneToOneField(Payment, verbose_name="退费记录", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "退费申请"
        constraints = [models.UniqueConstraint(fields=["payment"], condition=~Q(status="rejected"),
                                               name="refund_one_live_application")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.payment_id}"


class CollectionTally(models.Model):
    """The progress counters of the payments (``yibao.regions.tallies``), per pooling region,
    insurance year, division and day. Two kinds of row:

    - a flow (``payer`` set): per payer, channel (0: none) and part, the payments recorded that
      day (refunds not counted) and the net amount in fen (refunds subtracted);
    - the subsidised (``payer`` empty): people who became paid with a subsidy that day (less those
      refunded), in all (``category`` empty) and per hardship category.

    Kept by every write of a payment or refund in its own transaction (``yibao.collection.tallies``)."""

    TALLY_KEYS = ("day", "payer", "channel", "part", "category")
    TALLY_VALUES = ("payments", "amount_fen", "people")

    region = models.ForeignKey("regions.Division", on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False, db_index=False)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    division = models.ForeignKey("regions.Division", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False, db_index=False)
    rolled = models.BooleanField("下级汇总", default=False)
    day = models.DateField("日期")
    payer = models.CharField("缴费方", max_length=10, blank=True)
    channel = models.IntegerField("缴费渠道", default=0)
    part = models.CharField("缴费部分", max_length=6, blank=True)
    category = models.CharField("资助类别", max_length=30, blank=True)
    payments = models.IntegerField("笔数", default=0)
    amount_fen = models.BigIntegerField("金额（分）", default=0)
    people = models.IntegerField("资助参保人数增减", default=0)

    class Meta:
        verbose_name = "征缴进度计数"
        constraints = [models.UniqueConstraint(
            fields=["region", "insurance_year", "division", "rolled", "day", "payer", "channel", "part", "category"],
            name="collection_tally_key")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.insurance_year} {self.day}"
