"""The progress figures (征缴进度), read through the reader's scope.

``progress(user, region, year, level, parent=None, as_of=None)`` gives one row per division of a
level (county, township, village) inside a pooling region, or inside ``parent``: the target (参保任务
from the notices' annexes, where one is set for that division), registered, paid, paid with a
subsidy (by hardship category), the amounts collected (the person's own part, the assistance
fund's part, family mutual-aid accounts), the completion (paid ÷ target) and the people paid in
the seven days before. Each figure is read once per village by a grouped statement of the app
that owns it (``yibao.resident.selectors.enrolment_counts``, ``yibao.collection.selectors.progress``)
and added up here by the division tree, so a city and a township cost one statement each.

A division is shown only when the whole of it lies in the reader's scope: a township clerk
sees their township and its villages, a village agent their village; a county row is not shown to
them. ``as_of`` gives the figures as they stood at the end of that day (the weekly report's "last
week"). The employee scheme's declaration progress per agency is ``declarations``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from yibao import clock
from yibao.access.scoping import scope_of
from yibao.collection.selectors import progress as money
from yibao.employer import selectors as employer
from yibao.regions import selectors as regions
from yibao.regions.models import Division, Level
from yibao.resident import selectors as resident

from .. import errors, rules

LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)
LEVEL_LABELS = {Level.COUNTY: "县（市、区）", Level.TOWNSHIP: "乡镇（街道）", Level.VILLAGE: "村（居）"}
BELOW = {Level.CITY: Level.COUNTY, Level.COUNTY: Level.TOWNSHIP, Level.TOWNSHIP: Level.VILLAGE}
DEPTH = {Level.PROVINCE: 0, Level.CITY: 1, Level.COUNTY: 2, Level.TOWNSHIP: 3, Level.VILLAGE: 4}
FEN = Decimal("0.01")
RATIO = Decimal("0.0001")
ZERO = Decimal("0.00")
WEEK = dt.timedelta(days=7)


@dataclass
class ProgressRow:
    key: str
    code: str
    name: str
    level: str
    target: int | None = None
    registered: int = 0
    paid: int = 0
    subsidised: int = 0
    amount_individual: Decimal = ZERO
    amount_fund: Decimal = ZERO
    amount_family: Decimal = ZERO
    paid_week_before: int = 0             # paid as the figures stood seven days before
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def amount_total(self) -> Decimal:
        return self.amount_individual + self.amount_fund + self.amount_family

    @property
    def completion(self) -> Decimal | None:
        """paid ÷ target (a ratio, four places), or None where no target is set."""
        return ratio(self.paid, self.target)

    @property
    def completion_percent(self) -> str:
        """The completion as a percentage with two decimals ("—" where no target is set)."""
        c = self.completion
        return "—" if c is None else f"{(c * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"

    @property
    def completion_week_before(self) -> Decimal | None:
        return ratio(self.paid_week_before, self.target)

    @property
    def paid_change(self) -> int:
        """People paid in the last seven days (the change since last week)."""
        return self.paid - self.paid_week_before

    @property
    def completion_change(self) -> Decimal | None:
        if self.completion is None or self.completion_week_before is None:
            return None
        return self.completion - self.completion_week_before

    @property
    def has_children(self) -> bool:
        return self.level in BELOW


def ratio(part: int, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass
class Progress:
    region: Division
    year: int
    level: str
    parent: Division | None
    as_of: dt.date                      # the day the figures stand at (today when not asked)
    rows: list[ProgressRow]
    total: ProgressRow
    villages: list[str] | None          # the villages read (None: the whole region)
    tallied: list[str] = field(default_factory=list)     # the divisions whose counters make up the report
    flows: tuple[list[dict], list[dict]] | None = None   # payments per day, per payer and channel

    @property
    def categories(self) -> list[str]:
        return sorted({c for r in self.rows for c in r.by_category})


def _reached_region(user, region_key: str) -> Division:
    region = regions.pooling_regions().filter(key=region_key).first()
    scope = scope_of(user)
    if region is None or not (scope.sees_everything or scope.holds(region.path)
                              or (scope.division_path and scope.division_path.startswith(region.path))):
        raise errors.region_not_found(region_key)
    return region


def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise errors.ReportError("保险年度应为 2000 至 2100 之间的四位年份。", code=errors.BAD_YEAR,
                                 fields={"insurance_year": year})
    return year


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise errors.ReportError("统计层级应为 county（县区）、township（乡镇街道）或 village（村居）。",
                                 code=errors.BAD_LEVEL, fields={"level": level})
    return level


def default_view(user) -> dict | None:
    """Where a reader's dashboard opens: the first pooling region they reach, the insurance year
    being collected, and the level below their own division (a city's counties, a county's
    townships, a township's villages; a village agent their own village)."""
    scope = scope_of(user)
    for region in regions.pooling_regions():
        if scope.sees_everything or scope.holds(region.path):
            return {"region": region.key, "year": resident.coming_year(region.key, clock.today()),
                    "level": BELOW.get(region.level, Level.TOWNSHIP), "parent": None}
        if scope.division_path.startswith(region.path):
            own = user.division
            if own.level == Level.VILLAGE:
                return {"region": region.key, "year": resident.coming_year(region.key, clock.today()),
                        "level": Level.VILLAGE, "parent": own.parent_id}
            return {"region": region.key, "year": resident.coming_year(region.key, clock.today()),
                    "level": BELOW.get(own.level, Level.VILLAGE), "parent": own.key}
    return None


def progress(user, region: str, year: int | None, level: str | None, parent: str | None = None,
             as_of: dt.date | None = None) -> Progress:
    """The rows of ``level`` inside ``region`` (or ``parent``, a division of it) in the reader's
    scope, with their figures for insurance year ``year`` as they stand at the end of ``as_of``
    (now when None), and the total of those rows. Without a year, the one being collected (the
    engine's); without a level, the one below the region's or the parent's."""
    reg = _reached_region(user, region)
    if year is None:
        year = resident.coming_year(reg.key, as_of or clock.today())
    if not level:
        anchor_level = Division.objects.filter(key=parent).values_list("level", flat=True).first() if parent else None
        level = BELOW.get(anchor_level or reg.level, Level.VILLAGE)
    year, level = _check_year(year), _check_level(level)
    scope = scope_of(user)
    anchor = reg
    if parent:
        anchor = (Division.objects.filter(key=parent, path__startswith=reg.path).first())
        if anchor is None or not (scope.sees_everything or scope.holds(anchor.path)
                                  or scope.division_path.startswith(anchor.path)):
            raise errors.parent_not_found(parent)
        if DEPTH.get(anchor.level, 9) >= DEPTH[level]:
            raise errors.ReportError(f"“{anchor.name}”是{anchor.get_level_display()}，其下没有这一层级"
                                     f"（{LEVEL_LABELS[level]}）的区划。", code=errors.BAD_LEVEL,
                                     fields={"level": level, "parent": parent})
    # the part of the anchor's subtree the reader reaches: the anchor's, or the scope's if narrower
    within = anchor.path
    if not scope.sees_everything and scope.division_path.startswith(anchor.path):
        within = scope.division_path
    tree = list(Division.objects.filter(path__startswith=within).exclude(key=anchor.key)
                .order_by().values_list("key", "code", "name", "level", "path"))
    if within != anchor.path:   # the scope's own division is inside the anchor: include it
        own = Division.objects.filter(path=within).values_list("key", "code", "name", "level", "path").first()
        if own:
            tree.append(own)
    if level == anchor.level:
        tree = [(anchor.key, anchor.code, anchor.name, anchor.level, anchor.path)] + tree
    rows = {k: ProgressRow(k, c or k, n, lv) for k, c, n, lv, _p in tree if lv == level}
    # every division below (or at) the rows' level, mapped to the row it adds up into
    into: dict[str, str] = {}
    for k, _c, _n, _lv, p in tree:
        for part in p.split("/"):
            if part in rows:
                into[k] = part
                break
    whole_region = anchor.key == reg.key and within == reg.path
    villages = None if whole_region else sorted(into)
    today = as_of or clock.today()
    week_before = today - WEEK

    if rows:
        # each row's division with everything below it, from the counters the writes keep
        counts = resident.tallied_counts(reg.key, year, list(rows), as_of=as_of, then=week_before)
        amounts, subsidised, by_category = money.tallied(reg.key, year, list(rows), as_of=as_of)
        targets = dict(regions.targets(reg.key, year).filter(division_id__in=list(rows))
                       .values_list("division_id", "target"))
        for key, row in rows.items():
            row.target = targets.get(key)
        for key, figures in counts.items():
            if (row := rows.get(key)) is not None:
                row.registered += figures["registered"]
                row.paid += figures["paid"]
                row.paid_week_before += figures["paid_then"]
        for key, figures in amounts.items():
            if (row := rows.get(key)) is not None:
                row.amount_individual += figures["individual"]
                row.amount_fund += figures["fund"]
                row.amount_family += figures["family"]
        for key, n in subsidised.items():
            if (row := rows.get(key)) is not None:
                row.subsidised += n
        for (key, category), n in by_category.items():
            if (row := rows.get(key)) is not None:
                row.by_category[category] = row.by_category.get(category, 0) + n
    ordered = sorted(rows.values(), key=lambda r: r.code)
    for r in ordered:   # SQLite's sums lose the scale: amounts are given in yuan and fen
        r.amount_individual = Decimal(r.amount_individual).quantize(FEN)
        r.amount_fund = Decimal(r.amount_fund).quantize(FEN)
        r.amount_family = Decimal(r.amount_family).quantize(FEN)
    tallied = [reg.key] if whole_region else sorted(rows)
    return Progress(reg, year, level, anchor if parent else None, today, ordered, _total(anchor, ordered), villages,
                    tallied)


def _total(anchor: Division, rows: list[ProgressRow]) -> ProgressRow:
    total = ProgressRow(anchor.key, anchor.code or anchor.key, "合计", "total")
    categories: dict[str, int] = defaultdict(int)
    for r in rows:
        total.registered += r.registered
        total.paid += r.paid
        total.paid_week_before += r.paid_week_before
        total.subsidised += r.subsidised
        total.amount_individual += r.amount_individual
        total.amount_fund += r.amount_fund
        total.amount_family += r.amount_family
        for c, n in r.by_category.items():
            categories[c] += n
    total.by_category = dict(categories)
    # the rows' targets add up only where every row has one
    if rows and all(r.target is not None for r in rows):
        total.target = sum(r.target for r in rows)
    return total


def _flows(report: Progress) -> tuple[list[dict], list[dict]]:
    """The report's payments per day and per payer and channel (one statement, read once)."""
    if report.flows is None:
        report.flows = money.tallied_daily_and_channels(report.region.key, report.year, report.tallied,
                                                        as_of=report.as_of)
    return report.flows


def daily(report: Progress) -> list[dict]:
    """What was paid each day of the collection period (集中缴费期, the engine's) up to the
    report's day, days without payments included; days with payments outside the period too."""
    days = {d["day"]: dict(d) for d in _flows(report)[0]}
    period = rules.collection_period(report.region.key, report.year)
    if period:
        start, end = period
        day = start
        while day <= min(end, report.as_of):
            days.setdefault(day, {"day": day, "payments": 0, "amount": ZERO})
            day += dt.timedelta(days=1)
    return [{**d, "amount": Decimal(d["amount"]).quantize(FEN)} for _, d in sorted(days.items())]


def channel_mix(report: Progress) -> list[dict]:
    """Payments per payer and channel over the report's villages, largest amount first."""
    return [{**m, "amount": Decimal(m["amount"]).quantize(FEN)} for m in _flows(report)[1]]


# --- the employee scheme ---------------------------------------------------------------------------

@dataclass
class Declarations:
    region: Division
    year: int
    on: dt.date
    deadline: str | None     # the declaration deadline (None: the notice gives none)
    late: bool               # the deadline has passed: units that have not submitted are overdue
    rows: list[dict]
    total: dict


def declarations(user, region: str, year: int | None = None, on: dt.date | None = None) -> Declarations:
    """The employee scheme's declaration progress per agency (经办机构) in the reader's scope:
    units, declared, submitted, approved, confirmed, and overdue (past the engine's declaration
    deadline for the year, units that have not submitted)."""
    reg = _reached_region(user, region)
    on = on or clock.today()
    year = _check_year(on.year if year is None else year)
    window = rules.declaration_window(reg.key, year, on)
    late = bool(window and window["late"])
    rows = employer.declarations_by_agency(user, reg.key, year)
    for r in rows:
        r["overdue"] = r["not_submitted"] if late else 0
    keys = ("units", "declared", "submitted", "approved", "confirmed", "not_submitted", "overdue")
    total = {k: sum(r[k] for r in rows) for k in keys}
    return Declarations(reg, year, on, window["deadline"] if window else None, late, rows, total)


def regions_for(user) -> list[Division]:
    """The pooling regions a reader's dashboards may show."""
    scope = scope_of(user)
    return [r for r in regions.pooling_regions()
            if scope.sees_everything or scope.holds(r.path) or scope.division_path.startswith(r.path)]
