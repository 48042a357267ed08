"""Opening cases from a region's figures for a year: the self-inspection list (潍坊 三(二)) and the
risk checks (聊城 五, closing paragraph of 基数申报流程). Each run is one transaction, holds the
region's row while it opens cases, and opens nothing twice: a case opened by a check carries a
source key, unique per unit, kind and year in the database.

What each check reads (decided and written in the README):

- self-inspection: the approved bases in force in the year's first month (the year's declaration
  as approved); per unit the people and those the engine clamped to the floor; the engine says
  whether the share calls for self-inspection (never compared here);
- below the guideline: the unit's average declared wage in that month against the engine's
  industry wage guideline; no notice configures one, so it reports not_configured;
- summary ≠ lines: a declaration past the draft whose stored 人数/工资总额/基数总额 differ from its
  lines (a fact, no threshold);
- headcount: a confirmed declaration with fewer people than the unit's confirmed one of the year
  before, by more than the engine's ``employee.headcount_drop`` allows (聊城 五 names 少报瞒报职工
  人数 but gives no limit: not_configured unless a file, e.g. the demo overlay, gives one);
- wage total: how far below last year's a total must fall is a rule no notice gives: the engine
  answers not_configured and nothing is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from yibao.access.scoping import scope_of
from yibao.audit.services import record_event, record_events
from yibao.employer import selectors as employer
from yibao.errors import AppError

from .. import rules
from ..errors import NotFound, RuleRefused
from ..models import Case, CaseEvent, CaseKind, EventKind


@dataclass
class CheckResult:
    kind: str
    label: str
    found: int = 0          # units the check points at
    opened: int = 0         # new cases
    existing: int = 0       # already opened by an earlier run
    not_configured: str = ""  # the engine's message where the region's notice is silent
    missing: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.not_configured:
            return f"{self.label}：未检查——{self.not_configured}"
        return f"{self.label}：发现 {self.found} 家单位，新立案 {self.opened} 件，已立案 {self.existing} 件。"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "found": self.found, "opened": self.opened,
                "existing": self.existing, "not_configured": self.not_configured, "missing": self.missing,
                "message": self.message}


@dataclass
class CheckReport:
    region: str
    year: int
    results: list[CheckResult]

    @property
    def opened(self) -> int:
        return sum(r.opened for r in self.results)


@dataclass
class Finding:
    unit_id: int
    source_key: str
    summary: str
    facts: dict


def reachable_region(actor, region: str):
    """The pooling region ``region`` if the actor reaches it, else NotFound (as a missing one).
    A run covers every unit of the region, so the actor's area must hold the whole region."""
    for r in employer.pooling_regions_for(actor):
        if r.key == str(region):
            if not scope_of(actor).holds(r.path):
                raise AppError(f"须由负责{r.name}全域的人员运行：您只负责其中一部分。", code="outside_area",
                               fields={"region": "只负责统筹区的一部分"})
            return r
    raise NotFound(f"统筹区 {str(region)[:12]} 不存在。", code="not_found")


def _checked_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise AppError("年度应为四位数字。", code="invalid_input", fields={"year": str(year)[:10]}) from None
    first, last = settings.YIBAO_YEAR_RANGE       # a bound against typing errors, a system setting
    if not first <= year <= last:
        raise AppError(f"年度应在 {first} 至 {last} 之间。", code="invalid_input", fields={"year": str(year)})
    return year


def _open(region, year: int, kind: str, findings: list[Finding], result: CheckResult, actor) -> None:
    """Open a case for each finding not opened before (the unique constraint backs this check:
    the region's row is locked for the run)."""
    result.found = len(findings)
    taken = set(Case.objects.filter(region=region, kind=kind, year=year).exclude(source_key="")
                .values_list("unit_id", "source_key"))
    new = [f for f in findings if (f.unit_id, f.source_key) not in taken]
    result.existing = result.found - len(new)
    units = employer.units_by_id({f.unit_id for f in new})
    cases = Case.objects.bulk_create([Case(kind=kind, unit_id=f.unit_id, region=region, year=year,
                                           source_key=f.source_key, summary=f.summary[:300], facts=f.facts,
                                           opened_by=actor) for f in new])
    if not cases:
        return
    # bulk_create returns primary keys on PostgreSQL and SQLite alike
    CaseEvent.objects.bulk_create([CaseEvent(case=c, kind=EventKind.OPENED, text=c.summary, actor=actor)
                                   for c in cases])
    record_events(actor, [{"action": "inspection.case.open", "object_type": "inspection_case", "object_id": c.pk,
                           "after": {"kind": kind, "unit": units[c.unit_id].unit_number, "year": year,
                                     "summary": c.summary, "facts": c.facts},
                           "division_path": units[c.unit_id].division.path} for c in cases])
    result.opened = len(cases)


