"""Scanned, signed and stamped forms uploaded with a declaration: typed by content, stored
outside the web root, required by the region's notice."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction

from yibao.audit.services import record_event

from .. import rules
from ..errors import DeclarationError
from ..models import Declaration, DeclarationKind, Material

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
ALLOWED_MATERIAL_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff_type(head: bytes) -> str | None:
    """Type by content (magic bytes), never by the file's name."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _store(declaration: Declaration, code: str, data: bytes, digest: str, content_type: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "materials" / str(declaration.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{code}-{digest[:16]}{ALLOWED_MATERIAL_TYPES[content_type]}"
    path.write_bytes(data)
    return path


def required_materials(declaration: Declaration) -> list[dict]:
    return rules.required_materials(declaration.unit.region_id, declaration.year,
                                    retiree=declaration.kind == DeclarationKind.RETIREE)


@transaction.atomic
def upload_material(declaration: Declaration, code: str, uploaded, *, actor) -> Material:
    if not declaration.editable:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能修改。", code="wrong_status")
    required = {m["code"]: m for m in required_materials(declaration)}
    if code not in required:
        raise DeclarationError("该材料不在本统筹区要求的申报材料之列。", code="invalid_input", fields={"code": code})
    if uploaded.size > MAX_MATERIAL_BYTES:
        raise DeclarationError(f"文件过大：不能超过 {MAX_MATERIAL_BYTES // 1024 // 1024} MB。", code="too_large")
    if uploaded.size == 0:
        raise DeclarationError("文件是空的。", code="invalid_input")
    data = uploaded.read()
    content_type = sniff_type(data[:16])
    if content_type is None:
        raise DeclarationError("只接受 PDF、JPEG 或 PNG 格式的扫描件（按文件内容识别，与文件名无关）。",
                               code="invalid_type")
    digest = hashlib.sha256(data).hexdigest()
    path = _store(declaration, code, data, digest, content_type)
    material = Material.objects.create(
        declaration=declaration, code=code, title=required[code]["title"],
        original_name=Path(getattr(uploaded, "name", "") or "upload").name[:200], content_type=content_type,
        size=len(data), sha256=digest, path=str(path), uploaded_by=actor)
    record_event(actor, "declaration.material.upload", "declaration", declaration.pk,
                 after={"code": code, "sha256": digest, "size": len(data)},
                 division_path=declaration.unit.division.path)
    return material


def missing_materials(declaration: Declaration) -> list[dict]:
    have = set(declaration.materials.values_list("code", flat=True))
    return [m for m in required_materials(declaration) if m["code"] not in have]
