"""Damaged, encrypted and hostile declaration files are refused with a Chinese message and HTTP
400 on the page and over the API; nothing is imported."""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yibao.employer import services
from yibao.employer.importing import read_table

from .factories import filled, xlsx_bytes
from .fresh import IN_WINDOW, QUICK_HASHERS, make_declaration

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = IN_WINDOW
    settings.PASSWORD_HASHERS = QUICK_HASHERS


def rezip(data: bytes, *, rename: dict | None = None, replace: dict | None = None,
          method=zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook rewritten: members renamed (and the workbook's relationships pointed at the
    new names), bytes replaced within members."""
    rename, replace = rename or {}, replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            for old, new in replace.items():
                body = body.replace(old, new)
            if info.filename == "xl/_rels/workbook.xml.rels":
                for old, new in rename.items():
                    body = body.replace(old.removeprefix("xl/").encode(), new.removeprefix("xl/").encode())
            target.writestr(rename.get(info.filename, info.filename), body)
    return out.getvalue()


def corrupt_member(data: bytes, name: str, *, stored: bool) -> bytes:
    """The workbook with bytes of one member's data changed after it was written: a wrong CRC
    (stored) or a broken deflate stream."""
    data = rezip(data, method=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    broken = bytearray(data)
    if stored:
        broken[middle] ^= 0x01
    else:
        broken[start:start + 8] = b"\xff" * 8
    return bytes(broken)


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (OLE2/CFB, 512-byte sectors) holding the given streams, each at
    least 4096 bytes so that none lives in the mini stream: how Office stores an encrypted
    workbook (EncryptionInfo, EncryptedPackage)."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    sectors, fat, starts = [], [fat_sector, end], []
    next_sector = 2
    for body in streams.values():
        body = body.ljust(max(4096, -(-len(body) // 512) * 512), b"\x00")
        count = len(body) // 512
        starts.append(next_sector)
        fat += [next_sector + i + 1 for i in range(count - 1)] + [end]
        sectors += [body[i * 512:(i + 1) * 512] for i in range(count)]
        next_sector += count

    def entry(name, kind, left, right, child, start, size):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
                + b"\x00" * 36 + struct.pack("<IQ", start, size))

    names = list(streams)
    entries = [entry("Root Entry", 5, no_stream, no_stream, 1, end, 0)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else no_stream
        entries.append(entry(name, 2, no_stream, right, no_stream, starts[i], len(streams[name])))
    directory = b"".join(entries).ljust(512, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\x00" * 6, 0, 1, 1, 0, 4096, end, 0,
                            end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == 512
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    return header + fat_bytes + directory + b"".join(sectors)


ENCRYPTED = cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"<encryption/>" * 400,
                 "EncryptedPackage": b"\x00" * 4096})


def bad_file(case: str, declaration) -> tuple[bytes, str, str]:
    """The file of a case: (data, file name, a part of the message)."""
    def with_formula() -> bytes:
        rows = filled(declaration)
        rows[1][5] = "=6000"
        return xlsx_bytes(rows, formula_values={"=6000": 6000})

    def good() -> bytes:
        return xlsx_bytes(filled(declaration))

    long_field = ("序号,姓名,身份证号码,个人编号,上年度缴费基数（元/月）,2023年度月平均实际工资（元）\n1,"
                  + "长" * 140_000 + ",370705198001010007,,,5000\n")
    cases = {
        "sheet larger than memory": (lambda: _sparse(filled(declaration)), "sparse.xlsx", "过大"),
        "sheet over the cell limit": (lambda: _sparse(filled(declaration), at=(299_999, 19)), "wide.xlsx",
                                      "300000 行 × 20 列"),
        "bad crc": (lambda: corrupt_member(good(), SHEET, stored=True), "crc.xlsx", "损坏"),
        "broken deflate": (lambda: corrupt_member(good(), SHEET, stored=False), "deflate.xlsx", "损坏"),
        "encrypted": (lambda: ENCRYPTED, "secret.xlsx", "密码"),
        "csv field too long": (lambda: long_field.encode(), "long.csv", "过长"),
        "formula sheet outside worksheets": (
            lambda: rezip(with_formula(), rename={SHEET: "xl/sheets/sheet1.xml"}), "f.xlsx", "公式"),
        "formula sheet not named .xml": (
            lambda: rezip(with_formula(), rename={SHEET: "xl/worksheets/sheet1.bin"}), "f.xlsx", "公式"),
        "formula element with a dotted prefix": (
            lambda: rezip(with_formula(), replace={
                b"<f>": b'<x.y:f xmlns:x.y="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                b"</f>": b"</x.y:f>"}), "f.xlsx", "公式"),
    }
    make, name, part = cases[case]
    return make(), name, part


def _sparse(rows, at=(1_048_575, 16_383)) -> bytes:
    """A few kilobytes declaring a sheet reaching the cell ``at``: by default XFD1048576, the last
    of 1,048,576 rows by 16,384 columns; read whole, its cells would need half a terabyte."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    ws.write(*at, 1)
    wb.close()
    return buf.getvalue()


CASES = ["sheet larger than memory", "sheet over the cell limit", "bad crc", "broken deflate", "encrypted", "csv field too long", "formula sheet outside worksheets",
         "formula sheet not named .xml", "formula element with a dotted prefix"]



def english(message: str) -> bool:
    """Whether a message holds English words besides the names of file formats."""
    return bool(re.search(r"[A-Za-z]{3,}", re.sub(r"Excel|xlsx|xls|CSV|PDF", "", message)))


def test_the_bad_files_are_read_by_the_reader_as_sent():
    """The formula cases are real: the spreadsheet reader finds the sheet where it was moved."""
    from python_calamine import CalamineWorkbook

    declaration, _ = make_declaration()
    for case in ("formula sheet outside worksheets", "formula sheet not named .xml",
                 "formula element with a dotted prefix"):
        data = bad_file(case, declaration)[0]
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert rows[1][5] == 6000


@pytest.mark.parametrize("case", CASES)
def test_refused_by_the_service_in_chinese(case):
    declaration, user = make_declaration()
    data, name, part = bad_file(case, declaration)
    with pytest.raises(services.DeclarationError) as refused:
        services.import_file(declaration, data, name, actor=user)
    message = str(refused.value)
    assert part in message and not english(message), message
    assert not declaration.lines.filter(declared_amount__isnull=False).exists()


@pytest.mark.parametrize("case", CASES)
def test_refused_on_the_page_with_400(client, case):
    declaration, user = make_declaration()
    data, name, part = bad_file(case, declaration)
    client.force_login(user)
    response = client.post(reverse("declaration_upload", args=[declaration.pk]),
                           {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert part in response.context["outcome"].message
    assert part in response.content.decode()
    assert not declaration.lines.filter(declared_amount__isnull=False).exists()


@pytest.mark.parametrize("case", CASES)
def test_refused_over_the_api_with_400(client, case):
    declaration, user = make_declaration()
    data, name, part = bad_file(case, declaration)
    client.force_login(user)
    response = client.post(f"/api/v1/employer/declarations/{declaration.pk}/upload",
                           {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and part in body["detail"] and not english(body["detail"])
    assert not declaration.lines.filter(declared_amount__isnull=False).exists()


@pytest.mark.parametrize("value", [b"NaN", b"inf", b"-Infinity", b"1e999"])
def test_non_finite_numbers_are_row_errors_in_the_report(client, value):
    """A numeric cell the reader takes as NaN or infinity is a row error; the error report,
    written with each row, shows it as text."""
    declaration, user = make_declaration()
    rows = filled(declaration)
    rows[1][4] = 123456.789   # the previous base column, numeric too
    rows[1][5] = 654321.987
    data = rezip(xlsx_bytes(rows), replace={b"<v>123456.789</v>": b"<v>" + value + b"</v>",
                                         b"<v>654321.987</v>": b"<v>" + value + b"</v>"})
    outcome = services.run_import(declaration, data, "nan.xlsx", actor=user)
    assert not outcome.ok and outcome.error_count == 1 and outcome.errors[0]["row"] == 2
    report = read_table(open(outcome.report, "rb").read())  # noqa: SIM115
    assert report[1][0] == 2 and "工资" in report[1][1]
    client.force_login(user)
    page = client.post(reverse("declaration_upload", args=[declaration.pk]),
                       {"file": SimpleUploadedFile("nan.xlsx", data)})
    assert page.status_code == 400 and "未导入任何数据" in page.content.decode()
    api = client.post(f"/api/v1/employer/declarations/{declaration.pk}/upload",
                      {"file": SimpleUploadedFile("nan.xlsx", data)})
    assert api.status_code == 400 and api.json()["error_count"] == 1
    assert not declaration.lines.filter(declared_amount__isnull=False).exists()


def test_a_workbook_is_refused_clearly_where_it_cannot_be_measured(monkeypatch):
    """Under a server whose executable is no Python interpreter the sheet cannot be measured:
    the upload is refused with a message, not a server error."""
    from yibao.documents import workbooks

    declaration, user = make_declaration()
    monkeypatch.setattr(workbooks.sys, "executable", "/nonexistent/python")
    with pytest.raises(services.DeclarationError, match="暂时无法检查"):
        services.import_file(declaration, xlsx_bytes(filled(declaration)), "x.xlsx", actor=user)
