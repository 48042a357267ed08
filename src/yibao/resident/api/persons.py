"""A person and their enrolments, their premium and whether they are covered, over the JSON API:
the same selectors as the pages. Open to the person themself (their own identity number) and to
staff within their scope; a person outside the scope is answered 404 exactly like one that is
not registered. Identity numbers and phones are masked for roles without the right to see them
whole, and staff views of whole numbers are audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema

from yibao import clock
from yibao.access.permissions import require_capability
from yibao.accounts.personal_data import (
    record_whole_view,
    sees_whole_id_numbers,
    shown_id_number,
    shown_phone,
)
from yibao.errors import NotFound
from yibao.http import responds

from .. import selectors, services
from ..models import LifeStatus

router = Router(tags=["城乡居民医保"])

CAPABILITY = "resident.coverage"
NOT_FOUND = "未查到此人的城乡居民医保参保登记，或此人不在您的管辖范围内。"
#: the years the engine reads (it refuses others with a message); dates beyond them name no enrolment
YEARS = {"ge": 1900, "le": 2200}


def _on(on: dt.date | None) -> dt.date:
    return on or clock.today()


class PlaceOut(Schema):
    code: str
    name: str


class EnrolmentOut(Schema):
    insurance_year: int
    status: str
    status_display: str
    kind: str
    kind_display: str
    region: str
    division: PlaceOut
    paid_on: dt.date | None
    moved_in_on: dt.date | None


class HardshipOut(Schema):
    category: str
    source: str
    source_display: str
    valid_from: dt.date
    valid_to: dt.date | None


class PersonOut(Schema):
    id_number: str
    name: str
    sex: str
    birth_date: dt.date | None
    household_number: str
    basis: str
    basis_display: str
    region: PlaceOut
    division: PlaceOut
    hukou_division: PlaceOut
    residence_division: PlaceOut
    phone: str
    life_status: str
    life_status_display: str
    life_status_on: dt.date | None
    enrolments: list[EnrolmentOut]
    hardship: list[HardshipOut]


def _place(d) -> dict:
    return {"code": d.key, "name": d.name}


def _person_out(card, user) -> dict:
    p = card.person
    return {
        "id_number": shown_id_number(user, p.id_number), "name": p.name, "sex": p.sex,
        # the birth date is the hidden middle of a masked number: shown with the whole number only
        "birth_date": p.birth_date if sees_whole_id_numbers(user) else None,
        "household_number": p.household_number, "basis": p.basis, "basis_display": p.get_basis_display(),
        "region": _place(p.region), "division": _place(p.division), "hukou_division": _place(p.hukou_division),
        "residence_division": _place(p.residence_division), "phone": shown_phone(user, p.phone),
        "life_status": p.life_status, "life_status_display": p.get_life_status_display(),
        "life_status_on": p.life_status_on,
        "enrolments": [{"insurance_year": e.insurance_year, "status": e.status, "status_display": e.get_status_display(),
                        "kind": e.kind, "kind_display": e.get_kind_display(), "region": e.region_id,
                        "division": _place(e.division), "paid_on": e.paid_on, "moved_in_on": e.moved_in_on}
                       for e in card.enrolments],
        "hardship": [{"category": g.category, "source": g.source, "source_display": g.get_source_display(),
                      "valid_from": g.valid_from, "valid_to": g.valid_to} for g in card.grants],
    }


@router.get("/persons/{id_number}", response=responds(PersonOut))
def get_person(request, id_number: str):
    """The person and their enrolments by year (status, kind, village), with their hardship
    categories and validity. Identity number and phone are masked for roles that see them masked."""
    require_capability(request.user, CAPABILITY)
    card = selectors.person_card(request.user, id_number=id_number)
    if card is None:
        raise NotFound(NOT_FOUND)
    record_whole_view(request.user, "person", card.person.pk, people=1, division_path=card.person.division.path,
                      what="参保人员信息（接口）")
    return _person_out(card, request.user)


class PremiumOut(Schema):
    id_number: str
    name: str
    region: str
    region_name: str
    insurance_year: int
    on: dt.date
    categories: list[str]
    subsidy_category: str | None
    standard: Decimal
    subsidy: Decimal
    payable: Decimal
    fiscal_subsidy: Decimal | None
    explanation: list[Any]


@router.get("/premium", response=responds(PremiumOut))
def get_premium(request, id_number: str, insurance_year: int | None = Query(None, **YEARS),
                on: dt.date | None = None):
    """What the person pays for the insurance year (by default the one now being collected):
    the standard, the hardship subsidy, what is payable and the fiscal subsidy, from the policy
    engine with the person's hardship categories valid on ``on`` (default today), with the
    engine's explanation and citations. A year the notice does not configure answers 422
    (not_configured)."""
    require_capability(request.user, CAPABILITY)
    premium = selectors.premium_of(request.user, id_number, insurance_year, _on(on))
    if premium is None:
        raise NotFound(NOT_FOUND)
    out = dict(vars(premium))
    out["id_number"] = shown_id_number(request.user, premium.id_number)
    return out


class CoverageOut(Schema):
    id_number: str
    name: str
    on: dt.date
    covered: bool
    status: str
    reason: str
    message: str
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    kind: str
    kind_display: str
    insurance_year: int | None
    missing: list[str]
    explanation: list[Any]


@router.get("/coverage", response=responds(CoverageOut))
def get_coverage(request, id_number: str, on: dt.date | None = None):
    """Is the person covered on ``on`` (default today), from when to when, and why: the
    explanation cites the rule applied (ordinary payment in the collection period, a newborn
    within six months of birth, a migrant, a back payment). Otherwise ``covered`` is false,
    ``status`` is not_covered and ``reason`` says why (not_registered, not_paid, refunded,
    cancelled, not_in_period, deceased, or the engine's code such as not_configured)."""
    require_capability(request.user, CAPABILITY)
    answer = selectors.coverage_for(request.user, id_number, _on(on))
    if answer is None:
        raise NotFound(NOT_FOUND)
    c = answer.coverage
    return {"id_number": shown_id_number(request.user, answer.person.id_number), "name": answer.person.name,
            "on": answer.on, "covered": c.covered, "status": c.status, "reason": c.reason, "message": c.message,
            "benefit_start": c.benefit_start, "benefit_end": c.benefit_end, "kind": c.kind,
            "kind_display": c.kind_display, "insurance_year": c.insurance_year, "missing": c.missing,
            "explanation": c.explanation}


class LifeStatusIn(Schema):
    status: LifeStatus
    on: dt.date | None = None


@router.post("/persons/{id_number}/life-status", response=responds(PersonOut))
def record_life_status(request, id_number: str, payload: LifeStatusIn):
    """Record a death or a move out of the region (人员状态), with its date: clerks, for their area.
    Coverage ends with a death; the renewal roster leaves the person out."""
    require_capability(request.user, "resident.review")
    card = selectors.person_card(request.user, id_number=id_number)
    if card is None:
        raise NotFound(NOT_FOUND)
    services.record_life_status(card.person, status=payload.status, on=payload.on, actor=request.user)
    return _person_out(selectors.person_card(request.user, id_number=id_number), request.user)
