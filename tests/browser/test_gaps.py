"""户籍人口库比对 in the browser (晋城 晋市医保发〔2023〕10号 五(三)): a township clerk imports a registry
extract of 建设路社区 (the demo's enrolled residents, two died or moved away, and three people enrolled
nowhere), the job runs with its progress page, and the clerk opens the village's 应保未保 list."""

import json
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from yibao.demo import DEMO_PASSWORD
from yibao.identity import resident_id_check_char

from .conftest import LIVE_ENV, sign_in

pytestmark = pytest.mark.browser
VILLAGE = "140502001001"   # 建设路社区居委会, 东街街道, 城区


def _enrolled_numbers() -> list[str]:
    """The demo's live 2024 enrolments of the village, read from the live app's database."""
    code = ("import django, json; django.setup(); from yibao.resident.models import Enrolment; "
            f"print(json.dumps(list(Enrolment.objects.filter(division_id='{VILLAGE}', insurance_year=2024, "
            "status__in=['registered', 'paid']).values_list('id_number', flat=True))))")
    out = subprocess.run([sys.executable, "-c", code], env={**LIVE_ENV, "DJANGO_SETTINGS_MODULE": "yibao.settings"},
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return json.loads(out.strip().splitlines()[-1])


def _number(n: int) -> str:
    first17 = f"1405021978{n:02d}1{n}77{n}"
    return first17 + resident_id_check_char(first17)


def test_a_clerk_imports_an_extract_and_sees_the_uncovered_of_a_village(page, live_app, shot, tmp_path):
    enrolled = _enrolled_numbers()
    assert len(enrolled) > 5
    lines = ["身份证号码,姓名,户籍地区划代码,状态,变动日期"]
    for i, no in enumerate(enrolled):
        state, date = {0: ("死亡", "2023-12-20"), 1: ("迁出", "2023-12-28")}.get(i, ("正常", ""))
        lines.append(f"{no},居民{i},{VILLAGE},{state},{date}")
    uncovered = {"赵未保": _number(1), "钱未保": _number(2), "孙未保": _number(3)}
    lines += [f"{no},{name},{VILLAGE},正常," for name, no in uncovered.items()]
    path = tmp_path / "建设路社区户籍人口.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    sign_in(page, live_app, "township.jincheng", DEMO_PASSWORD)
    page.get_by_role("link", name="户籍比对").click()
    page.wait_for_selector("[data-testid=import-registry]")
    page.select_option("#g-region", "140500")
    page.fill("#g-year", "2024")
    page.set_input_files("#g-file", str(path))
    shot("import-form")
    page.get_by_role("button", name="导入并比对").click()
    page.wait_for_selector("text=应保未保 3 人", timeout=60_000)
    assert "待复核参保 2 条" in page.content()
    shot("job-done")

    page.goto(live_app + "/gaps/")
    villages = page.inner_text("[data-testid=villages]")
    assert "建设路社区居委会" in villages
    page.get_by_role("link", name="建设路社区居委会").click()
    listed = page.inner_text("[data-testid=uncovered]")
    assert all(name in listed for name in uncovered) and "共 3 人" in page.content()
    assert "死亡" in page.inner_text("[data-testid=marked]") and "迁出" in page.inner_text("[data-testid=marked]")
    shot("village-uncovered")

    page.goto(live_app + "/gaps/")
    page.get_by_role("link", name="待复核参保（死亡、迁出）").click()
    # the click starts a navigation: wait for the new page's rows rather than count the old one's
    expect(page.locator("[data-testid=flags] tbody tr")).to_have_count(2)
    shot("flags")
