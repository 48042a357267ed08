"""The schema of policy files: which parameters exist, what their values look like, and the
checks run when a file is loaded.

A parameter is a named, dated value with its source. Adding next year's figures means adding
entries under an existing parameter name in a region's file; a new *kind* of rule needs a new
name here and the question that reads it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .values import ROUNDINGS, to_decimal


class Problem(Exception):
    """A schema violation at ``key`` (relative to the value being checked)."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")


def _join(prefix: str, key: str) -> str:
    if not prefix:
        return key
    return f"{prefix}[{key}]" if key.isdigit() else f"{prefix}.{key}"


# --- value types ------------------------------------------------------------------------------

class Type:
    title = "值"

    def check(self, value: Any, key: str = "") -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


class MoneyType(Type):
    title = "金额（元，最多两位小数，不小于 0）"

    def check(self, value, key=""):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        try:
            amount = to_decimal(value)
        except ValueError:
            raise Problem(key, f"应为{self.title}，实际为 {value!r}") from None
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        return amount.quantize(Decimal("0.01"))


class RatioType(Type):
    def __init__(self, maximum: Decimal | None = None):
        self.maximum = maximum
        self.title = "比例（0 至 1 之间的小数，如 0.7）" if maximum == 1 else "比例（不小于 0 的小数，如 3）"

    def check(self, value, key=""):
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        try:
            number = to_decimal(value)
        except ValueError:
            raise Problem(key, f"应为{self.title}，实际为 {value!r}") from None
        if number < 0 or (self.maximum is not None and number > self.maximum):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        return number


class IntType(Type):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum
        self.title = "整数" + (f"（{minimum} 至 {maximum}）" if minimum is not None and maximum is not None else "")

    def check(self, value, key=""):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        return value


class BoolType(Type):
    title = "true 或 false"

    def check(self, value, key=""):
        if not isinstance(value, bool):
            raise Problem(key, f"应为 {self.title}，实际为 {value!r}")
        return value


class DateType(Type):
    title = "日期（YYYY-MM-DD）"

    def check(self, value, key=""):
        if isinstance(value, dt.datetime):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise Problem(key, f"应为{self.title}，实际为 {value!r}")


class TextType(Type):
    def __init__(self, pattern: str | None = None, title: str = "文字"):
        self.pattern = re.compile(pattern) if pattern else None
        self.title = title

    def check(self, value, key=""):
        if not isinstance(value, str) or not value.strip():
            raise Problem(key, f"应为非空{self.title}，实际为 {value!r}")
        if self.pattern and not self.pattern.fullmatch(value):
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        return value.strip()


class EnumType(Type):
    def __init__(self, *choices: str):
        self.choices = choices
        self.title = "以下之一：" + "、".join(choices)

    def check(self, value, key=""):
        if value not in self.choices:
            raise Problem(key, f"应为{self.title}，实际为 {value!r}")
        return value


class ListType(Type):
    def __init__(self, item: Type, min_items: int = 0):
        self.item, self.min_items = item, min_items
        self.title = f"列表（每项为{item.title}）"

    def check(self, value, key=""):
        if not isinstance(value, list) or len(value) < self.min_items:
            raise Problem(key, f"应为{self.title}" + (f"，至少 {self.min_items} 项" if self.min_items else "")
                          + f"，实际为 {value!r}")
        return [self.item.check(v, _join(key, str(i))) for i, v in enumerate(value)]


@dataclass
class F:
    """A field of a structured value."""

    type: Type
    required: bool = True
    default: Any = None


class StructType(Type):
    def __init__(self, title: str, /, **fields: F):
        self.title = title
        self.fields = fields

    def check(self, value, key=""):
        if not isinstance(value, dict):
            raise Problem(key, f"应为{self.title}（键值对），实际为 {value!r}")
        unknown = sorted(set(value) - set(self.fields))
        if unknown:
            raise Problem(_join(key, str(unknown[0])), f"未知的键；允许的键：{'、'.join(self.fields)}")
        out = {}
        for name, f in self.fields.items():
            if name not in value or value[name] is None:
                if f.required:
                    raise Problem(_join(key, name), "缺少此项")
                out[name] = f.default
                continue
            out[name] = f.type.check(value[name], _join(key, name))
        return out


