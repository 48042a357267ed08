"""参保信息变更: a change of name, identity number, 户籍 or residence division or phone, filed with
supporting documents by the resident (online, for their own record) or by a clerk for their area,
and reviewed by another clerk (东明 东政办字〔2023〕26号 五(二): 参保人员发现需要变更的信息，要携带
身份证件和户口簿及时到所在乡镇（街道）医疗保险经办机构申请变更; 晋城 晋市医保发〔2023〕10号 三(一):
已办理过参保登记但发生变更的要及时到所在地医保经办机构进行变更).

Approval applies the change through ``persons.apply_values``, so the values it replaces are kept
as a version and what the record said on a past date stays answerable. A change that conflicts
(the new identity number is insured elsewhere for a year the person is enrolled in) is not
applied: it waits in the problem queue (参保信息处理机制, 东明 五(二)) until the conflict is
resolved and the request is approved again, or it is rejected. A new identity number moves the
resident's own sign-in account with it (``yibao.accounts.services.change_id_number``); where
another account already holds the number the approval is refused and nothing changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yibao import clock
from yibao.access.permissions import user_can
from yibao.access.roles import Role
from yibao.accounts.services import IdNumberTaken, change_id_number
from yibao.audit.services import record_event
from yibao.documents.scans import ScanRefused, check_scan

from ..errors import AccountNumberTaken, Conflict, RegistrationError
from ..models import (
    CHANGEABLE,
    Basis,
    ChangeDocument,
    ChangeRequest,
    ChangeStatus,
    Enrolment,
    EnrolmentStatus,
    Person,
    Problem,
    ProblemActor,
    ProblemSource,
    ProblemStatus,
)
from . import checks
from .persons import apply_values

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 10
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
DIVISION_FIELDS = ("hukou_division", "residence_division")
CONFLICT = "change_conflict"

__all__ = ["CHANGEABLE", "ChangeError", "DocumentIn", "file_change", "release_problem", "review_change"]

ChangeError = RegistrationError


@dataclass
class DocumentIn:
    """A supporting document as uploaded: what it is (e.g. 户口簿) and the file (``.name``,
    ``.size``, ``.read``)."""

    title: str
    file: object


def _label(user) -> str:
    return getattr(user, "display_name", "") or getattr(user, "username", "")


def _text(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "pk", value))


def _current(person: Person, name: str) -> str:
    return _text(getattr(person, Person._meta.get_field(name).attname))


# --- what may be changed ------------------------------------------------------------------------

def _clean(person: Person, changes: dict) -> dict:
    """Each requested field → its clean value (a Division for a division), checked as a
    registration checks it; fields whose value does not change are left out."""
    unknown = [k for k in changes if k not in CHANGEABLE]
    if unknown:
        raise ChangeError(f"不能通过变更申请修改：{'、'.join(unknown)}。可变更的信息：{'、'.join(CHANGEABLE.values())}。",
                          code="field_not_changeable", fields={k: "不可变更" for k in unknown})
    clean = {}
    for name, raw in changes.items():
        raw = (raw or "").strip() if isinstance(raw, str) else raw
        if raw in (None, ""):
            continue
        if name == "name":
            if len(raw) > Person._meta.get_field("name").max_length:
                raise ChangeError("姓名过长。", code="name_invalid", fields={"name": "过长"})
            value = raw
        elif name == "id_number":
            value = checks.identity(raw).number
            taken = Person.objects.filter(region_id=person.region_id, id_number=value).exclude(pk=person.pk).first()
            if taken is not None:
                raise Conflict(f"身份证号码 {value} 已登记为本统筹区的另一参保居民，不能变更为此号码。"
                               "如为同一人重复登记，请联系经办机构核实处理。",
                               code="id_number_taken", fields={"id_number": "已被他人使用"})
        elif name in DIVISION_FIELDS:
            value = checks.place(raw, person.region_id, field=name, label=CHANGEABLE[name])
        else:  # phone
            value = checks.phone(raw)
            if not value:
                continue
        if _text(value) != _current(person, name):
            clean[name] = value
    if not clean:
        raise ChangeError("没有需要变更的信息：请填写与现有登记不同的新值。", code="nothing_to_change")
    return clean


def _documents(documents: list[DocumentIn]) -> list[tuple[str, str, bytes, str]]:
    """(title, original name, bytes, content type) of each document, checked by structure."""
    if not documents:
        raise ChangeError("请上传证明材料（身份证件、户口簿等）的扫描件或照片。", code="documents_missing",
                          fields={"documents": "必填"})
    if len(documents) > MAX_DOCUMENTS:
        raise ChangeError(f"证明材料最多 {MAX_DOCUMENTS} 份。", code="too_many_documents", fields={"documents": "过多"})
    out = []
    for i, doc in enumerate(documents, 1):
        name = Path(getattr(doc.file, "name", "") or "upload").name[:200]
        title = (doc.title or "").strip()[:100] or "证明材料"
        data = doc.file.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ChangeError(f"第 {i} 份材料“{name}”过大：不能超过 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB。",
                              code="too_large", fields={"documents": name})
        if not data:
            raise ChangeError(f"第 {i} 份材料“{name}”是空文件。", code="invalid_input", fields={"documents": name})
        try:
            content_type = check_scan(data)
        except ScanRefused as exc:
            raise ChangeError(f"第 {i} 份材料“{name}”未接收：{exc.message}", code=exc.code,
                              fields={"documents": name}) from None
        out.append((title, name, data, content_type))
    return out


def _store(request: ChangeRequest, data: bytes, content_type: str) -> tuple[str, str]:
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(settings.MEDIA_ROOT) / "resident-changes" / str(request.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:24]}{EXTENSIONS[content_type]}"
    path.write_bytes(data)
    return str(path), digest


# --- filing ---------------------------------------------------------------------------------------

def _may_file(person: Person, actor) -> bool:
    """The resident for their own record; an agent or clerk for a person of their area."""
    if actor.role == Role.INDIVIDUAL:
        if not user_can(actor, "resident.self") or person.id_number != actor.id_number:
            raise ChangeError("网上只能申请变更本人的参保信息；为他人变更请到所在乡镇（街道）医疗保险经办机构办理。",
                              code="self_only")
        return True
    if not (user_can(actor, "resident.register") or user_can(actor, "resident.review")):
        raise ChangeError("您的角色不能办理参保信息变更。", code="forbidden")
    checks.within_area(actor, person.division)
    return False


@transaction.atomic
def file_change(person: Person, changes: dict, *, actor, documents: list[DocumentIn], reason: str = "") -> ChangeRequest:
    """Record a change request for review. Refused, with nothing written: a field that cannot be
    changed, an invalid identity number or one another person of the region holds, an unknown
    division or one outside the region, a malformed phone, no or a malformed document, a person
    outside the filer's area (or not the resident themself), a request already waiting."""
    person = Person.objects.select_for_update(of=("self",)).select_related("division").get(pk=person.pk)
    as_resident = _may_file(person, actor)
    if ChangeRequest.objects.filter(person=person, status=ChangeStatus.PENDING).exists():
        raise ChangeError("此人已有一份待审核的变更申请，请等待审核完成后再申请。", code="change_pending")
    clean = _clean(person, changes)
    files = _documents(documents)
    request = ChangeRequest.objects.create(
        region_id=person.region_id, person=person, division=person.division,
        changes={k: _text(v) for k, v in clean.items()}, before={k: _current(person, k) for k in clean},
        reason=(reason or "").strip()[:300], filed_by_id=actor.pk, filed_by_label=_label(actor),
        filed_as_resident=as_resident)
    for title, name, data, content_type in files:
        path, digest = _store(request, data, content_type)
        ChangeDocument.objects.create(change=request, title=title, original_name=name, content_type=content_type,
                                      path=path, sha256=digest)
    record_event(actor, "resident.change.file", "change_request", request.pk,
                 before=request.before, after={"changes": request.changes, "person": person.pk,
                                               "documents": [d[1] for d in files], "as_resident": as_resident},
                 division_path=person.division.path)
    return request


