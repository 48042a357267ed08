"""Loading policy files: dated, cited parameter values, checked against the schema.

A policy folder holds one YAML file per pooling region (``370700.yaml`` …) and ``national.yaml``
for national law. See the folder's README for the format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import PolicyFileError
from .periods import Month
from .schema import (
    DERIVATION,
    ENTRY_FIELDS,
    PERIOD_KINDS,
    SOURCE_FIELDS,
    SPECS,
    EnumType,
    F,
    ListType,
    ParamSpec,
    Problem,
    StructType,
    TextType,
)
from .values import EXACT, round_money

FORMAT_VERSION = 1
SCHEMES = ("employee", "resident")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    issuer: str
    number: str | None = None
    date: dt.date | None = None
    note: str | None = None

    def citation(self, section: str | None = None, *, parameter: str | None = None,
                 note: str | None = None) -> dict:
        parts = [f"《{self.title}》" + (f"（{self.number}）" if self.number else ""), self.issuer]
        if self.date:
            parts.append(self.date.isoformat())
        if section:
            parts.append(section)
        out = {
            "document": self.title,
            "number": self.number or "",
            "issuer": self.issuer,
            "date": self.date.isoformat() if self.date else "",
            "section": section or "",
            "text": "，".join(parts),
        }
        if parameter:
            out["parameter"] = parameter
        if note:
            out["note"] = note
        return out


@dataclass
class Entry:
    """One dated value of a parameter."""

    spec: ParamSpec
    value: Any
    start: dt.date
    end: dt.date | None
    source: Source
    section: str
    note: str | None
    derivation: dict | None
    file: str
    index: int
    overlay: str | None = None      # the overlay's label ("演示配置，非本地通知") for an overlay's value

    @property
    def key(self) -> str | None:
        return self.value[self.spec.key] if self.spec.key else None

    @property
    def label(self) -> str:
        return f"{self.spec.name}[{self.key}]" if self.key is not None else self.spec.name

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def period_text(self) -> str:
        if self.spec.period == "insurance_year":
            return f"{self.start.year} 保险年度"
        if self.spec.period == "month":
            end = str(Month.of(self.end)) if self.end else "持续有效"
            return f"{Month.of(self.start)} 至 {end}"
        return f"{self.start.isoformat()} 起" + (f"至 {self.end.isoformat()}" if self.end else "")

    def citation(self) -> dict:
        note = self.note
        if self.derivation:
            note = (note + "；" if note else "") + "推导：" + self.derivation["rule"]
        if self.overlay:
            note = self.overlay + ("；" + note if note else "")
        out = self.source.citation(self.section, parameter=self.label, note=note)
        if self.overlay:
            out["overlay"] = self.overlay
            out["text"] = f"【{self.overlay}】" + out["text"]
        return out


@dataclass
class PolicyFile:
    path: str
    name: str                      # file name, for messages
    code: str                      # region code, or "national"
    title: str
    province: str = ""
    schemes: tuple[str, ...] = ()
    sources: dict[str, Source] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    vocabularies: dict[str, list[dict]] = field(default_factory=dict)

    def find(self, name: str, day: dt.date) -> list[Entry]:
        return [e for e in self.entries.get(name, ()) if e.covers(day)]

    def notice_sources(self) -> list[Source]:
        return [self.sources[s] for s in self.notices]


@dataclass(frozen=True)
class Overlay:
    """A clearly labelled file of values no local notice gives (e.g. the demo's contribution
    rates from the national framework), loaded only when configured by name."""

    name: str
    label: str
    regions: tuple[str, ...]
    note: str = ""


@dataclass
class PolicySet:
    folder: str
    national: PolicyFile
    regions: dict[str, PolicyFile]
    overlays: tuple[Overlay, ...] = ()

    @property
    def hardship_categories(self) -> list[str]:
        return [c["name"] for c in self.national.vocabularies.get("hardship_categories", [])]


# --- loading ------------------------------------------------------------------------------------

def _fail(file: str, key: str, problem: str):
    raise PolicyFileError(file, key, problem)


def _check(file: str, key: str, t, value):
    try:
        return t.check(value, key)
    except Problem as p:
        raise PolicyFileError(file, p.key, p.message) from None


def _month_start(value, file, key) -> dt.date:
    if isinstance(value, str):
        try:
            return Month.parse(value).first_day
        except ValueError:
            pass
    _fail(file, key, f"应为 YYYY-MM 格式的月份（加引号，如 \"2024-01\"），实际为 {value!r}")


def _period(spec: ParamSpec, raw: dict, file: str, key: str) -> tuple[dt.date, dt.date | None]:
    present = {k for k in ("valid_from", "valid_to", "insurance_year") if k in raw}
    if spec.period == "insurance_year":
        if present != {"insurance_year"}:
            _fail(file, key, f"参数 {spec.name} 按保险年度给值：须写 {PERIOD_KINDS['insurance_year']}，"
                             "不写 valid_from/valid_to")
        year = raw["insurance_year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2200:
            _fail(file, f"{key}.insurance_year", f"应为四位年份，实际为 {year!r}")
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if "insurance_year" in present or "valid_from" not in present:
        _fail(file, key, f"参数 {spec.name} 须写 {PERIOD_KINDS[spec.period]}")
    if spec.period == "month":
        start = _month_start(raw["valid_from"], file, f"{key}.valid_from")
        end = None
        if raw.get("valid_to") is not None:
            end = Month.of(_month_start(raw["valid_to"], file, f"{key}.valid_to")).last_day
    else:
        start = _check(file, f"{key}.valid_from", SOURCE_FIELDS.fields["date"].type, raw["valid_from"])
        end = None
        if raw.get("valid_to") is not None:
            end = _check(file, f"{key}.valid_to", SOURCE_FIELDS.fields["date"].type, raw["valid_to"])
    if end is not None and end < start:
        _fail(file, key, f"valid_to（{end}）早于 valid_from（{start}）")
    return start, end


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark else ""
        raise PolicyFileError(path.name, where, f"不是有效的 YAML：{getattr(exc, 'problem', exc)}") from None


REGION_HEADER = StructType(
    "统筹区",
    code=F(TextType(r"\d{6}", "六位行政区划代码")),
    name=F(TextType()),
    province=F(TextType()),
    schemes=F(ListType(EnumType(*SCHEMES), min_items=1)),
    notices=F(ListType(TextType(), min_items=1)),
)
NATIONAL_HEADER = StructType("全国", name=F(TextType()))
VOCABULARY_ITEM = StructType("类别", name=F(TextType()), note=F(TextType(), required=False))
OVERLAY_HEADER = StructType(
    "叠加配置",
    name=F(TextType(r"[a-z0-9][a-z0-9-]*", "叠加配置名（小写英文、数字和连字符）")),
    label=F(TextType()),
    regions=F(ListType(TextType(r"\d{6}", "六位行政区划代码"), min_items=1)),
    note=F(TextType(), required=False, default=""),
)
TOP_KEYS = {"format", "region", "national", "sources", "parameters", "vocabularies"}
OVERLAY_KEYS = {"format", "overlay", "sources", "parameters"}
OVERLAY_FOLDER = "overlays"


def load_file(path: Path, *, vocabulary: list[str] | None = None) -> PolicyFile:
    name = path.name
    data = _read_yaml(path)
    if not isinstance(data, dict):
        _fail(name, "", "文件内容应为键值对（format、region/national、sources、parameters）")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        _fail(name, unknown[0], f"未知的键；允许的键：{'、'.join(sorted(TOP_KEYS))}")
    if data.get("format") != FORMAT_VERSION:
        _fail(name, "format", f"应为 {FORMAT_VERSION}，实际为 {data.get('format')!r}")
    national = path.stem == "national"
    if national:
        header = _check(name, "national", NATIONAL_HEADER, data.get("national"))
        pf = PolicyFile(path=str(path), name=name, code="national", title=header["name"])
    else:
        header = _check(name, "region", REGION_HEADER, data.get("region"))
        if header["code"] != path.stem:
            _fail(name, "region.code", f"统筹区代码 {header['code']} 与文件名 {path.stem} 不一致")
        pf = PolicyFile(path=str(path), name=name, code=header["code"], title=header["name"],
                        province=header["province"], schemes=tuple(header["schemes"]))
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        _fail(name, "sources", "应列出至少一个出处（文件号或标题、发文机关、日期）")
    for sid, raw in sources.items():
        s = _check(name, f"sources.{sid}", SOURCE_FIELDS, raw)
        pf.sources[str(sid)] = Source(id=str(sid), title=s["title"], issuer=s["issuer"], number=s["number"],
                                      date=s["date"], note=s["note"])
    if not national:
        for i, sid in enumerate(header["notices"]):
            if sid not in pf.sources:
                _fail(name, f"region.notices[{i}]", f"出处 {sid!r} 未在 sources 中定义")
        pf.notices = tuple(header["notices"])
    if national:
        vocab = data.get("vocabularies") or {}
        if not isinstance(vocab, dict):
            _fail(name, "vocabularies", "应为键值对")
        for vname, items in vocab.items():
            pf.vocabularies[vname] = _check(name, f"vocabularies.{vname}", ListType(VOCABULARY_ITEM, 1), items)
        vocabulary = [c["name"] for c in pf.vocabularies.get("hardship_categories", [])]
    elif "vocabularies" in data:
        _fail(name, "vocabularies", "类别词表只在 national.yaml 中定义")
    params = data.get("parameters")
    if not isinstance(params, dict):
        _fail(name, "parameters", "应为键值对：参数名 → 取值列表")
    for pname, raw_entries in params.items():
        _load_parameter(pf, str(pname), raw_entries, national)
    _cross_checks(pf, vocabulary or [])
    return pf


def _load_parameter(pf: PolicyFile, pname: str, raw_entries, national: bool) -> None:
    name = pf.name
    spec = SPECS.get(pname)
    if spec is None:
        near = [s for s in SPECS if s.split(".")[0] == pname.split(".")[0]]
        _fail(name, f"parameters.{pname}", "未知的参数名" + (f"；同类参数：{'、'.join(near)}" if near else ""))
    if national and spec.scope == "region":
        _fail(name, f"parameters.{pname}", "此参数由各统筹区文件规定，不能写在 national.yaml")
    if not isinstance(raw_entries, list) or not raw_entries:
        _fail(name, f"parameters.{pname}", "应为取值列表（每项含 value、有效期、source、section）")
    entries: list[Entry] = []
    for i, raw in enumerate(raw_entries):
        key = f"parameters.{pname}[{i}]"
        if not isinstance(raw, dict):
            _fail(name, key, "应为键值对（value、有效期、source、section）")
        unknown = sorted(set(raw) - ENTRY_FIELDS)
        if unknown:
            _fail(name, f"{key}.{unknown[0]}", f"未知的键；允许的键：{'、'.join(sorted(ENTRY_FIELDS))}")
        if "value" not in raw:
            _fail(name, f"{key}.value", "缺少此项")
        start, end = _period(spec, raw, name, key)
        value = _check(name, f"{key}.value", spec.type, raw["value"])
        sid = raw.get("source")
        if sid is None:
            _fail(name, f"{key}.source", "缺少出处（sources 中定义的出处名）")
        if str(sid) not in pf.sources:
            _fail(name, f"{key}.source", f"出处 {sid!r} 未在 sources 中定义")
        section = raw.get("section")
        if not isinstance(section, str) or not section.strip():
            _fail(name, f"{key}.section", "缺少条款（通知中的部分、条、款，如“一、调整标准”）")
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            _fail(name, f"{key}.note", "应为文字")
        derivation = None
        if raw.get("derivation") is not None:
            derivation = _check(name, f"{key}.derivation", DERIVATION, raw["derivation"])
        elif spec.derived:
            _fail(name, f"{key}.derivation", "推导得出的数值须写明推导规则（derivation.rule）")
        entry = Entry(spec=spec, value=value, start=start, end=end, source=pf.sources[str(sid)],
                      section=section.strip(), note=note, derivation=derivation, file=name, index=i)
        if derivation is not None:
            _verify_derivation(entry, f"{key}.derivation")
        for other in entries:
            if other.key == entry.key and _overlap(other, entry):
                _fail(name, key, f"有效期与第 {other.index} 项（{other.period_text()}）重叠"
                      + (f"（{spec.key} = {entry.key}）" if spec.key else ""))
        entries.append(entry)
    pf.entries[pname] = entries


def _overlap(a: Entry, b: Entry) -> bool:
    a_end = a.end or dt.date.max
    b_end = b.end or dt.date.max
    return a.start <= b_end and b.start <= a_end


def _verify_derivation(entry: Entry, key: str) -> None:
    """A derivation that states its figures is recomputed: the stated value must come out."""
    d = entry.derivation
    figures = [d.get("monthly_average_wage"), d.get("ratio"), d.get("rounding")]
    if all(f is None for f in figures):
        return
    if any(f is None for f in figures):
        _fail(entry.file, key, "推导须同时给出 monthly_average_wage、ratio 和 rounding，或都不给")
    computed = round_money(EXACT.multiply(d["monthly_average_wage"], d["ratio"]), d["rounding"])
    if computed != entry.value:
        _fail(entry.file, key, f"按推导规则计算得 {computed}，与 value {entry.value} 不符")


def _cross_checks(pf: PolicyFile, vocabulary: list[str]) -> None:
    name = pf.name
    for e in pf.entries.get("resident.hardship_subsidy", []):
        key = f"parameters.resident.hardship_subsidy[{e.index}].value"
        v = e.value
        for cat in [v["category"], *v["excludes"]]:
            if cat not in vocabulary:
                _fail(name, key, f"困难群体类别 {cat!r} 不在 national.yaml 的类别词表中：{'、'.join(vocabulary)}")
        need = {"full": (), "fixed": ("amount",), "percent": ("rate",), "unspecified": ()}[v["rule"]]
        for f in need:
            if v[f] is None:
                _fail(name, f"{key}.{f}", f"资助方式 {v['rule']} 须给出 {f}")
        for f in ("amount", "rate"):
            if v[f] is not None and f not in need:
                _fail(name, f"{key}.{f}", f"资助方式 {v['rule']} 不用 {f}")
        if v["stated_amount"] is not None:
            premiums = pf.find("resident.individual_premium", e.start)
            if not premiums:
                _fail(name, f"{key}.stated_amount", "同一保险年度未给出个人缴费标准，无法核对")
            premium = premiums[0].value
            computed = {"full": premium, "fixed": v["amount"],
                        "percent": round_money(EXACT.multiply(premium, v["rate"] or 0))}.get(v["rule"])
            if computed != v["stated_amount"]:
                _fail(name, f"{key}.stated_amount", f"按规则计算资助 {computed} 元，与通知所列 {v['stated_amount']} 元不符")
    for e in pf.entries.get("employee.base_report_form", []):
        if e.value["copies"] != len(e.value["holders"]):
            _fail(name, f"parameters.employee.base_report_form[{e.index}].value.holders",
                  f"份数 {e.value['copies']} 与留存单位数 {len(e.value['holders'])} 不符")
    for e in pf.entries.get("resident.enrolment_targets", []):
        key = f"parameters.resident.enrolment_targets[{e.index}].value"
        total = sum(d["target"] for d in e.value["divisions"])
        if total != e.value["total"]:
            _fail(name, f"{key}.total", f"合计 {e.value['total']} 与各单位任务之和 {total} 不符")
        names = [d["division_name"] for d in e.value["divisions"]]
        if len(set(names)) != len(names):
            _fail(name, f"{key}.divisions", "单位名称重复")
    for pname in ("resident.collection_period", "resident.benefit_period"):
        for e in pf.entries.get(pname, []):
            if e.value["end"] < e.value["start"]:
                _fail(name, f"parameters.{pname}[{e.index}].value.end", "结束日期早于开始日期")
    for e in pf.entries.get("resident.collection_days_of_month", []):
        if e.value["last"] < e.value["first"]:
            _fail(name, f"parameters.resident.collection_days_of_month[{e.index}].value.last", "早于 first")


def available_overlays(folder: str | Path) -> list[str]:
    """The names of the overlay files in ``folder/overlays`` (``demo-rates`` for demo-rates.yaml)."""
    return sorted(p.stem for p in (Path(folder) / OVERLAY_FOLDER).glob("*.yaml"))


def load_overlay(path: Path, policies: PolicySet) -> Overlay:
    """Add an overlay file's values to the regions it names. An overlay only fills what the
    notices leave silent: a value overlapping one a region's own file gives is refused."""
    name = path.name
    data = _read_yaml(path)
    if not isinstance(data, dict):
        _fail(name, "", "文件内容应为键值对（format、overlay、sources、parameters）")
    unknown = sorted(set(data) - OVERLAY_KEYS)
    if unknown:
        _fail(name, unknown[0], f"未知的键；叠加配置允许的键：{'、'.join(sorted(OVERLAY_KEYS))}")
    if data.get("format") != FORMAT_VERSION:
        _fail(name, "format", f"应为 {FORMAT_VERSION}，实际为 {data.get('format')!r}")
    header = _check(name, "overlay", OVERLAY_HEADER, data.get("overlay"))
    if header["name"] != path.stem:
        _fail(name, "overlay.name", f"叠加配置名 {header['name']} 与文件名 {path.stem} 不一致")
    for i, code in enumerate(header["regions"]):
        if code not in policies.regions:
            _fail(name, f"overlay.regions[{i}]", f"统筹区 {code} 没有政策文件")
    pf = PolicyFile(path=str(path), name=name, code="overlay", title=header["label"])
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        _fail(name, "sources", "应列出至少一个出处（文件号或标题、发文机关、日期）")
    for sid, raw in sources.items():
        s = _check(name, f"sources.{sid}", SOURCE_FIELDS, raw)
        pf.sources[str(sid)] = Source(id=str(sid), title=s["title"], issuer=s["issuer"], number=s["number"],
                                      date=s["date"], note=s["note"])
    params = data.get("parameters")
    if not isinstance(params, dict) or not params:
        _fail(name, "parameters", "应为键值对：参数名 → 取值列表")
    for pname, raw_entries in params.items():
        _load_parameter(pf, str(pname), raw_entries, False)
    for pname, entries in pf.entries.items():
        for entry in entries:
            entry.overlay = header["label"]
        for code in header["regions"]:
            region = policies.regions[code]
            for entry in entries:
                for other in region.entries.get(pname, ()):
                    if other.key == entry.key and _overlap(other, entry):
                        _fail(name, f"parameters.{pname}[{entry.index}]",
                              f"与 {region.name} 的 {other.label}（{other.period_text()}）重叠："
                              "叠加配置只补充通知未规定的事项，不覆盖通知")
            region.entries[pname] = [*region.entries.get(pname, ()), *entries]
    return Overlay(header["name"], header["label"], tuple(header["regions"]), header["note"])


