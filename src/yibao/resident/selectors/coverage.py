"""Is a person covered on a date, from when to when, and why: the enrolment whose benefit period
(the engine's ``resident.benefit_start``: ordinary payment in the collection period, a newborn
within six months, a migrant, a back payment) holds the date. Premiums come from the engine with
the person's hardship categories valid on the day asked.

Every read goes through the reader's scope: a person outside it is answered exactly like one
that is not registered (``None``), so the interfaces answer 404 alike."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from yibao.access.scoping import scope_of
from yibao.accounts.personal_data import sees_whole_id_numbers

from .. import rules
from ..errors import AppError, RuleRefused
from ..models import (
    Enrolment,
    EnrolmentStatus,
    HardshipGrant,
    Kind,
    LifeStatus,
    Person,
    Problem,
    ProblemActor,
    ProblemStatus,
    Registration,
)
from .persons import persons_for

#: what an identity number looks like (18 characters, the last a digit or X); anything else names nobody
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_DIGITS = re.compile(r"^[0-9]+[0-9Xx]?$")


def clean_id_number(value: str | None) -> str:
    """The identity number as stored (upper-case X), or "" when ``value`` cannot be one."""
    number = (value or "").strip().upper()
    return number if _ID_SHAPE.match(number) else ""


@dataclass
class Coverage:
    covered: bool
    reason: str                # covered, not_registered, not_paid, refunded, cancelled, not_in_period, deceased,
    message: str               # or the engine's refusal code (not_configured, not_eligible, invalid_input)
    benefit_start: dt.date | None = None
    benefit_end: dt.date | None = None
    kind: str = ""
    insurance_year: int | None = None
    explanation: list = field(default_factory=list)
    missing: list = field(default_factory=list)

    @property
    def status(self) -> str:
        return "covered" if self.covered else "not_covered"

    @property
    def kind_display(self) -> str:
        return Kind(self.kind).label if self.kind else ""


def _years(on: dt.date) -> list[int]:
    # A year's benefit period lies in that calendar year; the neighbours are read so that an
    # enrolment whose period the engine places otherwise is still found.
    return [on.year, on.year - 1, on.year + 1]


def _judge(person: Person, enrolments: list[Enrolment], on: dt.date) -> Coverage:
    """The answer for ``person`` on ``on`` from their enrolments of the neighbouring years."""
    if (person.life_status == LifeStatus.DECEASED and person.life_status_on is not None
            and on > person.life_status_on):
        return Coverage(False, "deceased", f"{person.name}已于 {person.life_status_on.isoformat()} 死亡，"
                                           f"{on.isoformat()} 不享受城乡居民医保待遇。")
    # the enrolment for the year of the date first: its refusal is the one that explains
    enrolments = sorted(enrolments, key=lambda e: (e.insurance_year != on.year, -e.insurance_year))
    refusals: list[Coverage] = []
    for e in enrolments:
        label = Kind(e.kind).label
        if e.status != EnrolmentStatus.PAID:
            if e.insurance_year == on.year:
                reason = {EnrolmentStatus.REGISTERED: "not_paid"}.get(e.status, e.status)
                why = "已参保登记但未缴费" if e.status == EnrolmentStatus.REGISTERED else e.get_status_display()
                refusals.append(Coverage(False, reason, f"{e.insurance_year} 保险年度{why}（{label}），"
                                                        f"{on.isoformat()} 不享受待遇。",
                                         kind=e.kind, insurance_year=e.insurance_year))
            continue
        try:
            answer = rules.benefit(e.region_id, e.insurance_year, e.kind, e.paid_on, birth_date=person.birth_date,
                                   moved_in_on=e.moved_in_on, paid_at_origin=e.paid_at_origin)
        except RuleRefused as exc:
            refusals.append(Coverage(False, exc.code, f"{e.insurance_year} 保险年度{label}参保（{e.paid_on.isoformat()} "
                                                      f"缴费）：{exc}", kind=e.kind, insurance_year=e.insurance_year,
                                     explanation=exc.explanation, missing=exc.missing))
            continue
        start = dt.date.fromisoformat(answer.values["benefit_start"])
        end = dt.date.fromisoformat(answer.values["benefit_end"])
        if start <= on <= end:
            return Coverage(True, "covered", f"{on.isoformat()} 在待遇享受期内（{e.insurance_year} 保险年度{label}参保）："
                                             f"{_rule_text(answer.explanation)}",
                            start, end, e.kind, e.insurance_year, answer.explanation)
        if e.insurance_year == on.year or not refusals:
            refusals.append(Coverage(False, "not_in_period", f"{on.isoformat()} 不在 {e.insurance_year} 保险年度"
                                                             f"待遇享受期（{start.isoformat()} 至 {end.isoformat()}）内。",
                                     start, end, e.kind, e.insurance_year, answer.explanation))
    if refusals:
        return refusals[0]
    return Coverage(False, "not_registered", f"{person.name}没有 {on.year} 保险年度的城乡居民医保参保登记。")


def _rule_text(explanation: list) -> str:
    """The engine's own words for the rule it applied (the steps of its explanation)."""
    return "".join(step["rule"] for step in explanation)


