"""The data the gates run over, built with the services: one account of every role, a unit in
潍坊 (inside the staff's division) and one in 聊城 (outside it), their employees with known
identity numbers, a declaration, a material and a job each, and approved bases.

``World.value(kind, role, variant)`` answers the route parameter of a kind of object for a role:
``"in"`` an object in the role's scope, ``"out"`` one that exists outside it, ``"missing"`` one
that does not exist; ``None`` where the role has no such object (an administrator sees every
object, so nothing is out of scope for it)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import Client

from employer import scans
from yibao.access.roles import CAPABILITIES, Role, ScopeKind, scope_kind
from yibao.identity import resident_id_check_char

PASSWORD = "Gate-Test-Passw0rd"
BUSINESS_DATE = dt.date(2024, 1, 15)
YEAR = 2024
STAFF_DIVISION = "370700"     # 潍坊市: every staff account of the gates sits here
OUT_DIVISION = "371500"       # 聊城市: outside it
MISSING_DIVISION = "999999"
MISSING_PK = 987654321
MISSING_UUID = "00000000-0000-4000-8000-0000000000ff"
PDF = scans.pdf()  # a one-page PDF, as a scanner writes it (materials are checked by structure)

# Kinds of objects a route parameter (in the path or the query) names.
DECLARATION = "declaration"
LINE = "line"
MATERIAL = "material"
JOB = "job"
DIVISION = "division"
FORM = "form"
FORMAT = "format"
# the resident scheme's objects
PERSON = "person"               # an identity number of a registered resident
REGISTRATION = "registration"
PROBLEM = "problem"
KINDS = (DECLARATION, LINE, MATERIAL, JOB, DIVISION, FORM, FORMAT, PERSON, REGISTRATION, PROBLEM)
MISSING_ID_NUMBER = "370705198001010017"  # valid, and nobody's
# --- resident scheme: imports
BATCH = "batch"
KINDS += (BATCH,)

# --- resident scheme: renewal roster (续保人员名册) ---------------------------------------------------
ROSTER = "roster"
ROSTER_VILLAGE_IN = "370705001001"    # 中学街社区居民委员会, 奎文区 (inside the staff's division)
ROSTER_VILLAGE_OUT = "371502001001"   # 古城社区居委会, 东昌府区, 聊城 (outside it)
KINDS = (*KINDS, ROSTER)
# --- collection: reconciliation, refunds, paid lists
CHANNEL = "channel"
STATEMENT = "statement"
DIFFERENCE = "difference"
REFUND = "refund"
VILLAGE = "village"
MISSING_VILLAGE = "999999999999"
KINDS = (*KINDS, CHANNEL, STATEMENT, DIFFERENCE, REFUND, VILLAGE)


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


# 18 characters, a province code first, a check character that validates (ISO 7064 MOD 11-2).
_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{16}[0-9Xx])(?![0-9A-Za-z])")


def whole_id_numbers(text: str) -> set[str]:
    """Every whole resident identity number in ``text`` (with a valid check character)."""
    return {m for m in _ID_SHAPE.findall(text) if resident_id_check_char(m[:17]) == m[17].upper()}


def roles_without(capability: str) -> list[str]:
    return [r for r in Role.values if r not in CAPABILITIES[capability]]


@dataclass
class World:
    users: dict[str, object]                 # role → account
    clients: dict[str, Client]               # role → signed-in test client
    unit_in: object
    unit_out: object
    declaration_in: object
    declaration_out: object
    material_in: object
    material_out: object
    jobs: dict[str, object]                  # role → a job the role started
    job_out: object                          # a job started by someone else
    resident: dict[str, object] = field(default_factory=dict)  # the resident scheme's objects, in and out
    changes: dict[str, object] = field(default_factory=dict)   # resident change requests (see CHANGE below)
    id_numbers: list[str] = field(default_factory=list)   # every identity number the world holds
    names: dict[str, str] = field(default_factory=dict)   # identity number → name
    # --- resident scheme: imports
    batches: dict[str, object] = field(default_factory=dict)  # "in" (潍坊, the staff's) and "out" (聊城)
    # --- collection: a payment channel's bearer token
    channel_token: str = ""
    # --- collection: reconciliation, refunds, paid lists (kind_in / kind_out → route value)
    collection: dict[str, object] = field(default_factory=dict)

    # --- route parameters ---------------------------------------------------------------------
    def value(self, kind: str, role: str, variant: str):
        return _VALUES[kind](self, role, variant)

    def in_scope_declaration(self, role: str):
        if role == Role.UNIT_OPERATOR or scope_kind(role) in (ScopeKind.DIVISION, ScopeKind.ALL):
            return self.declaration_in
        return None


def _declaration(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        d = w.in_scope_declaration(role)
        return d.pk if d else None
    return None if scope_kind(role) == ScopeKind.ALL else w.declaration_out.pk


def _line(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        d = w.in_scope_declaration(role)
        return d.lines.order_by("id").first().pk if d else None
    # a line of another unit's declaration, asked through the role's own declaration
    return None if scope_kind(role) == ScopeKind.ALL else w.declaration_out.lines.order_by("id").first().pk


def _material(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        return w.material_in.pk if w.in_scope_declaration(role) else None
    return None if scope_kind(role) == ScopeKind.ALL else w.material_out.pk


def _job(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_UUID
    if variant == "in":
        return str(w.jobs[role].pk)
    return None if scope_kind(role) == ScopeKind.ALL else str(w.job_out.pk)


def _division(w: World, role: str, variant: str):
    kind = scope_kind(role)
    if variant == "missing":
        return MISSING_DIVISION
    if variant == "in":
        return STAFF_DIVISION if kind in (ScopeKind.DIVISION, ScopeKind.ALL) else None
    # divisions are reached by staff only: for a unit or a person every division is out of scope
    return None if kind == ScopeKind.ALL else OUT_DIVISION


def _form(w: World, role: str, variant: str):
    return {"in": "detail", "out": None, "missing": "no-such-form"}[variant]


def _format(w: World, role: str, variant: str):
    # xlsx in the matrix (PDF layout takes a while); the masking gate renders both
    return {"in": "xlsx", "out": None, "missing": "docx"}[variant]


# --- the resident scheme -------------------------------------------------------------------------
# Residents are reached by division (staff of 潍坊 reach the 奎文区 village, not the 聊城 one) and by
# identity number (the individual reaches their own record); a unit reaches none.

def _resident(w: World, role: str, variant: str, name: str, missing):
    kind = scope_kind(role)
    if variant == "missing":
        return missing
    if variant == "in":
        return None if kind == ScopeKind.UNIT else w.resident[f"{name}_in"]
    return None if kind == ScopeKind.ALL else w.resident[f"{name}_out"]


def _person(w: World, role: str, variant: str):
    return _resident(w, role, variant, "person", MISSING_ID_NUMBER)


def _registration(w: World, role: str, variant: str):
    return _resident(w, role, variant, "registration", MISSING_PK)


def _problem(w: World, role: str, variant: str):
    return _resident(w, role, variant, "problem", MISSING_PK)


_VALUES = {DECLARATION: _declaration, LINE: _line, MATERIAL: _material, JOB: _job, DIVISION: _division,
           FORM: _form, FORMAT: _format, PERSON: _person, REGISTRATION: _registration, PROBLEM: _problem}


# --- resident scheme: imports
def _batch(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_PK
    kind = scope_kind(role)
    if variant == "in":
        return w.batches["in"].pk if kind in (ScopeKind.DIVISION, ScopeKind.ALL) else None
    return None if kind == ScopeKind.ALL else w.batches["out"].pk


def _import_batches(owner) -> dict:
    """A batch of one pending imported registration inside the staff's division and one outside,
    imported by ``owner`` (so every other clerk may review it)."""
    from django.utils import timezone

    from yibao.resident.models import ImportBatch, Registration

    out = {}
    for variant, region, place, county in (("in", "370700", "370705", "370705"), ("out", "371500", "371502", "371502")):
        batch = ImportBatch.objects.create(region_id=region, insurance_year=YEAR, kind="registrations",
                                           sha256=f"gate-{variant}", filename="门禁测试.csv", rows=1,
                                           owner_id=owner.pk)
        number = resident_id(f"{county}19800101{'97' if variant == 'in' else '98'}1")
        Registration.objects.create(region_id=region, insurance_year=YEAR, channel="import", id_number=number,
                                    name=f"导入{variant}", sex="男", birth_date=dt.date(1980, 1, 1),
                                    hukou_division_id=place, residence_division_id=place, division_id=place,
                                    maker_id=owner.pk, submitted_at=timezone.now(), batch=batch)
        out[variant] = batch
    return out


_VALUES[BATCH] = _batch


# --- resident scheme: renewal roster (续保人员名册) ---------------------------------------------------
def _roster(w: World, role: str, variant: str):
    kind = scope_kind(role)
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        return w.resident["roster_in"].pk if kind in (ScopeKind.DIVISION, ScopeKind.ALL) else None
    return None if kind == ScopeKind.ALL else w.resident["roster_out"].pk


def build_rosters(w: World) -> None:
    """A village's people paid for the year, in the staff's division and outside it, and the
    coming year's roster of each (built by a tax clerk of each side)."""
    from django.utils import timezone

    from yibao.accounts.services import create_user
    from yibao.regions.models import Division
    from yibao.resident.models import Enrolment, EnrolmentStatus, Person
    from yibao.resident.services import roster as rosters

    for side, code, county, region, names in (("in", ROSTER_VILLAGE_IN, "370705", "370700", ["庚名册", "辛名册"]),
                                              ("out", ROSTER_VILLAGE_OUT, "371502", "371500", ["壬名册"])):
        village = Division.objects.get(key=code)
        for i, name in enumerate(names):
            number = resident_id(f"{county}1985{i + 1:02d}{i + 10:02d}97{i}")
            person = Person.objects.create(region_id=region, id_number=number, name=name, sex="男" if i % 2 == 0 else "女",
                                           birth_date=dt.date(1985, i + 1, i + 10), hukou_division=village,
                                           residence_division=village, division=village, phone="13900139000",
                                           valid_from=timezone.now())
            Enrolment.objects.create(region_id=region, person=person, id_number=number, insurance_year=YEAR,
                                     status=EnrolmentStatus.PAID, division=village, paid_on=dt.date(YEAR - 1, 10, 8))
            w.id_numbers.append(number)
            w.names[number] = name
        clerk = w.users[Role.TAX_CLERK] if side == "in" else create_user(
            role=Role.TAX_CLERK, username="gate.tax.out", password=PASSWORD, full_name="门禁聊城税务",
            division=Division.objects.get(key=OUT_DIVISION), check_password=False)
        w.resident[f"roster_{side}"] = rosters.build(village, YEAR + 1, actor=clerk)


