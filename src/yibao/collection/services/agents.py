"""Village agents' cash (代收, 东明 四、五(三)): the agent looks a person of their own village up and
sees the payable amount from the engine, records the cash collected (an own-part payment judged
like every other, with a receipt numbered per village and year), groups undeposited collections
into a deposit to the township finance account and submits the village's 申报清单; the tax
sub-bureau checks the list against the bank's record and declares it or returns it with the
difference; township finance records the transfer (划缴).

Every action is one transaction and audited; a refused collection is audited too (after its
transaction is rolled back, so nothing else is written)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.dbutil import locked_counter, next_in_sequence
from yibao.errors import AppError, RuleRefused
from yibao.identity import mask_id_number
from yibao.money import FEN
from yibao.regions.models import Division
from yibao.resident import collecting as enrolments
from yibao.resident.collecting import EnrolmentFacts, EnrolmentStatus

from .. import rules, tallies
from ..errors import CollectionError, PaymentRefused
from ..models import Deposit, DepositStatus, Payer, Payment, ReceiptCounter
from . import payments

OUTSIDE_VILLAGE = "outside_village"
NOT_AN_AGENT = "not_an_agent"
EMPTY_DEPOSIT = "empty_deposit"
ALREADY_DEPOSITED = "already_deposited"
ALREADY_DECLARED = "already_declared"
ALREADY_TRANSFERRED = "already_transferred"
NOT_SUBMITTED = "not_submitted"
NOT_DECLARED = "not_declared"
NOT_EDITABLE = "deposit_not_editable"
INVALID_INPUT = "invalid_input"


def _label(actor) -> str:
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


def _village_of(agent) -> Division:
    """The agent's own village: a village agent acts there and nowhere else."""
    village = getattr(agent, "division", None)
    if village is None:
        raise CollectionError("您的账号没有所属村（社区），不能代收。请联系管理员设置。", code=NOT_AN_AGENT)
    return village


def _outside(village: Division) -> PaymentRefused:
    # the same answer whether the person is registered in another village or nowhere
    return PaymentRefused(f"此身份证号码不是{village.name}的参保人员：代收员只能为本村（社区）已参保登记的人员收费；"
                          "未登记的请先办理参保登记，其他村（社区）的请到所在村（社区）缴费。", code=OUTSIDE_VILLAGE,
                          fields={"id_number": "不是本村（社区）的参保人员"})


def _within(village: Division, path: str) -> bool:
    return bool(path) and path.startswith(village.path)


def _audit_refusal(agent, action: str, id_number: str, exc: AppError, **extra) -> None:
    record_event(agent, action, "payment_attempt", "",
                 after={"id_number": mask_id_number(id_number), "code": exc.code, "message": exc.message,
                        "village": getattr(agent, "division_id", "") or "", **extra},
                 division_path=getattr(getattr(agent, "division", None), "path", ""))


# --- looking a person up --------------------------------------------------------------------------

@dataclass
class Quote:
    """What the agent sees before collecting: the person's enrolment in the village for the year,
    and (while it is unpaid) the premium the engine gives for the day with their categories."""

    facts: EnrolmentFacts
    categories: list[str]
    on: dt.date
    premium: rules.PremiumAnswer | None
    refusal: PaymentRefused | None   # why it cannot be collected now (already paid, outside the window …)
    village: Division

    @property
    def payable(self) -> Decimal | None:
        return self.premium.payable if self.premium else None

    @property
    def collectable(self) -> bool:
        return self.refusal is None


def _enrolment_here(village: Division, id_number: str, year: int | None) -> EnrolmentFacts:
    """The person's enrolment in the agent's village: for ``year``, or (without one) the newest
    unpaid one, else the newest. A person with none in the village is outside it, whether they are
    registered elsewhere or nowhere (the agent is not told which)."""
    here = [f for f in enrolments.enrolment_facts([id_number]).get(id_number, []) if _within(village, f.division_path)]
    if not here:
        raise _outside(village)
    if year is not None:
        chosen = [f for f in here if f.insurance_year == year]
        if not chosen:
            known = "、".join(str(y) for y in sorted({f.insurance_year for f in here}))
            raise PaymentRefused(f"此人没有 {year} 保险年度的参保登记（已登记年度：{known}）。", code=payments.WRONG_YEAR,
                                 fields={"insurance_year": year})
        return chosen[0]
    unpaid = [f for f in here if f.status == EnrolmentStatus.REGISTERED]
    return (unpaid or here)[0]  # newest year first