# --- review ---------------------------------------------------------------------------------------

def _years_concerned(person: Person) -> list[int]:
    """This insurance year and every later one the person is enrolled for."""
    year = clock.today().year
    years = set(Enrolment.objects.filter(person=person, insurance_year__gte=year)
                .exclude(status__in=[EnrolmentStatus.REFUNDED, EnrolmentStatus.CANCELLED])
                .values_list("insurance_year", flat=True))
    return sorted(years | {year})


def _conflicts(person: Person, clean: dict) -> list[str]:
    """Where the new identity number is insured (or registering) for a year concerned."""
    if "id_number" not in clean:
        return []
    found = []
    for year in _years_concerned(person):
        for place in checks.insured_places(clean["id_number"], year):
            # shown to the resident who filed it too: the scheme and pooling region only
            found.append(f"{year} 年度 {checks.shown_place(place, None)}")
    return found


def _values(person: Person, clean: dict) -> dict:
    """What the record takes: a new number brings its sex and birth date; a new division of the
    registration's basis moves the person's 参保村居 with it (属地管理)."""
    values = dict(clean)
    if "id_number" in clean:
        parsed = checks.identity(clean["id_number"])
        values.update(sex=parsed.sex, birth_date=parsed.birth_date)
    basis_field = "hukou_division" if person.basis == Basis.HUKOU else "residence_division"
    if basis_field in clean:
        values["division"] = clean[basis_field]
    return values


