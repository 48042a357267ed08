"""Audit cases over the JSON API (/api/v1/inspection): the self-inspection list and the risk
checks of a region and year, complaints and material flags, the cases with their timeline and
corrections, each case's transitions, and the unit's self-inspection result. Thin: one selector
or service per operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yibao.access.permissions import require_capability
from yibao.http import XLSX, attachment, file_responses, refusals, responds

from . import exports, selectors, services
from .models import Case

router = Router(tags=["稽核"])
YEAR_PATTERN = "^(|[0-9]{4})$"


class RunIn(Schema):
    region: str
    year: int


class CheckOut(Schema):
    kind: str
    label: str
    found: int
    opened: int
    existing: int
    not_configured: str
    missing: list[str]
    message: str


class ReportOut(Schema):
    region: str
    year: int
    opened: int
    checks: list[CheckOut]


def _report(report) -> dict:
    return {"region": report.region, "year": report.year, "opened": report.opened,
            "checks": [r.as_dict() for r in report.results]}


class EventOut(Schema):
    kind: str
    kind_display: str
    text: str
    actor: str
    at: dt.datetime


class CorrectionOut(Schema):
    id: int
    employee_name: str
    month_from: str
    wage: Decimal
    base: Decimal
    previous_base: Decimal | None
    note: str


class CaseOut(Schema):
    id: int
    kind: str
    kind_display: str
    status: str
    status_display: str
    region: str
    year: int
    unit_number: str
    unit_name: str
    summary: str
    facts: dict
    owner: str
    opened_at: dt.datetime
    unit_response: str
    findings: str
    concluded_at: dt.datetime | None


class CaseDetailOut(CaseOut):
    source: str
    content: str
    events: list[EventOut]
    corrections: list[CorrectionOut]


def _out(c: Case, *, detail: bool = False, reader=None) -> dict:
    out = {"id": c.pk, "kind": c.kind, "kind_display": c.get_kind_display(), "status": c.status,
           "status_display": c.get_status_display(), "region": c.region_id, "year": c.year,
           "unit_number": c.unit.unit_number, "unit_name": c.unit.name, "summary": c.summary, "facts": c.facts,
           "owner": c.owner.username if c.owner_id else "", "opened_at": c.opened_at,
           "unit_response": c.unit_response, "findings": c.findings, "concluded_at": c.concluded_at}
    if detail:
        out.update({"source": c.source, "content": c.content,
                    "events": [{"kind": e.kind, "kind_display": e.get_kind_display(), "text": e.text,
                                "actor": e.actor.username if e.actor_id else "系统", "at": e.at}
                               for e in c.events.select_related("actor")],
                    "corrections": [{"id": b.pk, "employee_name": b.employee.name, "month_from": str(b.month_from),
                                     "wage": b.wage, "base": b.base, "previous_base": b.previous_base, "note": b.note}
                                    for b in c.corrections.select_related("employee")]})
    return out


@router.post("/self-inspection", response=responds(ReportOut))
def self_inspection(request, payload: RunIn):
    """Generate a region's self-inspection list for a year (潍坊 三(二)): one case per unit whose
    floor share the engine says calls for self-inspection; running again opens nothing twice. A
    region whose notice sets no such rule answers with the check not configured."""
    require_capability(request.user, "inspection.manage")
    return _report(services.open_self_inspections(payload.region, payload.year, actor=request.user))


@router.post("/risk-checks", response=responds(ReportOut))
def risk_checks(request, payload: RunIn):
    """Run the risk checks of 聊城 五 for a region and year: bases below the industry wage guideline,
    summary figures that differ from the lines, fewer people than last year, a wage total far
    below last year's. A check whose rule no notice gives reports not_configured."""
    require_capability(request.user, "inspection.manage")
    return _report(services.run_risk_checks(payload.region, payload.year, actor=request.user))


class ComplaintIn(Schema):
    unit_number: str
    content: str
    source: str
    year: int | None = None


@router.post("/complaints", response=responds(CaseDetailOut))
def complaint(request, payload: ComplaintIn):
    """Record a complaint or report (举报投诉) about a unit of the caller's area: a case."""
    require_capability(request.user, "inspection.report")
    unit = selectors.unit_for(request.user, payload.unit_number)
    if unit is None:
        raise HttpError(404, "参保单位不存在。")
    case = services.record_complaint(unit, content=payload.content, source=payload.source, year=payload.year,
                                     actor=request.user)
    return _out(case, detail=True)


class MaterialFlagIn(Schema):
    note: str
    material_code: str = ""


@router.post("/declarations/{pk}/material-flags", response=responds(CaseDetailOut))
def material_flag(request, pk: int, payload: MaterialFlagIn):
    """Flag a declaration's material as suspected false (涉嫌提供虚假资料): a case of its unit,
    one open at a time per declaration (already_open)."""
    require_capability(request.user, "inspection.report")
    declaration = selectors.declaration_for(request.user, pk)
    if declaration is None:
        raise HttpError(404, "申报不存在。")
    case = services.flag_false_materials(declaration, note=payload.note, material_code=payload.material_code,
                                         actor=request.user)
    return _out(case, detail=True)


