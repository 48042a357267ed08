"""Charts for printed documents: an Apache ECharts option rendered as SVG on the server.

WeasyPrint runs no JavaScript, so a PDF cannot draw the chart the page draws in the browser.
``render_svg`` hands the same ECharts option to ECharts' own server-side renderer
(``echarts.init(null, null, {renderer: 'svg', ssr: true, width, height})`` and
``renderToSVGString()``) in a small Node script (``charts.cjs``), run as a subprocess with a
timeout; the SVG is put into the document's HTML as it is (WeasyPrint draws inline SVG, its text
in the document's Noto CJK fonts, embedded in the PDF like the rest of the text).

The ECharts package is the npm package pinned in package-lock.json (``npm ci``), found at
``YIBAO_ECHARTS_PACKAGE`` or ``./node_modules/echarts``. Node is the one npm installs with.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

SCRIPT = Path(__file__).with_name("charts.cjs")
DEFAULT_TIMEOUT = 20.0            # seconds for one call, however many charts it renders
# Unquoted: ECharts writes the family into a style attribute without escaping quotes.
FONT_FAMILY = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"


class ChartError(Exception):
    """A chart could not be rendered; the message is Chinese and says what to do."""


#: a chart's width in CSS pixels across an A4 page of the printed reports
PAGE_WIDTH = 720


@dataclass
class Chart:
    """One chart: an ECharts option (plain JSON data) and its size in CSS pixels."""

    option: dict
    width: int = PAGE_WIDTH
    height: int = 320
    title: str = ""
    extra: dict = field(default_factory=dict)


def echarts_dir() -> Path:
    default = Path(getattr(settings, "PROJECT_DIR", Path.cwd())) / "node_modules" / "echarts"
    return Path(os.environ.get("YIBAO_ECHARTS_PACKAGE", default))


def node_binary() -> str:
    found = shutil.which(os.environ.get("YIBAO_NODE", "node"))
    if not found:
        raise ChartError("无法生成统计图：未找到 Node.js（node）。请安装 Node.js（含 npm）后执行 npm ci。")
    return found


def _plain_label(label: dict) -> dict:
    """A value label without ECharts' white text outline: ECharts draws it as an SVG stroke under
    the fill with ``paint-order``, which the PDF renderer (WeasyPrint) ignores, painting the white
    outline over the figures (the weekly report's bars showed no values)."""
    label = dict(label)
    label.setdefault("textBorderColor", "transparent")
    return label


def _plain_labels(series: dict) -> dict:
    series = dict(series)
    if isinstance(series.get("label"), dict):
        series["label"] = _plain_label(series["label"])
    if isinstance(series.get("markLine"), dict) and isinstance(series["markLine"].get("label"), dict):
        series["markLine"] = {**series["markLine"], "label": _plain_label(series["markLine"]["label"])}
    return series


def _with_font(option: dict) -> dict:
    option = dict(option)
    text_style = dict(option.get("textStyle") or {})
    text_style.setdefault("fontFamily", FONT_FAMILY)
    option["textStyle"] = text_style
    if isinstance(option.get("series"), list):
        option["series"] = [_plain_labels(s) if isinstance(s, dict) else s for s in option["series"]]
    return option


def render_svgs(charts: list[Chart], *, timeout: float = DEFAULT_TIMEOUT) -> list[SafeString]:
    """Every chart as an SVG document (one Node process for all of them), in order."""
    if not charts:
        return []
    package = echarts_dir()
    if not (package / "package.json").exists():
        raise ChartError(f"无法生成统计图：未找到 ECharts 包（{package}）。请在项目目录执行 npm ci。")
    request = {"charts": [{"option": _with_font(c.option), "width": int(c.width), "height": int(c.height)}
                          for c in charts]}
    try:
        done = subprocess.run(  # noqa: S603 - a fixed script with our own arguments, no shell
            [node_binary(), str(SCRIPT), str(package)], input=json.dumps(request, ensure_ascii=False).encode(),
            capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ChartError(f"生成统计图超时（超过 {timeout:g} 秒），请稍后重试。") from None
    try:
        answer = json.loads(done.stdout.decode("utf-8") or "{}")
    except ValueError:
        answer = {}
    if done.returncode != 0 or "svgs" not in answer:
        detail = answer.get("error") or done.stderr.decode("utf-8", "replace").strip()[-300:] or "无输出"
        raise ChartError(f"生成统计图失败：{detail}")
    # The SVG is ECharts' own output for our own option (labels are escaped by ECharts).
    return [mark_safe(svg) for svg in answer["svgs"]]  # noqa: S308


def render_svg(option: dict, *, width: int = PAGE_WIDTH, height: int = 320,
               timeout: float = DEFAULT_TIMEOUT) -> SafeString:
    """One ECharts option as an SVG document."""
    return render_svgs([Chart(option, width, height)], timeout=timeout)[0]
