"""Checking an uploaded scan (PDF, JPEG or PNG) by its structure, not only by its first bytes.

A material is typed by content, never by its name. Beyond the magic bytes: a PDF must open in
PDFium with at least one page, unencrypted, and carry no active content (scripts, launch and
submit actions, additional actions, attachments, XFA forms). The names are looked for in every
object as PDFium reads and writes the file back (object streams unpacked, ``#xx`` escapes
decoded, stream data left out), and the longer names also in the bytes as sent, in case another
viewer reads an object PDFium does not. A file carrying HTML markup (a polyglot a browser could
render) is refused. A PNG's chunks, checksums and compressed image data are walked; a JPEG is
decoded at reduced size by Pillow. Nothing here writes: ``check_scan`` returns the content type
or raises ``ScanRefused`` (an ``AppError``: code ``invalid_type`` or ``active_content``, a Chinese
message). Every app that takes scans (declaration materials, change-request documents) uses it.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import zlib

from yibao.errors import AppError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
KIND = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
MAX_PIXELS = 80_000_000          # an A3 page scanned at 600 dpi is 70 million pixels

# Names of active content. A short name could turn up by chance in compressed image data, so only
# the longer ones are looked for in the raw bytes; all of them in the objects.
ACTIVE_NAMES = {
    b"JavaScript": "脚本", b"JS": "脚本", b"Launch": "启动程序", b"AA": "自动操作",
    b"EmbeddedFile": "附件", b"EmbeddedFiles": "附件", b"XFA": "XFA 交互表单", b"RichMedia": "多媒体",
    b"SubmitForm": "提交表单", b"ImportData": "导入数据", b"GoToE": "附件跳转", b"GoToR": "打开其他文件",
}
RAW_SCAN_MIN = 5
NAME = re.compile(rb"/((?:[^\x00\t\n\x0c\r ()<>\[\]{}/%#]|#[0-9A-Fa-f]{2})+)")
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\d)(?!\s+\d+\s+R)")   # not "/Length 12 0 R"
HTML = re.compile(rb"<(?:!doctype|html|body|script|iframe|object|embed)[\s>/]", re.IGNORECASE)



class ScanRefused(AppError):
    """An upload that is not a well-formed PDF, JPEG or PNG, or carries active content."""


WRONG_TYPE = "只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容识别，与文件名无关）。"

# PDFium keeps global state and must not be called from two threads at once.
_pdfium_lock = threading.Lock()


def sniff_type(head: bytes) -> str | None:
    """Type by content (magic bytes), never by the file's name."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def check_scan(data: bytes) -> str:
    """The content type of a well-formed PDF, JPEG or PNG without active content; otherwise a
    ``ScanRefused`` saying why."""
    content_type = sniff_type(data[:16])
    if content_type is None:
        raise ScanRefused(WRONG_TYPE, code="invalid_type")
    {PDF: _check_pdf, JPEG: _check_jpeg, PNG: _check_png}[content_type](data)
    return content_type


def _damaged(content_type: str) -> ScanRefused:
    kind = KIND[content_type]
    return ScanRefused(f"文件无法作为 {kind} 打开：可能已损坏，或并非真正的 {kind} 文件。请重新扫描或导出后上传。",
                            code="invalid_type")


# --- PDF ---------------------------------------------------------------------------------------

def _check_pdf(data: bytes) -> None:
    if HTML.search(data):
        raise _damaged(PDF)
    canonical = _open_with_pdfium(data)
    found = _active_names(data, canonical)
    if found:
        raise _active(found)


def _active(found: list[str]) -> ScanRefused:
    return ScanRefused(f"PDF 中含有{'、'.join(found)}等活动内容，为安全起见不予接收。"
                            "请用扫描仪或“打印为 PDF”重新生成不含脚本、附件和交互表单的文件后上传。",
                            code="active_content")


