"""Insurance spans (参保期间) and staff changes (增员/减员).

A person is insured by at most one unit in a month: the service checks before it writes, and on
PostgreSQL an exclusion constraint (``span_no_double_insurance``) refuses a second overlapping
span even when two clerks race. Spans start from the approved bases of a year (one per employee
from the first approved month); staff changes add or end them from an effective month, and the
adjusting entries of declared months follow at once.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from yibao.access.permissions import user_can
from yibao.audit.services import record_event, refusals_audited
from yibao.dbutil import bulk_insert, text_values
from yibao.employer import contributing
from yibao.identity import IdentityError, mask_id_number, parse_resident_id
from yibao.money import parse_amount
from yibao.months import Month

from ..errors import ContributionError
from ..models import InsuranceSpan, SpanEnd, SpanStart, StaffChange

ADD_REASONS = {SpanStart.NEW_HIRE: "新参保", SpanStart.TRANSFER_IN: "转入"}
REMOVE_REASONS = dict(SpanEnd.choices)


def _live(qs):
    """Spans that count: not ended before they began."""
    return qs.filter(Q(month_to__isnull=True) | Q(month_to__gte=F("month_from")))


def spans_in_month(qs, month: Month):
    return _live(qs).filter(month_from__lte=month).filter(Q(month_to__isnull=True) | Q(month_to__gte=month))


@transaction.atomic
def seed_spans(region: str, year: int) -> int:
    """One span per employee with approved bases in ``year`` who has none yet in the region, from
    the first approved month (set-based: one read of each side, one bulk insert). A person
    already insured elsewhere in those months is left out (the staff-change refusal applies)."""
    spans = InsuranceSpan.objects.filter(region_id=region)
    seeded = spans.filter(start_reason=SpanStart.APPROVED, month_from__gte=Month(year, 1),
                          month_from__lte=Month(year, 12)).count()
    if seeded >= contributing.approved_people(region, year):
        return 0    # every one approved this year has a span of this year already (two counts, not two reads)
    have = set(spans.values_list("employee_id", flat=True).iterator(50_000))
    rows = [r for r in contributing.approved_starts(region, year).iterator(chunk_size=50_000) if r[1] not in have]
    if not rows:
        return 0
    numbers = {r[2] for r in rows}
    taken: set[str] = set()
    ordered = sorted(numbers)
    for at in range(0, len(ordered), 50_000):    # every number, in chunks: none insured twice
        chunk = text_values(ordered[at:at + 50_000])
        taken.update(_live(InsuranceSpan.objects.filter(id_number__in=chunk, month_to__isnull=True))
                     .values_list("id_number", flat=True))
    seen: set[str] = set()
    now = timezone.now()
    out = []
    for unit_id, employee_id, id_number, name, first in rows:
        if id_number in taken or id_number in seen:
            continue
        seen.add(id_number)
        out.append((region, unit_id, employee_id, id_number, name, str(first), None, SpanStart.APPROVED, "",
                    None, None, now))
    return bulk_insert(InsuranceSpan, ["region_id", "unit_id", "employee_id", "id_number", "name", "month_from",
                                       "month_to", "start_reason", "end_reason", "declared_wage", "base",
                                       "created_at"], out)


def _masked(text: str) -> str:
    """At most the first two and last two characters of a long text, one character of a short one
    (a five-character name would otherwise show four)."""
    if len(text) >= 8:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return text[:1] + "*" * max(3, len(text) - 1)


def _shown_unit(actor, unit: dict) -> str:
    """The other unit in a refusal: whole for staff who may read units and whose area holds it,
    masked (name and number) for everyone else — a unit operator, a clerk of another area."""
    from yibao.access.scoping import scope_of

    if user_can(actor, "employer.view") and scope_of(actor).holds(unit["division__path"]):
        return f"{unit['name']}（单位编号 {unit['unit_number']}）"
    return f"{_masked(unit['name'])}（单位编号 {_masked(unit['unit_number'])}）"


def _refuse_double(actor, id_number: str, month: Month, other: InsuranceSpan):
    unit = contributing.unit_facts([other.unit_id])[other.unit_id]
    shown = _shown_unit(actor, unit)
    raise ContributionError(
        f"身份证号码 {mask_id_number(id_number)} 的人员 {month} 起已在{shown}参保"
        f"（{other.month_from} 起），同一人同一月份不能在两个单位参保。请先由原单位办理减员。",
        code="insured_elsewhere", fields={"id_number": mask_id_number(id_number), "month": str(month)})


def refuse_unless_open(unit_id: int, doing: str, *, month: Month | None = None, region: str = "") -> None:
    """A suspended or closed unit (暂停、注销) makes no staff changes. With ``month``, what counts is
    whether the unit was open in that month (its status history): a bill of a month before the
    suspension is still declared, so that its arrears can be paid."""
    state = contributing.unit_state(unit_id)
    if month is not None and not state["open"] \
            and unit_id not in contributing.units_not_open(region, Month.coerce(month), [unit_id]):
        return
    if not state["open"]:
        since = f"自 {state['since']} 起" if state["since"] else ""
        raise ContributionError(f"单位{since}已{state['label']}（{state['reason'] or '未注明原因'}），不能{doing}。",
                                code="unit_inactive", fields={"unit_status": state["status"]})


def _check_backdating(region: str, month: Month) -> str:
    """How far back a staff change may take effect is the engine's (``employee.staff_change_month``):
    a month before the earliest it allows is refused. Where no policy file gives a limit (the
    notices are silent) nothing is refused and the change's audit entry says so."""
    from yibao import clock

    answer = contributing.staff_change_month(region, month, clock.today())
    if answer is None:
        return "通知未规定增减员可追溯的月数（未配置），未作限制"
    if not answer["allowed"]:
        raise ContributionError(f"生效月份 {month} 早于可办理的最早月份 {answer['earliest']}"
                                f"（可追溯 {answer['months']} 个月）。", code="backdated_too_far",
                                fields={"month": str(month), "earliest": answer["earliest"]})
    return f"可追溯 {answer['months']} 个月，最早 {answer['earliest']}"


