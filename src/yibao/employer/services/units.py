"""Units registered here (单位参保登记): registration with a 单位编号, changes reviewed by a second
clerk (maker-checker), suspension and closure from a date, and the online-service notice a unit
confirms before declaring (潍坊 二(一)1). Each public function is one business action in one
transaction, audited.

**The 单位编号 rule.** A unit registered here is numbered ``RRRRRRNNNNNN``: the six-digit code of
its pooling region (统筹区), then a six-digit sequence of that region (000001, 000002 …; the digits are the setting
``UNIT_NUMBER_SEQUENCE_DIGITS``, a numbering of this system, no notice's rule), taken
from ``UnitNumberCounter`` under a row lock, so concurrent registrations never share a number; a
number already held (a unit loaded from elsewhere) is skipped. Units loaded before (the demo's
``37070500001``) keep the 11-digit numbers they came with, which never collide with 12 digits.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao import clock
from yibao.access.scoping import scope_of
from yibao.audit.services import record_event
from yibao.dbutil import locked_counter
from yibao.identity import IdentityError, normalise_phone, parse_uscc
from yibao.regions.models import Agency, Division

from .. import rules
from ..errors import Conflict, NotFound, UnitError
from ..models import (
    ChangeStatus,
    OnlineNoticeConfirmation,
    Unit,
    UnitChange,
    UnitNumberCounter,
    UnitStatus,
    UnitStatusChange,
)

#: 单位性质 as the forms offer them (free text is refused so that lists and counts stay clean).
NATURES = ("企业", "机关", "事业单位", "社会团体", "民办非企业单位", "基金会", "个体工商户", "其他")

#: What a change request may change, with its label.
CHANGEABLE = {"name": "单位名称", "nature": "单位性质", "address": "单位地址", "postcode": "单位邮编",
              "contact_name": "经办人", "contact_phone": "电话", "civil_servant_subsidy": "参加公务员医疗补助",
              "industry": "行业"}

LIMITS = {"name": 200, "address": 200, "contact_name": 50, "industry": 100}


def _audit(actor, action: str, unit: Unit, *, before=None, after=None) -> None:
    record_event(actor, action, "unit", unit.pk, before=before, after=after, division_path=unit.division.path)


# --- checks every way in shares --------------------------------------------------------------

def _text(value, field: str, label: str, *, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise UnitError(f"请填写{label}。", code="invalid_input", fields={field: "必填"})
    if len(text) > LIMITS.get(field, 200):
        raise UnitError(f"{label}过长：不能超过 {LIMITS.get(field, 200)} 个字。", code="invalid_input",
                        fields={field: "过长"})
    return text


def _nature(value) -> str:
    nature = str(value or "").strip()
    if nature not in NATURES:
        raise UnitError(f"单位性质应为以下之一：{'、'.join(NATURES)}。", code="invalid_input", fields={"nature": nature})
    return nature


def _postcode(value) -> str:
    code = str(value or "").strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise UnitError(f"单位邮编“{code}”格式不正确：应为 6 位数字。", code="invalid_input",
                        fields={"postcode": "应为 6 位数字"})
    return code


def _phone(value) -> str:
    try:
        phone = normalise_phone(value)
    except IdentityError as exc:
        raise UnitError(exc.message, code="phone_invalid", fields={"contact_phone": "格式不正确"}) from None
    if not phone:
        raise UnitError("请填写联系电话。", code="invalid_input", fields={"contact_phone": "必填"})
    return phone


def _uscc(value) -> str:
    try:
        return parse_uscc(str(value or "")).code
    except IdentityError as exc:
        raise UnitError(f"统一社会信用代码有误：{exc.message}", code="uscc_invalid",
                        fields={"uscc": exc.message}) from None


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value or "").strip().lower()
    if text in ("1", "true", "on", "yes", "是"):
        return True
    if text in ("", "0", "false", "off", "no", "否"):
        return False
    raise UnitError("是否参加公务员医疗补助应为“是”或“否”。", code="invalid_input",
                    fields={"civil_servant_subsidy": str(value)})


CLEAN = {"name": lambda v: _text(v, "name", "单位名称"), "nature": _nature,
         "address": lambda v: _text(v, "address", "单位地址"), "postcode": _postcode,
         "contact_name": lambda v: _text(v, "contact_name", "经办人姓名"), "contact_phone": _phone,
         "civil_servant_subsidy": _flag, "industry": lambda v: _text(v, "industry", "行业", required=False)}


def pooling_region_of(division: Division) -> Division | None:
    keys = division.path.strip("/").split("/")
    regions = {d.key: d for d in Division.objects.filter(key__in=keys, is_pooling_region=True)}
    return next((regions[k] for k in reversed(keys) if k in regions), None)


def _place(code, actor) -> tuple[Division, Division]:
    """The unit's division (所在区划) and its pooling region: the division must exist, lie in a
    pooling region that runs the employee scheme and within the clerk's own area."""
    code = str(code or "").strip()
    division = Division.objects.filter(key=code).first() if code else None
    if division is None:
        raise UnitError(f"区划代码“{code}”不存在。", code="division_unknown", fields={"division": "区划代码不存在"})
    region = pooling_region_of(division)
    if region is None or region.key not in rules.employee_regions():
        raise UnitError(f"“{division.name}”（{code}）不在开展职工医保的统筹区内。", code="division_outside_region",
                        fields={"division": "不在统筹区内"})
    scope = scope_of(actor)
    if not scope.sees_everything and not (scope.division_path and division.path.startswith(scope.division_path)):
        raise UnitError(f"“{division.name}”（{code}）不在您负责的区域内，不能为其登记。", code="outside_area",
                        fields={"division": "不在负责区域内"})
    return division, region


