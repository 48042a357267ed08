// Renders Apache ECharts options as SVG on the server (ECharts' own server-side rendering, no DOM).
// Input on stdin: {"charts": [{"option": {...}, "width": 640, "height": 320}, ...]}
// Output on stdout: {"svgs": ["<svg ...>", ...]}; a failure prints {"error": "..."} and exits 1.
// Argument 1: the directory of the echarts package (node_modules/echarts).
"use strict";
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  try {
    const echarts = require(process.argv[2]);
    const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const svgs = request.charts.map((c) => {
      const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: c.width, height: c.height });
      chart.setOption(Object.assign({ animation: false }, c.option));
      const svg = chart.renderToSVGString();
      chart.dispose();
      return svg;
    });
    process.stdout.write(JSON.stringify({ svgs }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e && e.message ? e.message : e) }));
    process.exitCode = 1;
  }
});
