// The dashboards' charts (Apache ECharts, served from this site). The figures come from the
// page's json_script blocks; every chart's data is also on the page as a table.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = [];
  // tooltips drawn on the canvas: the HTML ones carry inline styles, which the site's content
  // security policy (style-src 'self') does not allow
  var TIP_AXIS = { trigger: "axis", renderMode: "richText" };
  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    charts.push(c);
    return c;
  }
  function drill(row) {
    if (row && row.drill) { window.location.search = "?" + row.drill; }
  }

  var progress = read("progress-data");
  if (progress) {
    var rows = progress.rows;
    var completion = chart("chart-completion");
    // where the targets dwarf the counts (early in the season, or a demo), a logarithmic axis
    // keeps both the bars and the target line readable
    var most = Math.max.apply(null, [1].concat(rows.map(function (r) { return r.registered; })));
    var target = Math.max.apply(null, [0].concat(rows.map(function (r) { return r.target || 0; })));
    var logScale = target > most * 20;
    function positive(v) { return logScale && !v ? null : v; }
    if (completion) {
      completion.setOption({
        tooltip: TIP_AXIS,
        legend: { top: 0, data: ["已缴费", "已登记", "参保任务"] },
        grid: { left: 50, right: 20, top: 50, bottom: 70, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
                 axisLabel: { interval: 0, rotate: rows.length > 6 ? 40 : 0 } },
        yAxis: logScale ? { type: "log", name: "人数（对数刻度）", min: 1 } : { type: "value", name: "人数" },
        series: [
          { name: "已缴费", type: "bar", data: rows.map(function (r) { return positive(r.paid); }),
            itemStyle: { color: "#1f6feb" }, cursor: "pointer",
            label: { show: rows.length <= 12, position: "top",
                     formatter: function (p) { var c = rows[p.dataIndex].completion;
                                               return c === null ? "" : (c * 100).toFixed(2) + "%"; } } },
          { name: "已登记", type: "bar", data: rows.map(function (r) { return positive(r.registered); }),
            itemStyle: { color: "#9ec5fe" }, cursor: "pointer" },
          { name: "参保任务", type: "line", step: "middle", symbol: "none",
            data: rows.map(function (r) { return r.target; }),
            lineStyle: { color: "#d1242f", width: 2 }, connectNulls: false }
        ]
      });
      completion.on("click", function (p) { drill(rows[p.dataIndex]); });
    }
    var daily = chart("chart-daily");
    if (daily) {
      daily.setOption({
        tooltip: TIP_AXIS,
        legend: { top: 0, data: ["缴费笔数", "金额（元）"] },
        grid: { left: 50, right: 50, top: 50, bottom: progress.daily.length > 40 ? 80 : 40, containLabel: true },
        xAxis: { type: "category", data: progress.daily.map(function (d) { return d.day; }) },
        yAxis: [{ type: "value", name: "笔数" }, { type: "value", name: "元" }],
        dataZoom: progress.daily.length > 40 ? [{ type: "inside" }, { type: "slider" }] : [],
        series: [
          { name: "缴费笔数", type: "bar", data: progress.daily.map(function (d) { return d.payments; }),
            itemStyle: { color: "#1f6feb" } },
          { name: "金额（元）", type: "line", yAxisIndex: 1, smooth: true, symbol: "none",
            data: progress.daily.map(function (d) { return d.amount; }), lineStyle: { color: "#1a7f37" } }
        ]
      });
    }
    var mix = chart("chart-mix");
    if (mix) {
      mix.setOption({
        tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}\n{c} 元（{d}%）" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
                   data: progress.mix.map(function (m) { return { name: m.name, value: m.amount }; }) }]
      });
    }
  }

  var declarations = read("declarations-data");
  if (declarations) {
    var agencies = chart("chart-agencies");
    var drows = declarations.rows;
    if (agencies) {
      agencies.setOption({
        tooltip: TIP_AXIS,
        legend: { top: 0, data: ["参保单位", "已提交", "已完成", "逾期未申报"] },
        grid: { left: 50, right: 20, top: 50, bottom: 70, containLabel: true },
        xAxis: { type: "category", data: drows.map(function (r) { return r.name; }),
                 axisLabel: { interval: 0, rotate: drows.length > 4 ? 30 : 0 } },
        yAxis: { type: "value", name: "单位数" },
        series: [
          { name: "参保单位", type: "bar", data: drows.map(function (r) { return r.units; }), itemStyle: { color: "#9ec5fe" } },
          { name: "已提交", type: "bar", data: drows.map(function (r) { return r.submitted; }), itemStyle: { color: "#1f6feb" } },
          { name: "已完成", type: "bar", data: drows.map(function (r) { return r.confirmed; }), itemStyle: { color: "#1a7f37" } },
          { name: "逾期未申报", type: "bar", data: drows.map(function (r) { return r.overdue; }), itemStyle: { color: "#d1242f" } }
        ]
      });
    }
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
