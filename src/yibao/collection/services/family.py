"""家庭共济账户缴费 (晋城 三(三)): an employee-scheme member pays a family member's resident premium
from their personal account, at an agency's window or a service point. The clerk records the
deduction: the payer is the account (its holder's identity number and name, and the relationship),
not cash.

The engine's ``resident.family_mutual_aid`` decides whether the region allows it (a region whose
notice is silent answers ``not_configured``); the holder must be insured in the employee scheme
for the year (``registry.insured_elsewhere``); the payment itself is judged like any own-part
payment (``payments.judge_own_part``: enrolment, state, window, premium, full amount). Every
refusal is audited and writes nothing else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from yibao import clock, registry
from yibao.access.scoping import scope_of
from yibao.audit.services import record_event
from yibao.errors import RuleRefused
from yibao.identity import IdentityError, mask_id_number, parse_resident_id
from yibao.resident import collecting as enrolments

from .. import rules, tallies
from ..errors import PaymentRefused
from ..models import Payer, Payment
from . import payments
from .payments import ALREADY_PAID, NOT_CONFIGURED, PaymentIn, refuse

#: 家庭成员, as the relationship is recorded
RELATIONSHIPS = ("配偶", "父母", "子女", "祖父母", "外祖父母", "孙子女", "外孙子女", "兄弟姐妹")

PAYER_INVALID = "payer_invalid"
PAYER_NOT_EMPLOYEE = "payer_not_employee"
RELATIONSHIP_INVALID = "relationship_invalid"


@dataclass
class FamilyPaymentIn:
    id_number: str             # the family member whose premium is paid
    region: str
    insurance_year: int
    amount: Decimal
    payer_id_number: str       # the account holder (employee scheme)
    payer_name: str
    relationship: str
    paid_on: dt.date | None = None   # the day of the deduction; today when not given


def allowed(region: str, insurance_year: int) -> dict:
    """The engine's answer for the region and year (channels where it is done), or the refusal
    (``not_configured`` where the notice is silent) as ``PaymentRefused``."""
    try:
        return rules.family_mutual_aid(region, insurance_year).values
    except RuleRefused as exc:
        if exc.code == NOT_CONFIGURED:
            raise PaymentRefused(f"本统筹区 {insurance_year} 保险年度的通知未规定家庭共济账户缴费，不能办理：{exc}",
                                 code=NOT_CONFIGURED, missing=exc.missing, explanation=exc.explanation) from None
        raise PaymentRefused(str(exc), code=exc.code, missing=exc.missing, explanation=exc.explanation) from None


def _in_scope(actor, facts: list[enrolments.EnrolmentFacts]) -> list[enrolments.EnrolmentFacts]:
    """The person's enrolments the clerk's area holds (the others are as if absent)."""
    scope = scope_of(actor)
    if scope.sees_everything:
        return facts
    if not scope.division_path:
        return []
    return [f for f in facts if f.division_path.startswith(scope.division_path)]


def _payer(data: FamilyPaymentIn, person: str, year: int) -> tuple[str, str, list[dict]]:
    try:
        number = parse_resident_id(data.payer_id_number or "", today=clock.today()).number
    except IdentityError as exc:
        raise refuse(PAYER_INVALID, f"共济账户人的身份证号码不正确：{exc}",
                     payer_id_number=mask_id_number(str(data.payer_id_number or ""))) from None
    name = (data.payer_name or "").strip()
    if not name or len(name) > 50:
        raise refuse(PAYER_INVALID, "请填写共济账户人的姓名（不超过 50 个字）。", payer_name="必填")
    if number == person:
        raise refuse(PAYER_INVALID, "共济账户人与参保人是同一人：家庭共济账户用于为家庭成员缴费，本人缴费请通过其他渠道。",
                     payer_id_number=mask_id_number(number))
    if data.relationship not in RELATIONSHIPS:
        raise refuse(RELATIONSHIP_INVALID, f"请选择与参保人的关系（{'、'.join(RELATIONSHIPS)}）。",
                     relationship=str(data.relationship or ""))
    where = registry.insured_elsewhere(number, year, schemes=("employee",))
    if not where:
        raise refuse(PAYER_NOT_EMPLOYEE, f"共济账户人 {mask_id_number(number)} 没有 {year} 年度职工医保参保记录，"
                                         "不能用家庭共济账户缴费（须为参加职工医保的人员）。",
                     payer_id_number=mask_id_number(number))
    return number, name, where


def record_family_payment(data: FamilyPaymentIn, *, actor, ip: str | None = None) -> Payment:
    """Record a family-account payment, or refuse it (``PaymentRefused``, audited)."""
    try:
        return _record(data, actor, ip)
    except PaymentRefused as exc:
        record_event(actor, "collection.payment.refuse", "payment_attempt", "",
                     after={"payer": Payer.FAMILY, "id_number": mask_id_number(str(data.id_number or "")),
                            "payer_id_number": mask_id_number(str(data.payer_id_number or "")),
                            "region": str(data.region or ""), "insurance_year": str(data.insurance_year),
                            "amount": str(data.amount), "code": exc.code, "message": exc.message}, ip=ip)
        raise


@transaction.atomic
def _record(data: FamilyPaymentIn, actor, ip: str | None) -> Payment:
    region = (data.region or "").strip()
    try:
        year = int(data.insurance_year)
    except (TypeError, ValueError):
        raise refuse(payments.INVALID_INPUT, f"保险年度“{data.insurance_year}”不正确。", insurance_year="应为四位年份") from None
    allowed(region, year)
    paid_on = data.paid_on or clock.today()
    item = payments.clean(PaymentIn(id_number=data.id_number, region=region, insurance_year=year,
                                    amount=data.amount, paid_at=payments.moment(paid_on)))
    payer_number, payer_name, where = _payer(data, item.id_number, year)
    facts = _in_scope(actor, enrolments.enrolment_facts([item.id_number]).get(item.id_number, []))
    categories = enrolments.categories_many(region, [item.id_number], item.paid_on).get(item.id_number, [])
    accepted = payments.judge_own_part(item, facts, categories, rules.Judge())
    payment = payments.new_payment(item, accepted, payer=Payer.FAMILY, actor=actor, payer_id_number=payer_number,
                                   payer_name=payer_name, relationship=data.relationship)
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        raise refuse(ALREADY_PAID, f"此人 {year} 保险年度已缴费，不能重复缴费。") from None
    enrolments.mark_paid({payment.enrolment_id: payment.paid_on})
    tallies.add_new([payment])
    record_event(actor, "collection.payment.family", "payment", payment.pk,
                 after={"id_number": mask_id_number(payment.id_number), "region": region, "insurance_year": year,
                        "amount": f"{payment.amount:.2f}", "paid_on": payment.paid_on.isoformat(),
                        "payer_id_number": mask_id_number(payer_number), "relationship": data.relationship,
                        "payer_insured": [w.get("where", "") for w in where]},
                 division_path=accepted.facts.division_path, ip=ip)
    return payment


@dataclass
class Preview:
    facts: enrolments.EnrolmentFacts
    categories: list[str]
    premium: rules.PremiumAnswer


def preview(actor, id_number: str, region: str, insurance_year: int, on: dt.date | None = None) -> Preview:
    """What the family member owes (before the clerk records the deduction): the enrolment in the
    clerk's area and the engine's premium with the categories valid on ``on``. Raises
    ``PaymentRefused`` as the payment itself would be refused (region not allowing it, enrolment,
    state, window)."""
    allowed(region, insurance_year)
    on = on or clock.today()
    number = (id_number or "").strip().upper()
    item = PaymentIn(id_number=number, region=region, insurance_year=insurance_year, amount=Decimal("0.01"),
                     paid_at=payments.moment(on))
    facts = _in_scope(actor, enrolments.enrolment_facts([number]).get(number, []))
    f = payments.enrolment_for(item, facts)
    payments._open_state(f)
    judge = rules.Judge()
    payments._window(f, on, judge)
    categories = enrolments.categories_many(region, [number], on).get(number, [])
    try:
        premium = judge.premium(region, insurance_year, categories)
    except RuleRefused as exc:
        raise PaymentRefused(str(exc), code=exc.code, missing=exc.missing, explanation=exc.explanation) from None
    return Preview(f, categories, premium)
