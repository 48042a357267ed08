"""参保登记: a registration form entered by a village agent, a township clerk or the resident
online; a second clerk reviews it (东明 五(一): the form carries the registering and the reviewing
clerk's signatures), and approval makes the person's record and the year's enrolment.

The identity card and the household register are entered separately (两证统一): a disagreement
puts the form in the problem queue, and nothing is enrolled until it is resolved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao.access.roles import Role
from yibao.audit.services import record_event

from .. import rules, tallies
from ..errors import Conflict, RegistrationError, RuleRefused
from ..models import (
    Basis,
    Channel,
    Enrolment,
    Kind,
    Person,
    Problem,
    ProblemActor,
    ProblemSource,
    ProblemStatus,
    Registration,
    RegistrationStatus,
)
from . import checks
from .persons import apply_values

MISMATCH = "two_certificates_mismatch"


@dataclass
class RegistrationInput:
    """What a registration form carries, as typed (a page, the API, the command line)."""

    insurance_year: int
    id_number: str
    name: str
    hukou_code: str
    residence_code: str = ""
    basis: str = Basis.HUKOU
    sex: str = ""
    birth_date: dt.date | None = None
    hk_id_number: str = ""
    hk_name: str = ""
    hk_sex: str = ""
    hk_birth_date: dt.date | None = None
    household_number: str = ""
    phone: str = ""
    kind: str = Kind.ORDINARY
    moved_in_on: dt.date | None = None
    paid_at_origin: bool | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_strings(cls, data, *, insurance_year: int) -> RegistrationInput:
        """A form as typed in a page or a command line (every value text; dates YYYY-MM-DD;
        原籍已缴费 是/否); a malformed date or year is refused with the field named."""
        def text(name: str) -> str:
            return (data.get(name) or "").strip()

        def date(name: str, label: str) -> dt.date | None:
            value = text(name)
            if not value:
                return None
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise RegistrationError(f"{label}“{value}”格式不正确，应为 YYYY-MM-DD。", code="date_invalid",
                                        fields={name: "格式不正确"}) from None

        year = text("insurance_year")
        if year and not (year.isascii() and year.isdigit() and len(year) == 4):
            raise RegistrationError(f"保险年度“{year}”不正确。", code="year_invalid", fields={"insurance_year": "应为四位年份"})
        paid = text("paid_at_origin")
        return cls(insurance_year=int(year) if year else insurance_year, id_number=text("id_number"),
                   name=text("name"), hukou_code=text("hukou_code"), residence_code=text("residence_code"),
                   basis=text("basis") or Basis.HUKOU, sex=text("sex"), birth_date=date("birth_date", "出生日期"),
                   hk_id_number=text("hk_id_number"), hk_name=text("hk_name"), hk_sex=text("hk_sex"),
                   hk_birth_date=date("hk_birth_date", "户口簿出生日期"), household_number=text("household_number"),
                   phone=text("phone"), kind=text("kind") or Kind.ORDINARY,
                   moved_in_on=date("moved_in_on", "迁入日期"),
                   paid_at_origin={"是": True, "否": False, "true": True, "false": False}.get(paid))


def _label(user) -> str:
    return getattr(user, "display_name", "") or getattr(user, "username", "")


def _channel(actor) -> str:
    if actor.role == Role.INDIVIDUAL:
        return Channel.ONLINE
    return Channel.AGENT if actor.role == Role.VILLAGE_AGENT else Channel.CLERK


def _mismatch_text(mismatches) -> str:
    """The disagreeing items; the values of the number and the birth date (which is part of the
    number) are not written into the message, which every reader of the form sees."""
    return "；".join(f"{what}不一致" if what in ("身份证号码", "出生日期") else
                    f"{what}：身份证为“{a or '空'}”，户口簿为“{b or '空'}”" for what, a, b in mismatches)


def _year_configured(region: str, year) -> None:
    """Registration is for an insurance year the region's notice provides for (its collection
    period is in the policy files); any other year is refused, never guessed."""
    if not isinstance(year, int) or not 1900 <= year <= 2999:
        raise RegistrationError(f"保险年度“{year}”不正确。", code="year_invalid", fields={"insurance_year": "应为四位年份"})
    try:
        rules.collection_period(region, year)
    except RuleRefused as exc:
        raise RegistrationError(f"{year} 保险年度的参保缴费政策尚未录入，不能登记：{exc}", code="year_not_configured",
                                fields={"insurance_year": "政策未配置"}, missing=exc.missing) from None


def _validated(data: RegistrationInput, region: str, actor) -> dict:
    name = (data.name or "").strip()
    if not name:
        raise RegistrationError("请填写姓名。", code="name_missing", fields={"name": "必填"})
    if data.kind not in Kind.values:
        raise RegistrationError(f"参保类型“{data.kind}”无效：应为普通、新生儿、迁入或补缴。", code="kind_invalid",
                                fields={"kind": "无效"})
    if data.basis not in Basis.values:
        raise RegistrationError("登记依据应为户籍地或居住地。", code="basis_invalid", fields={"basis": "无效"})
    _year_configured(region, data.insurance_year)
    parsed = checks.identity(data.id_number, sex=data.sex, birth_date=data.birth_date)
    hk = {}
    if data.hk_id_number or data.hk_name:
        # the household register's own number must itself be valid; a disagreement is a 两证 problem
        hk_parsed = checks.identity(data.hk_id_number, field="hk_id_number", label="户口簿上的身份证号码")
        hk = {"hk_id_number": hk_parsed.number, "hk_name": (data.hk_name or "").strip(),
              "hk_sex": data.hk_sex or hk_parsed.sex, "hk_birth_date": data.hk_birth_date or hk_parsed.birth_date}
    hukou = checks.place(data.hukou_code, region, field="hukou_code", label="户籍地")
    residence = checks.place(data.residence_code or data.hukou_code, region, field="residence_code", label="居住地")
    division = hukou if data.basis == Basis.HUKOU else residence
    if actor.role != Role.INDIVIDUAL:
        checks.within_area(actor, division)
    if data.kind == Kind.MIGRANT and data.moved_in_on is None:
        raise RegistrationError("迁入人员须填写迁入日期。", code="moved_in_missing", fields={"moved_in_on": "必填"})
    return {"id_number": parsed.number, "name": name, "sex": parsed.sex, "birth_date": parsed.birth_date, **hk,
            "household_number": (data.household_number or "").strip(), "hukou_division": hukou,
            "residence_division": residence, "division": division, "basis": data.basis,
            "phone": checks.phone(data.phone), "kind": data.kind, "moved_in_on": data.moved_in_on,
            "paid_at_origin": data.paid_at_origin if data.kind == Kind.MIGRANT else None}


@transaction.atomic
def register(data: RegistrationInput, *, region: str, actor) -> Registration:
    """Record a registration form for review. Refused: an invalid number or one that disagrees
    with the sex or birth date given, an unknown division, a place outside the clerk's area, a
    person already enrolled for the year anywhere in the system. A 两证 mismatch is recorded and
    put in the problem queue."""
    values = _validated(data, region, actor)
    if actor.role == Role.INDIVIDUAL and values["id_number"] != actor.id_number:
        raise RegistrationError("网上登记只能为本人办理；为家庭成员登记请到村（社区）或乡镇（街道）经办机构。",
                                code="online_self_only", fields={"id_number": "不是本人"})
    checks.not_insured_elsewhere(values["id_number"], data.insurance_year, reader=actor)
    registration = Registration.objects.create(
        region_id=region, insurance_year=data.insurance_year, channel=_channel(actor), maker_id=actor.pk,
        maker_label=_label(actor), **values)
    mismatches = registration.mismatches()
    if mismatches:
        registration.status = RegistrationStatus.PROBLEM
        registration.save(update_fields=["status"])
        Problem.objects.create(
            region_id=region, division=registration.division, registration=registration,
            source=ProblemSource.ONLINE if registration.channel == Channel.ONLINE else ProblemSource.REGISTRATION,
            code=MISMATCH, actor=ProblemActor.CLERK,
            message=f"两证信息不一致（户口簿与身份证须一致）：{_mismatch_text(mismatches)}。")
    record_event(actor, "resident.register", "registration", registration.pk,
                 after={"insurance_year": data.insurance_year, "status": registration.status,
                        "division": registration.division_id, "kind": registration.kind,
                        "mismatches": [m[0] for m in mismatches]},
                 division_path=registration.division.path)
    return registration


def _enrol(registration: Registration, actor) -> Enrolment:
    values = {f: getattr(registration, f) for f in ("id_number", "name", "sex", "birth_date", "household_number",
                                                    "basis", "hukou_division", "residence_division", "division")}
    if registration.phone:
        values["phone"] = registration.phone
    person = (Person.objects.select_for_update()
              .filter(region_id=registration.region_id, id_number=registration.id_number).first())
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(region_id=registration.region_id, valid_from=timezone.now(), **values)
        except IntegrityError:
            raise Conflict("此人的参保信息正由另一名经办人员同时审核，请刷新后重试。", code="concurrent_review") from None
    else:
        apply_values(person, values, actor=actor)
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                region_id=registration.region_id, person=person, id_number=person.id_number,
                insurance_year=registration.insurance_year, kind=registration.kind, division=registration.division,
                moved_in_on=registration.moved_in_on, paid_at_origin=registration.paid_at_origin,
                registration=registration)
    except IntegrityError:
        raise Conflict(f"此人 {registration.insurance_year} 保险年度已参保登记。", code="duplicate_enrolment") from None
    tallies.refresh(enrolment.region_id, enrolment.insurance_year, [enrolment.division_id])
    registration.person = person
    return enrolment


@transaction.atomic
def review(registration: Registration, *, actor, approve: bool, note: str = "") -> Registration:
    """The second signature: approve (the person is enrolled for the year) or return with a note.
    The reviewer must be another clerk, for the form's area; a 两证 problem must be resolved first."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("division").get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationError(f"此登记当前为“{registration.get_status_display()}”，不能审核。", code="not_pending")
    if registration.maker_id == actor.pk:
        raise RegistrationError("登记人与审核人不能是同一人：请由另一名经办人员审核。", code="same_reviewer")
    if registration.problems.filter(resolved_by_id=actor.pk, status=ProblemStatus.RELEASED).exists():
        raise RegistrationError("您修改过此登记信息，须由另一名经办人员审核。", code="same_reviewer")
    checks.within_area(actor, registration.division)
    if approve:
        if registration.mismatches():
            raise RegistrationError("两证信息不一致，须先在待处理信息中解决。", code=MISMATCH)
        checks.not_insured_elsewhere(registration.id_number, registration.insurance_year, reader=actor,
                                     excluding_registration=registration.pk)
        enrolment = _enrol(registration, actor)
        registration.status = RegistrationStatus.APPROVED
    else:
        if not note.strip():
            raise RegistrationError("退回须写明原因。", code="note_missing", fields={"note": "必填"})
        enrolment = None
        registration.status = RegistrationStatus.REJECTED
    registration.checker_id, registration.checker_label = actor.pk, _label(actor)
    registration.reviewed_at = timezone.now()
    registration.note = note.strip()
    registration.save()
    record_event(actor, "resident.review", "registration", registration.pk,
                 after={"status": registration.status, "note": registration.note,
                        "enrolment": enrolment.pk if enrolment else None},
                 division_path=registration.division.path)
    return registration


