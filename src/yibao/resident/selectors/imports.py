"""Import batches as the reader may see them: a batch reaches a reader whose scope holds its
pooling region, any of its registrations, or who imported it."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from yibao.access.scoping import scope_of

from ..models import ImportBatch, Problem, Registration


def batches_for(user) -> QuerySet[ImportBatch]:
    scope = scope_of(user)
    qs = ImportBatch.objects.all()
    if scope.sees_everything:
        return qs.order_by("-created_at", "-id")
    rows = scope.filter(Registration.objects.filter(batch__isnull=False)).values("batch_id")
    owner = Q(owner_id=user.pk) if getattr(user, "pk", None) else Q(pk__in=[])
    return qs.filter(Q(pk__in=scope.filter(ImportBatch.objects.all()).values("pk")) | Q(pk__in=rows) | owner) \
        .order_by("-created_at", "-id")


def batch_for(user, pk) -> ImportBatch | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return batches_for(user).filter(pk=pk).select_related("region").first()


def batch_counts(batch: ImportBatch) -> dict[str, int]:
    """Registrations of the batch by status (registrations batches) or its grants (hardship)."""
    if batch.kind == "hardship":
        return {"grants": batch.hardship.count()}
    counts = dict(batch.registrations.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s: counts.get(s, 0) for s in ("pending", "problem", "approved", "rejected")}


def batch_problems(batch: ImportBatch, user) -> QuerySet[Problem]:
    """The batch's open problems the reader may see."""
    return scope_of(user).filter(Problem.objects.filter(registration__batch=batch)).select_related(
        "registration", "division").order_by("id")
