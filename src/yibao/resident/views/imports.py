"""Pages of the bulk imports: upload a registrations file or a hardship list (a job with a
progress bar), the batches, and a batch's review by another clerk."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from yibao import clock
from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, sees_whole_id_numbers
from yibao.errors import AppError
from yibao.jobs.models import Job

from .. import selectors, services
from ..models import HardshipSource


@require("resident.import")
def imports(request):
    return render(request, "resident/imports/index.html", {
        "regions": services.import_regions(request.user), "year": clock.today().year,
        "sources": HardshipSource.choices, "batches": selectors.batches_for(request.user)[:50]})


def _start(request, kind: str):
    file = request.FILES.get("file")
    if file is None:
        messages.error(request, "请选择要导入的文件。")
        return redirect("resident_imports")
    try:
        job = services.start_import(kind, file, region=request.POST.get("region", ""),
                                    insurance_year=request.POST.get("insurance_year", ""),
                                    source=request.POST.get("source", ""), actor=request.user)
    except AppError as exc:
        messages.error(request, f"未导入：{exc}")
        return redirect("resident_imports")
    return redirect("job", job_id=job.id)


@require("resident.import")
@require_POST
def import_registrations(request):
    return _start(request, "registrations")


@require("resident.import")
@require_POST
def import_hardship(request):
    return _start(request, "hardship")


def _batch_or_404(request, pk):
    batch = selectors.batch_for(request.user, pk)
    if batch is None:
        raise Http404("导入批次不存在。")
    return batch


@require("resident.import")
def batch(request, pk):
    b = _batch_or_404(request, pk)
    counts = selectors.batch_counts(b)
    problems = list(selectors.batch_problems(b, request.user)[:100])
    record_whole_view(request.user, "import_batch", b.pk, people=len(problems), division_path=b.region.path,
                      what="导入批次冲突记录")
    return render(request, "resident/imports/batch.html", {
        "b": b, "counts": counts, "problems": problems,
        "show_ids": sees_whole_id_numbers(request.user),
        "can_review": (user_can(request.user, "resident.review") and b.kind == "registrations"
                       and b.owner_id != request.user.pk and counts.get("pending", 0) > 0)})


@require("resident.review")
@require_POST
def review(request, pk):
    b = _batch_or_404(request, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        outcome = services.start_review(b, actor=request.user, approve=approve, note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, f"未审核：{exc}")
        return redirect("resident_import_batch", pk=b.pk)
    if isinstance(outcome, Job):
        return redirect("job", job_id=outcome.id)
    messages.success(request, outcome.message)
    return redirect("resident_import_batch", pk=b.pk)


urlpatterns = [
    path("resident/imports/", imports, name="resident_imports"),
    path("resident/imports/registrations/", import_registrations, name="resident_import_registrations"),
    path("resident/imports/hardship/", import_hardship, name="resident_import_hardship"),
    path("resident/imports/<int:pk>/", batch, name="resident_import_batch"),
    path("resident/imports/<int:pk>/review/", review, name="resident_import_review"),
]
