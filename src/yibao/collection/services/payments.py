"""Recording residents' payments: the judgement every payer goes through (the person's enrolment
in that region and year, its state, the premium and the window from the engine), and the
channels' contract (one payment or a batch, idempotent on channel + transaction id).

A batch is judged with a few set-based reads (every enrolment of the batch's people, their
hardship categories, the transaction ids already known) and written with one INSERT and one
UPDATE. The database's unique constraints decide races: when two requests carry the same
transaction, or pay for the same person, at the same moment, the batch falls back to one
savepoint per payment and the loser gets the replay, the conflict or ``already_paid``."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_events
from yibao.channels import batches
from yibao.channels.group_commit import GroupCommit
from yibao.channels.models import Channel
from yibao.dbutil import bulk_insert, in_values
from yibao.errors import RuleRefused
from yibao.http import error_body
from yibao.identity import mask_id_number
from yibao.money import MONEY_FIELD, payment_amount
from yibao.resident import collecting as enrolments
from yibao.resident.collecting import EnrolmentFacts, EnrolmentStatus

from .. import rules, tallies
from ..errors import PaymentRefused
from ..models import Part, Payer, Payment

#: digits before the decimal point a money column holds
MONEY_DIGITS = MONEY_FIELD["max_digits"] - MONEY_FIELD["decimal_places"]
#: the most payments one batch request may carry (the channels' daily push comes in such pieces)
BATCH_LIMIT = 1000

# The contract's codes (the channels rely on them: never rename one).
WRONG_REGION = "wrong_region"
WRONG_YEAR = "wrong_year"
NOT_REGISTERED = "not_registered"
OUTSIDE_WINDOW = "outside_window"
NOT_CONFIGURED = "not_configured"
AMOUNT_MISMATCH = "amount_mismatch"
ALREADY_PAID = "already_paid"
ENROLMENT_CLOSED = "enrolment_closed"
INVALID_AMOUNT = "invalid_amount"
INVALID_INPUT = "invalid_input"
CONFLICT = "conflict"


def moment(on: dt.date) -> dt.datetime:
    """The time booked for a payment a clerk records for a day: now when it is today, else noon
    of that day (local time)."""
    now = timezone.localtime()
    if now.date() == on:
        return now
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12, 0)))


def mask_name(name: str) -> str:
    """A name as a channel is told it: the surname kept, the rest starred (张三 → 张*)."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


@dataclass
class PaymentIn:
    """One payment as a payer presents it."""

    id_number: str
    region: str
    insurance_year: int
    amount: Decimal
    paid_at: dt.datetime
    transaction_id: str = ""

    @cached_property
    def paid_on(self) -> dt.date:
        """The day of payment in China (the business time zone)."""
        return self.paid_at.astimezone(timezone.get_default_timezone()).date()

    def digest(self) -> str:
        """What makes a replay the same transaction: the content, with the time in UTC."""
        when = self.paid_at.astimezone(dt.UTC).isoformat()
        text = "|".join([self.id_number, self.region, str(self.insurance_year), f"{self.amount:.2f}", when])
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Accepted:
    """A payment the rules accept: the enrolment it pays and the premium the engine gave."""

    facts: EnrolmentFacts
    premium: rules.PremiumAnswer


@dataclass
class Outcome:
    """One payment's answer: ``status`` is the HTTP status the channels' contract gives it."""

    status: int
    body: dict
    payment: Payment | None = None
    error: PaymentRefused | None = field(default=None, repr=False)


def refuse(code: str, message: str, **fields) -> PaymentRefused:
    return PaymentRefused(message, code=code, fields=fields or None)


# --- the judgement every payer goes through ------------------------------------------------------

def clean(item: PaymentIn, *, today: dt.date | None = None) -> PaymentIn:
    """The payment's own shape: a positive amount in yuan and fen, a time with its offset not in
    the future, an identity number's shape. Raises ``PaymentRefused``."""
    try:
        amount = payment_amount(item.amount)
    except ValueError as exc:
        raise refuse(INVALID_AMOUNT, str(exc), amount=str(item.amount)[:30]) from None
    if item.paid_at.tzinfo is None:
        raise refuse(INVALID_INPUT, "缴费时间须带时区（如 2023-11-20T10:30:00+08:00）。", paid_at=str(item.paid_at))
    number = (item.id_number or "").strip().upper()
    if len(number) != 18:
        raise refuse(NOT_REGISTERED, "身份证号码应为 18 位。", id_number=mask_id_number(number))
    paid_on = item.paid_at.astimezone(timezone.get_default_timezone()).date()
    if paid_on > (today or clock.today()):
        raise refuse(INVALID_INPUT, f"缴费日期 {paid_on.isoformat()} 晚于今天，请核对缴费时间。", paid_at=str(item.paid_at))
    return PaymentIn(number, (item.region or "").strip(), int(item.insurance_year), amount,
                     item.paid_at, (item.transaction_id or "").strip())


