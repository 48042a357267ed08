"""Pages of change requests (参保信息变更): the resident's own requests and form, a clerk's form on a
person, the review queue with the documents, and a person's history. Thin: each view reads
through a selector, writes through one service call, and shows a refusal's Chinese message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from yibao.access.permissions import require, user_can
from yibao.accounts.personal_data import record_whole_view, shown_id_number

from .. import selectors, services
from ..errors import AppError
from ..models import CHANGEABLE, ChangeStatus
from ..selectors.changes import change_lines, open_problem, shown_phone, shown_value, shows_whole_numbers

DOCUMENT_SLOTS = 3


def _posted(request) -> tuple[dict, list]:
    changes = {k: request.POST.get(k, "") for k in CHANGEABLE if request.POST.get(k, "").strip()}
    documents = [services.DocumentIn(request.POST.get(f"title_{i}", ""), request.FILES[f"document_{i}"])
                 for i in range(1, DOCUMENT_SLOTS + 1) if f"document_{i}" in request.FILES]
    return changes, documents


def _person_view(reader, person) -> dict:
    return {"pk": person.pk, "name": person.name, "id_number": shown_id_number(reader, person.id_number),
            "phone": shown_phone(reader, person.phone), "region": person.region.name,
            "division": person.division.name,
            "hukou": shown_value(reader, "hukou_division", person.hukou_division_id),
            "residence": shown_value(reader, "residence_division", person.residence_division_id)}


def _rows(reader, requests) -> list[dict]:
    return [{"request": r, "lines": change_lines(reader, r), "problem": open_problem(r) if r.status == "pending" else None}
            for r in requests]


def _file(request, person):
    """The change request filed, or None (the refusal shown) so the form is shown again as typed."""
    changes, documents = _posted(request)
    try:
        change = services.file_change(person, changes, actor=request.user, documents=documents,
                                      reason=request.POST.get("reason", ""))
    except AppError as exc:
        messages.error(request, f"申请未提交：{exc}")
        return None
    messages.success(request, "变更申请已提交，等待经办人员审核。")
    return change


def _form_context(reader, person) -> dict:
    return {"fields": CHANGEABLE, "slots": range(1, DOCUMENT_SLOTS + 1), "person": _person_view(reader, person)}


# --- the resident ---------------------------------------------------------------------------------

@require("resident.self")
def my_changes(request):
    person = selectors.person_for(request.user, request.user.id_number)
    if request.method == "POST" and person is not None and _file(request, person) is not None:
        return redirect("resident_my_changes")
    context = {"posted": request.POST if request.method == "POST" else {}}
    if person is not None:
        context.update(_form_context(request.user, person))
        context["rows"] = _rows(request.user, selectors.changes_for(request.user).filter(person=person))
    return render(request, "resident/changes/mine.html", context)


# --- clerks ---------------------------------------------------------------------------------------

@require("resident.register")
def file_for_person(request, pk):
    person = selectors.person_by_pk(request.user, pk)
    if person is None:
        raise Http404("参保人员不存在。")
    if request.method == "POST" and _file(request, person) is not None:
        return redirect("resident_person_history", pk=pk)
    record_whole_view(request.user, "person", person.pk, people=1, division_path=person.division.path,
                      what="参保信息变更登记")
    context = {**_form_context(request.user, person), "posted": request.POST if request.method == "POST" else {}}
    return render(request, "resident/changes/file.html", context)


@require("resident.review")
def queue(request):
    status = request.GET.get("status", ChangeStatus.PENDING)
    if status not in ChangeStatus.values:
        status = ChangeStatus.PENDING
    page = Paginator(selectors.changes_for(request.user, status=status).order_by("created_at", "id"), 30) \
        .get_page(request.GET.get("page"))
    rows = _rows(request.user, page.object_list)
    for row in rows:
        row["id_number"] = shown_id_number(request.user, row["request"].person.id_number)
    record_whole_view(request.user, "change_request", "queue", people=len(rows), what="变更申请审核队列")
    return render(request, "resident/changes/queue.html", {"rows": rows, "page": page, "status": status,
                                                           "statuses": ChangeStatus.choices})


@require("resident.review")
def detail(request, pk):
    change = selectors.change_for(request.user, pk)
    if change is None:
        raise Http404("变更申请不存在。")
    record_whole_view(request.user, "change_request", change.pk, people=shows_whole_numbers(change),
                      division_path=change.division.path, what="变更申请")
    context = {"change": change, "lines": change_lines(request.user, change), "problem": open_problem(change),
               "person": _person_view(request.user, change.person), "documents": change.documents.all(),
               "may_download": user_can(request.user, "person.view_id_number"),
               "may_review": change.status == ChangeStatus.PENDING and change.filed_by_id != request.user.pk}
    return render(request, "resident/changes/detail.html", context)


@require("resident.review")
@require_POST
def review(request, pk):
    change = selectors.change_for(request.user, pk)
    if change is None:
        raise Http404("变更申请不存在。")
    approve = request.POST.get("decision") == "approve"
    try:
        change = services.review_change(change, actor=request.user, approve=approve, note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, f"审核未完成：{exc}")
        return redirect("resident_change", pk=pk)
    if change.status == ChangeStatus.APPROVED:
        messages.success(request, "已审核通过，变更已生效；变更前的信息保留在历史记录中。")
    elif change.status == ChangeStatus.REJECTED:
        messages.success(request, "已驳回，申请人将看到驳回原因。")
    else:
        messages.error(request, "变更与其他参保记录冲突，未生效，已转入待处理信息。")
    return redirect("resident_change", pk=pk)


# A document (an identity card, a household register) carries whole identity numbers and cannot
# be masked: roles that see numbers masked are refused it, and staff who open it are audited.
@require("resident.review", "person.view_id_number")
def document(request, document_id):
    doc = selectors.document_for(request.user, document_id)
    if doc is None:
        raise Http404("材料不存在。")
    record_whole_view(request.user, "change_document", doc.pk, people=1, division_path=doc.change.division.path,
                      what=f"变更证明材料：{doc.title}")
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[doc.content_type]
    return FileResponse(open(doc.path, "rb"), content_type=doc.content_type,  # noqa: SIM115
                        as_attachment=False, filename=f"{doc.title}.{ext}")


@require("resident.view")
def history(request, pk):
    person = selectors.person_by_pk(request.user, pk)
    if person is None:
        raise Http404("参保人员不存在。")
    entries = selectors.history_of(request.user, person)
    record_whole_view(request.user, "person", person.pk, people=1, division_path=person.division.path,
                      what="参保信息历史")
    return render(request, "resident/changes/history.html", {
        "person": _person_view(request.user, person), "entries": list(reversed(entries)),
        "requests": _rows(request.user, selectors.changes_for(request.user).filter(person=person)),
        "may_file": user_can(request.user, "resident.register"),
        "may_review": user_can(request.user, "resident.review")})


urlpatterns = [
    path("resident/me/changes/", my_changes, name="resident_my_changes"),
    path("resident/changes/", queue, name="resident_changes"),
    path("resident/changes/<int:pk>/", detail, name="resident_change"),
    path("resident/changes/<int:pk>/review/", review, name="resident_change_review"),
    path("resident/changes/documents/<int:document_id>/", document, name="resident_change_document"),
    path("resident/persons/<int:pk>/change/", file_for_person, name="resident_person_change"),
    path("resident/persons/<int:pk>/history/", history, name="resident_person_history"),
]