_VALUES[ROSTER] = _roster


# --- collection: reconciliation, refunds, paid lists --------------------------------------------
def _collection(name: str, missing=MISSING_PK):
    def value(w: World, role: str, variant: str):
        kind = scope_kind(role)
        if variant == "missing":
            return missing
        if variant == "in":
            return w.collection[f"{name}_in"] if kind in (ScopeKind.DIVISION, ScopeKind.ALL) else None
        return None if kind == ScopeKind.ALL else w.collection[f"{name}_out"]
    return value


def build_collection(w: World) -> None:
    """In the staff's region and outside it: a channel, a payment of one of the paid villagers
    through it, the channel's statement of the day with one difference, and a pending refund of
    the payment applied for by a clerk of that side (so every gate clerk may review it)."""
    from django.core.files.base import ContentFile

    from yibao.accounts.services import create_user
    from yibao.channels.services import create_channel
    from yibao.collection.models import (
        DifferenceKind,
        Payer,
        Payment,
        Refund,
        Statement,
        StatementDifference,
    )
    from yibao.regions.models import Division
    from yibao.resident.models import Enrolment

    for side, village, region in (("in", ROSTER_VILLAGE_IN, "370700"), ("out", ROSTER_VILLAGE_OUT, "371500")):
        channel, _ = create_channel(f"门禁渠道{side}", region=region)
        # not the person the agents' collections pay for (build_agent_collections): one own part each
        enrolment = (Enrolment.objects.filter(division_id=village, insurance_year=YEAR)
                     .exclude(id_number__in=[w.resident["person_in"], w.resident["person_out"]])
                     .select_related("person").order_by("id").first())
        when = dt.datetime(YEAR - 1, 10, 8, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        payment = Payment.objects.create(
            region_id=region, insurance_year=YEAR, enrolment=enrolment, id_number=enrolment.id_number,
            name=enrolment.person.name, division_id=village, payer=Payer.CHANNEL, amount="380.00",
            standard="380.00", subsidy="0.00", payable="380.00", channel=channel, transaction_id=f"GATE-{side}",
            paid_at=when, paid_on=when.date())
        statement = Statement.objects.create(region_id=region, channel=channel, day=when.date(), digest="0" * 64,
                                             filename="gate.csv", recorded=1, recorded_amount="380.00")
        difference = StatementDifference.objects.create(
            statement=statement, kind=DifferenceKind.MISSING_THERE, transaction_id=payment.transaction_id,
            id_number=payment.id_number, recorded_amount=payment.amount, payment=payment)
        maker = create_user(role=Role.AGENCY_CLERK, username=f"gate.refund.maker.{side}", password=PASSWORD,
                            full_name="门禁退费申请", division=Division.objects.get(key=region), check_password=False)
        refund = Refund(region_id=region, payment=payment, division_id=village, reason="death",
                        event_date=dt.date(YEAR - 1, 12, 1), evidence_name="证明.pdf", maker_id=maker.pk,
                        maker_label=maker.username)
        refund.evidence.save(f"gate-{side}.pdf", ContentFile(PDF), save=False)
        refund.save()
        w.collection.update({f"channel_{side}": channel.pk, f"statement_{side}": statement.pk,
                             f"difference_{side}": difference.pk, f"refund_{side}": refund.pk,
                             f"village_{side}": village})


_VALUES[CHANNEL] = _collection("channel")
_VALUES[STATEMENT] = _collection("statement")
_VALUES[DIFFERENCE] = _collection("difference")
_VALUES[REFUND] = _collection("refund")
_VALUES[VILLAGE] = _collection("village", MISSING_VILLAGE)
assert set(_VALUES) == set(KINDS)


# --- building --------------------------------------------------------------------------------------

def _people(unit, county: str, names: list[str], *, start: int, retired: int = 0) -> list:
    from yibao.employer.models import Employee

    people = []
    for i, name in enumerate(names):
        number = resident_id(f"{county}1978{(i % 12) + 1:02d}{(i * 3) % 28 + 1:02d}{start + i:03d}")
        people.append(Employee.objects.create(unit=unit, id_number=number, name=name,
                                              employee_number=f"G{start + i:05d}",
                                              retired=i >= len(names) - retired,
                                              joined_on=dt.date(2020, 1, 1)))
    return people


def build_world() -> World:
    """Everything the gates need, created through the services (call inside a transaction)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yibao.accounts.services import create_user
    from yibao.employer import services
    from yibao.employer.models import ApprovedBase, FlexibleWorker, Unit
    from yibao.jobs.models import Job
    from yibao.jobs.services import create_job, enqueue
    from yibao.months import Month
    from yibao.regions.models import Division

    settings.YIBAO_TODAY = BUSINESS_DATE
    staff_division = Division.objects.get(key=STAFF_DIVISION)
    unit_in = Unit.objects.create(unit_number="37070599901", name="门禁测试潍坊单位", region_id="370700",
                                  division_id="370705", civil_servant_subsidy=True, contact_name="门经办",
                                  contact_phone="0536-1111111")
    unit_out = Unit.objects.create(unit_number="37150299901", name="门禁测试聊城单位", region_id="371500",
                                   division_id="371502", contact_name="聊经办", contact_phone="0635-1111111")
    inside = _people(unit_in, "370705", ["甲门禁", "乙门禁", "丙门禁", "丁门禁"], start=901, retired=1)
    outside = _people(unit_out, "371502", ["戊门禁", "己门禁"], start=951)

    users = {}
    for role in Role.values:
        kind = scope_kind(role)
        if role == Role.UNIT_OPERATOR:
            users[role] = services.create_unit_operator(unit_in, password=PASSWORD, check_password=False)
        elif kind == ScopeKind.PERSON:
            number = resident_id("37070519790203981")
            users[role] = create_user(role=role, username=number, id_number=number, password=PASSWORD,
                                      full_name="门禁灵活", check_password=False)
            FlexibleWorker.objects.create(id_number=number, name="门禁灵活", region_id="370700")
        else:
            users[role] = create_user(role=role, username=f"gate.{role}", password=PASSWORD, full_name=f"门禁{role}",
                                      division=staff_division if kind == ScopeKind.DIVISION else None,
                                      check_password=False)
    operator_out = services.create_unit_operator(unit_out, password=PASSWORD, check_password=False)

    declaration_in = services.open_declaration(unit_in, YEAR, actor=users[Role.UNIT_OPERATOR])
    declaration_out = services.open_declaration(unit_out, YEAR, actor=operator_out)
    for d, actor in ((declaration_in, users[Role.UNIT_OPERATOR]), (declaration_out, operator_out)):
        for i, line in enumerate(d.lines.order_by("id")):
            services.set_amount(d, line.pk, str(4000 + 1500 * i), actor=actor)
    material_in = services.upload_material(declaration_in, _material_code(declaration_in),
                                           SimpleUploadedFile("scan.pdf", PDF), actor=users[Role.UNIT_OPERATOR])
    material_out = services.upload_material(declaration_out, _material_code(declaration_out),
                                            SimpleUploadedFile("scan.pdf", PDF), actor=operator_out)
    # approved bases of the unit's year, shown with the declaration (核定缴费基数)
    for line in declaration_in.lines.all():
        ApprovedBase.objects.create(unit=unit_in, employee_id=line.employee_id, declaration=declaration_in,
                                    kind=declaration_in.kind, year=YEAR, month_from=Month.first_of(YEAR),
                                    month_to=Month.last_of(YEAR), declared_amount=line.declared_amount,
                                    base=line.base, clamp=line.clamp, reason="核定入库")

    jobs = {}
    for role, user in users.items():
        if role == Role.BUREAU_MANAGER:
            # a printed 明细表 rendered by the worker, as a long one is: its file is the job's result
            jobs[role] = enqueue(user, "declaration.form", "生成医疗保险年报明细表",
                                 {"declaration": declaration_in.pk, "form": "detail", "format": "xlsx"})
            jobs[role].refresh_from_db()
        else:
            jobs[role] = _finished_job(create_job(user, "gate.check", f"门禁测试任务 {role}"))
    job_out = _finished_job(create_job(operator_out, "gate.check", "门禁测试任务（他人）"))
    assert Job.objects.filter(pk=jobs[Role.BUREAU_MANAGER].pk, status="done").exists(), \
        jobs[Role.BUREAU_MANAGER].message

    clients = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients[role] = client
    # an error report of a rejected upload, as the upload page leaves it in the unit's session
    report = Path(settings.VAR_DIR) / "exports" / f"gate-errors-{uuid.uuid4().hex}.xlsx"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_bytes(_tiny_xlsx())
    session = clients[Role.UNIT_OPERATOR].session
    session[f"import-errors-{declaration_in.pk}"] = str(report)
    session.save()

    resident = _resident_world(users[Role.INDIVIDUAL])
    changes = _change_world(resident, users[Role.INDIVIDUAL])
    # --- resident scheme: imports
    batches = _import_batches(users[Role.ADMIN])

    people = inside + outside
    world = World(batches=batches, users=users, clients=clients, unit_in=unit_in, unit_out=unit_out,
                  declaration_in=declaration_in, declaration_out=declaration_out,
                  material_in=material_in, material_out=material_out, jobs=jobs, job_out=job_out,
                  resident=resident,
                  id_numbers=[p.id_number for p in people] + [users[Role.INDIVIDUAL].id_number]
                  + [resident["person_out"]],
                  names={p.id_number: p.name for p in people}, changes=changes)
    # --- resident scheme: renewal roster
    build_rosters(world)
    # --- collection: a payment channel
    from yibao.channels.services import create_channel

    _, world.channel_token = create_channel("门禁测试渠道", region="371728", schemes=("resident", "employee"))
    # --- collection: reconciliation, refunds, paid lists
    build_collection(world)
    # --- collection: village agents' cash, deposits and 申报清单
    build_agent_collections(world)
    # --- audit cases (稽核)
    build_cases(world)
    # --- employee scheme: units' pending changes
    build_unit_changes(world)
    # --- contributions: bills
    build_bills(world)
    # --- gaps: flags to review
    build_gaps(world)
    return world


RESIDENT_VILLAGE_IN = "370705001001"   # 中学街社区居民委员会, 潍坊奎文区: inside the staff's division
RESIDENT_VILLAGE_OUT = "371502001001"  # 古城社区居委会, 聊城东昌府区: outside it


def _resident_world(individual) -> dict:
    """The individual's own resident record and registration (with a 两证 problem) in 潍坊, and
    another person's in 聊城: rows as the resident app's services leave them. Route parameters
    by kind: ``person_in``/``person_out`` (identity numbers), ``registration_*``, ``problem_*`` (pks)."""
    from django.utils import timezone

    from yibao.identity import parse_resident_id
    from yibao.resident.models import Enrolment, Person, Problem, Registration, RegistrationStatus

    made = {}
    for side, number, village, name in (("in", individual.id_number, RESIDENT_VILLAGE_IN, "门禁居民"),
                                        ("out", resident_id("37150219850607771"), RESIDENT_VILLAGE_OUT, "门禁他人")):
        parsed = parse_resident_id(number, today=BUSINESS_DATE)
        region = "370700" if side == "in" else "371500"
        common = {"region_id": region, "id_number": number, "name": name, "sex": parsed.sex,
                  "birth_date": parsed.birth_date, "hukou_division_id": village, "residence_division_id": village,
                  "division_id": village, "phone": "13800138000", "household_number": f"HK-{side}"}
        person = Person.objects.create(valid_from=timezone.now(), **common)
        Enrolment.objects.create(region_id=region, person=person, id_number=number, insurance_year=YEAR,
                                 division_id=village)
        registration = Registration.objects.create(
            insurance_year=YEAR + 1, channel="agent", status=RegistrationStatus.PROBLEM, hk_id_number=number,
            hk_name=name + "甲", hk_sex=parsed.sex, hk_birth_date=parsed.birth_date, maker_label="门禁", **common)
        problem = Problem.objects.create(region_id=region, division_id=village, source="registration",
                                         registration=registration, code="two_certificates_mismatch",
                                         message="两证信息不一致：姓名")
        made.update({f"person_{side}": number, f"registration_{side}": registration.pk,
                     f"problem_{side}": problem.pk})
    return made


def _material_code(declaration) -> str:
    return services_required(declaration)[0]["code"]


def services_required(declaration) -> list[dict]:
    from yibao.employer import services

    return services.missing_materials(declaration)


def _finished_job(job):
    from yibao.jobs.services import finish

    path = Path(settings.VAR_DIR) / "exports" / f"gate-job-{job.pk}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("门禁测试\n")
    finish(job.pk, result={"filename": "gate.txt"}, result_file=str(path), message="完成")
    job.refresh_from_db()
    return job


def _tiny_xlsx() -> bytes:
    import io

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet().write(0, 0, "错误清单")
    book.close()
    return buf.getvalue()


# --- resident scheme: change requests --------------------------------------------------------------
# A pending change request with a document on each of the resident records above (the individual's
# own in 潍坊, inside the staff's division; another person's in 聊城, outside it). Pages name a
# record by its primary key (RESIDENT); the API by its identity number (PERSON).
CHANGE = "change"
CHANGE_DOCUMENT = "change_document"
RESIDENT = "resident"
KINDS = (*KINDS, CHANGE, CHANGE_DOCUMENT, RESIDENT)


def _changes(name: str):
    def value(w: World, role: str, variant: str):
        if variant == "missing":
            return MISSING_PK
        if variant == "in":
            return None if scope_kind(role) == ScopeKind.UNIT else w.changes[f"{name}_in"]
        return None if scope_kind(role) == ScopeKind.ALL else w.changes[f"{name}_out"]

    return value


_VALUES.update({CHANGE: _changes("change"), CHANGE_DOCUMENT: _changes("document"), RESIDENT: _changes("person")})
assert set(_VALUES) == set(KINDS)


def _change_world(resident: dict, individual) -> dict:
    """Filed through the service: by the individual for their own record, by a 聊城 clerk for the
    other. Keys ``change_*``, ``document_*``, ``person_*`` (primary keys)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yibao.accounts.services import create_user
    from yibao.regions.models import Division
    from yibao.resident import services
    from yibao.resident.models import Person

    clerk_out = create_user(role=Role.AGENCY_CLERK, username="gate.changes.out", password=PASSWORD,
                            full_name="聊城经办", division=Division.objects.get(key=OUT_DIVISION),
                            check_password=False)
    made = {}
    for side, actor in (("in", individual), ("out", clerk_out)):
        person = Person.objects.get(id_number=resident[f"person_{side}"])
        change = services.file_change(person, {"phone": "13912345678"}, actor=actor, reason="门禁测试",
                                      documents=[services.DocumentIn("户口簿", SimpleUploadedFile("hk.pdf", PDF))])
        made.update({f"change_{side}": change.pk, f"document_{side}": change.documents.get().pk,
                     f"person_{side}": person.pk})
    return made


# --- collection: village agents' cash (代收), deposits and 申报清单 ----------------------------------
# An agent's cash collection from the resident record of each side (the individual's own in 潍坊,
# inside the staff's division; another person's in 聊城, outside it), each in a submitted deposit.
COLLECTION = "collection"
DEPOSIT = "deposit"
KINDS = (*KINDS, COLLECTION, DEPOSIT)


def _agent_object(name: str):
    def value(w: World, role: str, variant: str):
        kind = scope_kind(role)
        if variant == "missing":
            return MISSING_PK
        if variant == "in":
            return w.resident[f"{name}_in"] if kind in (ScopeKind.DIVISION, ScopeKind.ALL) else None
        return None if kind == ScopeKind.ALL else w.resident[f"{name}_out"]

    return value


_VALUES.update({COLLECTION: _agent_object("collection"), DEPOSIT: _agent_object("deposit")})
assert set(_VALUES) == set(KINDS)


def build_agent_collections(w: World) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from yibao.collection.models import Deposit, DepositStatus, Payment
    from yibao.resident.models import Enrolment

    for side in ("in", "out"):
        enrolment = Enrolment.objects.select_related("person", "division").get(
            id_number=w.resident[f"person_{side}"], insurance_year=YEAR)
        village = enrolment.division
        deposit = Deposit.objects.create(
            region_id=enrolment.region_id, insurance_year=YEAR, division=village, township_id=village.parent_id,
            number=f"{village.key}-{YEAR}-J001", status=DepositStatus.SUBMITTED, amount=Decimal("380.00"), people=1,
            deposited_on=dt.date(YEAR - 1, 11, 21), bank_reference="门禁回单", agent_id=w.users[Role.VILLAGE_AGENT].pk,
            submitted_at=timezone.now())
        paid = timezone.make_aware(dt.datetime(YEAR - 1, 11, 20, 10, 0))
        payment = Payment.objects.create(
            region_id=enrolment.region_id, insurance_year=YEAR, enrolment=enrolment, id_number=enrolment.id_number,
            name=enrolment.person.name, division=village, payer="agent", amount=Decimal("380.00"),
            standard=Decimal("380.00"), subsidy=Decimal("0.00"), payable=Decimal("380.00"), paid_at=paid,
            paid_on=paid.date(), receipt_number=f"{village.key}-{YEAR}-000001", deposit=deposit,
            actor_label="门禁代收员")
        w.resident[f"collection_{side}"] = payment.pk
        w.resident[f"deposit_{side}"] = deposit.pk


# --- audit cases (稽核): a self-inspection case of each side's unit (the unit's own, and the staff's
# in 潍坊; the 聊城 unit's outside it) ----------------------------------------------------------------
CASE = "case"
KINDS = (*KINDS, CASE)


def _case(w: World, role: str, variant: str):
    kind = scope_kind(role)
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        return w.collection["case_in"] if kind in (ScopeKind.DIVISION, ScopeKind.ALL, ScopeKind.UNIT) else None
    return None if kind == ScopeKind.ALL else w.collection["case_out"]


_VALUES[CASE] = _case
assert set(_VALUES) == set(KINDS)


def build_cases(w: World) -> None:
    from yibao.inspection.models import Case

    for side, unit in (("in", w.unit_in), ("out", w.unit_out)):
        case = Case.objects.create(kind="self_inspection", unit=unit, region_id=unit.region_id, year=YEAR,
                                   source_key=str(YEAR), summary="门禁测试：按最低基数缴费人数占比超过规定比例",
                                   facts={"contributors": 4, "at_floor": 4, "share": "1.0000", "threshold": "0.7"})
        w.collection[f"case_{side}"] = case.pk


# --- employee scheme: units (registration, changes, counter service) ------------------------------
UNIT = "unit"
UNIT_CHANGE = "unit_change"
KINDS = (*KINDS, UNIT, UNIT_CHANGE)


def _unit(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        return w.unit_in.pk if w.in_scope_declaration(role) else None
    return None if scope_kind(role) == ScopeKind.ALL else w.unit_out.pk


def _unit_change(w: World, role: str, variant: str):
    if variant == "missing":
        return MISSING_PK
    if variant == "in":
        return w.collection["unit_change_in"] if w.in_scope_declaration(role) else None
    return None if scope_kind(role) == ScopeKind.ALL else w.collection["unit_change_out"]


_VALUES.update({UNIT: _unit, UNIT_CHANGE: _unit_change})
assert set(_VALUES) == set(KINDS)


def build_unit_changes(w: World) -> None:
    """A pending change of each unit, filed by a clerk of its own side (so every gate clerk may
    review it, and the gates' refused reviews leave it pending)."""
    from yibao.accounts.services import create_user
    from yibao.employer import services
    from yibao.regions.models import Division

    for side, unit, region in (("in", w.unit_in, "370700"), ("out", w.unit_out, "371500")):
        maker = create_user(role=Role.AGENCY_CLERK, username=f"gate.unit.maker.{side}", password=PASSWORD,
                            full_name="门禁变更申请", division=Division.objects.get(key=region), check_password=False)
        w.collection[f"unit_change_{side}"] = services.file_change(unit, {"postcode": "261000"}, actor=maker).pk


# --- contributions: a bill of each side's unit (潍坊's, inside the staff's division and the unit
# operator's own; 聊城's, outside), and the units themselves named by a query parameter
BILL = "bill"
UNIT = "unit"
PAYMENT = "payment"   # a counter payment (with its receipt) on each side's bill
KINDS = (*KINDS, BILL, UNIT, PAYMENT)


def _contribution_object(name: str):
    def value(w: World, role: str, variant: str):
        kind = scope_kind(role)
        if variant == "missing":
            return MISSING_PK
        if variant == "in":
            return w.collection[f"{name}_in"] if kind in (ScopeKind.DIVISION, ScopeKind.ALL, ScopeKind.UNIT) else None
        return None if kind == ScopeKind.ALL else w.collection[f"{name}_out"]

    return value


_VALUES.update({BILL: _contribution_object("bill"), UNIT: _contribution_object("unit"),
                PAYMENT: _contribution_object("payment")})
assert set(_VALUES) == set(KINDS)


def build_bills(w: World) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from yibao.contributions.models import Bill, BillLine, BillPayment

    for side, unit in (("in", w.unit_in), ("out", w.unit_out)):
        employee = unit.employees.filter(retired=False).order_by("id").first()
        bill = Bill.objects.create(region_id=unit.region_id, unit=unit, month=f"{YEAR}-01", person_count=1,
                                   base_total=Decimal("5000.00"), unit_total=Decimal("300.00"),
                                   individual_total=Decimal("100.00"), amount_due=Decimal("400.00"),
                                   rounding="half_up_to_fen", generated_at=timezone.now())
        BillLine.objects.create(bill=bill, employee=employee, id_number=employee.id_number, name=employee.name,
                                base=Decimal("5000.00"), unit_share=Decimal("300.00"), individual_share=Decimal("100.00"))
        w.collection[f"bill_{side}"] = bill.pk
        w.collection[f"unit_{side}"] = unit.pk
        w.collection[f"payment_{side}"] = BillPayment.objects.create(
            bill=bill, unit=unit, region_id=unit.region_id, amount=Decimal("1.00"), paid_on=f"{YEAR}-01-10",
            counter=True, balance_after=Decimal("400.00"), receipt_number=f"{unit.region_id}-{YEAR}-900001").pk


# --- gaps: an open 待复核 flag on the resident records above (潍坊 inside, 聊城 outside) -------------
FLAG = "flag"
KINDS = (*KINDS, FLAG)
_VALUES[FLAG] = _collection("flag")
assert set(_VALUES) == set(KINDS)


def build_gaps(w: World) -> None:
    from yibao.gaps.models import EnrolmentFlag, Extract
    from yibao.resident.models import Enrolment

    for side in ("in", "out"):
        enrolment = Enrolment.objects.get(id_number=w.resident[f"person_{side}"], insurance_year=YEAR)
        extract = Extract.objects.create(region_id=enrolment.region_id, insurance_year=YEAR, filename="门禁户籍.csv",
                                         sha256=f"gate-{side}", rows=1, owner_id=w.users[Role.ADMIN].pk)
        flag = EnrolmentFlag.objects.create(region_id=enrolment.region_id, division_id=enrolment.division_id,
                                            enrolment=enrolment, extract=extract, id_number=enrolment.id_number,
                                            name="门禁", insurance_year=YEAR, state="deceased",
                                            changed_on=dt.date(YEAR - 1, 12, 1))
        w.collection[f"flag_{side}"] = flag.pk
