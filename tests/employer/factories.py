"""Factories of the employer app's test data: insured units with their operators and employees,
flexible workers, and helpers that open, fill and submit a declaration the way a unit does.

Units sit in real divisions of the shipped reference data; their 单位编号 is the county code
followed by a five-digit number, their unified social credit code carries a valid check
character, and employees and flexible workers have valid identity numbers issued in the unit's
county (``factories.resident_id``).
"""

from __future__ import annotations

import io

import factory
import xlsxwriter
from factory.django import DjangoModelFactory

from factories import PASSWORD, WEIFANG, IndividualFactory, division, person_name, resident_id
from yibao.accounts.models import User
from yibao.employer import services
from yibao.employer.models import Declaration, Employee, FlexibleWorker, Unit
from yibao.identity import uscc_check_char
from yibao.regions.models import Agency, Division

from . import scans

# The three-digit sequence of an identity number starts with a digit of its own for each kind of
# person, so an employee, an individual account and a flexible worker made in the same test
# never share a number by chance.
EMPLOYEE_SERIES = 1
FLEXIBLE_SERIES = 7


def pooling_region_of(place: Division) -> Division:
    """The pooling region (统筹区) a division lies in: itself or its nearest such ancestor."""
    keys = place.path.strip("/").split("/")
    regions = {d.key: d for d in Division.objects.filter(key__in=keys, is_pooling_region=True)}
    for key in reversed(keys):
        if key in regions:
            return regions[key]
    raise ValueError(f"{place.name} 不在任何统筹区内")


def issuing_code(place: Division) -> str:
    """The six-digit region code of a division, or of its nearest coded ancestor."""
    while not place.code:
        place = place.parent
    return place.code[:6]


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _agency(region: Division, place: Division) -> Agency | None:
    return Agency.objects.filter(region=region, division=place).first() or \
        Agency.objects.filter(region=region).first()


class UnitFactory(DjangoModelFactory):
    """An insured unit (参保单位): an enterprise in 潍坊奎文区 unless told otherwise.

    ``county`` is the key of the division it is in (its pooling region follows from it);
    ``civil_servant=True`` makes it a public institution in the civil-servant medical subsidy;
    ``employees=N`` and ``retirees=N`` add that many insured people in service and retired.
    """

    class Meta:
        model = Unit
        skip_postgeneration_save = True

    class Params:
        county = "370705"
        serial = factory.Sequence(lambda n: 10_001 + n % 89_999)  # the unit's own five digits, 10001 …
        civil_servant = factory.Trait(
            civil_servant_subsidy=True,
            nature="事业单位",
            uscc=factory.LazyAttribute(lambda o: _uscc(f"12{issuing_code(o.division)}MB{o.serial:07d}")),
            name=factory.LazyAttribute(lambda o: f"{o.division.name}测试事业单位{o.serial}"),
        )

    division = factory.LazyAttribute(lambda o: division(o.county))
    region = factory.LazyAttribute(lambda o: pooling_region_of(o.division))
    agency = factory.LazyAttribute(lambda o: _agency(o.region, o.division))
    unit_number = factory.LazyAttribute(lambda o: f"{issuing_code(o.division)}{o.serial:05d}")
    uscc = factory.LazyAttribute(lambda o: _uscc(f"91{issuing_code(o.division)}MA3{o.serial:06d}"))
    name = factory.LazyAttribute(lambda o: f"{o.division.name}测试有限公司{o.serial}")
    nature = "企业"
    civil_servant_subsidy = False
    address = factory.LazyAttribute(lambda o: f"{o.region.name}{o.division.name}测试路1号")
    postcode = "261000"
    contact_name = "张经办"
    contact_phone = "0536-0000000"

    @factory.post_generation
    def employees(unit, create, extracted, **kwargs):
        if create and extracted:
            EmployeeFactory.create_batch(extracted, unit=unit, retired=False)

    @factory.post_generation
    def retirees(unit, create, extracted, **kwargs):
        if create and extracted:
            EmployeeFactory.create_batch(extracted, unit=unit, retired=True)


