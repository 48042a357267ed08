"""资助参保: the medical-assistance fund's part of each subsidised person's premium, recorded as its
own payment (payer and part ``fund``), generated in bulk by an agency clerk for a pooling region and
insurance year from the hardship lists.

Set-based: the region's enrolments of people on a list (with their categories valid on the day of
generation) are read in two queries, the engine is asked once per distinct set of categories
(``rules.Judge``), and the payments are written with bulk inserts. The unique constraint
``payment_once_per_part`` makes the fund's part of an enrolment exist once: running the generation
again writes nothing new. A person whose own part is 0 (特困人员) counts as paid once the fund's
part is recorded.

The job writes in chunks, each one transaction (its payments, the enrolments it makes paid and its
audit entry together) taken under a lock on the region, so two generations of one region never
write the same enrolment twice and a job stopped midway leaves whole chunks that a rerun
completes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.dbutil import bulk_insert
from yibao.errors import RuleRefused
from yibao.regions import reach
from yibao.regions.models import Division
from yibao.resident import collecting as enrolments

from .. import rules, tallies
from ..errors import CollectionError
from ..models import Part, Payer, Payment
from .payments import moment

#: enrolments per transaction (and per step of the progress bar)
CHUNK = 20_000
JOB_KIND = "collection.fund.generate"
#: the columns a fund payment is written with (``dbutil.bulk_insert``: COPY on PostgreSQL)
PAYMENT_COLUMNS = ("region", "insurance_year", "enrolment", "id_number", "name", "division", "payer", "part", "amount",
                   "standard", "subsidy", "payable", "category", "paid_at", "paid_on", "actor_id", "actor_label",
                   "created_at", "transaction_id", "content_digest", "receipt_number", "payer_id_number", "payer_name",
                   "relationship")

Progress = Callable[[int, int], object] | None


# --- which region, which year, which day ---------------------------------------------------------

def pooling_region(code: str, actor, *, whole: bool = False) -> Division:
    """The pooling region ``code`` running the resident scheme, within the actor's area: one that
    overlaps it (to read, the selectors scoping what is shown), or with ``whole`` one the actor's
    area holds entirely (to act on the whole region, as the fund's generation does)."""
    return reach.scheme_region(code, actor, error=CollectionError, whole=whole)


def regions_for(actor) -> list[Division]:
    """The pooling regions running the resident scheme that the actor reaches."""
    return reach.scheme_regions(actor, error=CollectionError)


def insurance_year(region: str, value) -> int:
    """An insurance year the region's notice configures (its premium is in the policy files)."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise CollectionError(f"保险年度“{value}”不正确。", code="year_invalid",
                              fields={"insurance_year": "应为四位年份"}) from None
    if not 1900 <= year <= 2999:
        raise CollectionError(f"保险年度“{value}”不正确。", code="year_invalid",
                              fields={"insurance_year": "应为四位年份"})
    try:
        rules.premium(region, year, [])
    except RuleRefused as exc:
        raise CollectionError(f"{year} 保险年度的缴费政策尚未录入：{exc}", code=exc.code, missing=exc.missing,
                              fields={"insurance_year": "政策未配置"}) from None
    return year


def generation_day(value, *, today: dt.date | None = None) -> dt.date:
    """The day the fund's payments are booked (and the hardship categories valid on it): today
    by default, never in the future."""
    today = today or clock.today()
    if value in (None, ""):
        return today
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CollectionError(f"日期“{value}”不正确，应为 YYYY-MM-DD。", code="date_invalid",
                              fields={"on": "应为 YYYY-MM-DD"}) from None
    if day > today:
        raise CollectionError(f"记账日期 {day.isoformat()} 晚于今天。", code="date_in_future", fields={"on": "晚于今天"})
    return day


# --- the generation ------------------------------------------------------------------------------

@dataclass
class Skipped:
    reason: str            # the engine's code (not_configured …), no_subsidy, own_part_differs
    categories: str
    message: str
    people: int = 0
    missing: list = field(default_factory=list)


@dataclass
class FundOutcome:
    region: str
    region_name: str
    insurance_year: int
    on: dt.date
    candidates: int = 0            # enrolments of people with a valid hardship category
    created: int = 0
    amount: Decimal = Decimal("0.00")
    existing: int = 0              # the fund's part was already recorded
    paid_now: int = 0              # enrolments made 已缴费 (own part 0)
    by_category: dict[str, list] = field(default_factory=dict)   # category → [people, amount]
    skipped: dict[tuple, Skipped] = field(default_factory=dict)

    @property
    def skipped_people(self) -> int:
        return sum(s.people for s in self.skipped.values())

    @property
    def message(self) -> str:
        text = (f"{self.region_name} {self.insurance_year} 年度：困难群体参保人员 {self.candidates} 人，新记录医疗救助基金资助 "
                f"{self.created} 笔 {self.amount:.2f} 元；此前已记录 {self.existing} 笔")
        if self.paid_now:
            text += f"；个人缴费为 0 的 {self.paid_now} 人已记为已缴费"
        if self.skipped:
            text += f"；未记录 {self.skipped_people} 人（" + "；".join(
                f"{s.categories or '—'}：{s.message}（{s.people} 人）" for s in self.skipped.values()) + "）"
        return text + "。"

    def public(self) -> dict:
        return {"region": self.region, "insurance_year": self.insurance_year, "on": self.on.isoformat(),
                "candidates": self.candidates, "created": self.created, "amount": f"{self.amount:.2f}",
                "existing": self.existing, "paid_now": self.paid_now,
                "by_category": {c: {"people": n, "amount": f"{a:.2f}"} for c, (n, a) in sorted(self.by_category.items())},
                "skipped": [{"reason": s.reason, "categories": s.categories, "message": s.message, "people": s.people,
                             "missing": s.missing} for s in self.skipped.values()]}


def _skip(outcome: FundOutcome, reason: str, categories: tuple[str, ...], message: str, missing=None) -> None:
    key = (reason, categories)
    entry = outcome.skipped.get(key)
    if entry is None:
        entry = outcome.skipped[key] = Skipped(reason, "、".join(categories), message, missing=list(missing or []))
    entry.people += 1


def start_generation(region: str, year, *, actor, on=None, in_process: bool = False):
    """Check the region, year and day at once, then hand the generation to the worker (its job)."""
    from yibao.jobs.services import enqueue

    division = pooling_region(region, actor, whole=True)
    year = insurance_year(division.key, year)
    day = generation_day(on)
    return enqueue(actor, JOB_KIND, f"生成{division.name} {year} 年度医疗救助基金资助参保缴费（{day.isoformat()}）",
                   {"region": division.key, "insurance_year": year, "on": day.isoformat()}, in_process=in_process)


def generate(region: Division, year: int, *, on: dt.date, actor, progress: Progress = None) -> FundOutcome:
    """Record the fund's payment for every enrolment of ``region`` and ``year`` whose person holds
    a hardship category valid on ``on`` and has none yet. The amount is the engine's subsidy for
    the person's categories (资助不叠加: the category it names is recorded); where the engine
    refuses (a category whose subsidy the notice does not give) or gives no subsidy, the person is
    left out and counted with the reason. A person whose own part was already paid keeps it: the
    fund pays only the subsidy that payment assumed."""
    judge = rules.Judge()
    outcome = FundOutcome(region.key, region.name, year, on)
    candidates = enrolments.subsidised_enrolments(region.key, year, on)
    outcome.candidates = len(candidates)
    todo: list[tuple[enrolments.Subsidised, rules.PremiumAnswer]] = []
    for c in candidates:
        try:
            premium = judge.premium(region.key, year, list(c.categories))
        except RuleRefused as exc:
            _skip(outcome, exc.code, c.categories, str(exc), exc.missing)
            continue
        if premium.subsidy <= 0:
            _skip(outcome, "no_subsidy", c.categories, "通知未给予资助")
            continue
        todo.append((c, premium))
    if progress:
        progress(0, len(todo))
    done = 0
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        _write(region, year, on, chunk, actor, outcome)
        done += len(chunk)
        if progress:
            progress(done, len(todo))
    return outcome


@transaction.atomic
def _write(region: Division, year: int, on: dt.date, chunk, actor, outcome: FundOutcome) -> None:
    # one generation of a region at a time: a concurrent one waits here, then finds these rows
    Division.objects.select_for_update().filter(pk=region.pk).first()
    # what the chunk's enrolments already have: the fund's part (then nothing to do), the own part
    # (the fund pays only the subsidy that payment assumed); a chunk's ids stay below SQLite's
    # limit of bound parameters, and PostgreSQL answers the list from the enrolment index
    taken, own = set(), {}
    for enrolment, part, subsidy in (Payment.objects.filter(region_id=region.key, refund_of__isnull=True,
                                                            enrolment_id__in=[c.enrolment_id for c, _ in chunk])
                                     .values_list("enrolment_id", "part", "subsidy")):
        if part == Part.FUND:
            taken.add(enrolment)
        else:
            own[enrolment] = subsidy
    paid_at = moment(on)
    now = timezone.now()
    actor_id, actor_label = getattr(actor, "pk", None), getattr(actor, "username", "")
    rows, free = [], {}
    for c, p in chunk:
        if c.enrolment_id in taken:
            outcome.existing += 1
            continue
        if c.enrolment_id in own and own[c.enrolment_id] != p.subsidy:
            _skip(outcome, "own_part_differs", c.categories,
                  "个人缴费已按其他资助金额缴纳（缴费时的困难类别与今日不同），请核对后处理")
            continue
        rows.append((region.key, year, c.enrolment_id, c.id_number, c.name, c.division_id, Payer.FUND.value, Part.FUND.value,
                     p.subsidy, p.standard, p.subsidy, p.payable, p.category, paid_at, on, actor_id, actor_label,
                     now, "", "", "", "", "", ""))
        if p.payable <= 0 and c.status == enrolments.EnrolmentStatus.REGISTERED:
            free[c.enrolment_id] = on
    if not rows:
        return
    bulk_insert(Payment, PAYMENT_COLUMNS, rows)
    moved = enrolments.mark_paid(free) if free else 0
    tallies.refresh(region.key, year, {r[5] for r in rows})
    amount = sum((r[8] for r in rows), Decimal("0.00"))
    per_category: dict[str, list] = {}
    for r in rows:
        entry = per_category.setdefault(r[12], [0, Decimal("0.00")])
        entry[0] += 1
        entry[1] += r[8]
        total = outcome.by_category.setdefault(r[12], [0, Decimal("0.00")])
        total[0] += 1
        total[1] += r[8]
    outcome.created += len(rows)
    outcome.amount += amount
    outcome.paid_now += moved
    record_event(actor, "collection.fund.generate", "fund_payments", f"{region.key}-{year}",
                 after={"region": region.key, "insurance_year": year, "on": on.isoformat(), "payments": len(rows),
                        "amount": f"{amount:.2f}", "paid_now": moved,
                        "by_category": {c: {"people": n, "amount": f"{a:.2f}"} for c, (n, a) in per_category.items()},
                        "enrolments": [r[2] for r in rows]},
                 division_path=region.path)
