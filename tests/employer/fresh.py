"""A unit, its operator, employees and declaration made afresh by the services, for tests that
rely on no demo data: only the reference data (divisions) is assumed."""

from __future__ import annotations

import datetime as dt
import io

from yibao.employer import services
from yibao.employer.models import Declaration, Employee, Unit
from yibao.identity import resident_id_check_char
from yibao.regions.models import Division
from yibao.regions.services import load_reference_data

PASSWORD = "Test-pass-1"
# Accounts made here are hashed quickly (the project's hasher takes most of a second per account).
QUICK_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
IN_WINDOW = dt.date(2024, 1, 15)
WEIFANG = "370700"


def reference_data() -> None:
    """The divisions, loaded again where a transactional test before this one emptied the tables."""
    if not Division.objects.filter(key=WEIFANG).exists():
        load_reference_data()


def person_id(n: int, region_code: str = "370705") -> str:
    first17 = f"{region_code}1980{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def make_unit(number: str = "37070599001", *, people: int = 3, region: str = WEIFANG):
    """A unit with ``people`` employees in service and its operator's account: (unit, user)."""
    division = Division.objects.get(key=region)
    unit = Unit.objects.create(unit_number=number, name=f"测试单位{number[-3:]}", region=division,
                               division=division)
    Employee.objects.bulk_create([
        Employee(unit=unit, id_number=person_id(i), name=f"职工{i}", employee_number=f"E{i:04d}")
        for i in range(people)])
    user = services.create_unit_operator(unit, password=PASSWORD, check_password=False)
    return unit, user


def make_declaration(number: str = "37070599001", *, people: int = 3) -> tuple[Declaration, object]:
    """A fresh unit's 2024 declaration of active employees and its operator: (declaration, user)."""
    unit, user = make_unit(number, people=people)
    return services.open_declaration(unit, 2024, actor=user), user


def filled_rows(declaration: Declaration, amount=lambda i: 5000 + i * 1000) -> list[list]:
    from yibao.employer.exports import template_header

    rows = [template_header(declaration)]
    for i, line in enumerate(declaration.lines.order_by("id")):
        rows.append([i + 1, line.name, line.id_number, line.employee_number, None, amount(i)])
    return rows


def xlsx_of(rows, *, formula_values: dict | None = None) -> bytes:
    """An xlsx of ``rows``; cells given as ``"=…"`` are formulas, with the cached value from
    ``formula_values`` (by formula text) if any."""
    import xlsxwriter

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
