"""Refunds (东明 二(三) 退费管理): a clerk applies for a paid person with the reason (death, joined
the employee scheme, insured outside the pooling region), the date it happened and a scanned
evidence; the engine decides eligibility (东明: no refund for a payment made on or after
2024-01-01; where a notice says nothing, ``not_configured``). Another clerk reviews it
(maker-checker). Approval records the negative payment to the original payer (the same channel,
the agent's cash, the fund or the family account) and moves the enrolment to 已退费.

Never twice: one live application per payment and one refund per payment are unique constraints
in the database (refund_one_live_application, payment_refunded_once). Every refusal is audited
and changes nothing else."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao import clock
from yibao.audit.services import record_event
from yibao.documents.scans import ScanRefused, check_scan
from yibao.errors import AppError, RuleRefused
from yibao.identity import mask_id_number
from yibao.resident import collecting

from .. import rules, tallies
from ..errors import CollectionError, Conflict, Forbidden
from ..models import Part, Payment, Refund, RefundReason, RefundStatus

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
# the model's reasons as the engine names them (resident.refund)
ENGINE_REASON = {RefundReason.DEATH: "death", RefundReason.EMPLOYEE_SCHEME: "employee_insurance",
                 RefundReason.ELSEWHERE: "insured_elsewhere"}

NEVER_PAID = "never_paid"
ALREADY_REFUNDED = "already_refunded"
APPLICATION_PENDING = "application_pending"
NOT_ELIGIBLE = "not_eligible"
NOT_CONFIGURED = "not_configured"
SAME_PERSON = "maker_is_checker"
NOT_PENDING = "not_pending"


@dataclass
class Evidence:
    name: str
    data: bytes


def _refuse(message: str, code: str, status: int = 422, **fields) -> CollectionError:
    exc = CollectionError(message, code=code, fields=fields or None)
    exc.status = status
    return exc


def _audited_refusal(actor, action: str, object_id, exc: AppError, after: dict, path: str = "") -> None:
    record_event(actor, action, "refund", object_id or "",
                 after={**after, "code": exc.code, "message": exc.message[:500]}, division_path=path)


# --- eligibility ---------------------------------------------------------------------------------

def eligibility(payment: Payment, reason: str, event_date: dt.date):
    """The engine's answer for refunding ``payment``: ``eligible`` and its explanation, or the
    refusal ``not_configured`` (晋城's notice says nothing of refunds)."""
    try:
        return rules.refund(payment.region_id, payment.insurance_year, ENGINE_REASON[reason], event_date,
                            payment.paid_on)
    except RuleRefused as exc:
        if exc.code == NOT_CONFIGURED:
            raise CollectionError(f"统筹区 {payment.region_id} 的政策文件未规定城乡居民医保退费，不能办理退费。",
                                  code=NOT_CONFIGURED, missing=exc.missing or ["resident.refund"],
                                  explanation=exc.explanation) from None
        raise CollectionError(str(exc), code=exc.code, explanation=exc.explanation) from None


def _reason(explanation: list) -> str:
    """The engine's last step in words, with the notice it cites (文号 and section)."""
    step = explanation[-1] if explanation else {}
    if not isinstance(step, dict):
        return str(step)
    sections: dict[str, list[str]] = {}
    for c in step.get("citations", []):
        sections.setdefault(c.get("number") or c.get("document", ""), []).append(c.get("section", ""))
    cited = []
    for number, found in sections.items():
        kept: list[str] = []
        for section in sorted(set(found), key=len):  # (三) covers (三)一
            if not any(section.startswith(k) for k in kept):
                kept.append(section)
        cited.append(f"{number} {'，'.join(kept)}".strip())
    return step.get("rule", "") + (f"（依据{'；'.join(cited)}）" if cited else "")


def explain(refund: Refund) -> str:
    """What the engine says of the application now, in words (for the reviewer)."""
    try:
        answer = eligibility(refund.payment, refund.reason, refund.event_date)
    except AppError as exc:
        return exc.message
    return _reason(answer.explanation)


def _check_eligible(payment: Payment, reason: str, event_date: dt.date) -> list:
    answer = eligibility(payment, reason, event_date)
    if not answer.values["eligible"]:
        exc = _refuse(f"不符合退费条件：{_reason(answer.explanation)}", NOT_ELIGIBLE)
        exc.explanation = list(answer.explanation)
        raise exc
    return list(answer.explanation)


def refundable_payment(payments: list[Payment]) -> Payment:
    """Of a person's payments for a year, the one a refund returns: the own part (any payer), or
    the fund's part for a person whose own part is 0. ``never_paid`` or ``already_refunded``."""
    live = [p for p in payments if p.refund_of_id is None]
    if not live:
        raise _refuse("此人该保险年度没有缴费记录，不能退费。", NEVER_PAID)
    refunded = {p.refund_of_id for p in payments if p.refund_of_id is not None}
    own = [p for p in live if p.part == Part.OWN] or [p for p in live if p.part == Part.FUND]
    payment = own[0]
    if payment.pk in refunded:
        raise _refuse(f"此人 {payment.insurance_year} 保险年度的缴费已退费，不能重复退费。", ALREADY_REFUNDED, status=409)
    return payment


# --- applying ------------------------------------------------------------------------------------

def _evidence(evidence: Evidence | None) -> tuple[str, bytes, str]:
    if evidence is None or not evidence.data:
        raise _refuse("请上传退费证明材料（死亡证明、职工医保参保证明或统筹区外参保证明）的扫描件或照片。",
                      "evidence_missing", evidence="必填")
    name = Path(evidence.name or "upload").name[:200]
    if len(evidence.data) > MAX_EVIDENCE_BYTES:
        raise _refuse(f"证明材料“{name}”过大：不能超过 {MAX_EVIDENCE_BYTES // 1024 // 1024} MB。", "too_large",
                      evidence=name)
    try:
        content_type = check_scan(evidence.data)
    except ScanRefused as exc:
        raise _refuse(f"证明材料“{name}”未接收：{exc.message}", exc.code, evidence=name) from None
    return name, evidence.data, content_type


def apply(id_number: str, insurance_year: int, payments: list[Payment], reason: str, event_date: dt.date,
          evidence: Evidence | None, *, actor) -> Refund:
    """A refund application for the person ``id_number`` whose payments of ``insurance_year`` (in
    the actor's scope) are ``payments``. Refusals are audited and write nothing else."""
    first = payments[0] if payments else None
    facts = {"id_number": mask_id_number(id_number), "insurance_year": insurance_year, "reason": str(reason)[:30],
             "event_date": event_date.isoformat() if event_date else ""}
    try:
        return _apply(payments, reason, event_date, evidence, actor=actor)
    except AppError as exc:
        _audited_refusal(actor, "collection.refund.refuse", "", exc, {"step": "apply", **facts},
                         first.division.path if first else "")
        raise


def _apply(payments, reason, event_date, evidence, *, actor) -> Refund:
    if reason not in RefundReason.values:
        raise _refuse("退费原因应为：死亡、参加职工医保或在统筹区外参保。", "invalid_input", reason=str(reason)[:30])
    if event_date is None:
        raise _refuse("请填写死亡或参加其他医保的日期。", "invalid_input", event_date="必填")
    if event_date > clock.today():
        raise _refuse(f"事由发生日期 {event_date.isoformat()} 晚于今天。", "invalid_input", event_date=event_date.isoformat())
    payment = refundable_payment(payments)
    explanation = _check_eligible(payment, reason, event_date)
    name, data, content_type = _evidence(evidence)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if Payment.objects.filter(refund_of=payment).exists():
            raise _refuse(f"此人 {payment.insurance_year} 保险年度的缴费已退费，不能重复退费。", ALREADY_REFUNDED, status=409)
        pending = Refund.objects.filter(payment=payment, status=RefundStatus.PENDING).first()
        if pending is not None:
            raise _refuse(f"此人已有待审核的退费申请（申请 {pending.pk}），请等待审核。", APPLICATION_PENDING, status=409)
        refund = Refund(region_id=payment.region_id, payment=payment, division_id=payment.division_id, reason=reason,
                        event_date=event_date, evidence_name=name, maker_id=actor.pk, maker_label=actor.username)
        digest = hashlib.sha256(data).hexdigest()
        refund.evidence.save(f"{digest[:24]}{EXTENSIONS[content_type]}", ContentFile(data), save=False)
        try:
            with transaction.atomic():
                refund.save()
        except IntegrityError:
            raise _refuse("此人已有退费申请，请等待审核。", APPLICATION_PENDING, status=409) from None
        record_event(actor, "collection.refund.apply", "refund", refund.pk,
                     after={"payment": payment.pk, "id_number": mask_id_number(payment.id_number),
                            "insurance_year": payment.insurance_year, "amount": payment.amount,
                            "payer": payment.payer, "reason": reason, "event_date": event_date.isoformat(),
                            "evidence": name, "evidence_sha256": digest, "explanation": explanation},
                     division_path=payment.division.path)
    return refund


# --- reviewing -----------------------------------------------------------------------------------

def review(refund: Refund, *, approve: bool, note: str = "", actor) -> Refund:
    """Another clerk approves (the negative payment is recorded) or rejects (with a note)."""
    try:
        return _review(refund, approve=approve, note=note, actor=actor)
    except AppError as exc:
        _audited_refusal(actor, "collection.refund.refuse", refund.pk, exc,
                         {"step": "approve" if approve else "reject"}, refund.division.path)
        raise


def _review(refund: Refund, *, approve: bool, note: str, actor) -> Refund:
    note = (note or "").strip()
    if len(note) > 500:
        raise _refuse("审核意见不能超过 500 个字。", "invalid_input", note="过长")
    if not approve and not note:
        raise _refuse("驳回时请填写审核意见。", "note_required", note="必填")
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment", "division").get(pk=refund.pk)
        if refund.status != RefundStatus.PENDING:
            raise Conflict(f"此退费申请{refund.get_status_display()}，不能再审核。", code=NOT_PENDING)
        if refund.maker_id == actor.pk:
            raise Forbidden("审核人不能是申请人：退费申请须由另一名经办人员审核。", code=SAME_PERSON)
        refund.checker_id, refund.checker_label = actor.pk, actor.username
        refund.note, refund.reviewed_at = note, timezone.now()
        if not approve:
            refund.status = RefundStatus.REJECTED
            refund.save(update_fields=["status", "checker_id", "checker_label", "note", "reviewed_at"])
            record_event(actor, "collection.refund.reject", "refund", refund.pk, before={"status": "pending"},
                         after={"status": refund.status, "note": note}, division_path=refund.division.path)
            return refund
        original = Payment.objects.select_for_update().get(pk=refund.payment_id)
        explanation = _check_eligible(original, refund.reason, refund.event_date)
        negative = _negative(original, refund, actor)
        # a subsidised person's own part goes back with the fund's part: the refund returns the
        # whole premium, each part to the one who paid it (the fund's as a negative fund payment)
        fund_part = (Payment.objects.select_for_update().filter(enrolment_id=original.enrolment_id, part=Part.FUND,
                                                                refund_of__isnull=True).first()
                     if original.part == Part.OWN else None)
        fund_negative = _negative(fund_part, refund, actor) if fund_part is not None else None
        try:
            with transaction.atomic():
                negative.save()
                if fund_negative is not None:
                    fund_negative.save()   # never twice: payment_refunded_once
        except IntegrityError:
            raise _refuse(f"此人 {original.insurance_year} 保险年度的缴费已退费，不能重复退费。", ALREADY_REFUNDED,
                          status=409) from None
        if original.part == Part.OWN or not Payment.objects.filter(enrolment_id=original.enrolment_id,
                                                                   part=Part.OWN, refund_of__isnull=True).exists():
            collecting.mark_refunded(original.enrolment_id)
        tallies.refresh_payments([p for p in (original, negative, fund_part) if p is not None])
        refund.status, refund.refund_payment = RefundStatus.APPROVED, negative
        refund.save(update_fields=["status", "checker_id", "checker_label", "note", "reviewed_at", "refund_payment"])
        record_event(actor, "collection.refund.approve", "refund", refund.pk, before={"status": "pending"},
                     after={"status": refund.status, "note": note, "refund_payment": negative.pk,
                            "payment": original.pk, "amount": negative.amount, "payer": negative.payer,
                            **({"fund_payment": fund_part.pk, "fund_refund_payment": fund_negative.pk,
                                "fund_amount": fund_negative.amount} if fund_negative is not None else {}),
                            "channel": original.channel_id, "id_number": mask_id_number(original.id_number),
                            "explanation": explanation},
                     division_path=refund.division.path)
    return refund


def _negative(original: Payment, refund: Refund, actor) -> Payment:
    """The refund as a payment: the original's payer, person and premium, the amount negative."""
    now = timezone.now()
    return Payment(region_id=original.region_id, insurance_year=original.insurance_year,
                   enrolment_id=original.enrolment_id, id_number=original.id_number, name=original.name,
                   division_id=original.division_id, payer=original.payer, part=original.part,
                   amount=-original.amount, standard=original.standard, subsidy=original.subsidy,
                   payable=original.payable, category=original.category, channel_id=original.channel_id,
                   # the channel's transaction ids are the channel's own: a refund takes none of them
                   transaction_id="",
                   paid_at=now, paid_on=clock.today(), payer_id_number=original.payer_id_number,
                   payer_name=original.payer_name, relationship=original.relationship, refund_of=original,
                   actor_id=actor.pk, actor_label=actor.username)
