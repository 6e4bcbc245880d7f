/* Charts and the findings filter of the xxgk audit page. No network: echarts is inlined above. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  // Words come from the page (data.text), translated with the rest of it.
  var T = data.text;
  var SEV = { error: "#c0392b", warning: "#b9770e", info: "#2471a3" };
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    option.animation = false;
    option.textStyle = { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" };
    c.setOption(option);
    charts.push(c);
  }

  var rules = data.rules;
  chart("chart-rules", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 20, right: 24, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: rules.codes },
    series: rules.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "n", data: s.data, itemStyle: { color: SEV[s.key] } };
    })
  });

  var years = data.years;
  chart("chart-years", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: years.years },
    yAxis: { type: "value", minInterval: 1, name: T.reports },
    color: ["#8b1a1a", "#98a2b3", "#d4a017"],
    series: years.series.map(function (s) { return { name: s.name, type: "bar", stack: "t", data: s.data }; })
  });

  var rates = data.rates;
  chart("chart-rates", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: {
      top: 0,
      formatter: function (name) { return name + T.unknown.replace("{n}", rates.unknown[name]); }
    },
    grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: rates.buckets },
    yAxis: { type: "value", minInterval: 1, name: T.bodies },
    color: ["#1e8449", "#c0392b", "#2471a3", "#7d3c98"],
    series: rates.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Findings filter: severity checkboxes and free text over the row's text.
  var table = document.getElementById("finding-table");
  var shown = document.getElementById("shown");
  var q = document.getElementById("q");
  var boxes = document.querySelectorAll("#filters input[type=checkbox]");
  function apply() {
    if (!table) { return; }
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute("data-sev")] = b.checked; });
    var needle = (q.value || "").trim().toLowerCase();
    var n = 0, rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = on[r.getAttribute("data-sev")] && (!needle || r.textContent.toLowerCase().indexOf(needle) >= 0);
      r.style.display = ok ? "" : "none";
      if (ok) { n++; }
    }
    shown.textContent = T.shown.replace("{n}", n).replace("{total}", rows.length);
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  if (q) { q.addEventListener("input", apply); }
  apply();
})();
