"""Scanned, signed and stamped forms uploaded with a declaration: checked by structure
(``yibao.documents.scans``), stored outside the web root, required by the region's notice. A new
upload of a material replaces the current file; the earlier one stays as history."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yibao.audit.services import record_event
from yibao.documents.scans import ScanRefused, sniff_type
from yibao.documents.scans import check_scan as _check_scan

from .. import rules
from ..errors import Conflict, DeclarationError
from ..models import Declaration, DeclarationKind, Material

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
ALLOWED_MATERIAL_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

__all__ = ["ALLOWED_MATERIAL_TYPES", "MAX_MATERIAL_BYTES", "current_materials", "missing_materials",
           "required_materials", "sniff_type", "upload_material"]


def check_scan(data: bytes) -> str:
    """The scan's content type, or the platform's refusal as the declaration's own."""
    try:
        return _check_scan(data)
    except ScanRefused as exc:
        raise DeclarationError(exc.message, code=exc.code) from None


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
def upload_material(declaration: Declaration, code: str, uploaded, *, actor, counter: bool = False) -> Material:
    """Check and store a scan as the current material ``code`` of the declaration; the material
    it replaces, if any, is kept as history."""
    # one upload of a declaration's materials at a time: the replaced one is the one current now
    declaration = Declaration.objects.select_for_update().select_related("unit__division").get(pk=declaration.pk)
    if not declaration.editable:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，不能修改。", code="wrong_status")
    required = {m["code"]: m for m in required_materials(declaration)}
    if code not in required:
        raise DeclarationError("该材料不在本统筹区要求的申报材料之列。", code="invalid_input", fields={"code": code})
    if uploaded.size > MAX_MATERIAL_BYTES:
        raise DeclarationError(f"文件过大：不能超过 {MAX_MATERIAL_BYTES // 1024 // 1024} MB。", code="too_large")
    if uploaded.size == 0:
        raise DeclarationError("文件是空的。", code="invalid_input")
    data = uploaded.read(MAX_MATERIAL_BYTES + 1)
    if len(data) > MAX_MATERIAL_BYTES:
        raise DeclarationError(f"文件过大：不能超过 {MAX_MATERIAL_BYTES // 1024 // 1024} MB。", code="too_large")
    content_type = check_scan(data)
    digest = hashlib.sha256(data).hexdigest()
    path = _store(declaration, code, data, digest, content_type)
    replaced = declaration.materials.filter(code=code, superseded_at__isnull=True).first()
    if replaced is not None:
        Material.objects.filter(pk=replaced.pk).update(superseded_at=timezone.now())
    try:
        with transaction.atomic():
            material = Material.objects.create(
                declaration=declaration, code=code, title=required[code]["title"],
                original_name=Path(getattr(uploaded, "name", "") or "upload").name[:200],
                content_type=content_type, size=len(data), sha256=digest, path=str(path), uploaded_by=actor)
    except IntegrityError:  # another upload of the same material won the race
        raise Conflict("该材料刚刚被另一次上传替换，请刷新页面后重试。", code="conflict") from None
    record_event(actor, "declaration.material.upload", "declaration", declaration.pk,
                 before={"code": code, "sha256": replaced.sha256, "size": replaced.size} if replaced else None,
                 after={"code": code, "sha256": digest, "size": len(data), "content_type": content_type,
                        **({"counter": True} if counter else {})},
                 division_path=declaration.unit.division.path)
    return material


def current_materials(declaration: Declaration):
    """The declaration's current materials, one per type (the history left out)."""
    return declaration.materials.filter(superseded_at__isnull=True)


def missing_materials(declaration: Declaration) -> list[dict]:
    have = set(current_materials(declaration).values_list("code", flat=True))
    return [m for m in required_materials(declaration) if m["code"] not in have]
