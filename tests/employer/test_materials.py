"""Signed and stamped scans uploaded with a declaration: checked by structure, not only by their
first bytes; active content refused; a re-upload replaces the current file and keeps the earlier
one as history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from yibao.employer import services
from yibao.employer.models import Material

from .fresh import IN_WINDOW, QUICK_HASHERS, make_declaration
from .scans import jpeg, pdf, png

pytestmark = pytest.mark.django_db

JS = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = IN_WINDOW
    settings.PASSWORD_HASHERS = QUICK_HASHERS


def upload(declaration, user, data, name="scan.pdf", *, code):
    return services.upload_material(declaration, code, SimpleUploadedFile(name, data), actor=user)


def first_code(declaration) -> str:
    return services.missing_materials(declaration)[0]["code"]


@pytest.mark.parametrize(("data", "content_type"), [
    (pdf(), "application/pdf"),
    (pdf(in_object_stream=True), "application/pdf"),
    (pdf(b"/OpenAction [3 0 R /Fit]"), "application/pdf"),     # opening at a page is no active content
    (png(), "image/png"),
    (png(37, 5, interlaced=True), "image/png"),
    (jpeg(), "image/jpeg"),
])
def test_real_scans_are_accepted(data, content_type):
    declaration, user = make_declaration()
    material = upload(declaration, user, data, code=first_code(declaration))
    assert material.content_type == content_type and material.size == len(data)


ACTIVE_OR_MALFORMED = {
    "open action javascript": pdf(b"/OpenAction " + JS),
    "open action javascript in an object stream": pdf(b"/OpenAction " + JS, in_object_stream=True),
    "document javascript": pdf(b"/Names << /JavaScript 5 0 R >>",
                               extra_objects=(b"<< /Names [(a) " + JS + b"] >>",)),
    "javascript under an escaped name": pdf(b"/OpenAction << /S /J#61vaScript /JS (app.alert\\(1\\)) >>"),
    "launch action": pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
    "embedded file": pdf(b"/Names << /EmbeddedFiles 5 0 R >>",
                         extra_objects=(b"<< /Names [(a.exe) << /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>] >>",
                                        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")),
    "page additional action": pdf(page_extra=b"/AA << /O << /S /GoTo /D [3 0 R /Fit] >> >> "),
    "xfa form": pdf(b"/AcroForm << /Fields [] /XFA 5 0 R >>",
                    extra_objects=(b"<< /Length 5 >>\nstream\n<xdp>\nendstream",)),
    "html after the pdf header": b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n",
    "html inside a valid pdf": pdf(header=b"%PDF-1.7\n%<html><script>alert(1)</script></html>\n"),
    "no pages": pdf(pages=0),
    "not a pdf at all": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "png of zeros": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "png with a wrong checksum": png()[:-5] + bytes([png()[-5] ^ 1]) + png()[-4:],
    "truncated png": png()[:60],
    "truncated jpeg": jpeg()[:200],
    "jpeg of zeros": b"\xff\xd8\xff" + b"\x00" * 64,
}


@pytest.mark.parametrize("case", list(ACTIVE_OR_MALFORMED))
def test_active_or_malformed_scans_are_refused(case):
    declaration, user = make_declaration()
    with pytest.raises(services.DeclarationError) as refused:
        upload(declaration, user, ACTIVE_OR_MALFORMED[case], code=first_code(declaration))
    assert refused.value.code in ("invalid_type", "active_content")
    assert not Material.objects.filter(declaration=declaration).exists()


def test_refused_over_the_api_with_400(client):
    declaration, user = make_declaration()
    client.force_login(user)
    response = client.post(f"/api/v1/employer/declarations/{declaration.pk}/materials",
                           {"code": first_code(declaration), "file": SimpleUploadedFile("a.pdf", pdf(b"/OpenAction " + JS))})
    assert response.status_code == 400
    assert "JavaScript" in response.json()["detail"] or "脚本" in response.json()["detail"]
    assert not Material.objects.filter(declaration=declaration).exists()


def test_a_reupload_replaces_the_current_file_and_keeps_the_history(client):
    declaration, user = make_declaration()
    codes = [m["code"] for m in services.missing_materials(declaration)]
    first = upload(declaration, user, pdf(), "first.pdf", code=codes[0])
    second = upload(declaration, user, png(), "second.png", code=codes[0])
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert Material.objects.filter(declaration=declaration, code=codes[0]).count() == 2
    assert codes[0] not in [m["code"] for m in services.missing_materials(declaration)]
    client.force_login(user)
    page = client.get(reverse("declaration", args=[declaration.pk])).content.decode()
    assert "second.png" in page and "first.pdf" in page and "历史" in page
    # the earlier file stays downloadable as history
    assert client.get(reverse("material", args=[first.pk])).status_code == 200


def test_the_database_holds_one_current_material_per_code():
    declaration, user = make_declaration()
    current = upload(declaration, user, pdf(), code=first_code(declaration))
    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.create(declaration=declaration, code=current.code, title=current.title,
                                original_name="again.pdf", content_type=current.content_type, size=current.size,
                                sha256=current.sha256, path=current.path, uploaded_by=user)


def test_an_escaped_name_in_a_compressed_object_stream_is_found():
    """Compressing the catalog into an object stream and escaping the name do not hide a script:
    the objects are read as a viewer reads them."""
    declaration, user = make_declaration()
    data = pdf(b"/X (obj) /OpenAction << /S /J#61vaScript /JS (x) >>", in_object_stream=True)
    with pytest.raises(services.DeclarationError) as refused:
        upload(declaration, user, data, code=first_code(declaration))
    assert refused.value.code == "active_content"