def _open_with_pdfium(data: bytes) -> bytes:
    """Open the file as a viewer would and return it as PDFium writes it back: every object it
    reads, object streams unpacked, names unescaped, each stream's length given directly."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except Exception:  # PdfiumError, or a password asked for
            raise _damaged(PDF) from None
        try:
            if pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) != -1:
                raise ScanRefused("PDF 文件已加密（设有密码或权限限制），无法检查其内容。请取消加密后上传。",
                                       code="invalid_type")
            if len(document) < 1:
                raise _damaged(PDF)
            active = []
            if pdfium_c.FPDFDoc_GetJavaScriptActionCount(document.raw) > 0:
                active.append("脚本")
            if pdfium_c.FPDFDoc_GetAttachmentCount(document.raw) > 0:
                active.append("附件")
            if pdfium_c.FPDF_GetFormType(document.raw) in (pdfium_c.FORMTYPE_XFA_FULL,
                                                            pdfium_c.FORMTYPE_XFA_FOREGROUND):
                active.append("XFA 交互表单")
            if active:
                raise _active(active)
            canonical = io.BytesIO()
            try:
                document.save(canonical)
            except Exception:
                raise _damaged(PDF) from None
            return canonical.getvalue()
        finally:
            document.close()


def _names(text: bytes) -> set[bytes]:
    return {HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), m.group(1)) for m in NAME.finditer(text)}


def _active_names(data: bytes, canonical: bytes) -> list[str]:
    """What active content the file names: every name in the objects as PDFium reads them
    (stream data left out), and the longer names anywhere in the bytes as sent (objects another
    viewer might read differently)."""
    names = _names(_without_stream_data(canonical))
    names |= {n for n in _names(data) if len(n) >= RAW_SCAN_MIN}
    found = []
    for name, label in ACTIVE_NAMES.items():
        if name in names and label not in found:
            found.append(label)
    return found


def _without_stream_data(data: bytes) -> bytes:
    """The file with the data of its streams left out (their dictionaries kept): the lengths
    PDFium writes are direct, and where one is not found the data runs to ``endstream``."""
    outside, position = [], 0
    for match in STREAM.finditer(data):
        if match.start() < position:  # inside a stream already skipped
            continue
        start = match.end()
        head = data[max(data.rfind(b"obj", 0, match.start()), position):match.start()]
        length = DIRECT_LENGTH.search(head)
        end = start + int(length.group(1)) if length else -1
        if not length or data[end:end + 40].lstrip()[:9] != b"endstream":
            end = data.find(b"endstream", start)
            if end == -1:
                end = len(data)
        outside.append(data[position:start])
        position = end
    outside.append(data[position:])
    return b"".join(outside)


# --- images ------------------------------------------------------------------------------------

def _check_jpeg(data: bytes) -> None:
    """Decoded by Pillow at an eighth of its size: a truncated or damaged file does not decode."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            image.draft("RGB" if image.mode not in ("L", "1") else "L", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except ScanRefused:
        raise
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError and its bomb warning as errors
        raise _damaged(JPEG) from None


def _too_many_pixels(width: int, height: int) -> ScanRefused:
    return ScanRefused(f"图片过大（{width} × {height} 像素），请以不超过 600 dpi 的分辨率扫描后上传。",
                            code="invalid_type")


PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def _check_png(data: bytes) -> None:
    """Every chunk's length and checksum, the header first and the end last, and the image data
    decompressing to exactly the size the header implies (without keeping it)."""
    position, expected, produced = 8, None, 0
    inflater = zlib.decompressobj()
    while True:
        if position + 12 > len(data):
            raise _damaged(PNG)
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 12 + length
        if end > len(data):
            raise _damaged(PNG)
        body = data[position + 8:position + 8 + length]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[end - 4:end])[0]:
            raise _damaged(PNG)
        if (expected is None) != (kind == b"IHDR"):
            raise _damaged(PNG)
        if kind == b"IHDR":
            expected = _png_data_size(body)
        elif kind == b"IDAT":
            try:
                while body:
                    produced += len(inflater.decompress(body, 1 << 20))
                    body = inflater.unconsumed_tail
                    if produced > expected:
                        raise _damaged(PNG)
            except zlib.error:
                raise _damaged(PNG) from None
        elif kind == b"IEND":
            break
        position = end
    if not inflater.eof or produced != expected:
        raise _damaged(PNG)


def _png_data_size(header: bytes) -> int:
    """Bytes of filtered image data (one filter byte per row) a PNG header implies."""
    if len(header) != 13:
        raise _damaged(PNG)
    width, height, depth, color, compression, filtering, interlace = struct.unpack(">IIBBBBB", header)
    if (not width or not height or color not in PNG_CHANNELS or depth not in PNG_DEPTHS[color]
            or compression or filtering or interlace not in (0, 1)):
        raise _damaged(PNG)
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    bits = depth * PNG_CHANNELS[color]

    def size(w: int, h: int) -> int:
        return h * (1 + (w * bits + 7) // 8) if w and h else 0

    if not interlace:
        return size(width, height)
    return sum(size((width - x + dx - 1) // dx, (height - y + dy - 1) // dy) for x, y, dx, dy in ADAM7)
