"""Is a person covered on a date, from when to when, and why: the enrolment whose benefit period
(the engine's ``resident.benefit_start``: ordinary payment in the collection period, a newborn
within six months, a migrant, a back payment) holds the date. Premiums come from the engine with
the person's hardship categories valid on the day asked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import rules
from ..errors import RuleRefused
from ..models import Enrolment, EnrolmentStatus, HardshipGrant, Kind, Person


@dataclass
class Coverage:
    covered: bool
    reason: str                       # covered, not_registered, not_paid, not_in_period, refunded, not_configured
    message: str
    benefit_start: dt.date | None = None
    benefit_end: dt.date | None = None
    kind: str = ""
    insurance_year: int | None = None
    explanation: list = field(default_factory=list)


def coverage(person: Person | None, on: dt.date) -> Coverage:
    if person is None:
        return Coverage(False, "not_registered", "未查到此人的城乡居民医保参保登记。")
    enrolments = list(Enrolment.objects.filter(person=person, insurance_year__in=[on.year, on.year + 1, on.year - 1])
                      .order_by("-insurance_year"))
    if not enrolments:
        return Coverage(False, "not_registered", f"{person.name}没有 {on.year} 保险年度的参保登记。")
    refusals: list[Coverage] = []
    for e in enrolments:
        if e.status != EnrolmentStatus.PAID:
            if e.insurance_year == on.year:
                refusals.append(Coverage(False, "not_paid" if e.status == EnrolmentStatus.REGISTERED else e.status,
                                         f"{e.insurance_year} 保险年度{e.get_status_display()}，未享受待遇。",
                                         kind=e.kind, insurance_year=e.insurance_year))
            continue
        try:
            answer = rules.benefit(person.region_id, e.insurance_year, e.kind, e.paid_on, birth_date=person.birth_date,
                                   moved_in_on=e.moved_in_on, paid_at_origin=e.paid_at_origin)
        except RuleRefused as exc:
            refusals.append(Coverage(False, exc.code, str(exc), kind=e.kind, insurance_year=e.insurance_year,
                                     explanation=exc.explanation))
            continue
        start = dt.date.fromisoformat(answer.values["benefit_start"])
        end = dt.date.fromisoformat(answer.values["benefit_end"])
        label = Kind(e.kind).label
        if start <= on <= end:
            return Coverage(True, "covered", f"{on.isoformat()} 在待遇享受期内（{label}参保，{e.paid_on.isoformat()} 缴费，"
                                              f"{start.isoformat()} 至 {end.isoformat()}）。",
                            start, end, e.kind, e.insurance_year, answer.explanation)
        refusals.append(Coverage(False, "not_in_period", f"{on.isoformat()} 不在 {e.insurance_year} 保险年度待遇享受期"
                                                          f"（{start.isoformat()} 至 {end.isoformat()}）内。",
                                 start, end, e.kind, e.insurance_year, answer.explanation))
    if refusals:
        return refusals[0]
    return Coverage(False, "not_registered", f"{person.name}没有 {on.year} 保险年度的参保登记。")


def categories_on(region: str, id_number: str, on: dt.date) -> list[str]:
    """The hardship categories valid for the person on ``on`` (认定日期 ≤ on ≤ 终止日期)."""
    grants = HardshipGrant.objects.filter(region_id=region, id_number=id_number, valid_from__lte=on)
    return sorted({g.category for g in grants if g.valid_to is None or g.valid_to >= on})


def premium_for(region: str, id_number: str, insurance_year: int, on: dt.date):
    """The engine's premium answer with the person's categories valid on ``on``."""
    categories = categories_on(region, id_number, on)
    return categories, rules.premium(region, insurance_year, categories)
