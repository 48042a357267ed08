"""What the gaps app (户籍人口库比对, 重复参保) may read of and do to the resident scheme: the live
enrolments of a year, as querysets a caller joins set-wise, a reader's view of them, and the one
transition a duplicate's resolution makes (an unpaid enrolment cancelled, 已注销). The gaps app
imports this module, never the models or the services (import-linter checks it)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yibao.access.scoping import scope_of
from yibao.audit.services import record_event
from yibao.identity import mask_id_number

from . import tallies
from .models import LIVE_ENROLMENT, Enrolment, EnrolmentStatus

__all__ = ["EnrolmentStatus", "cancel_unpaid", "enrolment_in_scope", "enrolments_in_scope", "live_enrolments",
           "live_numbers"]


def live_numbers(year: int) -> QuerySet:
    """The identity numbers enrolled (已登记 or 已缴费) in ``year`` in every region: one column."""
    return (Enrolment.objects.filter(insurance_year=year, status__in=LIVE_ENROLMENT)
            .values_list("id_number", flat=True).order_by())


def live_enrolments(year: int) -> QuerySet:
    """The live enrolments of ``year`` in every region as values: id, id_number, region, village."""
    return (Enrolment.objects.filter(insurance_year=year, status__in=LIVE_ENROLMENT)
            .values_list("id", "id_number", "region_id", "division_id").order_by())


def enrolments_in_scope(user, year: int) -> QuerySet[Enrolment]:
    """The live enrolments of ``year`` the reader may see, with their person and village."""
    return scope_of(user).filter(Enrolment.objects.filter(insurance_year=year, status__in=LIVE_ENROLMENT)
                                 .select_related("person", "division"))


def enrolment_in_scope(user, year: int, id_number: str) -> Enrolment | None:
    return enrolments_in_scope(user, year).filter(id_number=id_number).first()


def cancel_unpaid(enrolment_id: int, *, actor, reason: str) -> bool:
    """已登记 → 已注销 for an enrolment never paid, inside the caller's transaction; False when it
    is no longer 已登记 (paid meanwhile: it goes back through a refund instead)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("cancel_unpaid must run inside the caller's transaction")
    enrolment = Enrolment.objects.select_for_update().select_related("division").get(pk=enrolment_id)
    if enrolment.status != EnrolmentStatus.REGISTERED:
        return False
    enrolment.status, enrolment.status_changed_at = EnrolmentStatus.CANCELLED, timezone.now()
    enrolment.save(update_fields=["status", "status_changed_at"])
    tallies.refresh(enrolment.region_id, enrolment.insurance_year, [enrolment.division_id])
    record_event(actor, "resident.enrolment.cancel", "enrolment", enrolment.pk,
                 before={"status": EnrolmentStatus.REGISTERED},
                 after={"status": EnrolmentStatus.CANCELLED, "id_number": mask_id_number(enrolment.id_number),
                        "insurance_year": enrolment.insurance_year, "reason": reason[:200]},
                 division_path=enrolment.division.path)
    return True