class EmployeeFactory(DjangoModelFactory):
    """An insured person of a unit, in service unless ``retired=True``."""

    class Meta:
        model = Employee

    unit = factory.SubFactory(UnitFactory)
    id_number = factory.LazyAttributeSequence(
        lambda o, n: resident_id(issuing_code(o.unit.division), n, series=EMPLOYEE_SERIES))
    name = factory.Sequence(person_name)
    employee_number = factory.LazyAttributeSequence(lambda o, n: f"{o.unit.unit_number[-5:]}{n % 9_999 + 1:04d}")
    retired = False


class UnitOperatorFactory(DjangoModelFactory):
    """The account a unit signs in with (its 单位编号), made by ``create_unit_operator``."""

    class Meta:
        model = User

    unit = factory.SubFactory(UnitFactory)
    full_name = factory.LazyAttribute(lambda o: f"{o.unit.name}经办人")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *, unit, password, full_name, **kwargs):
        return services.create_unit_operator(unit, password=password, full_name=full_name, check_password=False,
                                             **kwargs)


class FlexibleWorkerFactory(DjangoModelFactory):
    """A flexible worker (灵活就业人员) registered in 潍坊; ``account=True`` also makes the
    individual account they sign in with, kept as ``worker.account``."""

    class Meta:
        model = FlexibleWorker
        skip_postgeneration_save = True

    class Params:
        issued_in = "370705"

    region = factory.LazyFunction(lambda: division(WEIFANG))
    id_number = factory.LazyAttributeSequence(lambda o, n: resident_id(o.issued_in, n, series=FLEXIBLE_SERIES))
    name = factory.Sequence(lambda n: person_name(n + 7))

    @factory.post_generation
    def account(worker, create, extracted, **kwargs):
        worker.account = None
        if create and extracted:
            worker.account = IndividualFactory(id_number=worker.id_number, full_name=worker.name)


# --- declarations ----------------------------------------------------------------------------

PDF = scans.pdf()   # a one-page PDF, as a scanner writes it (materials are checked by structure)
PNG = scans.png()


class Upload(io.BytesIO):
    """An uploaded file as the services receive one."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def xlsx_bytes(rows, *, formula_values: dict | None = None) -> bytes:
    """An xlsx of ``rows``; cells given as ``"=…"`` are formulas, with the cached value from
    ``formula_values`` (by formula text) if any, else 0."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v, None, (formula_values or {}).get(v, 0))
            elif v is not None:
                ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def default_amounts(i: int) -> int:
    return 5000 + i * 1000


def filled(declaration, amount_for=default_amounts):
    """A filled template: header as the template has it, one row per line."""
    from yibao.employer.exports import template_header

    header = template_header(declaration)
    rows = [header]
    for i, line in enumerate(declaration.lines.order_by("id")):
        rows.append([i + 1, line.name, line.id_number, line.employee_number, None, amount_for(i)])
    return rows


def operator_of(unit: Unit):
    """The account the unit signs in with."""
    return unit.operators.select_related("user").get().user


def open_declaration(unit: Unit, year: int = 2024, kind: str = "active", *, actor=None) -> Declaration:
    return services.open_declaration(unit, year, kind, actor=actor or operator_of(unit))


def fill(declaration, actor=None, amount_for=default_amounts) -> int:
    """Import a filled template (``amount_for(i)`` for the i-th line), as the unit's operator."""
    actor = actor or operator_of(declaration.unit)
    return services.import_file(declaration, xlsx_bytes(filled(declaration, amount_for)), "x.xlsx", actor=actor)


def upload_all_materials(declaration, actor=None) -> None:
    actor = actor or operator_of(declaration.unit)
    for m in services.missing_materials(declaration):
        services.upload_material(declaration, m["code"], Upload(PDF, "scan.pdf"), actor=actor)


def submit_filled(declaration, amount_for=default_amounts, *, actor=None, today=None) -> Declaration:
    """Fill the declaration, upload every material it needs and submit it."""
    actor = actor or operator_of(declaration.unit)
    fill(declaration, actor, amount_for)
    upload_all_materials(declaration, actor)
    confirm_notice(declaration, actor)
    return services.submit(declaration, actor=actor, today=today)


def confirm_notice(declaration, actor=None) -> None:
    """Confirm the online-service notice where the region asks it (潍坊 二(一)1), as the unit does
    before submitting online."""
    if services.notice_status(declaration.unit, declaration.year) is not None:
        services.confirm_notice(declaration.unit, declaration.year, actor=actor or operator_of(declaration.unit))