def _move_account(person: Person, number: str, actor) -> None:
    """The resident's own account signs in with, and finds its record by, the identity number:
    it takes the new number with the record. Refused when another account holds that number."""
    try:
        change_id_number(person.id_number, number, actor=actor, division_path=person.division.path)
    except IdNumberTaken:
        raise AccountNumberTaken(number) from None


def _close_problems(request: ChangeRequest, actor, status: str, note: str) -> None:
    request.problems.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.RETURNED]).update(
        status=status, resolved_by_id=actor.pk, resolved_at=timezone.now(), instructions=note[:1000])


@transaction.atomic
def review_change(request: ChangeRequest, *, actor, approve: bool, note: str = "") -> ChangeRequest:
    """Approve (the change is applied, the old values kept as history) or reject (a reason is
    required) a pending request. The filer may not review it; the reviewer works in their area.
    An approval that conflicts puts the request in the problem queue and changes nothing else."""
    request = ChangeRequest.objects.select_for_update(of=("self",)).select_related("division").get(pk=request.pk)
    if request.status != ChangeStatus.PENDING:
        raise ChangeError(f"此变更申请已{request.get_status_display()}，不能再审核。", code="wrong_status")
    if request.filed_by_id == actor.pk:
        raise ChangeError("申请人与审核人不能是同一人：请由另一名经办人员审核。", code="same_person")
    if not user_can(actor, "resident.review"):
        raise ChangeError("您的角色不能审核参保信息变更。", code="forbidden")
    checks.within_area(actor, request.division)
    note = (note or "").strip()
    if not approve:
        if not note:
            raise ChangeError("驳回变更申请须写明原因。", code="reason_missing", fields={"note": "必填"})
        request.status, request.note = ChangeStatus.REJECTED, note[:500]
        request.reviewer_id, request.reviewer_label, request.reviewed_at = actor.pk, _label(actor), timezone.now()
        request.save()
        _close_problems(request, actor, ProblemStatus.CLOSED, f"变更申请已驳回：{note}")
        record_event(actor, "resident.change.review", "change_request", request.pk,
                     after={"status": request.status, "note": request.note}, division_path=request.division.path)
        return request

    person = Person.objects.select_for_update(of=("self",)).select_related("division").get(pk=request.person_id)
    clean = _clean(person, request.changes)  # checked again: the record or the region may have moved on
    conflicts = _conflicts(person, clean)
    if conflicts:
        message = f"变更后的身份证号码已在别处参保或登记，变更未生效：{'；'.join(conflicts)}。请核实后处理。"
        problem = request.problems.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.RETURNED]).first()
        if problem is None:
            problem = Problem.objects.create(region_id=request.region_id, division=request.division,
                                             source=ProblemSource.CHANGE, change=request, code=CONFLICT,
                                             message=message[:1000], actor=ProblemActor.CLERK)
        else:
            Problem.objects.filter(pk=problem.pk).update(message=message[:1000])
        record_event(actor, "resident.change.problem", "change_request", request.pk,
                     after={"problem": problem.pk, "conflicts": conflicts}, division_path=request.division.path)
        return request

    before = {k: _current(person, k) for k in clean}
    if "id_number" in clean:
        _move_account(person, clean["id_number"], actor)
    apply_values(person, _values(person, clean), actor=actor, change=request)
    if "id_number" in clean:  # the enrolments' copy of the number, by which duplicates are found
        Enrolment.objects.filter(person=person).update(id_number=clean["id_number"])
    request.status, request.before, request.note = ChangeStatus.APPROVED, before, note[:500]
    request.reviewer_id, request.reviewer_label, request.reviewed_at = actor.pk, _label(actor), timezone.now()
    request.save()
    _close_problems(request, actor, ProblemStatus.RELEASED, note or "冲突已消除，变更已审核生效。")
    record_event(actor, "resident.change.review", "change_request", request.pk,
                 before=before, after={"status": request.status, "changes": request.changes, "note": request.note},
                 division_path=request.division.path)
    return request


@transaction.atomic
def release_problem(problem: Problem, *, actor, note: str = "") -> Problem:
    """Release a change request's conflict from the problem queue: the request is approved again
    (by a clerk other than its filer) and applied. Refused, with nothing changed, while the
    conflict remains."""
    change = ChangeRequest.objects.get(pk=problem.change_id)
    review_change(change, actor=actor, approve=True, note=note)
    problem.refresh_from_db()
    if problem.status in (ProblemStatus.OPEN, ProblemStatus.RETURNED):
        raise ChangeError(f"冲突仍未消除，变更未生效：{problem.message}", code=CONFLICT)
    return problem