def load_folder(folder: str | Path, overlays: tuple[str, ...] | list[str] = ()) -> PolicySet:
    """The policy files of ``folder``, with the named overlays (``folder/overlays/<name>.yaml``)."""
    policies = _load_folder(folder)
    known = available_overlays(folder)
    loaded = []
    for name in overlays:
        if name not in known:
            raise PolicyFileError(f"{OVERLAY_FOLDER}/{name}.yaml", "",
                                  "叠加配置不存在；可用：" + ("、".join(known) or "无"))
        loaded.append(load_overlay(Path(folder) / OVERLAY_FOLDER / f"{name}.yaml", policies))
    policies.overlays = tuple(loaded)
    return policies


def _load_folder(folder: str | Path) -> PolicySet:
    folder = Path(folder)
    if not folder.is_dir():
        raise PolicyFileError(str(folder), "", "政策文件夹不存在")
    national_path = folder / "national.yaml"
    if not national_path.exists():
        raise PolicyFileError("national.yaml", "", f"{folder} 中缺少全国性规定文件 national.yaml")
    national = load_file(national_path)
    vocabulary = [c["name"] for c in national.vocabularies.get("hardship_categories", [])]
    regions: dict[str, PolicyFile] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.stem == "national":
            continue
        pf = load_file(path, vocabulary=vocabulary)
        regions[pf.code] = pf
    return PolicySet(folder=str(folder), national=national, regions=regions)
