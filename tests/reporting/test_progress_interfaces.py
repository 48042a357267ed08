"""The progress figures in the API, the dashboard pages and the xlsx download: the same rows the
selector gives, the charts' script served from this site (never a CDN, no inline script), each
chart's data as a table and in the workbook; the declaration progress per agency."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from python_calamine import CalamineWorkbook

from factories import JINCHENG, AgencyClerkFactory, BureauManagerFactory, VillageAgentFactory, division
from yibao.employer.models import Declaration
from yibao.reporting import selectors

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def business_date(settings):
    settings.YIBAO_TODAY = dt.date(2023, 12, 31)


@pytest.fixture
def season():
    from collection.factories import channel

    return f.season(people=60, channels=[channel("微信", region=JINCHENG)[0]])


@pytest.fixture
def manager():
    return BureauManagerFactory(division=division(JINCHENG))


def test_the_api_gives_one_row_per_division_within_the_scope(client_for, season, manager):
    client = client_for(manager)
    answer = client.get("/api/v1/reporting/progress", {"region": JINCHENG, "insurance_year": 2024, "level": "county"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    report = selectors.progress(manager, JINCHENG, 2024, "county")
    assert [r["code"] for r in body["rows"]] == [r.code for r in report.rows]
    first = next(r for r in body["rows"] if r["code"] == "140502")
    row = next(r for r in report.rows if r.code == "140502")
    assert first["target"] == 190670
    assert (first["registered"], first["paid"], first["subsidised"]) == (row.registered, row.paid, row.subsidised)
    assert Decimal(first["amount_individual"]) == row.amount_individual
    assert Decimal(first["amount_fund"]) == row.amount_fund and Decimal(first["amount_family"]) == row.amount_family
    assert Decimal(first["completion"]) == row.completion
    assert body["total"]["paid"] == sum(r["paid"] for r in body["rows"])
    # a drill-down into a county's townships: no target is set for them
    drill = client.get("/api/v1/reporting/progress", {"region": JINCHENG, "insurance_year": 2024,
                                                      "level": "township", "parent": "140502"}).json()
    assert drill["rows"] and all(r["target"] is None and r["completion"] is None for r in drill["rows"])
    assert sum(r["paid"] for r in drill["rows"]) == first["paid"]
    # the year and level default to the year being collected and the level below the region
    default = client.get("/api/v1/reporting/progress", {"region": JINCHENG}).json()
    assert (default["insurance_year"], default["level"]) == (2024, "county")


def test_the_api_refuses_with_codes_and_hides_what_is_out_of_scope(client_for, manager):
    client = client_for(manager)
    missing = client.get("/api/v1/reporting/progress", {"region": "999999", "insurance_year": 2024, "level": "county"})
    other = client.get("/api/v1/reporting/progress", {"region": "371728", "insurance_year": 2024, "level": "county"})
    assert missing.status_code == other.status_code == 404
    assert missing.json() == other.json() and missing.json()["code"] == "region_not_found"
    bad = client.get("/api/v1/reporting/progress", {"region": JINCHENG, "insurance_year": 2024, "level": "city"})
    assert bad.status_code == 422
    wrong = client.get("/api/v1/reporting/progress", {"region": JINCHENG, "insurance_year": 2024, "level": "county",
                                                      "parent": "140502"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "level_invalid"
    spec = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/reporting/progress"]["get"]
    assert {"400", "404", "422"} <= set(spec["responses"])


def test_the_dashboard_draws_from_the_same_figures_with_tables_and_a_workbook(client_for, season, manager):
    client = client_for(manager)
    page = client.get(reverse("reporting"))
    assert page.status_code == 200
    html = page.content.decode()
    report = selectors.progress(manager, JINCHENG, 2024, "county")
    # the charts: containers, the data in a json_script block, the script from this site only
    for chart in ("chart-completion", "chart-daily", "chart-mix"):
        assert f'id="{chart}"' in html
    assert 'id="progress-data" type="application/json"' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in s or 'type="application/json"' in s for s in scripts), "no inline script"
    assert '/static/vendor/echarts.min.js' in html and "cdn" not in html.lower()
    assert finders.find("vendor/echarts.min.js"), "ECharts comes from node_modules (npm ci)"
    assert "default-src 'self'" in page["Content-Security-Policy"]
    # the table has one row per county, each a drill-down link into its townships
    assert f'href="?region={JINCHENG}&amp;year=2024&amp;level=township&amp;parent=140502"' in html
    assert f">{report.total.paid}<" in html
    # the workbook holds the table, the categories, the days and the channels
    xlsx = client.get(reverse("reporting_progress_xlsx"), {"region": JINCHENG, "year": 2024, "level": "county"})
    assert xlsx.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content))
    assert book.sheet_names == ["征缴进度", "资助类别", "每日缴费", "缴费渠道"]
    rows = book.get_sheet_by_name("征缴进度").to_python()
    lines = {r[0]: r for r in rows[3:]}
    for r in report.rows:
        assert lines[r.code][4] == r.paid and lines[r.code][3] == r.registered
    assert rows[-1][1] == "合计" and rows[-1][4] == report.total.paid
    days = book.get_sheet_by_name("每日缴费").to_python()[1:]
    assert sum(d[1] for d in days) == sum(d["payments"] for d in selectors.daily(report))


def test_a_township_drill_down_and_the_way_back_up(client_for, season, manager):
    client = client_for(manager)
    township = next(iter(f.jincheng_places()))
    page = client.get(reverse("reporting"), {"region": JINCHENG, "year": 2024, "level": "village", "parent": township})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="progress-up"' in html and "level=township&amp;parent=140502" in html
    drill = selectors.progress(manager, JINCHENG, 2024, "village", parent=township)
    assert html.count("<tr data-key=") == len(drill.rows)
    bad = client.get(reverse("reporting"), {"region": JINCHENG, "year": 2024, "level": "county", "as_of": "2023-13-01"})
    assert bad.status_code == 400 and "截至日期应为" in bad.content.decode()


def test_a_village_agent_sees_their_village_on_the_phone_page(client_for, season):
    places = f.jincheng_places()
    township = next(iter(places))
    village = places[township][0]
    agent = VillageAgentFactory(division=village)
    page = client_for(agent).get(reverse("reporting"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<tr data-key=") == 1 and f'data-key="{village.key}"' in html
    assert 'name="viewport"' in html
    assert 'data-testid="progress-up"' not in html   # nothing above their village is theirs
    mine = selectors.progress(agent, JINCHENG, 2024, "village", parent=township)
    assert f">{mine.rows[0].paid}<" in html


def test_roles_without_the_capability_are_refused(client_for):
    from factories import UserFactory
    from yibao.access.roles import Role

    individual = UserFactory(role=Role.INDIVIDUAL)
    assert client_for(individual).get(reverse("reporting")).status_code == 403
    assert client_for(individual).get("/api/v1/reporting/progress", {"region": JINCHENG}).status_code == 403


def test_the_declaration_progress_per_agency_counts_units_and_the_overdue(client_for, settings):
    from employer.factories import UnitFactory

    units = [UnitFactory() for _ in range(5)]
    statuses = ["draft", "submitted", "approved", "confirmed"]
    for unit, status in zip(units, statuses, strict=False):
        Declaration.objects.create(unit=unit, year=2024, status=status)
    clerk = AgencyClerkFactory()
    region = units[0].region_id
    settings.YIBAO_TODAY = dt.date(2024, 1, 15)
    report = selectors.declarations(clerk, region, 2024)
    total = report.total
    assert (total["units"], total["declared"], total["submitted"], total["approved"], total["confirmed"]) == (5, 4, 3, 2, 1)
    assert total["not_submitted"] == 2
    # a plain count per agency
    for row in report.rows:
        mine = [u for u in units if (u.agency.name if u.agency else "") == row["agency"]]
        assert row["units"] == len(mine)
    assert report.deadline and not report.late and total["overdue"] == 0
    # past the engine's deadline the units that have not submitted are overdue
    late_day = dt.date.fromisoformat(report.deadline) + dt.timedelta(days=1)
    settings.YIBAO_TODAY = late_day
    late = selectors.declarations(clerk, region, 2024)
    assert late.late and late.total["overdue"] == 2
    answer = client_for(clerk).get("/api/v1/reporting/declarations", {"region": region, "year": 2024})
    assert answer.status_code == 200 and answer.json()["total"]["overdue"] == 2
    page = client_for(clerk).get(reverse("reporting_declarations"), {"region": region, "year": 2024})
    assert page.status_code == 200 and 'id="chart-agencies"' in page.content.decode()
    xlsx = client_for(clerk).get(reverse("reporting_declarations_xlsx"), {"region": region, "year": 2024})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert rows[-1][0] == "合计" and rows[-1][-1] == 2