def enrolment_for(item: PaymentIn, facts: list[EnrolmentFacts]) -> EnrolmentFacts:
    """The enrolment the payment is for, or the contract's refusal."""
    if not facts:
        raise refuse(NOT_REGISTERED, f"身份证号码 {mask_id_number(item.id_number)} 没有城乡居民医保参保登记，"
                                     "请先到村（社区）或乡镇（街道）办理参保登记。")
    here = [f for f in facts if f.region == item.region]
    if not here:
        raise refuse(WRONG_REGION, f"此人未在统筹区 {item.region} 参保登记，不能在此缴费。", region=item.region)
    year = [f for f in here if f.insurance_year == item.insurance_year]
    if not year:
        known = "、".join(str(y) for y in sorted({f.insurance_year for f in here}))
        raise refuse(WRONG_YEAR, f"此人没有 {item.insurance_year} 保险年度的参保登记（已登记年度：{known}）。",
                     insurance_year=item.insurance_year)
    return year[0]


def _open_state(f: EnrolmentFacts) -> None:
    if f.status == EnrolmentStatus.PAID:
        raise refuse(ALREADY_PAID, f"此人 {f.insurance_year} 保险年度已缴费，不能重复缴费。")
    if f.status != EnrolmentStatus.REGISTERED:
        label = {EnrolmentStatus.REFUNDED: "已退费", EnrolmentStatus.CANCELLED: "已注销"}.get(f.status, f.status)
        raise refuse(ENROLMENT_CLOSED, f"此人 {f.insurance_year} 保险年度的参保登记{label}，不能缴费；"
                                       "如需重新参保，请先办理参保登记。")


def _window(f: EnrolmentFacts, paid_on: dt.date, judge: rules.Judge) -> None:
    """May the enrolment be paid on ``paid_on``? The collection period for ordinary residents;
    after it, and for newborns, migrants and back payments, their own rules: the engine says what
    a payment that day buys, and a payment that buys nothing the notice describes is refused."""
    try:
        if f.kind == enrolments.Kind.ORDINARY:
            window = judge.window(f.region, f.insurance_year, paid_on)
            if window["open"]:
                return
            if paid_on <= dt.date.fromisoformat(window["end"]):
                days = f"（集中缴费期内每月 {window['days_of_month']} 日可缴费）" if window["days_of_month"] else ""
                raise refuse(OUTSIDE_WINDOW, f"{paid_on.isoformat()} 不在 {f.insurance_year} 保险年度缴费期内：集中缴费期为 "
                                             f"{window['start']} 至 {window['end']}{days}。",
                             paid_at=paid_on.isoformat())
        judge.benefit(f.region, f.insurance_year, f.kind, paid_on, birth_date=f.birth_date,
                      moved_in_on=f.moved_in_on, paid_at_origin=f.paid_at_origin)
    except RuleRefused as exc:
        if exc.code == NOT_CONFIGURED:
            raise PaymentRefused(str(exc), code=NOT_CONFIGURED, missing=exc.missing,
                                 explanation=exc.explanation) from None
        raise PaymentRefused(str(exc), code=OUTSIDE_WINDOW, explanation=exc.explanation) from None


def judge_own_part(item: PaymentIn, facts: list[EnrolmentFacts], categories: list[str],
                   judge: rules.Judge) -> Accepted:
    """The whole judgement of a person's own payment (any payer but the fund): enrolment, state,
    window, premium, amount. Raises ``PaymentRefused``; writes nothing."""
    f = enrolment_for(item, facts)
    _open_state(f)
    _window(f, item.paid_on, judge)
    try:
        premium = judge.premium(f.region, f.insurance_year, categories)
    except RuleRefused as exc:
        raise PaymentRefused(str(exc), code=exc.code, missing=exc.missing, explanation=exc.explanation) from None
    if premium.payable <= 0:
        raise refuse(AMOUNT_MISMATCH, f"此人个人应缴 0 元（{premium.category}，由医疗救助基金全额资助），无需个人缴费。",
                     amount=f"{item.amount:.2f}")
    if item.amount != premium.payable:
        why = f"（个人缴费标准 {premium.standard} 元，{premium.category}资助 {premium.subsidy} 元）" if premium.subsidy else ""
        raise refuse(AMOUNT_MISMATCH, f"缴费金额 {item.amount} 元与个人应缴金额 {premium.payable} 元{why}不符；"
                                      "须一次足额缴纳。", amount=f"{item.amount:.2f}", payable=f"{premium.payable}")
    return Accepted(f, premium)