def coverage(person: Person | None, on: dt.date) -> Coverage:
    """The answer for one person's record (already read through the reader's scope)."""
    if person is None:
        return Coverage(False, "not_registered", "未查到此人的城乡居民医保参保登记。")
    enrolments = list(Enrolment.objects.filter(person=person, insurance_year__in=_years(on)))
    return _judge(person, enrolments, on)


@dataclass
class CoverageAnswer:
    person: Person
    on: dt.date
    coverage: Coverage


def coverage_for(user, id_number: str, on: dt.date) -> CoverageAnswer | None:
    """Is the person with ``id_number`` covered on ``on``, as the reader may see: every enrolment of
    theirs in the reader's scope (any region), judged by the engine. ``None`` when no record of
    the person is in scope."""
    number = clean_id_number(id_number)
    if not number:
        return None
    # two indexed reads (the person, their enrolments of the neighbouring years), only the columns
    # the answer needs: this is asked for one person at a time at a region's scale
    person = (persons_for(user).filter(id_number=number).only(*_JUDGED_PERSON).order_by("-valid_from").first())
    if person is None:
        return None
    enrolments = list(scope_of(user).filter(
        Enrolment.objects.filter(id_number=number, insurance_year__in=_years(on))).only(*_JUDGED_ENROLMENT))
    answer = _judge(person, enrolments, on)
    if not sees_whole_id_numbers(user):
        answer = _without_birth_date(answer, person.birth_date)
    return CoverageAnswer(person, on, answer)


HIDDEN_BIRTH_DATE = "（出生日期已隐去）"


def _hidden(value, birth: str):
    if isinstance(value, str):
        return value.replace(birth, HIDDEN_BIRTH_DATE)
    if isinstance(value, dict):
        return {k: _hidden(v, birth) for k, v in value.items()}
    if isinstance(value, list):
        return [_hidden(v, birth) for v in value]
    return value


def _without_birth_date(answer: Coverage, birth_date: dt.date) -> Coverage:
    """For a reader who sees identity numbers masked: the birth date is the masked middle of the
    number (region code and last four characters are shown), so it leaves the answer too — from
    the engine's explanation of a newborn, and as the start of a benefit period that begins at
    birth (then given only in words)."""
    birth = birth_date.isoformat()
    answer.message = _hidden(answer.message, birth)
    answer.explanation = _hidden(answer.explanation, birth)
    if answer.benefit_start == birth_date:
        answer.benefit_start = None
        answer.message += "待遇自出生之日起享受。"
    return answer


_JUDGED_PERSON = ("id", "region_id", "id_number", "name", "birth_date", "life_status", "life_status_on", "valid_from")
_JUDGED_ENROLMENT = ("id", "region_id", "person_id", "id_number", "insurance_year", "status", "kind", "paid_on",
                     "moved_in_on", "paid_at_origin")


def _person(user, number: str, *, year: int | None = None, fields: tuple[str, ...] | None = None) -> Person | None:
    """The reader's view of the person: of their records in scope (usually one), the one enrolled
    for ``year`` when given, else the most recently changed."""
    qs = persons_for(user).filter(id_number=number).order_by("-valid_from")
    qs = qs.select_related("region").only(*fields, "region__name") if fields else qs.select_related(
        "region", "division", "hukou_division", "residence_division")
    records = list(qs[:10])
    if year is not None and len(records) > 1:
        enrolled = set(Enrolment.objects.filter(person__in=records, insurance_year=year)
                       .values_list("person_id", flat=True))
        records.sort(key=lambda p: p.pk not in enrolled)  # stable: the most recent enrolled one first
    return records[0] if records else None


# --- premium --------------------------------------------------------------------------------------

def categories_on(region: str, id_number: str, on: dt.date) -> list[str]:
    """The hardship categories valid for the person on ``on`` (认定日期 ≤ on ≤ 终止日期)."""
    grants = (HardshipGrant.objects.filter(region_id=region, id_number=id_number, valid_from__lte=on)
              .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on)))
    return sorted(set(grants.values_list("category", flat=True)))


def premium_for(region: str, id_number: str, insurance_year: int, on: dt.date):
    """The engine's premium answer with the person's categories valid on ``on``."""
    categories = categories_on(region, id_number, on)
    return categories, rules.premium(region, insurance_year, categories)


@dataclass
class Premium:
    id_number: str
    name: str
    region: str
    region_name: str
    insurance_year: int
    on: dt.date
    categories: list[str]                 # the person's hardship categories valid on ``on``
    standard: Decimal
    subsidy: Decimal
    payable: Decimal
    fiscal_subsidy: Decimal | None
    subsidy_category: str | None          # the category whose subsidy applies (资助不叠加)
    explanation: list