# --- the problem queue -----------------------------------------------------------------------------

CORRECTABLE = ("id_number", "name", "sex", "birth_date", "hk_id_number", "hk_name", "hk_sex", "hk_birth_date")


def _open_problem(problem: Problem) -> Problem:
    problem = Problem.objects.select_for_update(of=("self",)).select_related("registration", "division").get(pk=problem.pk)
    if problem.status not in (ProblemStatus.OPEN, ProblemStatus.RETURNED):
        raise RegistrationError(f"此问题已{problem.get_status_display()}。", code="problem_closed")
    return problem


def _correct(registration: Registration, corrections: dict) -> dict:
    """Apply corrections to a form. A corrected number brings its own sex and birth date (on its
    side of the form) unless a different one is typed beside it."""
    corrections = dict(corrections)
    for number, sex, birth in (("id_number", "sex", "birth_date"), ("hk_id_number", "hk_sex", "hk_birth_date")):
        new = corrections.get(number)
        if new and new != getattr(registration, number):
            parsed = checks.identity(new, field=number)
            if corrections.get(sex) in (None, "", getattr(registration, sex)):
                corrections[sex] = parsed.sex
            typed = corrections.get(birth)
            if typed in (None, "", getattr(registration, birth), str(getattr(registration, birth))):
                corrections[birth] = parsed.birth_date
    changed = {}
    for name, value in corrections.items():
        if name not in CORRECTABLE or value in (None, ""):
            continue
        if name in ("id_number", "hk_id_number"):
            value = checks.identity(value, field=name, label="身份证号码" if name == "id_number" else "户口簿上的身份证号码").number
        if name in ("birth_date", "hk_birth_date") and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise RegistrationError(f"日期“{value}”格式不正确，应为 YYYY-MM-DD。", code="date_invalid",
                                        fields={name: "格式不正确"}) from None
        if getattr(registration, name) != value:
            changed[name] = (str(getattr(registration, name)), str(value))
            setattr(registration, name, value)
    if "id_number" in changed or "sex" in changed or "birth_date" in changed:
        checks.identity(registration.id_number, sex=registration.sex, birth_date=registration.birth_date)
    return changed


