"""Scans for the material tests, built byte by byte: PDFs (with a cross-reference table, or with
the catalog in a compressed object stream), PNGs and JPEGs."""

from __future__ import annotations

import io
import struct
import zlib


def pdf(catalog_extra: bytes = b"", *, extra_objects: tuple[bytes, ...] = (), in_object_stream: bool = False,
        header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", page_extra: bytes = b"", pages: int = 1) -> bytes:
    """A PDF of ``pages`` blank pages (objects 1 catalog, 2 page tree, 3 page, 4 its content;
    ``extra_objects`` are numbered from 5). ``in_object_stream`` puts the catalog in a compressed
    object stream indexed by a cross-reference stream, as PDF 1.5 writers do."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>"
    content = b"0 0 m 100 100 l S"
    kids = b"[3 0 R]" if pages else b"[]"
    bodies = {2: b"<< /Type /Pages /Kids %s /Count %d >>" % (kids, pages),
              3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R " + page_extra + b">>",
              4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"}
    for i, body in enumerate(extra_objects, start=5):
        bodies[i] = body
    out = bytearray(header)
    offsets = {}
    if not in_object_stream:
        bodies[1] = catalog
        for num in sorted(bodies):
            offsets[num] = len(out)
            out += b"%d 0 obj\n" % num + bodies[num] + b"\nendobj\n"
        xref = len(out)
        size = max(bodies) + 1
        out += b"xref\n0 %d\n0000000000 65535 f \n" % size
        for num in range(1, size):
            out += b"%010d 00000 n \n" % offsets[num]
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
        return bytes(out)
    stream_num = max(bodies) + 1
    xref_num = stream_num + 1
    head = b"1 0 "
    packed = zlib.compress(head + catalog)
    bodies[stream_num] = (b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                          % (len(head), len(packed)) + packed + b"\nendstream")
    for num in sorted(bodies):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + bodies[num] + b"\nendobj\n"
    offsets[xref_num] = len(out)
    rows = bytearray(b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big"))
    rows += b"\x02" + stream_num.to_bytes(4, "big") + (0).to_bytes(2, "big")
    for num in range(2, xref_num + 1):
        rows += b"\x01" + offsets[num].to_bytes(4, "big") + (0).to_bytes(2, "big")
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % (xref_num, xref_num + 1, len(rows)) + bytes(rows) + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[xref_num]
    return bytes(out)


def png(width: int = 40, height: int = 30, *, interlaced: bool = False) -> bytes:
    """A grey PNG, written chunk by chunk; ``interlaced`` in the seven passes of Adam7."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    def rows(x0=0, y0=0, dx=1, dy=1) -> bytes:
        return b"".join(b"\x00" + bytes([(x * 7 + y) % 256 for x in range(x0, width, dx)])
                        for y in range(y0, height, dy) if x0 < width)

    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b"".join(rows(*p) for p in passes) if interlaced else rows()
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 1 if interlaced else 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jpeg(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (width, height), 200).save(buf, "JPEG")
    return buf.getvalue()
