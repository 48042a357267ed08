"""Employee scheme (职工基本医疗保险): contribution bases and the yearly base declaration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..explain import Context
from ..periods import Month
from ..values import EXACT, ROUNDINGS, round_money, yuan
from . import Input, question

MONTH = Input("month", "month", "缴费月份")
AVERAGE = [
    Input("annual_average_wage", "money", "新公布的全省全口径城镇单位就业人员年平均工资（元）", required=False),
    Input("published_on", "date", "平均工资公布日期", required=False),
]


@dataclass
class Bounds:
    floor: Decimal
    ceiling: Decimal
    source: str                 # "notice" or "average_wage"
    effective_from: Month | None = None


def _derive(ctx: Context, month: Month, annual: Decimal, published_on: dt.date) -> Bounds:
    """New bounds from a newly published average wage (floor/ceiling ratios of the monthly
    average, rounded by the file's rule), in force from the month after publication."""
    on = month.first_day
    if annual <= 0:
        raise ctx.refuse("invalid_input", "平均工资应大于 0。")
    floor_ratio = ctx.one("employee.base_floor_ratio", on).value
    ceiling_ratio = ctx.one("employee.base_ceiling_ratio", on).value
    rounding = ctx.one("employee.bounds_rounding", on).value
    ctx.one("employee.bounds_effective", on)
    floor = round_money(EXACT.divide(EXACT.multiply(annual, floor_ratio), 12), rounding)
    ceiling = round_money(EXACT.divide(EXACT.multiply(annual, ceiling_ratio), 12), rounding)
    effective = Month.of(published_on).next()
    monthly = EXACT.divide(annual, 12)
    ctx.step("employee.bounds.derive",
             f"全省全口径城镇单位就业人员年平均工资 {yuan(annual)} 元（{published_on.isoformat()} 公布），"
             f"月平均工资{'' if monthly == monthly.quantize(Decimal('0.01')) else '约'} {yuan(monthly)} 元："
             f"下限 = {yuan(annual)} × {floor_ratio} ÷ 12，"
             f"上限 = {yuan(annual)} × {ceiling_ratio} ÷ 12，{ROUNDINGS[rounding][2]}，"
             f"得下限 {yuan(floor)} 元、上限 {yuan(ceiling)} 元，自公布次月 {effective} 起执行。")
    return Bounds(floor, ceiling, "average_wage", effective)


def _bounds(ctx: Context, month: Month, annual: Decimal | None, published_on: dt.date | None) -> Bounds:
    on = month.first_day
    derived = None
    if (annual is None) != (published_on is None):
        raise ctx.refuse("invalid_input", "新公布的平均工资须同时给出年平均工资 annual_average_wage 和公布日期 published_on。")
    if annual is not None:
        derived = _derive(ctx, month, annual, published_on)
    else:
        published = ctx.maybe("employee.average_wage_published", on)
        if published is not None:
            derived = _derive(ctx, month, published.value["annual"], published.value["published_on"])
    if derived is not None and month >= derived.effective_from:
        ctx.step("employee.bounds.published",
                 f"{month} 在新上下限起始月份 {derived.effective_from} 及以后：下限 {yuan(derived.floor)} 元，"
                 f"上限 {yuan(derived.ceiling)} 元。")
        return derived
    floor = ctx.one("employee.base_floor", on)
    ceiling = ctx.one("employee.base_ceiling", on)
    text = f"{month} 职工医保月缴费基数下限 {yuan(floor.value)} 元、上限 {yuan(ceiling.value)} 元（{floor.period_text()}）"
    if floor.note:
        text += f"；{floor.note}"
    if derived is not None:
        text += f"；新公布平均工资的上下限自 {derived.effective_from} 起执行，本月仍按原上下限"
    ctx.step("employee.bounds", text + "。")
    return Bounds(floor.value, ceiling.value, "notice", derived.effective_from if derived else None)


def _bounds_values(b: Bounds) -> dict:
    return {"floor": b.floor, "ceiling": b.ceiling, "source": b.source,
            "effective_from": str(b.effective_from) if b.effective_from else None}


@question("employee.bounds", "职工医保月缴费基数上下限", [MONTH, *AVERAGE],
          {"floor": "下限（元/月）", "ceiling": "上限（元/月）", "source": "依据（notice 通知 / average_wage 新公布平均工资）",
           "effective_from": "新上下限起始月份"})
def bounds(ctx: Context, month, annual_average_wage=None, published_on=None):
    return _bounds_values(_bounds(ctx, month, annual_average_wage, published_on))


@question("employee.base", "缴费基数（保底封顶）",
          [MONTH, Input("wage", "money", "申报的上年度月均实际工资收入（元）"), *AVERAGE],
          {"base": "缴费基数（元/月）", "floor": "下限", "ceiling": "上限", "clamped": "floor 保底 / ceiling 封顶 / none"})
def base(ctx: Context, month, wage, annual_average_wage=None, published_on=None):
    if wage <= 0:
        raise ctx.refuse("invalid_input", f"申报工资应大于 0，实际为 {yuan(wage)} 元。")
    b = _bounds(ctx, month, annual_average_wage, published_on)
    clamp = ctx.one("employee.base_clamp", month.first_day).value
    if clamp and wage < b.floor:
        value, how, text = b.floor, "floor", f"申报工资 {yuan(wage)} 元低于下限，按下限 {yuan(b.floor)} 元核定缴费基数（保底）。"
    elif clamp and wage > b.ceiling:
        value, how, text = b.ceiling, "ceiling", f"申报工资 {yuan(wage)} 元高于上限，按上限 {yuan(b.ceiling)} 元核定缴费基数（封顶）。"
    else:
        value, how, text = wage, "none", f"申报工资 {yuan(wage)} 元在上下限之间，即为缴费基数。"
    ctx.step("employee.base.clamp", text)
    return {"base": value, "floor": b.floor, "ceiling": b.ceiling, "clamped": how}


@question("employee.flexible_base", "灵活就业人员缴费基数",
          [MONTH, Input("chosen_base", "money", "本人选择的月缴费基数（元）"), *AVERAGE],
          {"base": "缴费基数（元/月）", "floor": "下限", "ceiling": "上限"})
def flexible_base(ctx: Context, month, chosen_base, annual_average_wage=None, published_on=None):
    if chosen_base <= 0:
        raise ctx.refuse("invalid_input", f"所选缴费基数应大于 0，实际为 {yuan(chosen_base)} 元。")
    ctx.one("employee.flexible_base_range", month.first_day)
    b = _bounds(ctx, month, annual_average_wage, published_on)
    if not b.floor <= chosen_base <= b.ceiling:
        raise ctx.refuse("out_of_range", f"灵活就业人员缴费基数须在下限 {yuan(b.floor)} 元至上限 {yuan(b.ceiling)} 元之间"
                                         f"（含上下限），所选 {yuan(chosen_base)} 元不在此范围。")
    ctx.step("employee.flexible_base", f"所选基数 {yuan(chosen_base)} 元在 {yuan(b.floor)} 元至 {yuan(b.ceiling)} 元之间（含上下限）。")
    return {"base": chosen_base, "floor": b.floor, "ceiling": b.ceiling}


@question("employee.bounds_after_publication", "新公布平均工资后的缴费基数上下限",
          [MONTH, Input("annual_average_wage", "money", "新公布的全省全口径城镇单位就业人员年平均工资（元）"),
           Input("published_on", "date", "平均工资公布日期")],
          {"floor": "所问月份执行的下限（元/月）", "ceiling": "所问月份执行的上限（元/月）",
           "in_effect": "所问月份是否已按新上下限执行",
           "new_floor": "新下限（元/月）", "new_ceiling": "新上限（元/月）", "effective_from": "新上下限起始月份"})
def bounds_after_publication(ctx: Context, month, annual_average_wage, published_on):
    """The bounds in force in ``month``: the new ones derived from the published wage from the
    month after publication on, before that the bounds the policy files set for the month."""
    new = _derive(ctx, month, annual_average_wage, published_on)
    in_effect = month >= new.effective_from
    if in_effect:
        ctx.step("employee.bounds_after_publication.new",
                 f"{month} 在新上下限起始月份 {new.effective_from} 及以后，按新上下限执行："
                 f"下限 {yuan(new.floor)} 元，上限 {yuan(new.ceiling)} 元。")
        current = new
    else:
        current = _bounds(ctx, month, None, None)
        ctx.step("employee.bounds_after_publication.old",
                 f"{month} 早于新上下限起始月份 {new.effective_from}（公布次月），本月仍按原上下限执行："
                 f"下限 {yuan(current.floor)} 元，上限 {yuan(current.ceiling)} 元；"
                 f"新下限 {yuan(new.floor)} 元、新上限 {yuan(new.ceiling)} 元自 {new.effective_from} 起执行。")
    return {"floor": current.floor, "ceiling": current.ceiling, "in_effect": in_effect,
            "new_floor": new.floor, "new_ceiling": new.ceiling, "effective_from": str(new.effective_from)}


def _window_year(ctx: Context, day: dt.date, year: int | None) -> int:
    years = [year] if year is not None else [day.year, day.year + 1]
    configured = []
    for y in years:
        on = dt.date(y, 1, 1)
        deadline = ctx.find("employee.declaration_deadline", on)
        if not deadline:
            continue
        opens = ctx.find("employee.declaration_opens_on", on)
        configured.append(y)
        if (not opens or opens[0].value <= day) and day <= deadline[0].value:
            return y
    if not configured:
        raise ctx.not_configured("employee.declaration_deadline", dt.date(years[0], 1, 1),
                                 period=f"{years[0]} 年度基数申报")
    return configured[0]


@question("employee.declaration_window", "基数申报期",
          [Input("date", "date", "日期"), Input("year", "year", "申报年度（省略时按日期确定）", required=False)],
          {"open": "当日是否在申报期内", "deadline": "截止日期（含当日）", "opens_on": "开始日期",
           "late_allowed": "逾期是否仍可申报（加收滞纳金）", "late": "是否已逾期", "year": "申报年度"})
def declaration_window(ctx: Context, date, year=None):
    y = _window_year(ctx, date, year)
    on = dt.date(y, 1, 1)
    deadline = ctx.one("employee.declaration_deadline", on).value
    opens = ctx.maybe("employee.declaration_opens_on", on)
    late_allowed = ctx.one("employee.declaration_late_allowed", on).value
    opens_on = opens.value if opens else None
    is_open = (opens_on is None or opens_on <= date) and date <= deadline
    late = date > deadline
    span = f"{opens_on.isoformat()} 至 {deadline.isoformat()}" if opens_on else f"截止 {deadline.isoformat()}（含当日）"
    if is_open:
        text = f"{date.isoformat()} 在 {y} 年度基数申报期（{span}）内。"
    elif late:
        text = f"{date.isoformat()} 已过 {y} 年度基数申报截止日 {deadline.isoformat()}；" + (
            "逾期仍可申报，按规定加收滞纳金。" if late_allowed else "申报期已结束，不再受理。")
    else:
        text = f"{date.isoformat()} 尚未到 {y} 年度基数申报期（{span}）。"
    ctx.step("employee.declaration_window", text)
    return {"open": is_open, "deadline": deadline.isoformat(), "opens_on": opens_on.isoformat() if opens_on else None,
            "late_allowed": late_allowed, "late": late, "year": y}


@question("employee.late_fee", "滞纳金",
          [Input("amount", "money", "欠缴金额（元）"), Input("due_date", "date", "缴费截止日"),
           Input("paid_on", "date", "实际缴纳日")],
          {"days": "滞纳天数", "late_fee": "滞纳金（元）", "daily_rate": "日费率"})
def late_fee(ctx: Context, amount, due_date, paid_on):
    if amount < 0:
        raise ctx.refuse("invalid_input", f"欠缴金额不能为负数，实际为 {yuan(amount)} 元。")
    rate = ctx.one("late_fee.daily_rate", due_date).value
    rounding = ctx.one("late_fee.rounding", due_date).value
    days = max(0, (paid_on - due_date).days)
    fee = round_money(EXACT.multiply(EXACT.multiply(amount, rate), days), rounding)
    if days == 0:
        text = f"{paid_on.isoformat()} 缴纳，未超过缴费截止日 {due_date.isoformat()}，不加收滞纳金。"
    else:
        text = (f"自缴费截止日 {due_date.isoformat()} 的次日起至 {paid_on.isoformat()}（含）共 {days} 天，"
                f"滞纳金 = {yuan(amount)} × {rate} × {days} = {yuan(fee)} 元（{ROUNDINGS[rounding][2]}）。")
    ctx.step("employee.late_fee", text)
    return {"days": days, "late_fee": fee, "daily_rate": rate}


@question("employee.payment_due", "缴费单据的缴费截止日",
          [MONTH, Input("kind", "choice", "单据类型（regular 正常缴费 / adjustment 补差）", required=False,
                        choices=("regular", "adjustment")),
           Input("generated_on", "date", "补差单据的生成日期（补差单据必填）", required=False)],
          {"due_date": "缴费截止日（含当日）", "source": "依据（notice 通知所定日期 / monthly_day 每月截止日 / "
                                                  "after_generation 补差生成后天数）"})
def payment_due(ctx: Context, month, kind="regular", generated_on=None):
    """The last day a bill may be paid without a late fee (含当日): a regular bill by the date a
    notice gives for its month, else by a configured day of each month; an adjusting bill a
    configured number of days after it was generated. Nothing configured: not_configured (no
    late fee is then charged)."""
    kind = kind or "regular"
    on = month.first_day
    if kind == "adjustment":
        if generated_on is None:
            raise ctx.refuse("invalid_input", "补差单据须给出生成日期 generated_on。")
        days = ctx.maybe("employee.adjustment_due_days", on)
        if days is None:
            raise ctx.not_configured("employee.adjustment_due_days", on, detail="通知未规定补差单据的缴费期限")
        due = generated_on + dt.timedelta(days=days.value)
        ctx.step("employee.payment_due.adjustment",
                 f"{month} 补差单据于 {generated_on.isoformat()} 生成，{days.value} 天内缴纳，"
                 f"截止 {due.isoformat()}（含当日）" + _overlay_text(days) + "。")
        return {"due_date": due.isoformat(), "source": "after_generation"}
    fixed = ctx.maybe("employee.payment_due_date", on)
    if fixed is not None:
        ctx.step("employee.payment_due", f"{month} 缴费单据的缴费截止日为 {fixed.value.isoformat()}（含当日）"
                 + _overlay_text(fixed) + "。")
        return {"due_date": fixed.value.isoformat(), "source": "notice"}
    rule = ctx.maybe("employee.payment_due_day", on)
    if rule is None:
        raise ctx.not_configured("employee.payment_due_date", on, detail="通知未规定该月缴费单据的缴费截止日")
    target = month.next() if rule.value["month_offset"] else month
    due = dt.date(target.year, target.month, rule.value["day"])
    ctx.step("employee.payment_due.monthly",
             f"{month} 缴费单据于{'次月' if rule.value['month_offset'] else '当月'} {rule.value['day']} 日前缴纳，"
             f"截止 {due.isoformat()}（含当日）" + _overlay_text(rule) + "。")
    return {"due_date": due.isoformat(), "source": "monthly_day"}


def _time_point(ctx: Context, year, month) -> dt.date:
    """The day a year-bound rule is read on: values a notice sets for one year hold for that year
    only, so a question reading them needs the year (or a month of it); no "latest" fallback."""
    if month is not None and year is not None and month.year != year:
        raise ctx.refuse("invalid_input", f"月份 {month} 不在申报年度 {year} 内。")
    if month is not None:
        return month.first_day
    if year is not None:
        return dt.date(year, 1, 1)
    raise ctx.refuse("invalid_input", "缺少输入 year（申报年度）或 month（月份）：按年度规定的比例只适用于该年度。")


@question("employee.self_inspection", "按最低基数缴费人数占比与自查自纠",
          [Input("contributors", "int", "本单位缴费人数"), Input("at_floor", "int", "按最低缴费基数缴费的人数"),
           Input("year", "year", "申报年度（与月份二者给出其一）", required=False),
           Input("month", "month", "月份（可代替年度）", required=False)],
          {"required": "是否须自查自纠", "share": "占比", "threshold": "比例界限（超过即须自查）"})
def self_inspection(ctx: Context, contributors, at_floor, year=None, month=None):
    on = _time_point(ctx, year, month)
    entry = ctx.one("employee.self_inspection_threshold", on, period=None if month is not None else f"{year} 年度")
    if contributors <= 0 or at_floor < 0 or at_floor > contributors:
        raise ctx.refuse("invalid_input", f"缴费人数应大于 0，按最低基数缴费人数应在 0 至缴费人数之间"
                                          f"（实际：缴费人数 {contributors}，最低基数人数 {at_floor}）。")
    threshold = entry.value
    required = Decimal(at_floor) > EXACT.multiply(threshold, contributors)
    share = EXACT.divide(Decimal(at_floor), Decimal(contributors)).quantize(Decimal("0.0001"))
    compare = "超过" if required else "未超过"
    ctx.step("employee.self_inspection",
             f"按最低缴费基数缴费 {at_floor} 人 / 缴费 {contributors} 人 = {share}，{compare} {threshold}"
             + ("，须进行自查自纠。" if required else "，无须自查自纠。"))
    return {"required": required, "share": share, "threshold": threshold}


@question("employee.wage_total_drop", "申报工资总额比上年度下降是否达到稽核风险提示",
          [Input("year", "year", "申报年度"), Input("previous_total", "money", "上年度申报工资总额（元）"),
           Input("current_total", "money", "本年度申报工资总额（元）")],
          {"flagged": "是否提示疑似少报瞒报", "drop": "下降比例", "threshold": "比例界限（超过即提示）"})
def wage_total_drop(ctx: Context, year, previous_total, current_total):
    """聊城 五 names 少报漏报瞒报工资总额 among what auditors go after, but no notice says how far
    below last year's a total must fall to be suspected: not_configured until a file says."""
    on = dt.date(year, 1, 1)
    entry = ctx.one("employee.wage_total_drop_threshold", on, period=f"{year} 年度")
    if previous_total <= 0 or current_total < 0:
        raise ctx.refuse("invalid_input", "上年度工资总额应大于 0，本年度工资总额不能为负。")
    drop = EXACT.divide(previous_total - current_total, previous_total).quantize(Decimal("0.0001"))
    flagged = drop > entry.value
    ctx.step("employee.wage_total_drop",
             f"工资总额由 {yuan(previous_total)} 元变为 {yuan(current_total)} 元，下降 {drop}，"
             f"{'超过' if flagged else '未超过'} {entry.value}。")
    return {"flagged": flagged, "drop": drop, "threshold": entry.value}


@question("employee.headcount_drop", "申报职工人数比上年度减少是否达到稽核风险提示",
          [Input("year", "year", "申报年度"), Input("previous_people", "int", "上年度申报职工人数"),
           Input("current_people", "int", "本年度申报职工人数")],
          {"flagged": "是否提示疑似少报瞒报职工人数", "drop": "减少比例", "threshold": "比例界限（超过即提示）"})
def headcount_drop(ctx: Context, year, previous_people, current_people):
    """聊城 五 names 少报漏报瞒报…职工人数 among what is dealt with, but no notice says how far
    below last year's a headcount must fall to be suspected: not_configured until a file says."""
    entry = ctx.one("employee.headcount_drop_threshold", dt.date(year, 1, 1), period=f"{year} 年度")
    if previous_people <= 0 or current_people < 0:
        raise ctx.refuse("invalid_input", "上年度职工人数应大于 0，本年度职工人数不能为负。")
    drop = EXACT.divide(Decimal(previous_people - current_people), Decimal(previous_people)).quantize(Decimal("0.0001"))
    flagged = drop > entry.value
    ctx.step("employee.headcount_drop",
             f"职工人数由 {previous_people} 人变为 {current_people} 人，减少比例 {drop}，"
             f"{'超过' if flagged else '未超过'} {entry.value}。")
    return {"flagged": flagged, "drop": drop, "threshold": entry.value}


@question("employee.new_hire_base", "新参保（增员）人员的缴费基数",
          [MONTH, Input("wage", "money", "申报的月工资（元），未申报可空", required=False), *AVERAGE],
          {"base": "缴费基数（元/月）", "clamped": "floor 保底 / ceiling 封顶 / none；未申报工资时 floor"})
def new_hire_base(ctx: Context, month, wage=None, annual_average_wage=None, published_on=None):
    """With a declared wage: the wage clamped (保底封顶, ``employee.base``). Without one, what a
    file says the base is (``employee.new_hire_base_without_wage``); the notices are silent."""
    if wage is not None:
        values = base(ctx, month, wage, annual_average_wage, published_on)
        return {"base": values["base"], "clamped": values["clamped"]}
    rule = ctx.one("employee.new_hire_base_without_wage", month.first_day)
    b = _bounds(ctx, month, annual_average_wage, published_on)
    ctx.step("employee.new_hire_base", f"未申报工资：按{rule.period_text()}的规定以下限 {yuan(b.floor)} 元为缴费基数。")
    return {"base": b.floor, "clamped": "floor"}


@question("employee.staff_change_month", "增减员生效月份可追溯到哪个月",
          [MONTH, Input("today", "date", "办理日期")],
          {"allowed": "生效月份是否可以办理", "earliest": "最早可办理的生效月份", "months": "可追溯的月数"})
def staff_change_month(ctx: Context, month, today):
    """The earliest effective month a staff change (增员、减员) may take, counted back from the
    month it is done in; no notice gives it: not_configured until a file says."""
    entry = ctx.one("employee.staff_change_backdate_months", today)
    earliest = Month.of(today) + (-entry.value)
    allowed = month >= earliest
    ctx.step("employee.staff_change_month",
             f"办理日期 {today.isoformat()}，可追溯 {entry.value} 个月，最早生效月份 {earliest}；"
             f"{month} {'可以' if allowed else '不能'}办理。")
    return {"allowed": allowed, "earliest": str(earliest), "months": entry.value}


@question("employee.required_materials", "基数申报须上传的材料", [Input("year", "year", "申报年度")],
          {"materials": "材料列表（code、title、retiree 是否退休人员申报用、requirement 要求）"})
def required_materials(ctx: Context, year):
    entries = ctx.all("employee.required_materials", dt.date(year, 1, 1))
    if not entries:
        raise ctx.not_configured("employee.required_materials", dt.date(year, 1, 1))
    materials = [{"code": e.value["code"], "title": e.value["title"], "retiree": e.value["retiree"],
                  "requirement": e.value["requirement"], "section": e.section} for e in entries]
    active = "、".join(m["title"] for m in materials if not m["retiree"]) or "无"
    retiree = "、".join(m["title"] for m in materials if m["retiree"]) or "无"
    ctx.step("employee.required_materials", f"{year} 年度在职人员基数申报须上传：{active}；退休人员申报须上传：{retiree}。")
    return {"materials": materials}


@question("employee.retiree_allotment_base", "退休人员医疗保险个人账户划入基数",
          [MONTH, Input("pension", "money", "申报的退休金（养老金，元/月）")],
          {"base": "划入基数（元/月）", "redeclaration_allowed": "养老金调整后可重新申报"})
def retiree_allotment_base(ctx: Context, month, pension):
    ctx.one("employee.retiree_allotment_base_rule", month.first_day)
    again = ctx.maybe("employee.retiree_redeclaration_allowed", month.first_day)
    if pension <= 0:
        raise ctx.refuse("invalid_input", f"退休金应大于 0，实际为 {yuan(pension)} 元。")
    ctx.step("employee.retiree_allotment_base",
             f"退休人员医疗保险个人账户划入基数按申报的退休金确定：{yuan(pension)} 元（通知未规定上下限）。")
    return {"base": pension, "redeclaration_allowed": bool(again and again.value)}


@question("employee.industry_wage_guideline", "行业工资指导线",
          [Input("year", "year", "年度"), Input("industry", "text", "行业", required=False)],
          {"guideline": "行业工资指导线（元/月）"})
def industry_wage_guideline(ctx: Context, year, industry=""):
    on = dt.date(year, 1, 1)
    entries = ctx.find("employee.industry_wage_guideline", on)
    if not entries:
        raise ctx.not_configured("employee.industry_wage_guideline", on,
                                 detail="通知未给出行业工资指导线的数额")
    if not industry:
        raise ctx.refuse("invalid_input", "请给出行业（industry）。")
    entry = ctx.maybe("employee.industry_wage_guideline", on, key=industry)
    if entry is None:
        raise ctx.not_configured("employee.industry_wage_guideline", on, key=industry)
    ctx.step("employee.industry_wage_guideline", f"{industry} {year} 年度行业工资指导线 {yuan(entry.value['amount'])} 元/月。")
    return {"guideline": entry.value["amount"]}


@question("employee.contribution_rate", "职工医保缴费费率",
          [MONTH, Input("payer", "choice", "缴费方", required=False, choices=("unit", "individual"))],
          {"rate": "费率"})
def contribution_rate(ctx: Context, month, payer="unit"):
    payer = payer or "unit"
    entry = ctx.maybe("employee.contribution_rate", month.first_day, key=payer)
    if entry is None:
        raise ctx.not_configured("employee.contribution_rate", month.first_day, key=payer,
                                 detail="通知未规定缴费费率")
    ctx.step("employee.contribution_rate", f"{month} {'单位' if payer == 'unit' else '个人'}缴费费率 {entry.value['rate']}"
             + _overlay_text(entry) + "。")
    return {"rate": entry.value["rate"]}


def _overlay_text(*entries) -> str:
    labels = sorted({e.overlay for e in entries if e is not None and e.overlay})
    return f"（{'；'.join(labels)}）" if labels else ""


@question("employee.contribution", "职工医保单位缴费和个人缴费（按缴费基数和费率）",
          [MONTH, Input("base", "money", "缴费基数（元/月）")],
          {"unit_rate": "单位费率", "individual_rate": "个人费率", "unit_share": "单位缴费（元）",
           "individual_share": "个人缴费（元）", "total": "合计（元）", "rounding": "取整规则"})
def contribution(ctx: Context, month, base):
    """A month's unit and individual contributions on one base: base × rate, each rounded by the
    policy's named rule (the shares are rounded separately, the total is their sum)."""
    if base < 0:
        raise ctx.refuse("invalid_input", f"缴费基数不能为负数，实际为 {yuan(base)} 元。")
    on = month.first_day
    unit = ctx.maybe("employee.contribution_rate", on, key="unit")
    if unit is None:
        raise ctx.not_configured("employee.contribution_rate", on, key="unit", detail="通知未规定缴费费率")
    individual = ctx.maybe("employee.contribution_rate", on, key="individual")
    if individual is None:
        raise ctx.not_configured("employee.contribution_rate", on, key="individual", detail="通知未规定缴费费率")
    rounding = ctx.one("employee.contribution_rounding", on)
    rule = rounding.value
    unit_rate, individual_rate = unit.value["rate"], individual.value["rate"]
    unit_share = round_money(EXACT.multiply(base, unit_rate), rule)
    individual_share = round_money(EXACT.multiply(base, individual_rate), rule)
    ctx.step("employee.contribution",
             f"{month} 缴费基数 {yuan(base)} 元：单位缴费 = {yuan(base)} × {unit_rate} = {yuan(unit_share)} 元，"
             f"个人缴费 = {yuan(base)} × {individual_rate} = {yuan(individual_share)} 元（{ROUNDINGS[rule][2]}）"
             + _overlay_text(unit, individual, rounding) + "。")
    return {"unit_rate": unit_rate, "individual_rate": individual_rate, "unit_share": unit_share,
            "individual_share": individual_share, "total": unit_share + individual_share, "rounding": rule}


@question("employee.retiree_allotment", "退休人员医疗保险个人账户划入额",
          [MONTH, Input("allotment_base", "money", "核定的个人账户划入基数（元/月）")],
          {"allotment": "每月划入额（元）", "rate": "划入比例", "rounding": "取整规则"})
def retiree_allotment(ctx: Context, month, allotment_base):
    if allotment_base < 0:
        raise ctx.refuse("invalid_input", f"划入基数不能为负数，实际为 {yuan(allotment_base)} 元。")
    on = month.first_day
    rate = ctx.maybe("employee.retiree_allotment_rate", on)
    if rate is None:
        raise ctx.not_configured("employee.retiree_allotment_rate", on, detail="通知未规定退休人员个人账户划入比例")
    rounding = ctx.one("employee.retiree_allotment_rounding", on)
    amount = round_money(EXACT.multiply(allotment_base, rate.value), rounding.value)
    ctx.step("employee.retiree_allotment",
             f"{month} 划入基数 {yuan(allotment_base)} 元 × {rate.value} = {yuan(amount)} 元"
             f"（{ROUNDINGS[rounding.value][2]}）" + _overlay_text(rate, rounding) + "。")
    return {"allotment": amount, "rate": rate.value, "rounding": rounding.value}



@question("employee.commitment_letter", "基数申报承诺书", [Input("year", "year", "申报年度")],
          {"title": "标题", "opening": "开头语", "clauses": "承诺事项（按顺序）",
           "signature_lines": "落款栏（签名、盖章处）"})
def commitment_letter(ctx: Context, year):
    on = dt.date(year, 1, 1)
    entry = ctx.one("employee.commitment_letter", on, period=f"{year} 年度")
    v = entry.value
    ctx.step("employee.commitment_letter",
             f"{year} 年度基数申报承诺书《{v['title']}》：承诺 {len(v['clauses'])} 项，"
             f"落款：{'、'.join(v['signature_lines'])}。")
    return {"title": v["title"], "opening": v["opening"], "clauses": list(v["clauses"]),
            "signature_lines": list(v["signature_lines"])}


@question("employee.online_notice", "网上办事须知", [Input("year", "year", "申报年度")],
          {"required": "申报前须阅读并确认", "title": "须知标题", "points": "确认事项（按顺序）"})
def online_notice(ctx: Context, year):
    on = dt.date(year, 1, 1)
    v = ctx.one("employee.online_notice", on, period=f"{year} 年度").value
    if v["required"]:
        ctx.step("employee.online_notice",
                 f"{year} 年度网上申报前须阅读并确认《{v['title']}》（确认事项 {len(v['points'])} 项）。")
    else:
        ctx.step("employee.online_notice", f"{year} 年度网上申报前无须确认《{v['title']}》。")
    return {"required": bool(v["required"]), "title": v["title"], "points": list(v["points"])}


@question("employee.base_report_form", "基数申报表的份数与备注", [Input("year", "year", "申报年度")],
          {"copies": "份数", "holders": "留存单位（各一份）", "note": "表下备注"})
def base_report_form(ctx: Context, year):
    on = dt.date(year, 1, 1)
    v = ctx.one("employee.base_report_form", on, period=f"{year} 年度").value
    ctx.step("employee.base_report_form",
             f"{year} 年度基数申报表一式 {v['copies']} 份，{'、'.join(v['holders'])}各一份。")
    return {"copies": v["copies"], "holders": list(v["holders"]), "note": v["note"]}