def _parse_month(value, field="month") -> Month:
    try:
        return Month.coerce(value)
    except (ValueError, TypeError):
        raise ContributionError("月份应为 YYYY-MM 格式。", code="invalid_input", fields={field: str(value)}) from None




def _unit_path(unit) -> str:
    return contributing.unit_facts([unit.pk])[unit.pk]["division__path"]


def _change_facts(unit, kwargs) -> dict:
    number = kwargs.get("id_number")
    return {"month": str(kwargs.get("month", ""))[:10], "reason": str(kwargs.get("reason", ""))[:20],
            "counter": bool(kwargs.get("counter")),
            **({"id_number": mask_id_number(str(number))} if number else {}),
            **({"span": kwargs["span_id"]} if kwargs.get("span_id") else {})}


@refusals_audited("contributions.staff_add_refuse", "unit", path=_unit_path, facts=_change_facts)
@transaction.atomic
def add_person(unit, *, id_number: str, name: str, month, reason: str = SpanStart.NEW_HIRE, wage=None,
               actor, counter: bool = False) -> StaffChange:
    """增员: insure a person with the unit from ``month``. The base for the year is the declared
    wage clamped by the engine (保底封顶), or the floor in force when no wage is declared."""
    month = _parse_month(month)
    name = (name or "").strip()
    if reason not in ADD_REASONS:
        raise ContributionError("增员原因应为新参保或转入。", code="invalid_input", fields={"reason": reason})
    try:
        id_number = parse_resident_id(id_number or "").number
    except IdentityError as exc:
        raise ContributionError(f"身份证号码无效：{exc}", code="invalid_input",
                                fields={"id_number": mask_id_number(str(id_number or ""))}) from None
    if not name or len(name) > 50:
        raise ContributionError("请填写姓名（不超过 50 字）。", code="invalid_input", fields={"name": name})
    declared = None
    if wage not in (None, ""):
        try:
            declared = parse_amount(wage)
        except ValueError as exc:
            raise ContributionError(f"申报工资：{exc}", code="invalid_input", fields={"wage": str(wage)}) from None
    refuse_unless_open(unit.pk, "办理增员")
    region = unit.region_id
    backdating = _check_backdating(region, month)
    # Lock the person's spans so two staff changes for one person queue up.
    others = list(_live(InsuranceSpan.objects.select_for_update().filter(id_number=id_number)))
    for other in others:
        if other.month_to is None or other.month_to >= month:
            _refuse_double(actor, id_number, month, other)
    base, how = contributing.new_hire_base(region, month, declared)
    employee_id = contributing.take_employee(unit.pk, id_number, name)
    try:
        with transaction.atomic():
            span = InsuranceSpan.objects.create(region_id=region, unit_id=unit.pk, employee_id=employee_id,
                                                id_number=id_number, name=name, month_from=month,
                                                start_reason=reason, declared_wage=declared, base=base)
    except IntegrityError:
        # PostgreSQL's exclusion constraint: another transaction insured the person meanwhile.
        other = _live(InsuranceSpan.objects.filter(id_number=id_number)).exclude(unit_id=None).first()
        if other is not None:
            _refuse_double(actor, id_number, month, other)
        raise
    change = StaffChange.objects.create(unit_id=unit.pk, span=span, direction=StaffChange.Direction.ADD,
                                        reason=reason, month=month, id_number=id_number, name=name,
                                        declared_wage=declared, base=base, actor_id=getattr(actor, "pk", None),
                                        counter=counter)
    from .adjustments import adjust

    adjust(unit_id=unit.pk, employee_ids=[employee_id], from_month=month,
           reason=f"{ADD_REASONS[reason]}（{month} 起）", actor=actor)
    record_event(actor, "contributions.staff_add", "staff_change", change.pk, after={
        "unit": unit.unit_number, "id_number": id_number, "month": month, "reason": reason,
        "declared_wage": declared, "base": base, "clamped": how, "counter": counter, "backdating": backdating},
        division_path=unit.division.path)
    return change