@router.get("/cases", response=responds(list[CaseOut]))
def list_cases(request, status: str = "", region: str = Query("", max_length=12), kind: str = "",
               year: str = Query("", pattern=YEAR_PATTERN), owner: str = Query("", pattern="^(|me)$"),
               offset: int = Query(0, ge=0, le=1_000_000), limit: int = Query(50, ge=1, le=500)):
    """The cases of the caller's area (a unit: its own self-inspection), newest first, filtered."""
    require_capability(request.user, "inspection.view")
    f = selectors.CaseFilter.parse({"status": status, "region": region, "kind": kind, "year": year, "owner": owner})
    return [_out(c) for c in f.apply(selectors.cases_for(request.user), request.user)[offset:offset + limit]]


class CountsOut(Schema):
    regions: list[dict]
    totals: dict
    total: int


@router.get("/counts", response=responds(CountsOut))
def counts(request):
    """Cases by region and status, with totals."""
    require_capability(request.user, "inspection.view")
    c = selectors.counts(request.user)
    return {"regions": [{"region": key, "name": name, "statuses": row, "total": total}
                        for name, key, row, total in c["rows"]], "totals": c["totals"], "total": c["total"]}


@router.get("/cases/export", response=refusals(), openapi_extra=file_responses(XLSX, description="稽核案件清单"))
def export(request, status: str = "", region: str = Query("", max_length=12), kind: str = "",
           year: str = Query("", pattern=YEAR_PATTERN)):
    """The filtered cases as an xlsx workbook (one row per case), audited."""
    require_capability(request.user, "inspection.view")
    f = selectors.CaseFilter.parse({"status": status, "region": region, "kind": kind, "year": year})
    data, name = exports.cases_workbook(request.user, f)
    return attachment(data, name, XLSX)


def _case(request, pk: int, capability: str = "inspection.view") -> Case:
    require_capability(request.user, capability)
    case = selectors.case_for(request.user, pk)
    if case is None:
        raise HttpError(404, "稽核案件不存在。")
    return case


@router.get("/cases/{pk}", response=responds(CaseDetailOut))
def get_case(request, pk: int):
    return _out(_case(request, pk), detail=True)


class AssignIn(Schema):
    owner: str


@router.post("/cases/{pk}/assign", response=responds(CaseDetailOut))
def assign(request, pk: int, payload: AssignIn):
    """Name the case's owner (an auditor whose area holds the unit, by user name)."""
    case = _case(request, pk, "inspection.manage")
    owner = next((u for u in selectors.auditors_for(case) if u.username == payload.owner), None)
    services.assign(case, owner, actor=request.user)
    return _out(selectors.case_for(request.user, pk), detail=True)


@router.post("/cases/{pk}/investigate", response=responds(CaseDetailOut))
def investigate(request, pk: int):
    """open → investigating (the caller becomes the owner if there is none)."""
    case = _case(request, pk, "inspection.manage")
    services.start_investigation(case, actor=request.user)
    return _out(selectors.case_for(request.user, pk), detail=True)


class ConcludeIn(Schema):
    findings: str = ""


@router.post("/cases/{pk}/conclude", response=responds(CaseDetailOut))
def conclude(request, pk: int, payload: ConcludeIn):
    """investigating → concluded with the findings; without findings refused (findings_required),
    the attempt audited."""
    case = _case(request, pk, "inspection.manage")
    services.conclude(case, findings=payload.findings, actor=request.user)
    return _out(selectors.case_for(request.user, pk), detail=True)


class CorrectionIn(Schema):
    id_number: str
    wage: str
    month_from: str
    note: str = ""


@router.post("/cases/{pk}/corrected-bases", response=responds(CaseDetailOut))
def correct_base(request, pk: int, payload: CorrectionIn):
    """Correct a person's base from a month with the wage the investigation found: the approved
    span is closed and a new one opened (稽核更正：案件 N; the engine clamps the base), and the
    adjusting bills follow."""
    case = _case(request, pk, "inspection.manage")
    services.correct_base(case, id_number=payload.id_number, wage=payload.wage, month_from=payload.month_from,
                          note=payload.note, actor=request.user)
    return _out(selectors.case_for(request.user, pk), detail=True)


class ResponseIn(Schema):
    note: str


@router.get("/mine", response=responds(list[CaseDetailOut]))
def mine(request):
    """A unit's own self-inspection cases."""
    require_capability(request.user, "inspection.self")
    return [_out(c, detail=True) for c in selectors.my_self_inspections(request.user)]


@router.post("/mine/{pk}/response", response=responds(CaseDetailOut))
def respond(request, pk: int, payload: ResponseIn):
    """The unit submits its self-inspection result (a note) for the auditor to review."""
    case = _case(request, pk, "inspection.self")
    services.respond(case, note=payload.note, actor=request.user)
    return _out(selectors.case_for(request.user, pk), detail=True)
