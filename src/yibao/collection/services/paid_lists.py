"""The 已缴费人员清册 of a village (xlsx or printable PDF, identity numbers masked), for the
township. The export is audited: who printed whose list."""

from __future__ import annotations

from dataclasses import dataclass

from yibao.audit.services import record_event
from yibao.regions.models import Division

from ..errors import CollectionError
from ..printing import paid_list

FORMATS = ("pdf", "xlsx")


@dataclass
class File:
    content: bytes
    filename: str
    content_type: str
    people: int


def export(village: Division, year: int, fmt: str, *, actor) -> File:
    if fmt not in FORMATS:
        exc = CollectionError("清册格式应为 pdf 或 xlsx。", code="invalid_format", fields={"format": fmt[:10]})
        exc.status = 404
        raise exc
    d = paid_list.data(village, year)
    content = paid_list.render(d, fmt)
    record_event(actor, "collection.paid_list.export", "division", village.key,
                 after={"insurance_year": year, "format": fmt, "people": d.people, "masked": True},
                 division_path=village.path)
    return File(content, paid_list.filename(d, fmt), paid_list.CONTENT_TYPES[fmt], d.people)