def _lock(region) -> None:
    type(region).objects.select_for_update().only("pk").get(pk=region.pk)


def _record_run(actor, action: str, report: CheckReport, region) -> None:
    record_event(actor, action, "region", region.key,
                 after={"year": report.year, "results": [r.as_dict() for r in report.results]},
                 division_path=region.path)


# --- the self-inspection list (潍坊 三(二)) -----------------------------------------------------

def self_inspection_findings(region: str, year: int) -> list[Finding]:
    """The units whose floor share the engine says calls for self-inspection. RuleRefused
    (not_configured) where the region's notice sets no such rule."""
    rules.require_self_inspection_rule(region, year)
    found = []
    for row in employer.floor_shares(region, year):
        answer = rules.self_inspection(region, year, row["contributors"], row["at_floor"])
        if answer["required"]:
            found.append(Finding(row["unit_id"], str(year),
                                 f"{year} 年度按最低缴费基数缴费 {row['at_floor']} 人，占缴费人数 {row['contributors']} 人的 "
                                 f"{answer['share']}，超过 {answer['threshold']}，须开展基数自查自纠",
                                 {"contributors": row["contributors"], "at_floor": row["at_floor"],
                                  "share": str(answer["share"]), "threshold": str(answer["threshold"])}))
    return found


@transaction.atomic
def open_self_inspections(region, year, *, actor) -> CheckReport:
    """Generate the year's self-inspection list of ``region``: one case per unit, opened once."""
    return _self_inspections(reachable_region(actor, region), _checked_year(year), actor)


def _self_inspections(region, year: int, actor) -> CheckReport:
    _lock(region)
    result = CheckResult(CaseKind.SELF_INSPECTION, CaseKind.SELF_INSPECTION.label)
    try:
        findings = self_inspection_findings(region.key, year)
    except RuleRefused as exc:
        if exc.code != "not_configured":
            raise
        result.not_configured, result.missing = exc.message, exc.missing
    else:
        _open(region, year, CaseKind.SELF_INSPECTION, findings, result, actor)
    report = CheckReport(region.key, year, [result])
    _record_run(actor, "inspection.self_inspection.run", report, region)
    return report


# --- risk checks (聊城 五) -----------------------------------------------------------------------

def _below_guideline(region: str, year: int) -> list[Finding]:
    rules.require_guideline(region, year)
    found = []
    for row in employer.declared_wages(region, year):
        guideline = rules.industry_guideline(region, year, row["industry"])
        average = Decimal(row["average"]).quantize(Decimal("0.01"))
        if average < guideline:
            found.append(Finding(row["unit_id"], str(year),
                                 f"{year} 年度平均申报工资 {average} 元低于{row['industry']}行业工资指导线 {guideline} 元",
                                 {"average": str(average), "guideline": str(guideline), "industry": row["industry"],
                                  "contributors": row["contributors"]}))
    return found


def _summary_mismatches(region: str, year: int) -> list[Finding]:
    out = []
    for m in employer.summary_mismatches(region, year):
        s, lines = m["summary"], m["lines"]
        out.append(Finding(m["unit_id"], f"declaration:{m['declaration_id']}",
                           f"{year} 年度申报（{m['declaration_id']}）汇总：{s['people']} 人、工资总额 {s['wage_total']} 元、"
                           f"基数总额 {s['base_total']} 元；明细合计：{lines['people']} 人、工资总额 {lines['wage_total']} 元、"
                           f"基数总额 {lines['base_total']} 元",
                           {"declaration": m["declaration_id"], "summary": {k: str(v) for k, v in s.items()},
                            "lines": {k: str(v) for k, v in lines.items()}}))
    return out