MONEY = MoneyType()
RATE = RatioType(Decimal(1))
RATIO = RatioType()
BOOL = BoolType()
DATE = DateType()
TEXT = TextType()
ROUNDING = EnumType(*ROUNDINGS)
CODE = TextType(r"[a-z][a-z0-9_]*", "小写英文代码（snake_case）")
# A county by its six-digit GB/T 2260 code, a township by its nine-digit statistical division code.
DIVISION_CODE = TextType(r"\d{6}|\d{9}", "区划代码（县级六位，乡镇街道九位）")


# --- parameters -------------------------------------------------------------------------------

#: How an entry states the period it holds for.
PERIOD_KINDS = {
    "month": "valid_from / valid_to（YYYY-MM，valid_to 可省略表示持续有效）",
    "date": "valid_from / valid_to（YYYY-MM-DD，valid_to 可省略表示持续有效）",
    "insurance_year": "insurance_year（保险年度，如 2024）",
}


@dataclass
class ParamSpec:
    name: str
    title: str
    period: str
    type: Type
    key: str | None = None          # field of a structured value naming one of several entries
    derived: bool = False           # entries must say how the value is derived
    unit: str = ""
    notes: str = ""
    scope: str = "region"           # "region", "national" or "any"
    extra: dict = field(default_factory=dict)


HARDSHIP_RULE = StructType(
    "困难群体资助规则",
    category=F(TEXT),
    rule=F(EnumType("full", "fixed", "percent", "unspecified")),
    amount=F(MONEY, required=False),
    rate=F(RATE, required=False),
    stated_amount=F(MONEY, required=False),
    excludes=F(ListType(TEXT), required=False, default=[]),
    notice_term=F(TEXT, required=False),
)

MATERIAL = StructType(
    "申报材料",
    code=F(CODE),
    title=F(TEXT),
    retiree=F(BOOL),
    requirement=F(TEXT, required=False, default=""),
)

COMMITMENT_LETTER = StructType(
    "承诺书",
    title=F(TEXT),
    opening=F(TEXT),
    clauses=F(ListType(TEXT, min_items=1)),
    signature_lines=F(ListType(TEXT, min_items=1)),
)

ONLINE_NOTICE = StructType(
    "网上办事须知",
    required=F(BOOL),
    title=F(TEXT),
    points=F(ListType(TEXT), required=False, default=[]),
)

BASE_REPORT_FORM = StructType(
    "申报表",
    copies=F(IntType(1, 20)),
    holders=F(ListType(TEXT, min_items=1)),
    note=F(TEXT),
)

TARGETS = StructType(
    "参保任务",
    total=F(IntType(0)),
    unit=F(TEXT, required=False, default="人"),
    divisions=F(ListType(StructType(
        "参保任务分配",
        division_name=F(TEXT),
        division_code=F(DIVISION_CODE, required=False, default=""),
        target=F(IntType(0)),
    ), min_items=1)),
)