def premium_of(user, id_number: str, insurance_year: int | None, on: dt.date) -> Premium | None:
    """What the person owes for ``insurance_year`` (by default the year they pay for next, see
    ``coming_year``), from the engine with their hardship categories valid on ``on``, in the
    region of their record (the one enrolled for the year, else the most recent; a resident not
    yet approved, the region of their latest registration). ``None`` when no record of the person
    is in scope; the engine's refusal (e.g. a year the notice does not configure) is raised as
    ``RuleRefused``."""
    number = clean_id_number(id_number)
    if not number:
        return None
    person = _person(user, number, year=insurance_year, fields=("id", "region_id", "name", "valid_from"))
    if person is not None:
        region, region_name, name = person.region_id, person.region.name, person.name
    else:
        registration = (scope_of(user).filter(Registration.objects.filter(id_number=number))
                        .select_related("region").order_by("-submitted_at", "-id").first())
        if registration is None:
            return None
        region, region_name, name = registration.region_id, registration.region.name, registration.name
    if insurance_year is None:
        insurance_year = coming_year(region, on)
    categories, answer = premium_for(region, number, insurance_year, on)
    v = answer.values
    return Premium(number, name, region, region_name, insurance_year, on, categories, v["standard"], v["subsidy"],
                   v["payable"], v["fiscal_subsidy"], v["subsidy_category"], answer.explanation)


def coming_year(region: str, today: dt.date) -> int:
    """The insurance year a resident pays for next: the engine's answer for a registration made
    today (next year once its collection period has begun)."""
    return rules.default_insurance_year(region, today)


# --- the person, as staff and the resident see them -----------------------------------------------

@dataclass
class PersonCard:
    person: Person
    enrolments: list[Enrolment]
    grants: list[HardshipGrant]


def person_card(user, *, pk: int | None = None, id_number: str | None = None) -> PersonCard | None:
    """A person's record in the reader's scope with their enrolments (newest year first) and
    hardship categories with their validity; ``None`` when out of scope or missing."""
    if pk is not None:
        person = (persons_for(user).filter(pk=pk)
                  .select_related("region", "division", "hukou_division", "residence_division").first())
    else:
        number = clean_id_number(id_number)
        person = _person(user, number) if number else None
    if person is None:
        return None
    enrolments = list(person.enrolments.select_related("division").order_by("-insurance_year"))
    grants = list(HardshipGrant.objects.filter(region_id=person.region_id, id_number=person.id_number)
                  .order_by("-valid_from", "category"))
    return PersonCard(person, enrolments, grants)


def search_persons(user, q: str = "") -> QuerySet[Person]:
    """Persons in the reader's scope, by identity number or name. A role that sees identity numbers
    masked finds a person by the whole number only (a lookup, as the API answers it), never by
    some of its digits: that would let it read the hidden birth date digit by digit."""
    qs = persons_for(user).select_related("division", "region").order_by("region_id", "division_id", "name", "id")
    q = (q or "").strip()
    if not q:
        return qs
    number = clean_id_number(q)
    if number:
        return qs.filter(id_number=number)
    if _DIGITS.match(q):
        if not sees_whole_id_numbers(user):
            raise AppError("您的角色看到的身份证号码是隐去部分数字的，不能按身份证号码的部分数字查找；请输入完整的 18 位号码，"
                           "或按姓名查找。", code="masked_id_search", fields={"q": "须为完整号码或姓名"})
        return qs.filter(id_number__startswith=q.upper())
    return qs.filter(name__contains=q)


# --- the resident's own page ----------------------------------------------------------------------

@dataclass
class OwnRecord:
    cards: list[PersonCard]
    registrations: list[Registration]
    returned: list[Problem]                # sent back to the resident, with instructions
    waiting: list[Problem]                 # with the clerks
    region: str | None                     # where the resident pays: their record, else their latest registration


def own_record(user) -> OwnRecord:
    """What a resident sees of themself: their records (every region), registrations and the
    problems found in them."""
    persons = list(persons_for(user).select_related("region", "division", "hukou_division", "residence_division")
                   .order_by("-valid_from"))
    cards = [c for c in (person_card(user, pk=p.pk) for p in persons) if c is not None]
    registrations = list(scope_of(user).filter(Registration.objects.all()).select_related("region", "division")
                         .order_by("-submitted_at", "-id")[:20])
    problems = list(scope_of(user).filter(Problem.objects.exclude(status=ProblemStatus.CLOSED))
                    .exclude(status=ProblemStatus.RELEASED).select_related("registration").order_by("created_at"))
    returned = [p for p in problems if p.actor == ProblemActor.RESIDENT and p.status == ProblemStatus.RETURNED]
    waiting = [p for p in problems if p not in returned]
    region = persons[0].region_id if persons else (registrations[0].region_id if registrations else None)
    return OwnRecord(cards, registrations, returned, waiting, region)
