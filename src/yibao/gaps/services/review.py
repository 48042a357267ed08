"""A clerk's work on what the comparison found: clearing an enrolment's 待复核 flag, and resolving a
duplicate enrolment (重复参保: the resident scheme's live enrolment of someone insured in the
employee scheme the same year). Each is one transaction, audited; a refusal is audited too and
writes nothing else."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao import registry
from yibao.audit.services import record_event
from yibao.collection import refunding
from yibao.errors import AppError
from yibao.identity import mask_id_number
from yibao.resident import covering

from ..errors import Conflict, GapsError, NotFound
from ..models import EnrolmentFlag, FlagStatus, Kept, Resolution


def _label(user) -> str:
    return getattr(user, "display_name", "") or getattr(user, "username", "")


def _note(note: str, *, required: str = "") -> str:
    note = (note or "").strip()
    if len(note) > 500:
        raise GapsError("说明不能超过 500 个字。", code="invalid_input", fields={"note": "过长"})
    if required and not note:
        raise GapsError(required, code="note_required", fields={"note": "必填"})
    return note


def clear_flag(flag: EnrolmentFlag, *, note: str, actor) -> EnrolmentFlag:
    """已复核: the clerk says what was found or done (the enrolment is changed, if at all, the
    usual way: a refund, a cancellation, a change request)."""
    try:
        note = _note(note, required="请填写复核意见：核实情况及处理结果。")
        with transaction.atomic():
            flag = EnrolmentFlag.objects.select_for_update().select_related("division").get(pk=flag.pk)
            if flag.status != FlagStatus.OPEN:
                raise Conflict("此标记已复核。", code="not_open")
            flag.status, flag.note = FlagStatus.CLEARED, note
            flag.cleared_by_id, flag.cleared_by_label, flag.cleared_at = actor.pk, _label(actor), timezone.now()
            flag.save(update_fields=["status", "note", "cleared_by_id", "cleared_by_label", "cleared_at"])
            record_event(actor, "gaps.flag.clear", "enrolment_flag", flag.pk, before={"status": FlagStatus.OPEN},
                         after={"status": flag.status, "note": note, "enrolment": flag.enrolment_id,
                                "id_number": mask_id_number(flag.id_number)},
                         division_path=flag.division.path)
        return flag
    except AppError as exc:
        record_event(actor, "gaps.flag.refuse", "enrolment_flag", flag.pk,
                     after={"code": exc.code, "message": exc.message[:500]})
        raise


def resolve(id_number: str, insurance_year: int, *, kept: str, actor, note: str = "",
            event_date: dt.date | None = None, evidence=None) -> Resolution:
    """Resolve the duplicate of ``id_number`` in ``insurance_year`` (the reader's scope: 404 out of
    it). Keeping the employee scheme cancels an unpaid resident enrolment, or applies for the refund
    of a paid one through collection's refund service (evidence and the date joined, reviewed by
    another clerk); keeping the resident scheme records the decision (the unit reports the person
    leaving, 减员, on its side) and needs a note."""
    number = (id_number or "").strip().upper()
    enrolment = covering.enrolment_in_scope(actor, insurance_year, number)
    if enrolment is None:
        raise NotFound("没有此人该年度的居民医保参保登记，或不在您的管辖范围内。", code="not_found")
    facts = {"id_number": mask_id_number(number), "insurance_year": insurance_year, "kept": str(kept)[:20]}
    try:
        return _resolve(enrolment, number, insurance_year, kept, note, event_date, evidence, actor)
    except AppError as exc:
        record_event(actor, "gaps.duplicate.refuse", "enrolment", enrolment.pk,
                     after={**facts, "code": exc.code, "message": exc.message[:500]},
                     division_path=enrolment.division.path)
        raise


def _resolve(enrolment, number, year, kept, note, event_date, evidence, actor) -> Resolution:
    if kept not in Kept.values:
        raise GapsError("请选择保留哪一条参保记录：居民医保或职工医保。", code="invalid_input", fields={"kept": "无效"})
    employee = registry.insured_elsewhere(number, year, schemes=("employee",))
    if not employee:
        raise Conflict(f"此人 {year} 年度未在职工医保参保，不是重复参保。", code="not_duplicate")
    earlier = Resolution.objects.filter(enrolment_id=enrolment.pk).first()
    if earlier is not None and not (earlier.refund_id and refunding.rejected([earlier.refund_id])):
        raise Conflict("此重复参保已处理。", code="already_resolved")
    note = _note(note, required="保留居民医保时请说明（职工医保一方由参保单位办理减员）。" if kept == Kept.RESIDENT else "")
    resolution = Resolution(region_id=enrolment.region_id, division_id=enrolment.division_id, enrolment_id=enrolment.pk,
                            id_number=number, insurance_year=year, kept=kept, note=note, actor_id=actor.pk,
                            actor_label=_label(actor))
    with transaction.atomic():
        if earlier is not None:
            # its refund was rejected: the duplicate is open again and this resolution replaces it
            if Resolution.objects.filter(pk=earlier.pk).delete()[0] == 0:
                raise Conflict("此重复参保已处理。", code="already_resolved")
        if kept == Kept.EMPLOYEE:
            if refunding.is_paid(actor, number, year):
                resolution.refund_id = refunding.apply_refund(actor, number, year,
                                                              refunding.RefundReason.EMPLOYEE_SCHEME, event_date,
                                                              evidence)
            elif not covering.cancel_unpaid(enrolment.pk, actor=actor, reason="重复参保：保留职工医保"):
                raise Conflict("此人的居民医保参保状态已变化，请刷新后重试。", code="state_changed")
            else:
                resolution.cancelled = True
        try:
            with transaction.atomic():
                resolution.save()
        except IntegrityError:
            raise Conflict("此重复参保已处理。", code="already_resolved") from None
        record_event(actor, "gaps.duplicate.resolve", "resolution", resolution.pk,
                     after={"id_number": mask_id_number(number), "insurance_year": year, "kept": kept,
                            "enrolment": enrolment.pk, "cancelled": resolution.cancelled,
                            "refund": resolution.refund_id, "employee": [p["where"] for p in employee],
                            "replaces": earlier.pk if earlier is not None else None,
                            "note": note},
                     division_path=enrolment.division.path)
    return resolution