@transaction.atomic
def resolve(problem: Problem, *, actor, corrections: dict, note: str = "") -> Problem:
    """Fix the record and release it: the corrected registration goes back to review (by a clerk
    other than its maker). Refused while the two certificates still disagree."""
    problem = _open_problem(problem)
    checks.within_area(actor, problem.division)
    if problem.change_id is not None:  # a change request's conflict: released by approving it again
        from .changes import release_problem

        return release_problem(problem, actor=actor, note=note)
    registration = Registration.objects.select_for_update().get(pk=problem.registration_id)
    changed = _correct(registration, corrections)
    left = registration.mismatches()
    if left:
        raise RegistrationError(f"两证信息仍不一致：{_mismatch_text(left)}。请核对户口簿和身份证原件后修改。", code=MISMATCH)
    checks.not_insured_elsewhere(registration.id_number, registration.insurance_year, reader=actor,
                                 excluding_registration=registration.pk)
    registration.status = RegistrationStatus.PENDING
    registration.save()
    problem.status, problem.resolved_by_id, problem.resolved_at = ProblemStatus.RELEASED, actor.pk, timezone.now()
    problem.instructions = note.strip()
    problem.save()
    record_event(actor, "resident.problem.release", "problem", problem.pk,
                 after={"registration": registration.pk, "changed": changed, "note": problem.instructions},
                 division_path=problem.division.path)
    return problem