@refusals_audited("contributions.staff_remove_refuse", "unit", path=_unit_path, facts=_change_facts)
@transaction.atomic
def remove_person(unit, *, span_id: int, month, reason: str, actor, counter: bool = False) -> StaffChange:
    """减员: the person is no longer insured by the unit from ``month`` (the span ends the month
    before)."""
    month = _parse_month(month)
    if reason not in REMOVE_REASONS:
        raise ContributionError(f"减员原因应为以下之一：{'、'.join(REMOVE_REASONS.values())}。", code="invalid_input",
                                fields={"reason": reason})
    refuse_unless_open(unit.pk, "办理减员")
    backdating = _check_backdating(unit.region_id, month)
    span = InsuranceSpan.objects.select_for_update().filter(pk=span_id, unit_id=unit.pk).first()
    if span is None:
        from ..errors import NotFound

        raise NotFound("没有找到该参保人员。")
    if span.month_to is not None and span.month_to < month:
        raise ContributionError(f"该人员已于 {span.month_to} 停保。", code="already_ended", fields={"month": str(month)})
    if month < span.month_from:
        raise ContributionError(f"减员月份不能早于参保起始月份 {span.month_from}。", code="invalid_input",
                                fields={"month": str(month)})
    InsuranceSpan.objects.filter(pk=span.pk).update(month_to=month.previous(), end_reason=reason)
    change = StaffChange.objects.create(unit_id=unit.pk, span=span, direction=StaffChange.Direction.REMOVE,
                                        reason=reason, month=month, id_number=span.id_number, name=span.name,
                                        actor_id=getattr(actor, "pk", None), counter=counter)
    from .adjustments import adjust

    adjust(unit_id=unit.pk, employee_ids=[span.employee_id], from_month=month,
           reason=f"{REMOVE_REASONS[reason]}减员（{month} 起）", actor=actor)
    record_event(actor, "contributions.staff_remove", "staff_change", change.pk, after={
        "unit": unit.unit_number, "id_number": span.id_number, "month": month, "reason": reason, "counter": counter,
        "backdating": backdating},
        division_path=unit.division.path)
    return change


def base_of(span: InsuranceSpan) -> Decimal | None:
    return span.base
