"""One case from opening to its findings. The state machine (open → investigating → concluded)
lives here; every transition and every correction is one transaction with its timeline event and
its audit entry. A refused action changes nothing and leaves an audit entry of the attempt
(written after the action's transaction has rolled back)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yibao import clock
from yibao.access.permissions import user_can
from yibao.access.roles import Role
from yibao.access.scoping import scope_of
from yibao.audit.services import record_event, refusals_audited
from yibao.employer import selectors as employer
from yibao.employer import services as employer_services

from ..errors import (
    ALREADY_INVESTIGATING,
    ALREADY_OPEN,
    CONCLUDED,
    FINDINGS_REQUIRED,
    NOT_AN_AUDITOR,
    NOT_INVESTIGATING,
    NOT_SELF_INSPECTION,
    CaseError,
    NotFound,
)
from ..models import Case, CaseEvent, CaseKind, CaseStatus, CorrectedBase, EventKind

MAX_TEXT = 4000


def _path(case: Case) -> str:
    return case.unit.division.path


def _audit(actor, action: str, case: Case, **after) -> None:
    record_event(actor, action, "inspection_case", case.pk, after={"kind": case.kind, "status": case.status, **after},
                 division_path=_path(case))


def _event(case: Case, kind: str, text: str, actor) -> None:
    CaseEvent.objects.create(case=case, kind=kind, text=text, actor=actor)


def audited_refusal(action: str):
    """A case action whose refusal is audited: the attempt, its code and message."""
    return refusals_audited(f"{action}.refused", "inspection_case", path=_path,
                            facts=lambda case, _: {"status": case.status})


def _text(value, field: str, label: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise CaseError(f"请填写{label}。", code="invalid_input", fields={field: "必填"})
    if len(text) > MAX_TEXT:
        raise CaseError(f"{label}不能超过 {MAX_TEXT} 字。", code="invalid_input", fields={field: len(text)})
    return text


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("unit__division", "region").get(pk=case.pk)


def _not_concluded(case: Case) -> None:
    if case.status == CaseStatus.CONCLUDED:
        raise CaseError(f"案件 {case.pk} 已办结，不能再变更。", code=CONCLUDED)


# --- opening by hand: complaints and suspected false materials -----------------------------------

def _new_case(unit, kind: str, year: int, summary: str, *, actor, facts=None, source="", content="") -> Case:
    case = Case.objects.create(kind=kind, unit=unit, region_id=unit.region_id, year=year, summary=summary[:300],
                               facts=facts or {}, source=source, content=content, opened_by=actor)
    case = Case.objects.select_related("unit__division").get(pk=case.pk)
    _event(case, EventKind.OPENED, summary, actor)
    _audit(actor, "inspection.case.open", case, unit=unit.unit_number, year=year, summary=summary[:300],
           source=source, facts=facts or {})
    return case


@transaction.atomic
def record_complaint(unit, *, content: str, source: str, year: int | None = None, actor) -> Case:
    """举报投诉 received about ``unit`` (in the actor's scope): its content and where it came from."""
    content = _text(content, "content", "举报投诉内容", required=True)
    source = _text(source, "source", "举报投诉来源（如来信、电话、网站）", required=True)[:100]
    year = year or clock.today().year
    return _new_case(unit, CaseKind.COMPLAINT, int(year), f"举报投诉（{source}）：{content[:120]}", actor=actor,
                     source=source, content=content)


@transaction.atomic
def flag_false_materials(declaration, *, note: str, material_code: str = "", actor) -> Case:
    """A clerk or an auditor suspects a declaration's material (涉嫌提供虚假资料): a case of its
    unit and year, one open at a time per declaration."""
    note = _text(note, "note", "疑点说明", required=True)
    key = f"declaration:{declaration.pk}"
    live = (Case.objects.filter(unit_id=declaration.unit_id, kind=CaseKind.FALSE_MATERIALS, facts__declaration=declaration.pk)
            .exclude(status=CaseStatus.CONCLUDED).first())
    if live is not None:
        raise CaseError(f"该申报的材料已在稽核案件 {live.pk} 中核查，尚未办结。", code=ALREADY_OPEN,
                        fields={"case": live.pk})
    materials = {m.code: m.title for m in employer.materials_of(declaration)} if material_code else {}
    if material_code and material_code not in materials:
        raise CaseError("该申报没有这项材料。", code="invalid_input", fields={"material_code": material_code[:60]})
    what = f"材料“{materials[material_code]}”" if material_code else "申报材料"
    return _new_case(declaration.unit, CaseKind.FALSE_MATERIALS, declaration.year,
                     f"{declaration.year} 年度申报（{declaration.pk}）{what}涉嫌虚假：{note[:120]}", actor=actor,
                     facts={"declaration": declaration.pk, "material_code": material_code, "note": note,
                            "key": key})


# --- the state machine ---------------------------------------------------------------------------

def _is_auditor_of(user, case: Case) -> bool:
    return (user.is_active and user.role == Role.AUDITOR and user_can(user, "inspection.manage")
            and scope_of(user).filter(Case.objects.filter(pk=case.pk)).exists())


@audited_refusal("inspection.case.assign")
@transaction.atomic
def assign(case: Case, owner, *, actor) -> Case:
    """Name the case's owner: an auditor whose area holds the unit."""
    case = _locked(case)
    _not_concluded(case)
    if owner is None or not _is_auditor_of(owner, case):
        raise CaseError("承办人应为本单位所在地区的稽核人员。", code=NOT_AN_AUDITOR,
                        fields={"owner": getattr(owner, "username", "")})
    before = case.owner_id
    case.owner = owner
    case.save(update_fields=["owner"])
    _event(case, EventKind.ASSIGNED, f"承办人：{owner.full_name or owner.username}", actor)
    _audit(actor, "inspection.case.assign", case, owner=owner.username, previous_owner_id=before)
    return case


@audited_refusal("inspection.case.investigate")
@transaction.atomic
def start_investigation(case: Case, *, actor) -> Case:
    """open → investigating; the auditor who starts becomes the owner if there is none."""
    case = _locked(case)
    _not_concluded(case)
    if case.status == CaseStatus.INVESTIGATING:
        raise CaseError(f"案件 {case.pk} 已在稽核中。", code=ALREADY_INVESTIGATING)
    case.status = CaseStatus.INVESTIGATING
    if case.owner_id is None:
        case.owner = actor
    case.save(update_fields=["status", "owner"])
    _event(case, EventKind.INVESTIGATING, f"承办人：{case.owner.full_name or case.owner.username}", actor)
    _audit(actor, "inspection.case.investigate", case, owner=case.owner.username)
    return case


@audited_refusal("inspection.case.conclude")
@transaction.atomic
def conclude(case: Case, *, findings: str, actor) -> Case:
    """investigating → concluded, with the findings (required: a case is never closed without)."""
    case = _locked(case)
    _not_concluded(case)
    if case.status != CaseStatus.INVESTIGATING:
        raise CaseError(f"案件 {case.pk} 尚未开始稽核，不能办结。", code=NOT_INVESTIGATING)
    text = (findings or "").strip()
    if not text:
        raise CaseError("办结稽核案件须填写稽核结论（查实的问题、处理意见，或未发现问题的说明）。",
                        code=FINDINGS_REQUIRED, fields={"findings": "必填"})
    text = _text(text, "findings", "稽核结论", required=True)
    case.status, case.findings = CaseStatus.CONCLUDED, text
    case.concluded_at, case.concluded_by = timezone.now(), actor
    case.save(update_fields=["status", "findings", "concluded_at", "concluded_by"])
    _event(case, EventKind.CONCLUDED, text, actor)
    _audit(actor, "inspection.case.conclude", case, findings=text[:500],
           corrections=case.corrections.count())
    return case


@audited_refusal("inspection.case.respond")
@transaction.atomic
def respond(case: Case, *, note: str, actor) -> Case:
    """The unit submits its self-inspection result (自查自纠情况); the auditor reviews it."""
    case = _locked(case)
    if case.kind != CaseKind.SELF_INSPECTION:
        raise CaseError("只有基数自查自纠案件由单位提交自查结果。", code=NOT_SELF_INSPECTION)
    _not_concluded(case)
    note = _text(note, "note", "自查自纠情况", required=True)
    case.unit_response, case.responded_at = note, timezone.now()
    case.save(update_fields=["unit_response", "responded_at"])
    _event(case, EventKind.RESPONDED, note, actor)
    _audit(actor, "inspection.case.respond", case, note=note[:500])
    return case


@audited_refusal("inspection.case.correct_base")
@transaction.atomic
def correct_base(case: Case, *, id_number: str, wage, month_from, note: str = "", actor) -> CorrectedBase:
    """A person's wage as the investigation found it, from a month: the employer closes the
    approved span and opens a new one (reason 稽核更正：案件 N, base clamped by the engine), and
    the listeners of changed bases produce the adjusting bills, all in this transaction."""
    case = _locked(case)
    _not_concluded(case)
    if case.status != CaseStatus.INVESTIGATING:
        raise CaseError("案件开始稽核后才能更正缴费基数。", code=NOT_INVESTIGATING)
    employee = employer.employee_in_unit(case.unit, id_number)
    if employee is None:
        raise NotFound("本单位没有这名参保职工。", fields={"id_number": "未找到"})
    note = _text(note, "note", "更正说明", required=False)[:200]
    reason = f"稽核更正：案件 {case.pk}"
    previous = employer.base_in_force(employee, month_from)
    spans = employer_services.correct_base(case.unit, employee, wage=wage, month_from=month_from,
                                           reason=reason, actor=actor)
    first = spans[0]
    correction = CorrectedBase.objects.create(case=case, employee=employee, month_from=first.month_from,
                                              wage=first.declared_amount, base=first.base, previous_base=previous,
                                              note=note, actor=actor)
    _event(case, EventKind.BASE_CORRECTED,
           f"{employee.name}自 {first.month_from} 起核实工资 {first.declared_amount} 元，缴费基数 {first.base} 元"
           + (f"（原 {previous} 元）" if previous is not None else "") + (f"：{note}" if note else ""), actor)
    _audit(actor, "inspection.case.correct_base", case, employee=employee.pk, month_from=first.month_from,
           wage=first.declared_amount, base=first.base, previous_base=previous)
    return correction
