"""The collection progress dashboard in the browser, on the demo data set: 晋城's bureau manager
opens it, sees the charts drawn (ECharts canvases, the script served from this site, no errors
in the console), drills down from a county row to its townships and from a bar to a township's
villages, and goes back up; a village agent reads their village's figures on a phone."""

import pytest

from yibao.demo import DEMO_PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_dashboard_and_drills_down(page, live_app, shot):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_app, "manager.jincheng", DEMO_PASSWORD)
    page.get_by_role("link", name="征缴进度").first.click()
    page.wait_for_selector("[data-testid=chart-completion] canvas")
    for chart in ("chart-completion", "chart-daily", "chart-mix"):
        assert page.locator(f"[data-testid={chart}] canvas").count() >= 1, chart
    table = page.get_by_test_id("progress-table")
    assert table.locator("tbody tr").count() == 6          # 晋城's six counties
    assert "190670" in table.inner_text()                  # 城区's target from the notice's annex
    assert "晋城市" in page.get_by_test_id("progress-place").inner_text()
    # the tooltips (drawn on the canvas) break no rule of the content security policy
    box = page.get_by_test_id("chart-completion").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.7)
    box = page.get_by_test_id("chart-mix").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] * 0.45)
    shot("city")

    # a row: 泽州县's townships
    table.get_by_role("link", name="泽州县").click()
    page.wait_for_selector("[data-testid=chart-completion] canvas")
    assert "泽州县" in page.get_by_test_id("progress-place").inner_text()
    townships = page.get_by_test_id("progress-table").locator("tbody tr")
    assert townships.count() > 3
    shot("county")

    # a bar: the first township's villages (the chart's first bar is the table's first row);
    # ECharts tells where, in the page, the middle of the first bar of paid people is
    point = page.evaluate("""() => {
        const el = document.getElementById("chart-completion");
        const chart = echarts.getInstanceByDom(el);
        const option = chart.getOption();
        const value = option.series[0].data.find((v) => v);
        const index = option.series[0].data.indexOf(value);
        const top = chart.convertToPixel({seriesIndex: 0}, [index, value]);
        const bottom = chart.convertToPixel({seriesIndex: 0}, [index, 1]);
        const box = el.getBoundingClientRect();
        return {x: box.left + top[0] - 4, y: box.top + (top[1] + bottom[1]) / 2, index: index};
    }""")
    name = page.get_by_test_id("progress-table").locator("tbody tr").nth(point["index"]).locator("td").first.inner_text()
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    page.wait_for_url(lambda url: "level=village" in url)
    page.wait_for_selector("[data-testid=chart-completion] canvas")
    assert name in page.get_by_test_id("progress-place").inner_text()
    assert page.get_by_test_id("progress-table").locator("tbody tr").count() >= 2
    shot("township")

    # and back up to the county's townships
    page.get_by_test_id("progress-up").click()
    page.wait_for_url(lambda url: "level=township" in url)
    assert "泽州县" in page.get_by_test_id("progress-place").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("progress-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not errors, errors


def test_a_village_agent_reads_their_village_on_a_phone(browser, live_app, request):
    from .conftest import ARTIFACTS

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone = context.new_page()
    sign_in(phone, live_app, "agent.jincheng", DEMO_PASSWORD)
    phone.goto(f"{live_app}/reporting/")
    phone.wait_for_selector("[data-testid=chart-completion] canvas")
    rows = phone.get_by_test_id("progress-table").locator("tbody tr")
    assert rows.count() == 1 and "建设路社区" in rows.first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / f"{request.node.name}-village.png"), full_page=True)
    context.close()