def _number(id_number: str) -> str:
    number = (id_number or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit():
        raise PaymentRefused("身份证号码应为 18 位。", code=payments.NOT_REGISTERED,
                             fields={"id_number": mask_id_number(number)})
    return number


def look_up(agent, id_number: str, *, insurance_year: int | None = None, on: dt.date | str | None = None) -> Quote:
    """The person of the agent's village with the payable amount on ``on`` (the day of collection:
    the business date by default). Refuses (audited) a person outside the village."""
    village = _village_of(agent)
    on = _day(on, "收款日期") if on else clock.today()
    _check_day(on, "收款日期")
    try:
        number = _number(id_number)
        facts = _enrolment_here(village, number, insurance_year)
    except PaymentRefused as exc:
        if exc.code == OUTSIDE_VILLAGE:
            _audit_refusal(agent, "collection.agent.look_up_refuse", id_number, exc)
        raise
    categories = enrolments.categories_many(facts.region, [number], on).get(number, [])
    judge = rules.Judge()
    premium, refusal = None, None
    try:
        premium = judge.premium(facts.region, facts.insurance_year, categories)
    except RuleRefused as exc:
        refusal = PaymentRefused(str(exc), code=exc.code, missing=exc.missing, explanation=exc.explanation)
    trial = premium.payable if premium is not None and premium.payable > 0 else Decimal("0.01")
    try:  # would the payable amount be accepted today? (state, window: the judgement itself)
        payments.judge_own_part(payments.PaymentIn(number, facts.region, facts.insurance_year, trial, _paid_at(on)),
                                [facts], categories, judge)
    except PaymentRefused as exc:
        refusal = exc
    return Quote(facts, categories, on, premium, refusal, village)


# --- collecting ----------------------------------------------------------------------------------

def _paid_at(day: dt.date) -> dt.datetime:
    """When a collection made on ``day`` is recorded as paid: now for today, else the day's start."""
    if day == clock.today() and timezone.localdate() == day:
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(0, 0)))


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise PaymentRefused("收款金额不是有效的数字。", code=payments.INVALID_AMOUNT, fields={"amount": str(value)})
    return amount


