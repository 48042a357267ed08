"""Masking: a role that does not hold ``person.view_id_number`` reads no whole identity number
anywhere, on any page, in any API answer, in any download it can reach.

Every GET route of the walk (``routes.py``) is read by every such role over data whose identity
numbers are in its scope; each body (HTML, JSON, and the text of xlsx and PDF files) is searched
for 18-character numbers with a valid check character, and for the numbers the world created."""

from __future__ import annotations

import io
import itertools

import pytest

from yibao.access.roles import Role, can

from .client import Answer, send
from .routes import Route, all_routes
from .world import FORM, FORMAT, roles_without, whole_id_numbers

pytestmark = pytest.mark.django_db

MASKED_ROLES = roles_without("person.view_id_number")
GET_ROUTES = [r for r in all_routes() if "GET" in r.methods and r.expect is not None]


def text_of(answer: Answer) -> str:
    """What a reader sees in a body: the text of a page or JSON, the cells of a workbook, the text
    of a PDF."""
    body = answer.content
    raw = body.decode("utf-8", "replace")
    try:
        if body.startswith(b"%PDF-"):
            return _pdf_text(body) + "\n" + raw
        if body.startswith(b"PK\x03\x04"):
            return _xlsx_text(body)
    except Exception:  # not a document after all (a scan stand-in): its bytes are all there is
        return raw
    return raw


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def _xlsx_text(data: bytes) -> str:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = []
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            cells.extend(str(c) for c in row if c not in ("", None))
    return "\n".join(cells)


def _choices(gate, route: Route, role: str) -> list[dict]:
    """The route's parameters in the role's scope; every printed form, in both formats."""
    options = []
    for param, kind in route.expect.params.items():
        if kind == FORM:
            from yibao.employer.forms import form_choices

            options.append([(param, code) for code, _ in form_choices(gate.declaration_in)])
        elif kind == FORMAT:
            options.append([(param, "pdf"), (param, "xlsx")])
        else:
            value = gate.value(kind, role, "in")
            if value is None:
                return []
            options.append([(param, value)])
    return [dict(combo) for combo in itertools.product(*options)]


def _leaks(gate, answer: Answer) -> set[str]:
    text = text_of(answer)
    return whole_id_numbers(text) | {n for n in gate.id_numbers if n in text}


def test_the_gate_reads_every_kind_of_body(gate):
    """The search works: where whole numbers are allowed, it finds them in a page, in JSON, in a
    workbook and in a PDF."""
    clerk = gate.clients[Role.AGENCY_CLERK]
    pk = gate.declaration_in.pk
    numbers = set(gate.declaration_in.lines.values_list("id_number", flat=True))
    bodies = {
        "page": clerk.get(f"/employer/declarations/{pk}/"),
        "json": clerk.get(f"/api/v1/employer/declarations/{pk}/lines"),
        "xlsx": clerk.get(f"/employer/declarations/{pk}/forms/detail.xlsx"),
        "pdf": clerk.get(f"/employer/declarations/{pk}/forms/detail.pdf"),
    }
    for what, response in bodies.items():
        answer = Answer(response.status_code, response.content, response["Content-Type"])
        assert answer.status == 200, what
        assert numbers <= whole_id_numbers(text_of(answer)), what


@pytest.mark.parametrize("route", GET_ROUTES, ids=str)
def test_no_whole_identity_number_for_roles_that_see_them_masked(gate, route):
    leaks = []
    reached = 0
    for role in MASKED_ROLES:
        if route.expect.public or not all(can(role, c) for c in route.expect.capabilities):
            continue
        for values in _choices(gate, route, role):
            answer = send(gate.clients[role], route, "GET", values)
            if answer.status >= 400:
                continue
            reached += 1
            found = _leaks(gate, answer)
            if found:
                leaks.append(f"{role} {values}: {answer.status} {answer.content_type}: {sorted(found)}")
    assert not leaks, f"{route.key} shows whole identity numbers:\n  " + "\n  ".join(leaks)


def test_masked_roles_reach_the_people(gate):
    """The gate is not vacuous: a masked role does read the declaration's people (masked)."""
    manager = gate.clients[Role.BUREAU_MANAGER]
    lines = manager.get(f"/api/v1/employer/declarations/{gate.declaration_in.pk}/lines").json()
    assert lines and all("*" in x["id_number"] for x in lines)


def test_a_signed_detail_form_uploaded_as_material_is_not_served_to_masked_roles(gate):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yibao.employer import services
    from yibao.employer.forms.export import export_form

    unit = gate.users[Role.UNIT_OPERATOR]
    printed = export_form(gate.declaration_in, "detail", "pdf", actor=unit).file.content
    code = services.missing_materials(gate.declaration_in)[0]["code"]
    material = services.upload_material(gate.declaration_in, code, SimpleUploadedFile("明细表.pdf", printed),
                                        actor=unit)
    url = f"/employer/materials/{material.pk}/"
    assert gate.clients[Role.BUREAU_MANAGER].get(url).status_code == 403
    page = gate.clients[Role.BUREAU_MANAGER].get(f"/employer/declarations/{gate.declaration_in.pk}/")
    assert url not in page.content.decode() and "扫描件含完整身份证号码" in page.content.decode()

    # a reviewer does get the file, whole, and the download is audited as a view of whole numbers
    from yibao.audit.models import AuditEntry

    response = gate.clients[Role.AGENCY_CLERK].get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert _leaks(gate, Answer(200, content, response["Content-Type"]))
    assert AuditEntry.objects.filter(action="person_data.view", object_type="material",
                                     object_id=str(material.pk)).exists()