SPECS: dict[str, ParamSpec] = {s.name: s for s in [
    # --- employee scheme: contribution base -------------------------------------------------
    ParamSpec("employee.base_floor", "职工医保月缴费基数下限", "month", MONEY, derived=True, unit="元/月"),
    ParamSpec("employee.base_ceiling", "职工医保月缴费基数上限", "month", MONEY, derived=True, unit="元/月"),
    ParamSpec("employee.base_clamp", "申报工资低于下限按下限、高于上限按上限核定缴费基数（保底封顶）", "month", BOOL),
    ParamSpec("employee.base_floor_ratio", "新公布平均工资后：下限占全省全口径城镇单位就业人员月平均工资的比例",
              "month", RATIO),
    ParamSpec("employee.base_ceiling_ratio", "新公布平均工资后：上限占全省全口径城镇单位就业人员月平均工资的比例",
              "month", RATIO),
    ParamSpec("employee.bounds_rounding", "由平均工资计算上下限的取整规则", "month", ROUNDING),
    ParamSpec("employee.bounds_effective", "新上下限的起始月份", "month", EnumType("month_after_publication")),
    ParamSpec("employee.average_wage_published", "已公布的全省全口径城镇单位就业人员年平均工资（用于调整上下限）",
              "month", StructType("已公布平均工资", wage_year=F(IntType(1990, 2200)), annual=F(MONEY),
                                  published_on=F(DATE))),
    ParamSpec("employee.flexible_base_range", "灵活就业人员缴费基数可选范围", "month", EnumType("within_bounds")),
    ParamSpec("employee.declaration_opens_on", "基数申报开始日期", "month", DATE),
    ParamSpec("employee.declaration_deadline", "基数申报截止日期（含当日）", "month", DATE),
    ParamSpec("employee.declaration_late_allowed", "逾期仍可申报（加收滞纳金）", "month", BOOL),
    ParamSpec("employee.payment_due_date", "当月缴费单据的缴费截止日期（含当日），按费款所属期登记", "month", DATE),
    ParamSpec("employee.payment_due_day", "每月缴费截止日（费款所属期当月或次月的第几日，含当日）", "month",
              StructType("每月缴费截止日", day=F(IntType(1, 28)), month_offset=F(IntType(0, 1)))),
    ParamSpec("employee.adjustment_due_days", "补差单据的缴费期限（生成之日起的天数，含最后一日）", "month",
              IntType(0, 366), unit="天"),
    ParamSpec("employee.self_inspection_threshold", "按最低缴费基数缴费人数占本单位缴费人数的比例超过此值须自查自纠",
              "month", RATE),
    ParamSpec("employee.wage_total_drop_threshold",
              "申报工资总额比上年度下降超过此比例视为疑似少报瞒报（稽核风险提示）", "month", RATE),
    ParamSpec("employee.headcount_drop_threshold",
              "申报职工人数比上年度减少超过此比例视为疑似少报瞒报职工人数（稽核风险提示；0 即人数减少就提示）",
              "month", RATE),
    ParamSpec("employee.new_hire_base_without_wage", "新参保（增员）人员未申报工资时的缴费基数", "month",
              EnumType("floor")),
    ParamSpec("employee.staff_change_backdate_months",
              "增减员可追溯的月数（生效月份最早为办理当月往前数此月数；0 即不得追溯）", "month", IntType(0, 120),
              unit="个月"),
    ParamSpec("employee.required_materials", "基数申报须上传的材料", "month", MATERIAL, key="code"),
    ParamSpec("employee.commitment_letter", "基数申报承诺书的文字", "month",
              COMMITMENT_LETTER),
    ParamSpec("employee.base_report_form", "基数申报表的份数、留存单位和备注", "month", BASE_REPORT_FORM),
    ParamSpec("employee.online_notice", "网上申报前须阅读并确认的网上办事须知", "month", ONLINE_NOTICE),
    ParamSpec("employee.retiree_allotment_base_rule", "退休人员医疗保险个人账户划入基数的确定方式", "month",
              EnumType("declared_pension")),
    ParamSpec("employee.retiree_redeclaration_allowed", "养老金调整后可重新申报划入基数", "month", BOOL),
    ParamSpec("employee.industry_wage_guideline", "行业工资指导线", "month",
              StructType("行业工资指导线", industry=F(TEXT), amount=F(MONEY)), key="industry", unit="元/月"),
    ParamSpec("employee.contribution_rate", "职工医保缴费费率", "month",
              StructType("缴费费率", payer=F(EnumType("unit", "individual")), rate=F(RATE)), key="payer"),
    ParamSpec("employee.contribution_rounding", "单位和个人缴费额（缴费基数 × 费率）的取整规则", "month", ROUNDING),
    ParamSpec("employee.retiree_allotment_rate", "退休人员医疗保险个人账户划入比例（占划入基数）", "month", RATE),
    ParamSpec("employee.retiree_allotment_rounding", "退休人员个人账户划入额的取整规则", "month", ROUNDING),
    # --- national law --------------------------------------------------------------------------
    ParamSpec("late_fee.daily_rate", "滞纳金日费率（按日加收欠缴数额的比例）", "date", RATE, scope="any"),
    ParamSpec("late_fee.rounding", "滞纳金取整规则", "date", ROUNDING, scope="any"),
    # --- resident scheme -------------------------------------------------------------------------
    ParamSpec("resident.individual_premium", "城乡居民医保个人缴费标准", "insurance_year", MONEY, unit="元/人·年"),
    ParamSpec("resident.fiscal_subsidy", "城乡居民医保人均财政补助标准", "insurance_year", MONEY, unit="元/人·年"),
    ParamSpec("resident.collection_period", "集中缴费期", "insurance_year",
              StructType("集中缴费期", start=F(DATE), end=F(DATE), adjustable=F(BOOL, required=False, default=False))),
    ParamSpec("resident.collection_days_of_month", "集中缴费期内每月可办理缴费的日期", "insurance_year",
              StructType("每月缴费日", first=F(IntType(1, 31)), last=F(IntType(1, 31)))),
    ParamSpec("resident.benefit_period", "集中缴费期内缴费的居民待遇享受期", "insurance_year",
              StructType("待遇享受期", start=F(DATE), end=F(DATE))),
    ParamSpec("resident.benefit_after_collection_period", "集中缴费期外缴费的普通居民待遇享受期", "insurance_year",
              StructType("集中缴费期外缴费待遇", waiting_months=F(IntType(0, 12)))),
    ParamSpec("resident.newborn", "新生儿参保缴费及待遇", "insurance_year",
              StructType("新生儿规则", months_from_birth=F(IntType(1, 24)), months_ordinary_after=F(IntType(1, 36)))),
    ParamSpec("resident.migrant", "集中缴费期后跨统筹区新迁入户籍居民参保缴费及待遇", "insurance_year",
              StructType("新迁入居民规则", requires_not_paid_at_origin=F(BOOL))),
    ParamSpec("resident.refund_death_on_or_before", "退费：在此日（含本日）之前死亡", "insurance_year", DATE),
    ParamSpec("resident.refund_other_scheme_before", "退费：在此日之前（不含本日）参加职工医保或在统筹区外参保",
              "insurance_year", DATE),
    ParamSpec("resident.refund_excluded_paid_on_or_after", "退费：在此日（含本日）及以后参保缴费的不退费",
              "insurance_year", DATE),
    ParamSpec("resident.hardship_subsidy", "困难群体参保资助", "insurance_year", HARDSHIP_RULE, key="category"),
    ParamSpec("resident.hardship_combination", "同时属于多类困难群体时的资助", "insurance_year",
              EnumType("most_favourable")),
    ParamSpec("resident.enrolment_targets", "参保任务（参保缴费计划）", "insurance_year", TARGETS),
    ParamSpec("resident.family_mutual_aid", "职工医保家庭共济账户为家庭成员缴纳居民医保费", "insurance_year",
              StructType("家庭共济缴费", payer_scheme=F(EnumType("employee")), channels=F(ListType(TEXT), required=False,
                                                                                          default=[]))),
    ParamSpec("resident.renewal_roster", "续保人员名册的制作与公示", "insurance_year",
              StructType("续保人员名册", made_by=F(TEXT), posted_by=F(TEXT))),
    ParamSpec("resident.back_payment_benefit", "补缴以前年度保费后的待遇享受", "insurance_year",
              StructType("补缴待遇", waiting_months=F(IntType(0, 12)))),
    ParamSpec("resident.progress_report_deadline", "各县（市、区）每周报送筹资进展情况的时限", "insurance_year",
              StructType("每周报送时限", weekday=F(IntType(1, 7)),
                         time=F(TextType(r"([01][0-9]|2[0-3]):[0-5][0-9]", "时刻（HH:MM）")),
                         during=F(EnumType("collection_period")))),
    ParamSpec("resident.back_payment", "新增参保和补缴以前年度保费的办理", "insurance_year",
              StructType("补缴办理", office=F(TEXT), documents=F(ListType(TEXT, min_items=1)))),
]}

ENTRY_FIELDS = {"value", "source", "section", "note", "derivation", "valid_from", "valid_to", "insurance_year"}
SOURCE_FIELDS = StructType(
    "出处",
    title=F(TEXT),
    number=F(TEXT, required=False),
    issuer=F(TEXT),
    date=F(DATE, required=False),
    note=F(TEXT, required=False),
)
DERIVATION = StructType(
    "推导",
    rule=F(TEXT),
    monthly_average_wage=F(MONEY, required=False),
    ratio=F(RATIO, required=False),
    rounding=F(ROUNDING, required=False),
    source=F(TEXT, required=False),
)