def _day(value, what: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CollectionError(f"{what}“{value}”无效，应为 YYYY-MM-DD。", code=INVALID_INPUT, fields={what: str(value)}) \
            from None


def receipt_number(village: Division, region: str, year: int) -> str:
    """The next receipt number of the village for the insurance year (the counter's row locked
    until the collection's transaction ends): ``{village}-{year}-{seq:06d}``."""
    seq = next_in_sequence(ReceiptCounter, region_id=region, division=village, insurance_year=year)
    return f"{village.key}-{year}-{seq:06d}"


def collect(agent, id_number: str, amount, *, collected_on: dt.date | str | None = None,
            insurance_year: int | None = None) -> Payment:
    """Record the cash an agent collected from a person of their village: judged like every own
    part (enrolment, state, window, premium, amount), numbered, the enrolment marked paid."""
    try:
        with transaction.atomic():
            return _collect(agent, id_number, amount, collected_on, insurance_year)
    except AppError as exc:
        _audit_refusal(agent, "collection.agent.collect_refuse", id_number, exc, amount=str(amount),
                       collected_on=str(collected_on or ""))
        raise


def _collect(agent, id_number, amount, collected_on, insurance_year) -> Payment:
    village = _village_of(agent)
    number = _number(id_number)
    day = _day(collected_on, "收款日期") if collected_on else clock.today()
    facts = _enrolment_here(village, number, insurance_year)
    item = payments.clean(payments.PaymentIn(number, facts.region, facts.insurance_year, _amount(amount),
                                             _paid_at(day)))
    (verdict,) = payments.judge_many([item])
    if isinstance(verdict, PaymentRefused):
        raise verdict
    if not _within(village, verdict.facts.division_path):  # the judged enrolment is the village's
        raise _outside(village)
    payment = payments.new_payment(item, verdict, payer=Payer.AGENT, actor=agent,
                                   receipt_number=receipt_number(village, facts.region, facts.insurance_year))
    payment.actor_label = _label(agent)[:100]  # the receipt names the agent
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        raise PaymentRefused(f"此人 {facts.insurance_year} 保险年度已缴费，不能重复缴费。", code=payments.ALREADY_PAID) \
            from None
    enrolments.mark_paid({payment.enrolment_id: payment.paid_on})
    tallies.add_new([payment])
    record_event(agent, "collection.agent.collect", "payment", payment.pk,
                 after={"id_number": mask_id_number(number), "insurance_year": payment.insurance_year,
                        "amount": str(payment.amount), "receipt_number": payment.receipt_number,
                        "paid_on": payment.paid_on.isoformat(), "category": payment.category},
                 division_path=facts.division_path)
    return payment


# --- deposits and the 申报清单 -------------------------------------------------------------------

def undeposited(village: Division, insurance_year: int | None = None):
    """The village's cash collections not yet in a deposit (refunded ones left out)."""
    refunded = Payment.objects.filter(refund_of__isnull=False).values("refund_of")
    qs = (Payment.objects.filter(division__path__startswith=village.path, payer=Payer.AGENT, refund_of__isnull=True,
                                 deposit__isnull=True)
          .exclude(pk__in=refunded).order_by("paid_on", "receipt_number"))
    return qs.filter(insurance_year=insurance_year) if insurance_year else qs


def _deposit_number(village: Division, region: str, year: int) -> str:
    # the village's receipt counter row serialises deposits of the village and year as well
    locked_counter(ReceiptCounter, region_id=region, division=village, insurance_year=year)
    n = Deposit.objects.filter(region_id=region, division=village, insurance_year=year).count() + 1
    return f"{village.key}-{year}-J{n:03d}"


def _check_day(day: dt.date, what: str, *, not_before: dt.date | None = None, before_what: str = "") -> None:
    if day > clock.today():
        raise CollectionError(f"{what} {day.isoformat()} 晚于今天（{clock.today().isoformat()}）。", code=INVALID_INPUT,
                              fields={what: day.isoformat()})
    if not_before and day < not_before:
        raise CollectionError(f"{what} {day.isoformat()} 早于{before_what}（{not_before.isoformat()}）。",
                              code=INVALID_INPUT, fields={what: day.isoformat()})


def _reference(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value or len(value) > 60:
        raise CollectionError(f"{what}不能为空，且不超过 60 个字符。", code=INVALID_INPUT, fields={what: value})
    return value


def _totals(deposit: Deposit) -> None:
    agg = Payment.objects.filter(deposit=deposit).aggregate(n=Count("id"), amount=Sum("amount"))
    deposit.people = agg["n"]
    deposit.amount = (agg["amount"] or Decimal("0")).quantize(FEN)


def _pick(village: Division, payment_ids, insurance_year: int | None) -> list[Payment]:
    pool = undeposited(village, insurance_year).select_related("division").select_for_update(of=("self",))
    if payment_ids is None:
        chosen = list(pool)
    else:
        ids = {int(i) for i in payment_ids}
        chosen = list(pool.filter(pk__in=ids))
        missing = ids - {p.pk for p in chosen}
        if missing:
            taken = Payment.objects.filter(pk__in=missing, division__path__startswith=village.path,
                                           deposit__isnull=False).count()
            raise CollectionError(f"有 {len(missing)} 笔收款不能放入此次缴存：" + (f"其中 {taken} 笔已在其他缴存中；" if taken else "")
                                  + "只能选择本村（社区）尚未缴存的代收款。", code=ALREADY_DEPOSITED if taken else OUTSIDE_VILLAGE,
                                  fields={"payments": sorted(missing)})
    return chosen


@transaction.atomic
def make_deposit(agent, *, deposited_on, bank_reference: str, payment_ids=None,
                 insurance_year: int | None = None) -> Deposit:
    """Group the village's undeposited collections (those named, or all of the year) into a
    deposit to the township finance account, banked on ``deposited_on`` with the bank's slip
    reference. An empty deposit is refused."""
    village = _village_of(agent)
    day = _day(deposited_on, "缴存日期")
    reference = _reference(bank_reference, "银行回单号")
    chosen = _pick(village, payment_ids, insurance_year)
    if not chosen:
        raise CollectionError("没有可缴存的代收款：本村（社区）的代收款都已缴存，或未选择任何收款。", code=EMPTY_DEPOSIT)
    years = {p.insurance_year for p in chosen}
    if len(years) > 1:
        raise CollectionError("一次缴存只能包含同一保险年度的代收款，请按年度分别缴存。", code=INVALID_INPUT,
                              fields={"insurance_year": sorted(years)})
    _check_day(day, "缴存日期", not_before=max(p.paid_on for p in chosen), before_what="最晚一笔收款的日期")
    places = {p.division_id for p in chosen}
    if len(places) > 1:
        raise CollectionError("一次缴存只能包含同一村（社区）的代收款。", code=INVALID_INPUT, fields={"payments": sorted(places)})
    year, region, village = years.pop(), chosen[0].region_id, chosen[0].division
    deposit = Deposit.objects.create(region_id=region, insurance_year=year, division=village,
                                     township_id=village.parent_id or village.key,
                                     number=_deposit_number(village, region, year), amount=Decimal("0"),
                                     deposited_on=day, bank_reference=reference, agent_id=agent.pk,
                                     agent_label=_label(agent))
    Payment.objects.filter(pk__in=[p.pk for p in chosen]).update(deposit=deposit)
    _totals(deposit)
    deposit.save(update_fields=["people", "amount"])
    record_event(agent, "collection.deposit.create", "deposit", deposit.pk,
                 after={"number": deposit.number, "amount": str(deposit.amount), "people": deposit.people,
                        "deposited_on": day.isoformat(), "bank_reference": reference},
                 division_path=village.path)
    return deposit


def _locked(deposit: Deposit) -> Deposit:
    return Deposit.objects.select_for_update(of=("self",)).select_related("division").get(pk=deposit.pk)


def _own(agent, deposit: Deposit, doing: str) -> None:
    area = getattr(agent, "division", None)
    if area is None or not _within(area, deposit.division.path):
        raise CollectionError(f"缴存 {deposit.number} 不是本村（社区）的，不能{doing}。", code=OUTSIDE_VILLAGE)


@transaction.atomic
def correct_deposit(agent, deposit: Deposit, *, deposited_on=None, bank_reference: str | None = None,
                    add=(), remove=()) -> Deposit:
    """Before submission, or after the tax clerk returned it: correct the date or the bank's slip
    reference, take collections out (they go back to undeposited) or put undeposited ones in."""
    deposit = _locked(deposit)
    _own(agent, deposit, "修改")
    if deposit.status not in (DepositStatus.OPEN, DepositStatus.RETURNED):
        raise CollectionError(f"缴存 {deposit.number} {deposit.get_status_display()}，不能再修改。", code=NOT_EDITABLE)
    before = {"amount": str(deposit.amount), "people": deposit.people, "bank_reference": deposit.bank_reference,
              "deposited_on": deposit.deposited_on.isoformat() if deposit.deposited_on else ""}
    if remove:
        Payment.objects.filter(deposit=deposit, pk__in=[int(i) for i in remove]).update(deposit=None)
    if add:
        chosen = _pick(deposit.division, add, deposit.insurance_year)
        Payment.objects.filter(pk__in=[p.pk for p in chosen]).update(deposit=deposit)
    if bank_reference is not None:
        deposit.bank_reference = _reference(bank_reference, "银行回单号")
    if deposited_on:
        deposit.deposited_on = _day(deposited_on, "缴存日期")
    _totals(deposit)
    if deposit.people == 0:
        raise CollectionError("缴存中至少要有一笔代收款。", code=EMPTY_DEPOSIT)
    last = Payment.objects.filter(deposit=deposit).order_by("-paid_on").values_list("paid_on", flat=True).first()
    _check_day(deposit.deposited_on, "缴存日期", not_before=last, before_what="最晚一笔收款的日期")
    deposit.save(update_fields=["amount", "people", "bank_reference", "deposited_on"])
    record_event(agent, "collection.deposit.correct", "deposit", deposit.pk, before=before,
                 after={"amount": str(deposit.amount), "people": deposit.people,
                        "bank_reference": deposit.bank_reference, "deposited_on": deposit.deposited_on.isoformat()},
                 division_path=deposit.division.path)
    return deposit


@transaction.atomic
def submit_deposit(agent, deposit: Deposit) -> Deposit:
    """The agent submits the village's 申报清单 behind the deposit to the tax sub-bureau (again,
    once corrected, after a return)."""
    deposit = _locked(deposit)
    _own(agent, deposit, "报送")
    if deposit.status not in (DepositStatus.OPEN, DepositStatus.RETURNED):
        raise CollectionError(f"缴存 {deposit.number} 的申报清单{deposit.get_status_display()}，不能再报送。",
                              code=ALREADY_DECLARED if deposit.status in (DepositStatus.DECLARED,
                                                                         DepositStatus.TRANSFERRED)
                              else "already_submitted")
    _totals(deposit)
    if deposit.people == 0:
        raise CollectionError("申报清单中没有代收款，不能报送。", code=EMPTY_DEPOSIT)
    before = deposit.status
    deposit.status = DepositStatus.SUBMITTED
    deposit.submitted_at = timezone.now()
    deposit.save(update_fields=["status", "submitted_at", "amount", "people"])
    record_event(agent, "collection.deposit.submit", "deposit", deposit.pk, before={"status": before},
                 after={"status": deposit.status, "amount": str(deposit.amount), "people": deposit.people},
                 division_path=deposit.division.path)
    return deposit


@dataclass(frozen=True)
class Difference:
    what: str
    listed: str
    bank: str


def differences(deposit: Deposit, bank_amount: Decimal, bank_date: dt.date, bank_reference: str) -> list[Difference]:
    out = []
    if bank_amount != deposit.amount:
        out.append(Difference("金额", f"{deposit.amount:.2f} 元", f"{bank_amount:.2f} 元（差额 {bank_amount - deposit.amount:+.2f} 元）"))
    if bank_date != deposit.deposited_on:
        out.append(Difference("缴存日期", deposit.deposited_on.isoformat() if deposit.deposited_on else "",
                              bank_date.isoformat()))
    if bank_reference != deposit.bank_reference:
        out.append(Difference("银行回单号", deposit.bank_reference, bank_reference))
    return out


@transaction.atomic
def check_deposit(clerk, deposit: Deposit, *, bank_amount, bank_date, bank_reference: str) -> Deposit:
    """The tax clerk checks the submitted 申报清单 against the deposit and the bank's record (the
    amount, date and reference the clerk reads from the bank): declared when all agree, else
    returned to the agent with the difference."""
    deposit = _locked(deposit)
    if deposit.status in (DepositStatus.DECLARED, DepositStatus.TRANSFERRED):
        raise CollectionError(f"申报清单 {deposit.number} 已于 {timezone.localtime(deposit.declared_at):%Y-%m-%d %H:%M} "
                              "申报，不能重复申报。", code=ALREADY_DECLARED)
    if deposit.status != DepositStatus.SUBMITTED:
        raise CollectionError(f"申报清单 {deposit.number} {deposit.get_status_display()}，村（社区）报送后才能核对。",
                              code=NOT_SUBMITTED)
    try:
        amount = Decimal(str(bank_amount).strip())
    except (InvalidOperation, ValueError):
        raise CollectionError(f"银行到账金额“{bank_amount}”不是有效的数字。", code=INVALID_INPUT,
                              fields={"bank_amount": str(bank_amount)}) from None
    if not amount.is_finite() or amount.adjusted() >= payments.MONEY_DIGITS or amount != amount.quantize(FEN):
        raise CollectionError("银行到账金额以元为单位，最多两位小数。", code=INVALID_INPUT, fields={"bank_amount": str(amount)})
    day = _day(bank_date, "银行到账日期")
    _check_day(day, "银行到账日期")
    reference = _reference(bank_reference, "银行流水号")
    _totals(deposit)
    found = differences(deposit, amount, day, reference)
    deposit.bank_amount, deposit.bank_date, deposit.bank_record_reference = amount, day, reference
    deposit.checked_by_id, deposit.checked_by_label, deposit.checked_at = clerk.pk, _label(clerk), timezone.now()
    if found:
        deposit.status = DepositStatus.RETURNED
        deposit.note = "；".join(f"{d.what}：清单 {d.listed}，银行 {d.bank}" for d in found)[:500]
    else:
        deposit.status = DepositStatus.DECLARED
        deposit.note = ""
        deposit.declared_at = timezone.now()
    deposit.save()
    record_event(clerk, "collection.deposit.declare" if not found else "collection.deposit.return", "deposit",
                 deposit.pk, before={"status": DepositStatus.SUBMITTED},
                 after={"status": deposit.status, "bank_amount": str(amount), "bank_date": day.isoformat(),
                        "bank_record_reference": reference, "note": deposit.note},
                 division_path=deposit.division.path)
    return deposit


@transaction.atomic
def record_transfer(clerk, deposits: list[Deposit], *, transferred_on, reference: str) -> list[Deposit]:
    """Township finance records the transfer (划缴) of declared deposits, on a day with its
    voucher's reference. A deposit not declared, or transferred already, is refused (nothing is
    recorded then)."""
    if not deposits:
        raise CollectionError("请选择要登记划缴的申报清单。", code=EMPTY_DEPOSIT)
    day = _day(transferred_on, "划缴日期")
    reference = _reference(reference, "划缴凭证号")
    done = []
    for d in sorted(deposits, key=lambda x: x.pk):
        d = _locked(d)
        if d.status == DepositStatus.TRANSFERRED:
            raise CollectionError(f"申报清单 {d.number} 已于 {d.transferred_on.isoformat()} 划缴（凭证号 "
                                  f"{d.transfer_reference}），不能重复划缴。", code=ALREADY_TRANSFERRED)
        if d.status != DepositStatus.DECLARED:
            raise CollectionError(f"申报清单 {d.number} {d.get_status_display()}：税务申报后才能划缴。", code=NOT_DECLARED)
        _check_day(day, "划缴日期", not_before=d.bank_date, before_what="银行到账日期")
        d.status = DepositStatus.TRANSFERRED
        d.transferred_on, d.transfer_reference = day, reference
        d.transferred_by_id, d.transferred_by_label = clerk.pk, _label(clerk)
        d.save(update_fields=["status", "transferred_on", "transfer_reference", "transferred_by_id",
                              "transferred_by_label"])
        record_event(clerk, "collection.deposit.transfer", "deposit", d.pk, before={"status": DepositStatus.DECLARED},
                     after={"status": d.status, "transferred_on": day.isoformat(), "reference": reference,
                            "amount": str(d.amount)}, division_path=d.division.path)
        done.append(d)
    return done


def refused_to_transfer(clerk, exc: AppError, deposit_ids) -> None:
    """The audit entry of a refused transfer (written after the refused transaction)."""
    record_event(clerk, "collection.deposit.transfer_refuse", "deposit", ",".join(str(i) for i in deposit_ids),
                 after={"code": exc.code, "message": exc.message})


def audited(action: str):
    """Run a deposit action; a refusal is audited (after its transaction rolled back) and raised."""

    def wrap(fn):
        def run(actor, deposit, **kwargs):
            try:
                return fn(actor, deposit, **kwargs)
            except AppError as exc:
                record_event(actor, action, "deposit", deposit.pk,
                             after={"code": exc.code, "message": exc.message, "number": deposit.number},
                             division_path=getattr(deposit.division, "path", ""))
                raise

        run.__name__, run.__doc__ = fn.__name__, fn.__doc__
        return run

    return wrap


submit = audited("collection.deposit.submit_refuse")(submit_deposit)
correct = audited("collection.deposit.correct_refuse")(correct_deposit)
check = audited("collection.deposit.check_refuse")(check_deposit)


def transfer(clerk, deposits: list[Deposit], *, transferred_on, reference: str) -> list[Deposit]:
    try:
        return record_transfer(clerk, deposits, transferred_on=transferred_on, reference=reference)
    except AppError as exc:
        refused_to_transfer(clerk, exc, [d.pk for d in deposits])
        raise


def deposit(agent, **kwargs) -> Deposit:
    try:
        return make_deposit(agent, **kwargs)
    except AppError as exc:
        record_event(agent, "collection.deposit.create_refuse", "deposit", "",
                     after={"code": exc.code, "message": exc.message},
                     division_path=getattr(getattr(agent, "division", None), "path", ""))
        raise


__all__ = ["ALREADY_DECLARED", "ALREADY_TRANSFERRED", "EMPTY_DEPOSIT", "OUTSIDE_VILLAGE", "Difference", "Quote",
           "check", "collect", "correct", "deposit", "differences", "look_up", "receipt_number", "submit", "transfer",
           "undeposited"]
