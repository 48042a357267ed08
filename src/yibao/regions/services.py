"""Writes for reference data: loading the shipped division tree, agencies and targets."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from yibao.audit.services import record_event

from .models import Agency, Division, EnrolmentTarget

LEVEL_ORDER = ["province", "city", "county", "township", "village"]


class ReferenceDataError(ValueError):
    pass


@dataclass
class LoadSummary:
    divisions: int
    agencies: int
    targets: int


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ReferenceDataError(f"缺少参考数据文件：{path.name}")
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


# Targets are set by the notices, so they live in the policy files; the years asked about run
# from this one to next year (a policy file may be written before its year starts).
FIRST_TARGET_YEAR = 2000


def _load_targets() -> int:
    """参保任务 from the policy engine (the notices' annexes), matched to divisions by code, or
    by name inside the pooling region where the annex gives no code."""
    from yibao import clock
    from yibao.policy import get_engine

    engine = get_engine()
    loaded = 0
    for region in Division.objects.filter(is_pooling_region=True):
        inside = Division.objects.filter(path__startswith=region.path)
        for year in range(FIRST_TARGET_YEAR, clock.today().year + 2):
            answer = engine.ask(region.key, "resident.enrolment_targets", {"insurance_year": year})
            if not answer.ok:
                continue
            source = _citation_text(answer.explanation)
            for t in answer.values["targets"]:
                division = (inside.filter(code=t["division_code"]).first() if t.get("division_code") else None) \
                    or inside.filter(name=t["division_name"]).first() \
                    or inside.filter(name__startswith=t["division_name"], level__in=["county", "township"]).first()
                if division is None:
                    raise ReferenceDataError(f"{region.name}{year}年度参保任务中的“{t['division_name']}”在区划数据中不存在")
                EnrolmentTarget.objects.update_or_create(
                    division=division, year=year,
                    defaults={"region": region, "target": int(t["target"]), "source": source[:300]})
                loaded += 1
    return loaded


def _citation_text(explanation: list) -> str:
    """The first citation of the engine's explanation, as 《title》（number）section."""
    for step in explanation:
        for c in step.get("citations", []):
            number = f"（{c['number']}）" if c.get("number") else ""
            return f"《{c.get('document', '')}》{number}{c.get('section', '')}"
    return ""


@transaction.atomic
def load_reference_data(data_dir: Path | None = None, *, actor=None) -> LoadSummary:
    """Upsert divisions, agencies and targets from ``data/regions``. Safe to run repeatedly."""
    base = Path(data_dir or settings.DATA_DIR) / "regions"
    rows = _read(base / "divisions.csv")
    by_key = {r["key"]: r for r in rows}
    if len(by_key) != len(rows):
        raise ReferenceDataError("divisions.csv 中存在重复的标识（key）")

    paths: dict[str, str] = {}

    def path_of(key: str) -> str:
        if key in paths:
            return paths[key]
        row = by_key[key]
        parent = row["parent_key"]
        if parent and parent not in by_key:
            raise ReferenceDataError(f"区划 {key} 的上级 {parent} 不存在")
        paths[key] = (path_of(parent) if parent else "") + key + "/"
        return paths[key]

    rows.sort(key=lambda r: (LEVEL_ORDER.index(r["level"]), r["key"]))
    objs = [
        Division(
            key=r["key"], code=r["code"], name=r["name"], level=r["level"],
            parent_id=r["parent_key"] or None, path=path_of(r["key"]),
            is_pooling_region=r["pooling_region"] == "1", note=r.get("note", ""),
        )
        for r in rows
    ]
    # Parents first, so the foreign key holds on every database.
    for level in LEVEL_ORDER:
        batch = [o for o in objs if o.level == level]
        Division.objects.bulk_create(
            batch, batch_size=2000, update_conflicts=True, unique_fields=["key"],
            update_fields=["code", "name", "level", "parent", "path", "is_pooling_region", "note"],
        )

    agencies = 0
    for r in _read(base / "agencies.csv"):
        Agency.objects.update_or_create(
            region_id=r["region"], name=r["name"],
            defaults={"division_id": r["division_key"], "phones": r["phones"], "note": r.get("note", "")},
        )
        agencies += 1

    targets = _load_targets()

    summary = LoadSummary(len(objs), agencies, targets)
    record_event(actor, "reference_data.load", "regions", "", after=summary.__dict__)
    return summary


@transaction.atomic
def ensure_division(*, parent: Division, key: str, name: str, level: str, note: str = "", code: str = "",
                    actor=None) -> Division:
    """A division below ``parent`` (created once; an existing one is returned unchanged)."""
    existing = Division.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(parent.level):
        raise ReferenceDataError(f"{name} 的层级必须低于上级 {parent.name}")
    division = Division.objects.create(key=key, code=code, name=name, level=level, parent=parent,
                                       path=f"{parent.path}{key}/", note=note)
    record_event(actor, "division.create", "division", key,
                 after={"name": name, "level": level, "parent": parent.key, "note": note},
                 division_path=division.path)
    return division