def judge_many(items: list[PaymentIn], judge: rules.Judge | None = None) -> list[Accepted | PaymentRefused]:
    """Judge many own-part payments with set-based reads; a person paid by an earlier item of the
    same list is ``already_paid`` for the later ones."""
    judge = judge or rules.Judge()
    facts = enrolments.enrolment_facts([i.id_number for i in items])
    wanted: dict[tuple[str, dt.date], set[str]] = {}
    for i in items:
        wanted.setdefault((i.region, i.paid_on), set()).add(i.id_number)
    categories = {key: enrolments.categories_many(key[0], numbers, key[1]) for key, numbers in wanted.items()}
    taken: set[int] = set()
    out: list[Accepted | PaymentRefused] = []
    for i in items:
        try:
            accepted = judge_own_part(i, facts.get(i.id_number, []), categories[(i.region, i.paid_on)]
                                      .get(i.id_number, []), judge)
            if accepted.facts.enrolment_id in taken:
                raise refuse(ALREADY_PAID, f"此人 {i.insurance_year} 保险年度已缴费，不能重复缴费。")
            taken.add(accepted.facts.enrolment_id)
            out.append(accepted)
        except PaymentRefused as exc:
            out.append(exc)
    return out


#: the columns a new payment is written with (``insert_payments``)
PAYMENT_FIELDS = ("region_id", "insurance_year", "enrolment_id", "id_number", "name", "division_id", "payer", "part",
                  "amount", "standard", "subsidy", "payable", "category", "channel_id", "transaction_id",
                  "content_digest", "paid_at", "paid_on", "receipt_number", "deposit_id", "payer_id_number",
                  "payer_name", "relationship", "refund_of_id", "actor_id", "actor_label", "created_at")


#: up to this many payments are inserted by the ORM (one INSERT … RETURNING gives their ids);
#: more by COPY, whose ids are read back
FEW = 10


def insert_payments(payments: list[Payment]) -> None:
    """Write new payments in one statement: a few through the ORM, which sets their ids; a batch
    with COPY on PostgreSQL (``dbutil.bulk_insert``), as a thousand rows through the ORM's
    bulk_create cost several times more, leaving their ids unset. Raises IntegrityError as any
    write would."""
    if len(payments) <= FEW:
        Payment.objects.bulk_create(payments)
        return
    now = timezone.now()
    for p in payments:
        p.created_at = now
    bulk_insert(Payment, PAYMENT_FIELDS, [tuple(getattr(p, f) for f in PAYMENT_FIELDS) for p in payments])


def new_payment(item: PaymentIn, accepted: Accepted, *, payer: str, actor=None, **extra) -> Payment:
    f, p = accepted.facts, accepted.premium
    return Payment(region_id=f.region, insurance_year=f.insurance_year, enrolment_id=f.enrolment_id,
                   id_number=f.id_number, name=f.name, division_id=f.division_id, payer=payer, part=Part.OWN,
                   amount=item.amount, standard=p.standard, subsidy=p.subsidy, payable=p.payable,
                   category=p.category if p.subsidy else "", paid_at=item.paid_at, paid_on=item.paid_on,
                   actor_id=getattr(actor, "pk", None), actor_label=getattr(actor, "username", ""), **extra)


# --- the channels' contract ---------------------------------------------------------------------

def payment_body(payment: Payment) -> dict:
    """The answer a channel gets for a recorded payment, the first time and on every replay."""
    return {"payment_id": payment.pk, "transaction_id": payment.transaction_id, "status": "recorded",
            "region": payment.region_id, "insurance_year": payment.insurance_year,
            "person": {"id_number": mask_id_number(payment.id_number), "name": mask_name(payment.name)},
            "amount": payment.amount,
            "premium": {"standard": payment.standard, "subsidy": payment.subsidy, "payable": payment.payable},
            "paid_at": payment.paid_at.astimezone(timezone.get_default_timezone())}


