"""城乡居民基本医疗保险: persons, their registration forms (参保信息登记表), enrolments per insurance
year, hardship categories, change requests with history, the problem queue (参保信息处理机制),
import batches and renewal rosters (续保人员名册).

Tables that grow with people carry the pooling region (``region``) in their unique keys and
leading index columns, so they can be list-partitioned by region (docs/scale-out.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

REGION = {"to": "regions.Division", "verbose_name": "统筹区", "on_delete": models.PROTECT, "related_name": "+"}


def _division(verbose_name: str, **extra):
    return models.ForeignKey("regions.Division", verbose_name=verbose_name, on_delete=models.PROTECT,
                             related_name="+", **extra)


# A person's and an enrolment's region and places are reference data (the statistical division
# codes). The durable tables are written a million rows at a time by a batch's approval, whose
# commit checked nine deferred foreign keys per person row by row: five of them named a division,
# found again for every row. Instead the approval checks the batch's places in one set-based
# statement before it writes (``services.imports._check_batch_places``), every other way in checks
# the place it is given (``services.checks.place``), and a division is deleted or re-keyed only
# through ``yibao.regions.services``, where Django's ``on_delete=PROTECT`` refuses the deletion and
# the re-keying moves every reference (docs/architecture.md). No index on 户籍 or residence alone:
# no query looks persons up by them.
PLACE_REFERENCE = {"db_constraint": False, "db_index": False}


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Basis(models.TextChoices):
    """属地管理 (晋城 三(一)): registered where the household register is, or where the person lives."""

    HUKOU = "hukou", "户籍地"
    RESIDENCE = "residence", "居住地"


class LifeStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "迁出"


class Kind(models.TextChoices):
    """参保类型, as in the interchange file (普通、新生儿、迁入、补缴)."""

    ORDINARY = "ordinary", "普通"
    NEWBORN = "newborn", "新生儿"
    MIGRANT = "migrant", "迁入"
    BACK_PAYMENT = "back_payment", "补缴"


class Channel(models.TextChoices):
    AGENT = "agent", "村居代办"
    CLERK = "clerk", "乡镇经办"
    ONLINE = "online", "本人网上登记"
    IMPORT = "import", "批量导入"


class Person(models.Model):
    """A resident as registered in a pooling region: the current values. Superseded values are
    kept in ``PersonVersion`` with the time span they held, so a past date stays answerable."""

    # the region and places: reference data, checked set-wise by the approval that writes persons
    # in bulk (see ``PLACE_REFERENCE``); the region is indexed as the prefix of person_unique_region_id
    region = models.ForeignKey(**{**REGION, **PLACE_REFERENCE})
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    household_number = models.CharField("户口簿编号", max_length=30, blank=True)
    basis = models.CharField("登记依据", max_length=10, choices=Basis.choices, default=Basis.HUKOU)
    hukou_division = _division("户籍地", **PLACE_REFERENCE)
    residence_division = _division("居住地", **PLACE_REFERENCE)
    division = _division("参保村居", **PLACE_REFERENCE)  # where registered: the 户籍 or the residence village
    phone = models.CharField("联系电话", max_length=20, blank=True)
    life_status = models.CharField("人员状态", max_length=10, choices=LifeStatus.choices, default=LifeStatus.ACTIVE)
    life_status_on = models.DateField("状态变更日期", null=True, blank=True)
    valid_from = models.DateTimeField("当前信息生效时间")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保居民"
        constraints = [models.UniqueConstraint(fields=["region", "id_number"], name="person_unique_region_id")]
        indexes = [models.Index(fields=["id_number"], name="person_id_number"),
                   models.Index(fields=["region", "division"], name="person_region_division")]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number[:6]}…）"


HISTORY_FIELDS = ("id_number", "name", "sex", "birth_date", "household_number", "basis", "hukou_division",
                  "residence_division", "division", "phone", "life_status", "life_status_on")


class PersonVersion(models.Model):
    """The values a person's record held from ``valid_from`` until ``valid_to`` (exclusive)."""

    region = models.ForeignKey(**REGION)
    person = models.ForeignKey(Person, verbose_name="参保居民", on_delete=models.CASCADE, related_name="versions")
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    household_number = models.CharField("户口簿编号", max_length=30, blank=True)
    basis = models.CharField("登记依据", max_length=10, choices=Basis.choices)
    hukou_division = _division("户籍地")
    residence_division = _division("居住地")
    division = _division("参保村居")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    life_status = models.CharField("人员状态", max_length=10, choices=LifeStatus.choices)
    life_status_on = models.DateField("状态变更日期", null=True, blank=True)
    valid_from = models.DateTimeField("生效时间")
    valid_to = models.DateTimeField("失效时间")
    change = models.ForeignKey("ChangeRequest", verbose_name="变更申请", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "参保居民历史信息"
        indexes = [models.Index(fields=["region", "person", "valid_from"], name="personversion_span")]
        ordering = ["person", "valid_from"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.valid_from:%Y-%m-%d}..{self.valid_to:%Y-%m-%d}"


# A registration is the form as entered. Its region and divisions are checked by the code that
# takes the form (``services.checks.place`` and ``within_area``; an import against the region's
# preloaded tree) before it is written, and an imported row's batch is made by the transaction that
# writes the row. The database does not check them again: five deferred foreign-key checks per row
# at commit were half of the PostgreSQL server's work in an import (docs/scale-out.md). The
# registration's person is set at approval by a join on the persons (see ``Registration.person``);
# an enrolment's person keeps its constraint; a division or batch a registration names stays
# protected by Django (``on_delete=PROTECT``).
FORM_REFERENCE = {"db_constraint": False, "db_index": False}


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PROBLEM = "problem", "待处理"
    APPROVED = "approved", "已审核"
    REJECTED = "rejected", "已退回"


class Registration(models.Model):
    """参保信息登记表: one person's registration for an insurance year, entered by a village agent,
    a township clerk, the resident online, or an import. 东明 五(一): the identity card and the
    household register are entered separately (两证统一) and a second clerk reviews."""

    # The form as entered, written a million rows at a time by an import: only the indexes its
    # queries use (the region's own is the prefix of registration_queue, the batch's is
    # registration_batch, no query looks registrations up by 户籍 or residence alone), and no
    # database constraint on the region, the divisions and the batch (see ``FORM_REFERENCE``).
    region = models.ForeignKey(**{**REGION, **FORM_REFERENCE})
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    channel = models.CharField("登记渠道", max_length=10, choices=Channel.choices)
    basis = models.CharField("登记依据", max_length=10, choices=Basis.choices, default=Basis.HUKOU)
    # 身份证
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    # 户口簿 (blank when not entered: an import or an online registration carries one set)
    hk_id_number = models.CharField("户口簿：身份证号码", max_length=18, blank=True)
    hk_name = models.CharField("户口簿：姓名", max_length=50, blank=True)
    hk_sex = models.CharField("户口簿：性别", max_length=1, choices=Sex.choices, blank=True)
    hk_birth_date = models.DateField("户口簿：出生日期", null=True, blank=True)
    household_number = models.CharField("户口簿编号", max_length=30, blank=True)
    hukou_division = _division("户籍地", **FORM_REFERENCE)
    residence_division = _division("居住地", **FORM_REFERENCE)
    division = _division("参保村居", **FORM_REFERENCE)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    kind = models.CharField("参保类型", max_length=12, choices=Kind.choices, default=Kind.ORDINARY)
    moved_in_on = models.DateField("迁入日期", null=True, blank=True)
    paid_at_origin = models.BooleanField("原籍已缴费", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.PENDING)
    maker_id = models.IntegerField("登记人", null=True, blank=True)      # account id (audit-style, no FK up)
    maker_label = models.CharField("登记人姓名", max_length=100, blank=True)
    checker_id = models.IntegerField("审核人", null=True, blank=True)
    checker_label = models.CharField("审核人姓名", max_length=100, blank=True)
    submitted_at = models.DateTimeField("登记时间", auto_now_add=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.CharField("审核意见", max_length=500, blank=True)
    # set at approval from the person found (or made) by the same statement's join
    person = models.ForeignKey(Person, verbose_name="参保居民", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="registrations", db_index=False, db_constraint=False)
    batch = models.ForeignKey("ImportBatch", verbose_name="导入批次", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="registrations", **FORM_REFERENCE)

    class Meta:
        verbose_name = "参保信息登记"
        indexes = [models.Index(fields=["region", "status", "division"], name="registration_queue"),
                   models.Index(fields=["region", "id_number", "insurance_year"], name="registration_person_year"),
                   models.Index(fields=["batch"], name="registration_batch"),
                   # set when the form is approved: an imported batch goes in without entries here
                   models.Index(fields=["person"], condition=Q(person__isnull=False), name="registration_person")]
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.insurance_year}"

    def mismatches(self) -> list[tuple[str, str, str]]:
        """两证不一致: (what, identity card, household register) for each disagreeing item."""
        if not self.hk_id_number and not self.hk_name:
            return []
        pairs = [("身份证号码", self.id_number, self.hk_id_number), ("姓名", self.name, self.hk_name),
                 ("性别", self.sex, self.hk_sex),
                 ("出生日期", self.birth_date.isoformat() if self.birth_date else "",
                  self.hk_birth_date.isoformat() if self.hk_birth_date else "")]
        return [(what, a, b) for what, a, b in pairs if (a or "") != (b or "")]


class EnrolmentStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    PAID = "paid", "已缴费"
    REFUNDED = "refunded", "已退费"
    CANCELLED = "cancelled", "已注销"


LIVE_ENROLMENT = ["registered", "paid"]   # EnrolmentStatus values an enrolment counts with


class Enrolment(models.Model):
    """A person's enrolment for one insurance year. Registration makes it; payment and refund
    (collection) move it on."""

    region = models.ForeignKey(**{**REGION, **PLACE_REFERENCE})   # indexed as the prefix of enrolment_unique_year
    person = models.ForeignKey(Person, verbose_name="参保居民", on_delete=models.PROTECT, related_name="enrolments")
    id_number = models.CharField("身份证号码", max_length=18)  # copied: duplicates are found by one index
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    status = models.CharField("参保状态", max_length=10, choices=EnrolmentStatus.choices,
                              default=EnrolmentStatus.REGISTERED)
    kind = models.CharField("参保类型", max_length=12, choices=Kind.choices, default=Kind.ORDINARY)
    division = _division("参保村居", **PLACE_REFERENCE)
    moved_in_on = models.DateField("迁入日期", null=True, blank=True)
    paid_at_origin = models.BooleanField("原籍已缴费", null=True, blank=True)
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    # the form the enrolment was made from, by the same statement that reads the form (no database
    # check: the form exists, and forms are never deleted, ``on_delete=PROTECT``); no index: no
    # query looks enrolments up by their form
    registration = models.ForeignKey(Registration, verbose_name="登记表", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "参保登记"
        constraints = [
            models.UniqueConstraint(fields=["region", "person", "insurance_year"], name="enrolment_unique_year"),
            # one live enrolment per person and year across every region (the code refuses it first,
            # ``services.checks.not_insured_elsewhere``; this catches two clerks at the same moment)
            models.UniqueConstraint(fields=["id_number", "insurance_year"], condition=Q(status__in=LIVE_ENROLMENT),
                                    name="enrolment_unique_live_year"),
            models.CheckConstraint(condition=Q(status__in=["registered", "cancelled"]) | Q(paid_on__isnull=False),
                                   name="enrolment_paid_has_date"),
        ]
        indexes = [models.Index(fields=["id_number", "insurance_year"], name="enrolment_id_year"),
                   models.Index(fields=["region", "insurance_year", "division"], name="enrolment_region_year_div")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.insurance_year} {self.status}"


class HardshipSource(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    RURAL_REVITALIZATION = "rural_revitalization", "乡村振兴"


class HardshipGrant(models.Model):
    """A person's hardship category (困难类别) as an assistance department's list gives it, valid
    from ``valid_from`` to ``valid_to`` (inclusive; open when blank). Keyed by identity number:
    the lists name people who may not be registered yet."""

    region = models.ForeignKey(**REGION)
    id_number = models.CharField("身份证号码", max_length=18)
    name = models.CharField("姓名", max_length=50)
    category = models.CharField("困难类别", max_length=30)
    source = models.CharField("来源", max_length=24, choices=HardshipSource.choices)
    valid_from = models.DateField("认定日期")
    valid_to = models.DateField("终止日期", null=True, blank=True)
    batch = models.ForeignKey("ImportBatch", verbose_name="导入批次", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="hardship")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "困难群体认定"
        constraints = [models.UniqueConstraint(fields=["region", "id_number", "category", "source", "valid_from"],
                                               name="hardship_unique_grant")]
        indexes = [models.Index(fields=["region", "id_number"], name="hardship_region_person")]

    def __str__(self) -> str:
        return f"{self.category} {self.id_number[:6]}… {self.valid_from}"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已变更"
    REJECTED = "rejected", "已驳回"


CHANGEABLE = {"name": "姓名", "id_number": "身份证号码", "hukou_division": "户籍地", "residence_division": "居住地",
              "phone": "联系电话"}


class ChangeRequest(models.Model):
    """参保信息变更 (东明 五(二)): filed by the resident or a clerk with supporting documents, reviewed
    by another clerk. ``changes`` maps a field of ``CHANGEABLE`` to its new value; ``before`` keeps
    the values it replaced."""

    region = models.ForeignKey(**REGION)
    person = models.ForeignKey(Person, verbose_name="参保居民", on_delete=models.PROTECT, related_name="changes")
    division = _division("参保村居", db_index=False)
    changes = models.JSONField("变更内容")
    before = models.JSONField("变更前", default=dict, blank=True)
    reason = models.CharField("变更原因", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    filed_by_id = models.IntegerField("申请人")
    filed_by_label = models.CharField("申请人姓名", max_length=100, blank=True)
    filed_as_resident = models.BooleanField("本人申请", default=False)
    reviewer_id = models.IntegerField("审核人", null=True, blank=True)
    reviewer_label = models.CharField("审核人姓名", max_length=100, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.CharField("审核意见", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保信息变更"
        indexes = [models.Index(fields=["region", "status", "division"], name="change_queue")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"变更申请 {self.pk}（{self.get_status_display()}）"


class ChangeDocument(models.Model):
    change = models.ForeignKey(ChangeRequest, verbose_name="变更申请", on_delete=models.CASCADE,
                               related_name="documents")
    title = models.CharField("材料", max_length=100)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    path = models.CharField("存放位置", max_length=500)
    sha256 = models.CharField("摘要", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "变更证明材料"

    def __str__(self) -> str:
        return self.title


class ProblemSource(models.TextChoices):
    IMPORT = "import", "批量导入"
    REGISTRATION = "registration", "登记"
    ONLINE = "online", "网上登记"
    CHANGE = "change", "变更申请"


class ProblemActor(models.TextChoices):
    CLERK = "clerk", "经办人员"
    RESIDENT = "resident", "参保人本人"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RETURNED = "returned", "已退回本人"
    RELEASED = "released", "已处理放行"
    CLOSED = "closed", "已关闭"


class Problem(models.Model):
    """参保信息处理机制 (东明 五(二)): a record that failed validation or conflicts, waiting with the
    reason and who must act. A clerk fixes and releases it, or sends it back to the resident with
    instructions. Nothing is dropped: a problem is closed only by an action, audited."""

    region = models.ForeignKey(**REGION)
    division = _division("参保村居", db_index=False)
    source = models.CharField("来源", max_length=12, choices=ProblemSource.choices)
    registration = models.ForeignKey(Registration, verbose_name="登记表", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="problems")
    change = models.ForeignKey(ChangeRequest, verbose_name="变更申请", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="problems")
    code = models.CharField("问题代码", max_length=40)
    message = models.CharField("问题", max_length=1000)
    actor = models.CharField("处理人", max_length=10, choices=ProblemActor.choices, default=ProblemActor.CLERK)
    status = models.CharField("状态", max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    instructions = models.CharField("处理说明", max_length=1000, blank=True)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved_by_id = models.IntegerField("处理人", null=True, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "待处理参保信息"
        indexes = [models.Index(fields=["region", "status", "division"], name="problem_queue")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()}：{self.message[:30]}"


class BatchKind(models.TextChoices):
    REGISTRATIONS = "registrations", "参保登记"
    HARDSHIP = "hardship", "困难群体名单"


class ImportBatch(models.Model):
    """One imported file. The same file (by content) imported again for the same region, year and
    kind changes nothing: the unique key answers with the earlier batch."""

    region = models.ForeignKey(**REGION)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    kind = models.CharField("类型", max_length=16, choices=BatchKind.choices)
    source = models.CharField("来源", max_length=24, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64)
    filename = models.CharField("文件名", max_length=200)
    rows = models.PositiveIntegerField("行数", default=0)
    owner_id = models.IntegerField("导入人")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入批次"
        constraints = [models.UniqueConstraint(fields=["region", "insurance_year", "kind", "source", "sha256"],
                                               name="batch_unique_file")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class RosterStatus(models.TextChoices):
    BUILT = "built", "已生成"
    CONFIRMED = "confirmed", "已核准"
    POSTED = "posted", "已张贴公示"


class Roster(models.Model):
    """续保人员名册 (东明 三(一)): the tax side confirms who renews; built per village for the
    coming insurance year from this year's insured who are alive and still registered there."""

    region = models.ForeignKey(**REGION)
    division = _division("村居")
    insurance_year = models.PositiveSmallIntegerField("续保年度")
    status = models.CharField("状态", max_length=10, choices=RosterStatus.choices, default=RosterStatus.BUILT)
    built_by_id = models.IntegerField("制作人")
    built_at = models.DateTimeField("制作时间", auto_now_add=True)
    confirmed_by_id = models.IntegerField("核准人", null=True, blank=True)
    confirmed_at = models.DateTimeField("核准时间", null=True, blank=True)
    posted_by_id = models.IntegerField("张贴人", null=True, blank=True)
    posted_at = models.DateTimeField("张贴时间", null=True, blank=True)
    people = models.PositiveIntegerField("人数", default=0)

    class Meta:
        verbose_name = "续保人员名册"
        constraints = [models.UniqueConstraint(fields=["region", "division", "insurance_year"],
                                               name="roster_unique_village_year")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.insurance_year} 续保名册"


class RosterEntry(models.Model):
    roster = models.ForeignKey(Roster, verbose_name="名册", on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, verbose_name="参保居民", on_delete=models.PROTECT, related_name="+")
    ordinal = models.PositiveIntegerField("序号")

    class Meta:
        verbose_name = "名册人员"
        constraints = [models.UniqueConstraint(fields=["roster", "person"], name="roster_entry_unique")]
        ordering = ["roster", "ordinal"]

    def __str__(self) -> str:
        return f"{self.roster_id}#{self.ordinal}"


class EnrolmentTally(models.Model):
    """The progress counters of the enrolments (``yibao.regions.tallies``): per pooling region,
    insurance year, division and day, how many became registered and paid that day (less those
    that left: cancelled or refunded). Kept by every write of an enrolment in its own transaction
    (``yibao.resident.tallies``); the progress figures add them up instead of counting enrolments."""

    TALLY_KEYS = ("day",)
    TALLY_VALUES = ("registered", "paid")

    region = models.ForeignKey("regions.Division", on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False, db_index=False)
    insurance_year = models.PositiveSmallIntegerField("保险年度")
    division = models.ForeignKey("regions.Division", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False, db_index=False)
    rolled = models.BooleanField("下级汇总", default=False)   # the sum of the divisions below
    day = models.DateField("日期")
    registered = models.IntegerField("登记增减", default=0)
    paid = models.IntegerField("缴费增减", default=0)

    class Meta:
        verbose_name = "参保进度计数"
        constraints = [models.UniqueConstraint(fields=["region", "insurance_year", "division", "rolled", "day"],
                                               name="enrolment_tally_key")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.insurance_year} {self.day}"