@transaction.atomic
def send_back(problem: Problem, *, actor, instructions: str) -> Problem:
    """The person must act (e.g. correct the household register at the police station): the
    problem waits for them with the instructions, shown on their page."""
    problem = _open_problem(problem)
    checks.within_area(actor, problem.division)
    if not instructions.strip():
        raise RegistrationError("请写明需要本人如何处理。", code="instructions_missing", fields={"instructions": "必填"})
    problem.status, problem.actor, problem.instructions = ProblemStatus.RETURNED, ProblemActor.RESIDENT, instructions.strip()
    problem.save()
    record_event(actor, "resident.problem.send_back", "problem", problem.pk, after={"instructions": problem.instructions},
                 division_path=problem.division.path)
    return problem


@transaction.atomic
def resubmit(problem: Problem, *, actor, corrections: dict) -> Problem:
    """The resident corrects a problem sent back to them; it returns to the clerks' queue (or
    straight to review when the two certificates now agree)."""
    problem = _open_problem(problem)
    if problem.actor != ProblemActor.RESIDENT or problem.registration is None \
            or problem.registration.id_number != actor.id_number:
        raise RegistrationError("此问题不需要您处理。", code="not_yours")
    registration = Registration.objects.select_for_update().get(pk=problem.registration_id)
    if corrections.get("id_number") not in (None, "", actor.id_number):
        raise RegistrationError("网上登记只能为本人办理，不能修改为他人的身份证号码。", code="online_self_only",
                                fields={"id_number": "不是本人"})
    changed = _correct(registration, corrections)
    if registration.mismatches():
        problem.status, problem.actor = ProblemStatus.OPEN, ProblemActor.CLERK
        registration.save()
    else:
        registration.status = RegistrationStatus.PENDING
        registration.save()
        problem.status, problem.resolved_by_id, problem.resolved_at = ProblemStatus.RELEASED, actor.pk, timezone.now()
    problem.save()
    record_event(actor, "resident.problem.resubmit", "problem", problem.pk, after={"changed": changed,
                                                                                 "status": problem.status},
                 division_path=problem.division.path)
    return problem