def _conflict(item: PaymentIn, first: Payment) -> Outcome:
    exc = PaymentRefused(f"交易流水号 {item.transaction_id} 已于 {timezone.localtime(first.created_at):%Y-%m-%d %H:%M} "
                         f"以不同内容记录（缴费记录 {first.pk}），原记录保留，本次未记录。", code=CONFLICT,
                         fields={"transaction_id": item.transaction_id})
    exc.status = 409
    return Outcome(409, error_body(exc), first, exc)


def _replay_or_conflict(item: PaymentIn, digest: str, first: Payment) -> Outcome:
    if first.content_digest == digest:
        return Outcome(200, payment_body(first), first)
    return _conflict(item, first)


def record_channel_payments(channel: Channel, items: list[PaymentIn], *, ip: str | None = None) -> list[Outcome]:
    """Record a channel's payments, each answered as the contract says: 201 recorded, 200 a
    replay of the same transaction, 409 the transaction id known with other content, 422 refused
    with its code. One transaction for the batch; every refusal and conflict is audited."""
    if len(items) > BATCH_LIMIT:
        raise PaymentRefused(f"一次最多提交 {BATCH_LIMIT} 笔缴费，本次 {len(items)} 笔。", code=INVALID_INPUT)
    return record_channel_requests(channel, [(items, ip)])[0]


def record_channel_requests(channel: Channel, requests: list[tuple[list[PaymentIn], str | None]]
                            ) -> list[list[Outcome]]:
    """Several requests of one channel (each a list of payments and the caller's address) in one
    transaction, as one batch (``yibao.channels.batches``): a transaction id or a person met twice
    among them is answered as within a batch (a replay, ``already_paid``). Each request keeps its
    own answers and its own audit entries. ``group_commit`` gathers concurrent single payments
    this way."""
    today = clock.today()

    def checked(raw: PaymentIn) -> PaymentIn:
        item = clean(raw, today=today)
        if not item.transaction_id or len(item.transaction_id) > 64:
            raise refuse(INVALID_INPUT, "交易流水号不能为空，且不超过 64 个字符。", transaction_id=item.transaction_id)
        if item.region != channel.region_id:
            raise refuse(WRONG_REGION, f"此渠道只办理统筹区 {channel.region_id} 的缴费，不能收取统筹区 {item.region} 的。",
                         region=item.region)
        return item

    # after a lost race, each payment is looked up among the channel's before it is judged
    return batches.record_requests(
        requests, clean=checked,
        record=lambda cleaned, outcomes, again: _record(channel, cleaned, outcomes, known_first=again),
        audit=lambda items, cleaned, outcomes: _audit_requests(channel, requests, items, cleaned, outcomes),
        outcome=Outcome, refusal=PaymentRefused)


def _record(channel: Channel, cleaned: dict[int, PaymentIn], outcomes: list, *, known_first: bool = False) -> None:
    """Judge and write ``cleaned``. A transaction the channel sent before is found among its
    payments: on the common path only for the payments the judgement refuses (a replay's person is
    already paid), so that a fresh payment costs no lookup; with ``known_first`` (after a lost
    race, or a transaction id reused for another payment) for every payment, before judging."""
    digests = {n: item.digest() for n, item in cleaned.items()}
    known = _known(channel, [i.transaction_id for i in cleaned.values()]) if known_first else {}
    fresh: dict[int, PaymentIn] = {}
    first_in_batch: dict[str, int] = {}
    for n, item in cleaned.items():
        if item.transaction_id in known:
            outcomes[n] = _replay_or_conflict(item, digests[n], known[item.transaction_id])
        elif item.transaction_id in first_in_batch:
            continue  # answered after the first one is judged
        else:
            first_in_batch[item.transaction_id] = n
            fresh[n] = item
    order = list(fresh)
    judged = judge_many([fresh[n] for n in order])
    if not known_first:
        known = _known(channel, [fresh[n].transaction_id for n, v in zip(order, judged, strict=True)
                                 if isinstance(v, PaymentRefused)])
    rows: list[tuple[int, Payment]] = []
    for n, verdict in zip(order, judged, strict=True):
        if fresh[n].transaction_id in known:
            outcomes[n] = _replay_or_conflict(fresh[n], digests[n], known[fresh[n].transaction_id])
        elif isinstance(verdict, PaymentRefused):
            outcomes[n] = Outcome(verdict.status, error_body(verdict), None, verdict)
        else:
            payment = new_payment(fresh[n], verdict, payer=Payer.CHANNEL, channel=channel,
                                  transaction_id=fresh[n].transaction_id, content_digest=digests[n])
            rows.append((n, payment))
    if rows:
        # one order for every request (by enrolment): two batches paying the same people wait for
        # each other instead of each holding a row the other needs (a deadlock)
        rows.sort(key=lambda r: (r[1].enrolment_id, r[1].transaction_id))
        insert_payments([p for _, p in rows])
        if any(p.pk is None for _, p in rows):
            ids = dict(Payment.objects.filter(channel=channel, transaction_id__in=in_values(
                [p.transaction_id for _, p in rows])).values_list("transaction_id", "pk"))
            for _, p in rows:
                p.pk = ids[p.transaction_id]
        for n, p in rows:
            outcomes[n] = Outcome(201, payment_body(p), p)
        enrolments.mark_paid({p.enrolment_id: p.paid_on for _, p in rows})
        tallies.add_new(p for _, p in rows)
    # repeats of a transaction id inside the batch answer like a replay of the first
    for n, item in cleaned.items():
        if outcomes[n] is None:
            first = outcomes[first_in_batch[item.transaction_id]]
            if first.payment is not None:
                outcomes[n] = _replay_or_conflict(item, digests[n], first.payment)
            else:
                outcomes[n] = first


