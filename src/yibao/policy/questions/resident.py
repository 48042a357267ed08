"""Resident scheme (城乡居民基本医疗保险): premium, subsidies, collection, coverage, refunds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..explain import Context
from ..params import Entry
from ..periods import first_day_of_next_month, period_end
from ..values import EXACT, round_money, yuan
from . import Input, question

YEAR = Input("insurance_year", "year", "保险年度（待遇享受年度，如 2024）")
CIVIL_CODE = ("civil_code", "第二百零一条、第二百零二条")


def _on(year: int) -> dt.date:
    return dt.date(year, 1, 1)


# --- premium and subsidies ----------------------------------------------------------------------

def _subsidy_amount(rule: dict, premium: Decimal) -> Decimal:
    if rule["rule"] == "full":
        return premium
    if rule["rule"] == "fixed":
        return min(rule["amount"], premium)
    return round_money(EXACT.multiply(premium, rule["rate"]))


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}"


def _rule_text(category: str, rule: dict, amount: Decimal, premium: Decimal) -> str:
    term = f"（通知用语：{rule['notice_term']}）" if rule.get("notice_term") else ""
    if rule["rule"] == "full":
        how = "全额资助"
    elif rule["rule"] == "fixed":
        how = f"定额资助 {yuan(rule['amount'])} 元" + ("（以个人缴费为限）" if rule["amount"] > premium else "")
    else:
        how = f"按个人缴费 {yuan(premium)} 元的 {_percent(rule['rate'])}% 资助（四舍五入到分）"
    return f"{category}{term}：{how}，资助 {yuan(amount)} 元"


@question("resident.premium", "居民医保个人缴费与资助",
          [YEAR, Input("categories", "categories", "困难群体类别（特困人员、低保对象、返贫致贫人口、易返贫致贫人口……，可为空）",
                       required=False)],
          {"standard": "个人缴费标准（元）", "subsidy": "资助金额（元）", "payable": "个人应缴（元）",
           "fiscal_subsidy": "人均财政补助标准（元；通知未规定时为空）", "subsidy_category": "适用资助的类别"})
def premium(ctx: Context, insurance_year, categories=()):
    on = _on(insurance_year)
    vocabulary = ctx.policies.hardship_categories
    unknown = [c for c in categories if c not in vocabulary]
    if unknown:
        raise ctx.refuse("invalid_input", f"未知的困难群体类别：{'、'.join(unknown)}；可用类别：{'、'.join(vocabulary)}。")
    categories = [c for c in vocabulary if c in set(categories)]
    standard = ctx.one("resident.individual_premium", on).value
    ctx.step("resident.premium.standard", f"{insurance_year} 保险年度城乡居民医保个人缴费标准 {yuan(standard)} 元/人。")
    fiscal = ctx.maybe("resident.fiscal_subsidy", on)
    if fiscal is not None:
        ctx.step("resident.premium.fiscal", f"人均财政补助标准 {yuan(fiscal.value)} 元。")
    else:
        ctx.not_configured("resident.fiscal_subsidy", on, detail="fiscal_subsidy 为空，不影响个人缴费的计算")
    subsidy, chosen = Decimal("0.00"), None
    if categories:
        subsidy, chosen = _hardship(ctx, on, categories, standard)
    else:
        ctx.step("resident.premium.no_category", "不属于困难群体资助对象，无资助。")
    payable = standard - subsidy
    ctx.step("resident.premium.payable", f"个人应缴 = {yuan(standard)} − {yuan(subsidy)} = {yuan(payable)} 元。")
    return {"standard": standard, "subsidy": subsidy, "payable": payable,
            "fiscal_subsidy": fiscal.value if fiscal else None, "subsidy_category": chosen}


def _hardship(ctx: Context, on: dt.date, categories: list[str], standard: Decimal):
    candidates: list[tuple[Decimal, str]] = []
    silent: list[tuple[str, Entry | None]] = []
    for cat in categories:
        entry = ctx.maybe("resident.hardship_subsidy", on, key=cat)
        if entry is None or entry.value["rule"] == "unspecified":
            silent.append((cat, entry))
            continue
        rule = entry.value
        excluded_by = [x for x in rule["excludes"] if x in categories]
        if excluded_by:
            ctx.step("resident.hardship.excluded",
                     f"{cat}的资助不含已纳入{'、'.join(rule['excludes'])}范围的人员；此人属于{'、'.join(excluded_by)}，"
                     f"不适用{cat}的资助。")
            continue
        amount = _subsidy_amount(rule, standard)
        candidates.append((amount, cat))
        ctx.step("resident.hardship.rule", _rule_text(cat, rule, amount, standard) + "。")
    best = max(candidates, key=lambda c: c[0]) if candidates else (Decimal("0.00"), None)
    if silent:
        cat, entry = silent[0]
        if best[0] >= standard:
            ctx.step("resident.hardship.silent_but_full",
                     f"{'、'.join(c for c, _ in silent)}的资助标准政策未规定，但已按{best[1]}全额资助，"
                     "资助不会更多。")
        else:
            detail = (entry.note or "通知未给出资助标准") if entry is not None else "通知未规定此类人员的资助"
            raise ctx.not_configured("resident.hardship_subsidy", on, key=cat, detail=detail)
    if len(candidates) > 1:
        ctx.one("resident.hardship_combination", on)
        ctx.step("resident.hardship.combine",
                 f"同时属于多类困难群体，资助不叠加，取最有利者：{best[1]}，资助 {yuan(best[0])} 元。")
    return best


@question("resident.hardship_categories", "本统筹区资助的困难群体类别", [YEAR],
          {"categories": "通知规定资助的困难群体类别（按政策文件的用语）"})
def hardship_categories(ctx: Context, insurance_year):
    entries = ctx.all("resident.hardship_subsidy", _on(insurance_year))
    if not entries:
        raise ctx.not_configured("resident.hardship_subsidy", _on(insurance_year), detail="通知未规定困难群体资助")
    categories = [e.value["category"] for e in entries]
    ctx.step("resident.hardship_categories", f"{insurance_year} 保险年度资助的困难群体类别：{'、'.join(categories)}。")
    return {"categories": categories}


# --- collection period -------------------------------------------------------------------------

def _collection(ctx: Context, year: int):
    on = _on(year)
    period = ctx.one("resident.collection_period", on).value
    days = ctx.maybe("resident.collection_days_of_month", on)
    return period, (days.value if days else None)


def _days_text(days) -> str:
    return f"每月 {days['first']}—{days['last']} 日可办理缴费" if days else "期内每日均可缴费（通知未限定每月缴费日）"


@question("resident.collection_period", "集中缴费期", [YEAR],
          {"start": "开始日期", "end": "结束日期", "days_of_month": "每月可缴费日（如 1-25；无限定为空）",
           "adjustable": "通知是否声明可适时调整"})
def collection_period(ctx: Context, insurance_year):
    period, days = _collection(ctx, insurance_year)
    ctx.step("resident.collection_period",
             f"{insurance_year} 保险年度集中缴费期 {period['start'].isoformat()} 至 {period['end'].isoformat()}，"
             f"{_days_text(days)}" + ("；可根据实际情况适时调整。" if period["adjustable"] else "。"))
    return {"start": period["start"].isoformat(), "end": period["end"].isoformat(),
            "days_of_month": f"{days['first']}-{days['last']}" if days else None, "adjustable": period["adjustable"]}


@question("resident.payment_window", "当日是否可在集中缴费期缴费", [YEAR, Input("date", "date", "日期")],
          {"open": "是否可缴费", "start": "集中缴费期开始", "end": "集中缴费期结束", "days_of_month": "每月可缴费日"})
def payment_window(ctx: Context, insurance_year, date):
    period, days = _collection(ctx, insurance_year)
    in_period = period["start"] <= date <= period["end"]
    day_ok = days is None or days["first"] <= date.day <= days["last"]
    is_open = in_period and day_ok
    if not in_period:
        text = f"{date.isoformat()} 不在集中缴费期 {period['start'].isoformat()} 至 {period['end'].isoformat()} 内。"
    elif not day_ok:
        text = f"{date.isoformat()} 在集中缴费期内，但{_days_text(days)}，当日不能缴费。"
    else:
        text = f"{date.isoformat()} 在集中缴费期内（{_days_text(days)}），可以缴费。"
    ctx.step("resident.payment_window", text)
    return {"open": is_open, "start": period["start"].isoformat(), "end": period["end"].isoformat(),
            "days_of_month": f"{days['first']}-{days['last']}" if days else None}


# --- benefit start -----------------------------------------------------------------------------

def _year_end(ctx: Context, year: int) -> dt.date:
    return ctx.one("resident.benefit_period", _on(year)).value["end"]


def _ordinary(ctx: Context, year: int, paid_on: dt.date) -> tuple[dt.date, dt.date]:
    on = _on(year)
    period, days = _collection(ctx, year)
    benefit = ctx.one("resident.benefit_period", on).value
    if period["start"] <= paid_on <= period["end"]:
        if days and not days["first"] <= paid_on.day <= days["last"]:
            raise ctx.refuse("not_eligible", f"集中缴费期内{_days_text(days)}，{paid_on.isoformat()} 不是缴费日。")
        ctx.step("resident.benefit.ordinary",
                 f"{paid_on.isoformat()} 在集中缴费期（{period['start'].isoformat()} 至 {period['end'].isoformat()}）内缴费，"
                 f"{year} 保险年度待遇享受期 {benefit['start'].isoformat()} 至 {benefit['end'].isoformat()}。")
        return benefit["start"], benefit["end"]
    if paid_on < period["start"]:
        raise ctx.refuse("not_eligible", f"{paid_on.isoformat()} 早于 {year} 保险年度集中缴费期开始日 "
                                         f"{period['start'].isoformat()}。")
    after = ctx.maybe("resident.benefit_after_collection_period", on)
    if after is None:
        raise ctx.not_configured("resident.benefit_after_collection_period", on,
                                 detail="通知未规定普通居民在集中缴费期后缴费的待遇享受时间")
    months = after.value["waiting_months"]
    start = period_end(paid_on, months) + dt.timedelta(days=1)
    if start > benefit["end"]:
        raise ctx.refuse("not_eligible", f"等待期满时 {year} 保险年度已结束。")
    ctx.cite_law(*CIVIL_CODE)
    ctx.step("resident.benefit.after_period",
             f"集中缴费期后 {paid_on.isoformat()} 缴费，待遇等待期 {months} 个月，自 {start.isoformat()} 起享受待遇。")
    return start, benefit["end"]


def _require(ctx: Context, value, name: str, title: str):
    if value is None:
        raise ctx.refuse("invalid_input", f"缺少输入 {name}（{title}）。")
    return value


def _newborn(ctx: Context, year: int, paid_on: dt.date, birth_date) -> tuple[dt.date, dt.date]:
    on = _on(year)
    rule = ctx.one("resident.newborn", on).value
    birth_date = _require(ctx, birth_date, "birth_date", "出生日期")
    if paid_on < birth_date:
        raise ctx.refuse("invalid_input", f"缴费日期 {paid_on.isoformat()} 早于出生日期 {birth_date.isoformat()}。")
    full, ordinary_after = rule["months_from_birth"], rule["months_ordinary_after"]
    end_full = period_end(birth_date, full)
    end_ordinary = period_end(birth_date, ordinary_after)
    year_start = ctx.one("resident.benefit_period", on).value["start"]
    year_end = _year_end(ctx, year)
    ctx.cite_law(*CIVIL_CODE)
    if paid_on <= end_full:
        start = birth_date
        text = (f"出生 {birth_date.isoformat()}，{full} 个月期间至 {end_full.isoformat()} 届满（出生当日不计入，"
                f"到期月对应日为最后一日），{paid_on.isoformat()} 缴费在期内，自出生之日起享受待遇。")
    elif paid_on <= end_ordinary:
        start = first_day_of_next_month(paid_on)
        text = (f"出生 {birth_date.isoformat()}，{paid_on.isoformat()} 缴费已超过 {full} 个月（{end_full.isoformat()} 届满）"
                f"但未超过 {ordinary_after} 个月（{end_ordinary.isoformat()} 届满），自缴费次月 {start.isoformat()} 起享受待遇。")
    else:
        ctx.step("resident.benefit.newborn_ordinary",
                 f"出生 {birth_date.isoformat()}，{paid_on.isoformat()} 缴费已超过 {ordinary_after} 个月"
                 f"（{end_ordinary.isoformat()} 届满），按普通居民缴费及享受待遇的规定执行。")
        return _ordinary(ctx, year, paid_on)
    if start < year_start:
        text += f"本次缴费对应 {year} 保险年度，待遇自 {year_start.isoformat()} 起。"
        start = year_start
    if start > year_end:
        raise ctx.refuse("not_eligible", text + f"但 {start.isoformat()} 已在 {year} 保险年度之后。")
    ctx.step("resident.benefit.newborn", text)
    return start, year_end


def _migrant(ctx: Context, year: int, paid_on: dt.date, moved_in_on, paid_at_origin) -> tuple[dt.date, dt.date]:
    on = _on(year)
    rule = ctx.one("resident.migrant", on).value
    period, _ = _collection(ctx, year)
    moved_in_on = _require(ctx, moved_in_on, "moved_in_on", "户籍迁入日期")
    paid_at_origin = _require(ctx, paid_at_origin, "paid_at_origin", "是否已在原户籍地缴纳当年居民医保费")
    if moved_in_on <= period["end"]:
        raise ctx.refuse("not_eligible", f"户籍迁入日期 {moved_in_on.isoformat()} 不在集中缴费期（至 {period['end'].isoformat()}）"
                                         "之后，不适用新迁入居民的规定，按普通居民参保缴费。")
    if paid_at_origin and rule["requires_not_paid_at_origin"]:
        raise ctx.refuse("not_eligible", "已在原户籍地缴纳当年居民医保费，不适用迁入地缴费的规定。")
    if paid_on < moved_in_on:
        raise ctx.refuse("invalid_input", f"缴费日期 {paid_on.isoformat()} 早于户籍迁入日期 {moved_in_on.isoformat()}。")
    start = first_day_of_next_month(paid_on)
    end = _year_end(ctx, year)
    if start > end:
        raise ctx.refuse("not_eligible", f"缴费次月 {start.isoformat()} 已在 {year} 保险年度之后。")
    ctx.step("resident.benefit.migrant",
             f"集中缴费期后（{moved_in_on.isoformat()}）跨统筹区迁入户籍、未在原户籍地缴费，{paid_on.isoformat()} 在迁入地缴费，"
             f"自缴费次月 {start.isoformat()} 起享受当年待遇至 {end.isoformat()}。")
    return start, end


def _back_payment(ctx: Context, year: int, paid_on: dt.date) -> tuple[dt.date, dt.date]:
    on = _on(year)
    rule = ctx.maybe("resident.back_payment_benefit", on)
    if rule is None:
        raise ctx.not_configured("resident.back_payment_benefit", on,
                                 detail="通知未规定补缴以前年度保费后何时享受待遇")
    months = rule.value["waiting_months"]
    start = period_end(paid_on, months) + dt.timedelta(days=1) if months else paid_on
    end = _year_end(ctx, year)
    if start > end:
        raise ctx.refuse("not_eligible", f"等待期满时 {year} 保险年度已结束。")
    if months:
        ctx.cite_law(*CIVIL_CODE)
    ctx.step("resident.benefit.back_payment",
             f"{paid_on.isoformat()} 补缴 {year} 保险年度保费，等待期 {months} 个月，自 {start.isoformat()} 起享受待遇。")
    return start, end


@question("resident.benefit_start", "待遇享受期",
          [YEAR, Input("kind", "choice", "参保人类别（普通、新生儿、迁入、补缴）",
                       choices=("ordinary", "newborn", "migrant", "back_payment")),
           Input("paid_on", "date", "缴费日期"),
           Input("birth_date", "date", "出生日期（新生儿）", required=False),
           Input("moved_in_on", "date", "户籍迁入日期（新迁入居民）", required=False),
           Input("paid_at_origin", "bool", "是否已在原户籍地缴纳当年居民医保费（新迁入居民）", required=False)],
          {"benefit_start": "待遇开始日期", "benefit_end": "待遇结束日期"})
def benefit_start(ctx: Context, insurance_year, kind, paid_on, birth_date=None, moved_in_on=None, paid_at_origin=None):
    if kind == "newborn":
        start, end = _newborn(ctx, insurance_year, paid_on, birth_date)
    elif kind == "migrant":
        start, end = _migrant(ctx, insurance_year, paid_on, moved_in_on, paid_at_origin)
    elif kind == "back_payment":
        start, end = _back_payment(ctx, insurance_year, paid_on)
    else:
        start, end = _ordinary(ctx, insurance_year, paid_on)
    return {"benefit_start": start.isoformat(), "benefit_end": end.isoformat()}


# --- refunds -----------------------------------------------------------------------------------

REASONS = {"death": "死亡", "employee_insurance": "参加职工医保", "insured_elsewhere": "在统筹区外参加居民或职工医保"}


@question("resident.refund", "居民医保退费",
          [YEAR, Input("reason", "choice", "退费原因", choices=tuple(REASONS)),
           Input("event_date", "date", "死亡或参加其他医保的日期"), Input("paid_on", "date", "缴费日期")],
          {"eligible": "是否可以退费"})
def refund(ctx: Context, insurance_year, reason, event_date, paid_on):
    on = _on(insurance_year)
    excluded_from = ctx.one("resident.refund_excluded_paid_on_or_after", on).value
    if reason == "death":
        limit = ctx.one("resident.refund_death_on_or_before", on).value
        event_ok = event_date <= limit
        event_text = f"死亡日期 {event_date.isoformat()} " + ("在" if event_ok else "不在") + f" {limit.isoformat()}（含本日）之前"
    else:
        limit = ctx.one("resident.refund_other_scheme_before", on).value
        event_ok = event_date < limit
        event_text = (f"{REASONS[reason]}日期 {event_date.isoformat()} " + ("在" if event_ok else "不在")
                      + f" {limit.isoformat()} 之前（不含本日）")
    paid_ok = paid_on < excluded_from
    paid_text = (f"缴费日期 {paid_on.isoformat()} 早于 {excluded_from.isoformat()}" if paid_ok else
                 f"{excluded_from.isoformat()}（含）之后参保缴费的不办理退费，缴费日期为 {paid_on.isoformat()}")
    eligible = event_ok and paid_ok
    ctx.step("resident.refund", f"{event_text}；{paid_text}；" + ("可以申请退费。" if eligible else "不能退费。"))
    return {"eligible": eligible}


# --- targets, family mutual aid, back payment ---------------------------------------------------

@question("resident.enrolment_targets", "参保任务", [YEAR],
          {"targets": "各单位参保任务（division_name、division_code、target）", "total": "合计", "unit": "单位"})
def enrolment_targets(ctx: Context, insurance_year):
    entry = ctx.one("resident.enrolment_targets", _on(insurance_year))
    value = entry.value
    ctx.step("resident.enrolment_targets",
             f"{insurance_year} 保险年度参保任务共 {len(value['divisions'])} 个单位，合计 {value['total']} {value['unit']}。")
    return {"targets": [dict(d) for d in value["divisions"]], "total": value["total"], "unit": value["unit"]}


@question("resident.family_mutual_aid", "家庭共济账户代缴居民医保费",
          [YEAR, Input("payer_scheme", "choice", "缴费人参加的医保", choices=("employee", "resident", "none"))],
          {"allowed": "是否可用家庭共济账户为家庭成员缴纳", "channels": "办理渠道"})
def family_mutual_aid(ctx: Context, insurance_year, payer_scheme):
    entry = ctx.one("resident.family_mutual_aid", _on(insurance_year))
    allowed = payer_scheme == entry.value["payer_scheme"]
    ctx.step("resident.family_mutual_aid",
             "参加职工医保的参保人员可以通过家庭共济账户为家庭成员中参加居民医保的人员缴费；"
             + ("缴费人参加职工医保，可以办理。" if allowed else "缴费人未参加职工医保，不能以家庭共济账户缴费。"))
    return {"allowed": allowed, "channels": list(entry.value["channels"])}


@question("resident.renewal_roster", "续保人员名册", [YEAR],
          {"made_by": "核准续保人群、制作名册的部门", "posted_by": "张贴公示的人员",
           "basis": "依据（文号与条款）"})
def renewal_roster(ctx: Context, insurance_year):
    entry = ctx.one("resident.renewal_roster", _on(insurance_year))
    number = entry.source.number or entry.source.title
    ctx.step("resident.renewal_roster", f"由{entry.value['made_by']}核准续保人群、制作续保人员名册，"
                                        f"交{entry.value['posted_by']}张贴公示。")
    return {"made_by": entry.value["made_by"], "posted_by": entry.value["posted_by"],
            "basis": f"{number} {entry.section}"}


@question("resident.back_payment", "新增参保和补缴以前年度保费", [YEAR],
          {"registration_required": "须先办理登记", "office": "办理机构", "documents": "须携带的证件"})
def back_payment(ctx: Context, insurance_year):
    entry = ctx.one("resident.back_payment", _on(insurance_year))
    ctx.step("resident.back_payment", f"新增参保和补缴以前年度保费的，须持{'、'.join(entry.value['documents'])}"
                                      f"到{entry.value['office']}办理参保或补缴登记。")
    return {"registration_required": True, "office": entry.value["office"], "documents": list(entry.value["documents"])}


# --- weekly progress report (一周一上报) -------------------------------------------------------

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@question("resident.progress_report_deadline", "每周报送筹资进展情况的时限",
          [YEAR, Input("date", "date", "报送周内的任一日期")],
          {"weekday": "报送日（1 为星期一 … 7 为星期日）", "time": "报送时刻（此时刻之前）",
           "due": "该周的报送时限（日期和时刻，YYYY-MM-DDTHH:MM）", "due_date": "该周的报送日",
           "required": "该周是否须报送（报送日在集中缴费期内）",
           "period_start": "集中缴费期开始", "period_end": "集中缴费期结束"})
def progress_report_deadline(ctx: Context, insurance_year, date):
    on = _on(insurance_year)
    rule = ctx.one("resident.progress_report_deadline", on).value
    period = ctx.one("resident.collection_period", on).value
    due_date = date - dt.timedelta(days=date.isoweekday() - 1) + dt.timedelta(days=rule["weekday"] - 1)
    required = period["start"] <= due_date <= period["end"]
    ctx.step("resident.progress_report_deadline",
             f"集中缴费期（{period['start'].isoformat()} 至 {period['end'].isoformat()}）内每周"
             f"{WEEKDAYS[rule['weekday'] - 1]} {rule['time']} 前报送；{date.isoformat()} 所在周的报送时限为 "
             f"{due_date.isoformat()} {rule['time']}，" + ("须报送。" if required else "不在集中缴费期内，无须报送。"))
    return {"weekday": rule["weekday"], "time": rule["time"], "due": f"{due_date.isoformat()}T{rule['time']}",
            "due_date": due_date.isoformat(), "required": required,
            "period_start": period["start"].isoformat(), "period_end": period["end"].isoformat()}