def _headcount_drops(region: str, year: int) -> list[Finding]:
    rules.require_headcount_drop_rule(region, year)
    now, before = employer.confirmed_totals(region, year), employer.confirmed_totals(region, year - 1)
    out = []
    for unit_id, this in sorted(now.items()):
        last = before.get(unit_id)
        if last is None or last["people"] <= 0:
            continue
        answer = rules.headcount_drop(region, year, last["people"], this["people"])
        if answer["flagged"]:
            out.append(Finding(unit_id, f"declaration:{this['declaration']}",
                               f"{year} 年度申报职工 {this['people']} 人，少于 {year - 1} 年度的 {last['people']} 人"
                               f"（减少 {answer['drop']}，超过 {answer['threshold']}）",
                               {"declaration": this["declaration"], "people": this["people"],
                                "previous_people": last["people"], "previous_declaration": last["declaration"],
                                "drop": str(answer["drop"]), "threshold": str(answer["threshold"])}))
    return out


def _wage_total_drops(region: str, year: int) -> list[Finding]:
    rules.require_wage_total_drop_rule(region, year)
    now, before = employer.confirmed_totals(region, year), employer.confirmed_totals(region, year - 1)
    out = []
    for unit_id, this in sorted(now.items()):
        last = before.get(unit_id)
        if last is None or last["wage_total"] <= 0:
            continue
        answer = rules.wage_total_drop(region, year, last["wage_total"], this["wage_total"])
        if answer["flagged"]:
            out.append(Finding(unit_id, f"declaration:{this['declaration']}",
                               f"{year} 年度工资总额 {this['wage_total']} 元，比上年度 {last['wage_total']} 元下降 "
                               f"{answer['drop']}，超过 {answer['threshold']}",
                               {"declaration": this["declaration"], "wage_total": str(this["wage_total"]),
                                "previous_wage_total": str(last["wage_total"]), "drop": str(answer["drop"]),
                                "threshold": str(answer["threshold"])}))
    return out


RISK_CHECKS = [(CaseKind.BELOW_GUIDELINE, _below_guideline), (CaseKind.SUMMARY_MISMATCH, _summary_mismatches),
               (CaseKind.HEADCOUNT_DROP, _headcount_drops), (CaseKind.WAGE_TOTAL_DROP, _wage_total_drops)]


@transaction.atomic
def run_risk_checks(region, year, *, actor) -> CheckReport:
    """Every risk check of ``region`` for ``year``; a check whose rule the region's notice does
    not give reports it and opens nothing."""
    return _risk_checks(reachable_region(actor, region), _checked_year(year), actor)


def _risk_checks(region, year: int, actor) -> CheckReport:
    _lock(region)
    results = []
    for kind, check in RISK_CHECKS:
        result = CheckResult(kind, kind.label)
        try:
            findings = check(region.key, year)
        except RuleRefused as exc:
            if exc.code != "not_configured":
                raise
            result.not_configured, result.missing = exc.message, exc.missing
        else:
            _open(region, year, kind, findings, result, actor)
        results.append(result)
    report = CheckReport(region.key, year, results)
    _record_run(actor, "inspection.risk_checks.run", report, region)
    return report


# --- the scheduled run (nightly, yibao.inspection.tasks) ------------------------------------------

def scheduled_regions(today) -> list[tuple[str, int]]:
    """The pooling regions the nightly run covers, each with its year: every region running the
    employee scheme whose policy sets the year (this year, or the latest set within five)."""
    from yibao.registry import schemes_by_region

    out = []
    for key, schemes in sorted(schemes_by_region().items()):
        if "employee" in schemes:
            year = rules.configured_year(key, today)
            if year is not None:
                out.append((key, year))
    return out


def run_scheduled_checks(region: str, year: int, *, actor=None) -> list[CheckReport]:
    """The self-inspection list and the risk checks of one region, as the system (``actor`` None)
    runs them every night: each in its own transaction, exactly as on demand, so a second run
    opens no case twice."""
    from yibao.regions.models import Division

    division = Division.objects.get(key=region, is_pooling_region=True)
    year = _checked_year(year)
    with transaction.atomic():
        first = _self_inspections(division, year, actor)
    with transaction.atomic():
        second = _risk_checks(division, year, actor)
    return [first, second]