def _agency_for(region: Division, division: Division) -> Agency | None:
    """The agency whose division is the nearest one containing the unit's."""
    best = None
    for agency in Agency.objects.filter(region=region).select_related("division"):
        if division.path.startswith(agency.division.path) and (
                best is None or len(agency.division.path) > len(best.division.path)):
            best = agency
    return best


def _uscc_taken(region_id: str, uscc: str, *, exclude: int | None = None) -> None:
    other = Unit.objects.filter(region_id=region_id, uscc=uscc).exclude(pk=exclude).first()
    if other is not None:
        raise Conflict(f"统一社会信用代码 {uscc} 已在本统筹区登记：{other.name}（单位编号 {other.unit_number}）。",
                       code="uscc_taken", fields={"uscc": "已登记"})


# --- registration --------------------------------------------------------------------------------

def next_unit_number(region: Division) -> str:
    """The next 单位编号 of ``region`` (the rule is in this module's docstring); call inside the
    registering transaction, which holds the region's counter row locked until it commits."""
    counter = locked_counter(UnitNumberCounter, region=region)
    prefix = region.key[:6]
    digits = settings.UNIT_NUMBER_SEQUENCE_DIGITS      # a system setting, not a notice's rule
    while True:
        counter.last += 1
        if counter.last >= 10**digits:
            raise UnitError(f"{region.name}的单位编号已用尽。", code="numbers_exhausted")
        number = f"{prefix}{counter.last:0{digits}d}"
        if not Unit.objects.filter(unit_number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number


@transaction.atomic
def register_unit(*, actor, name, uscc, division, nature, address, postcode, contact_name, contact_phone,
                  civil_servant_subsidy=False, industry="") -> Unit:
    """单位参保登记: check every field, refuse a credit code already registered in the region,
    number the unit and record it (status 正常)."""
    values = {"name": name, "nature": nature, "address": address, "postcode": postcode,
              "contact_name": contact_name, "contact_phone": contact_phone,
              "civil_servant_subsidy": civil_servant_subsidy, "industry": industry}
    clean = {field: CLEAN[field](value) for field, value in values.items()}
    code = _uscc(uscc)
    place, region = _place(division, actor)
    _uscc_taken(region.key, code)
    number = next_unit_number(region)
    try:
        with transaction.atomic():
            unit = Unit.objects.create(unit_number=number, uscc=code, region=region, division=place,
                                       agency=_agency_for(region, place), registered_at=timezone.now(),
                                       registered_by=actor, status=UnitStatus.NORMAL, **clean)
    except IntegrityError:  # a registration of the same code in the region committed meanwhile
        _uscc_taken(region.key, code)
        raise
    _audit(actor, "unit.register", unit, after={"unit_number": number, "uscc": code, "region": region.key,
                                                "division": place.key, **clean})
    return unit


# --- changes (maker-checker) ----------------------------------------------------------------------

@transaction.atomic
def file_change(unit: Unit, changes: dict, *, actor, reason: str = "") -> UnitChange:
    """A clerk files a change of the unit's particulars; another clerk reviews it."""
    unit = Unit.objects.select_for_update().select_related("division").get(pk=unit.pk)
    if unit.status == UnitStatus.CLOSED:
        raise UnitError("单位已注销，不能变更登记信息。", code="unit_closed")
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise UnitError(f"不能通过变更申请修改：{'、'.join(unknown)}。", code="invalid_input",
                        fields={f: "不可变更" for f in unknown})
    clean = {}
    for field, value in changes.items():
        new = CLEAN[field](value)
        if new != getattr(unit, field):
            clean[field] = new
    if not clean:
        raise UnitError("没有任何变更：新值与现有登记信息相同。", code="no_change")
    if UnitChange.objects.filter(unit=unit, status=ChangeStatus.PENDING).exists():
        raise Conflict("该单位已有一份待审核的变更申请，请等审核后再申请。", code="change_pending")
    before = {field: getattr(unit, field) for field in clean}
    try:
        with transaction.atomic():
            change = UnitChange.objects.create(unit=unit, changes=clean, before=before, filed_by=actor,
                                               reason=_text(reason, "reason", "变更原因", required=False)[:300])
    except IntegrityError:
        raise Conflict("该单位已有一份待审核的变更申请，请等审核后再申请。", code="change_pending") from None
    _audit(actor, "unit.change.file", unit, before=before, after={"change": change.pk, **clean})
    return change


@transaction.atomic
def review_change(change: UnitChange, *, actor, approve: bool, note: str = "") -> UnitChange:
    """A second clerk approves (the new values are written; the old ones stay on the request) or
    rejects (a reason required). The clerk who filed it may not review it."""
    change = UnitChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise UnitError(f"该变更申请已{change.get_status_display()}，不能再审核。", code="wrong_status")
    if change.filed_by_id == actor.pk:
        raise UnitError("变更申请须由另一名经办人员审核，申请人不能审核自己的申请。", code="same_clerk")
    note = " ".join(str(note or "").split())[:500]
    if not approve and not note:
        raise UnitError("驳回变更申请时必须填写审核意见。", code="invalid_input", fields={"note": "必填"})
    unit = Unit.objects.select_for_update().select_related("division").get(pk=change.unit_id)
    if approve:
        if unit.status == UnitStatus.CLOSED:
            raise UnitError("单位已注销，不能变更登记信息。", code="unit_closed")
        for field, value in change.changes.items():
            setattr(unit, field, value)
        unit.save(update_fields=list(change.changes))
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.reviewed_by = actor
    change.reviewed_at = timezone.now()
    change.note = note
    change.save(update_fields=["status", "reviewed_by", "reviewed_at", "note"])
    _audit(actor, "unit.change.approve" if approve else "unit.change.reject", unit,
           before=change.before if approve else None, after={"change": change.pk, "note": note,
                                                             **(change.changes if approve else {})})
    return change


# --- status: suspension, resumption, closure -----------------------------------------------------

TRANSITIONS = {UnitStatus.NORMAL: {UnitStatus.SUSPENDED, UnitStatus.CLOSED},
               UnitStatus.SUSPENDED: {UnitStatus.NORMAL, UnitStatus.CLOSED},
               UnitStatus.CLOSED: set()}


@transaction.atomic
def set_status(unit: Unit, status: str, *, effective_on, reason: str, actor,
               today: dt.date | None = None) -> UnitStatusChange:
    """暂停、恢复或注销 from a date (today or earlier: a status is recorded once it holds), with a
    reason. A closed unit stays closed. The unit's history keeps every change."""
    unit = Unit.objects.select_for_update().select_related("division").get(pk=unit.pk)
    if status not in UnitStatus.values:
        raise UnitError("单位状态无效。", code="invalid_input", fields={"status": str(status)})
    if status not in TRANSITIONS[unit.status]:
        raise UnitError(f"单位当前状态为“{unit.get_status_display()}”，不能改为“{UnitStatus(status).label}”。",
                        code="wrong_status")
    if isinstance(effective_on, str):
        try:
            effective_on = dt.date.fromisoformat(effective_on.strip())
        except ValueError:
            effective_on = None
    if not isinstance(effective_on, dt.date):
        raise UnitError("请填写生效日期，格式如 2024-01-31。", code="invalid_input", fields={"effective_on": "必填"})
    today = today or clock.today()
    if effective_on > today:
        raise UnitError(f"生效日期不能晚于今天（{today}）：请在生效当日或之后办理。", code="invalid_input",
                        fields={"effective_on": "不能晚于今天"})
    if unit.status_from and effective_on < unit.status_from:
        raise UnitError(f"生效日期不能早于当前状态的生效日期（{unit.status_from}）。", code="invalid_input",
                        fields={"effective_on": "早于当前状态"})
    reason = _text(reason, "reason", "原因")[:300]
    record = UnitStatusChange.objects.create(unit=unit, status_before=unit.status, status=status,
                                             effective_on=effective_on, reason=reason, actor=actor)
    before = {"status": unit.status, "status_from": unit.status_from, "status_reason": unit.status_reason}
    unit.status, unit.status_from, unit.status_reason = status, effective_on, reason
    unit.save(update_fields=["status", "status_from", "status_reason"])
    _audit(actor, "unit.status", unit, before=before,
           after={"status": status, "status_from": effective_on, "status_reason": reason})
    return record


def refuse_unless_active(unit: Unit) -> None:
    """A suspended or closed unit opens no new declaration."""
    if unit.status != UnitStatus.NORMAL:
        since = f"自 {unit.status_from} 起" if unit.status_from else ""
        raise UnitError(f"单位{since}已{unit.get_status_display()}（{unit.status_reason or '未注明原因'}），"
                        f"不能新开缴费基数申报。", code="unit_inactive")


# --- the online-service notice (潍坊 二(一)1) ----------------------------------------------------

def notice_status(unit: Unit, year: int) -> dict | None:
    """The notice the unit must confirm for ``year`` and its confirmation, or None where the
    region requires none."""
    notice = rules.online_notice(unit.region_id, year)
    if notice is None:
        return None
    confirmation = OnlineNoticeConfirmation.objects.filter(unit=unit, year=year).first()
    return {**notice, "year": year, "confirmation": confirmation}


@transaction.atomic
def confirm_notice(unit: Unit, year: int, *, actor) -> OnlineNoticeConfirmation:
    """The unit has read the notice and confirms it (once per year; again answers the first)."""
    notice = rules.online_notice(unit.region_id, year)
    if notice is None:
        raise NotFound("本统筹区该年度不要求确认网上办事须知。", code="not_required")
    existing = OnlineNoticeConfirmation.objects.filter(unit=unit, year=year).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            confirmation = OnlineNoticeConfirmation.objects.create(
                unit=unit, year=year, title=notice["title"], points=notice["points"], confirmed_by=actor)
    except IntegrityError:
        return OnlineNoticeConfirmation.objects.get(unit=unit, year=year)
    unit = Unit.objects.select_related("division").get(pk=unit.pk)
    _audit(actor, "unit.notice.confirm", unit, after={"year": year, "title": notice["title"]})
    return confirmation


def refuse_unless_notice_confirmed(unit: Unit, year: int) -> None:
    notice = rules.online_notice(unit.region_id, year)
    if notice and not OnlineNoticeConfirmation.objects.filter(unit=unit, year=year).exists():
        raise UnitError(f"请先阅读并确认《{notice['title']}》，再提交申报。", code="notice_unconfirmed")
