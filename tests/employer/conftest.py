import datetime as dt
import io

import pytest
import xlsxwriter

from yibao.employer import services
from yibao.employer.models import Declaration, Unit

from . import scans

WEIFANG_UNIT = "37070500001"
CIVIL_UNIT = "37070000002"
LIAOCHENG_UNIT = "37150200001"
IN_WINDOW = dt.date(2024, 1, 15)


@pytest.fixture
def business_date(settings):
    settings.YIBAO_TODAY = IN_WINDOW
    return IN_WINDOW


@pytest.fixture
def unit(db):
    return lambda number: Unit.objects.get(unit_number=number)


@pytest.fixture
def declaration(db, unit, users, business_date):
    def make(number=WEIFANG_UNIT, year=2024, kind="active") -> Declaration:
        return services.open_declaration(unit(number), year, kind, actor=users[number])

    return make


def xlsx_bytes(rows) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if isinstance(v, str) and v.startswith("="):
                ws.write_formula(r, c, v)
            elif v is not None:
                ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def filled(declaration, amount_for=lambda i: 5000 + i * 1000):
    """A filled template: header as the template has it, one row per line."""
    from yibao.employer.exports import template_header

    header = template_header(declaration)
    rows = [header]
    for i, line in enumerate(declaration.lines.order_by("id")):
        rows.append([i + 1, line.name, line.id_number, line.employee_number, None, amount_for(i)])
    return rows


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


PDF = scans.pdf()   # a one-page PDF, as a scanner writes it
PNG = scans.png()