def _known(channel: Channel, transaction_ids: list[str]) -> dict[str, Payment]:
    if not transaction_ids:
        return {}
    return {p.transaction_id: p for p in
            Payment.objects.filter(channel=channel, transaction_id__in=in_values(transaction_ids))}


def _audit_requests(channel: Channel, requests: list[tuple[list[PaymentIn], str | None]],
                    items: list[PaymentIn], cleaned: dict[int, PaymentIn], outcomes: list[Outcome]) -> None:
    """The audit entries of each request, appended together."""
    entries, at = [], 0
    for request_items, ip in requests:
        span = range(at, at + len(request_items))
        entries += _audit_entries(channel, [(cleaned.get(n) or items[n], outcomes[n]) for n in span], ip)
        at += len(request_items)
    if entries:
        record_events(None, entries)


def _audit_entries(channel: Channel, answered: list[tuple[PaymentIn, Outcome]], ip: str | None) -> list[dict]:
    """One entry for the payments a request recorded (each named: payment, transaction, person
    masked, amount) and one for what it refused or found conflicting (each with its code)."""
    recorded, refused = [], []
    region = channel.region_id
    for item, outcome in answered:
        who = {"transaction_id": str(item.transaction_id)[:64], "id_number": mask_id_number(str(item.id_number or "")),
               "amount": str(item.amount)}
        if outcome.status == 201:
            p = outcome.payment
            recorded.append({"payment": p.pk, **who, "insurance_year": p.insurance_year})
        elif outcome.status != 200:
            refused.append({**who, "status": outcome.status, "code": outcome.error.code if outcome.error else "",
                            "message": outcome.body.get("message", ""),
                            **({"payment": outcome.payment.pk} if outcome.payment else {})})
    head = {"channel": channel.pk, "channel_name": channel.name, "region": region, "ip": ip or ""}
    entries = []
    if recorded:
        entries.append({"action": "collection.payment.record", "object_type": "payment",
                        "object_id": ",".join(str(r["payment"]) for r in recorded[:20]),
                        "after": {**head, "count": len(recorded), "payments": recorded},
                        "division_path": channel.region.path})
    if refused:
        entries.append({"action": "collection.payment.refuse", "object_type": "payment_attempt",
                        "object_id": str(len(refused)), "after": {**head, "count": len(refused), "attempts": refused},
                        "division_path": channel.region.path})
    return entries


def _write_singles(channel: Channel, singles: list[tuple[PaymentIn, str | None]]) -> list[Outcome]:
    return [answers[0] for answers in record_channel_requests(channel, [([item], ip) for item, ip in singles])]


_singles = GroupCommit(_write_singles)


def channel_payment(channel: Channel, item: PaymentIn, *, ip: str | None = None) -> Outcome:
    """One payment, written together with the same channel's concurrent single payments in this
    process (``group_commit``): answered exactly as if alone."""
    return _singles.submit(channel.pk, channel, (item, ip))


__all__ = ["ALREADY_PAID", "AMOUNT_MISMATCH", "BATCH_LIMIT", "Accepted", "Outcome", "PaymentIn", "channel_payment",
           "judge_many", "judge_own_part", "new_payment", "payment_body", "record_channel_payments", "record_channel_requests"]
