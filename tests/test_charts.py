"""Charts for printed documents (yibao.documents.charts): an ECharts option rendered to SVG by
ECharts' own server-side renderer in Node, and a clear Chinese error when it cannot be."""

import pytest

from yibao.documents import charts

OPTION = {"title": {"text": "完成率"}, "xAxis": {"type": "category", "data": ["城区", "泽州县"]},
          "yAxis": {"type": "value"}, "series": [{"type": "bar", "data": [12, 30]}]}


def test_an_option_becomes_an_svg_with_its_labels_in_the_cjk_font():
    svg = charts.render_svg(OPTION, width=400, height=200)
    assert svg.startswith("<svg") and 'width="400"' in svg and 'height="200"' in svg
    assert "城区" in svg and "泽州县" in svg and "完成率" in svg
    assert "font-family:Noto Sans CJK SC" in svg.replace(" ", "").replace("font-family:NotoSansCJKSC",
                                                                             "font-family:Noto Sans CJK SC")
    assert svg.count("<path") >= 2                      # the bars are drawn


def test_bar_values_are_drawn_without_the_white_outline_the_pdf_would_paint_over_them():
    import re

    option = {**OPTION, "series": [{"type": "bar", "data": [12.5, 30.25],
                                    "label": {"show": True, "position": "top"}}]}
    svg = charts.render_svg(option, width=400, height=200)
    labels = re.findall(r"<text[^>]*>(?:12\.5|30\.25)</text>", svg)
    assert len(labels) == 2
    assert not any("stroke" in t for t in labels)     # WeasyPrint ignores paint-order: no stroke at all


def test_several_charts_come_back_in_order_from_one_process():
    first, second = charts.render_svgs([charts.Chart(OPTION, 300, 150),
                                        charts.Chart({**OPTION, "title": {"text": "第二张"}}, 320, 160)])
    assert "完成率" in first and "第二张" in second and 'width="320"' in second


def test_a_missing_or_broken_package_is_told_in_chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("YIBAO_ECHARTS_PACKAGE", str(tmp_path))
    with pytest.raises(charts.ChartError) as exc:
        charts.render_svg(OPTION)
    assert "未找到 ECharts 包" in str(exc.value) and "npm ci" in str(exc.value)
    (tmp_path / "package.json").write_text('{"name": "echarts", "main": "missing.js"}')
    with pytest.raises(charts.ChartError) as exc:                 # node itself fails: its message is passed on
        charts.render_svg(OPTION)
    assert "生成统计图失败" in str(exc.value) and "Cannot find module" in str(exc.value)


def test_a_render_that_takes_too_long_is_stopped():
    with pytest.raises(charts.ChartError) as exc:
        charts.render_svg(OPTION, timeout=0.001)
    assert "超时" in str(exc.value)
