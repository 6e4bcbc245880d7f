// The workbench's behaviour: no build step, no inline script (the CSP forbids it). Report text
// only ever reaches the page as escaped HTML; this file reads data-* attributes and JSON blocks.
(function () {
  "use strict";

  function json(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // ---------------------------------------------------------------- review page
  function showPage(n) {
    var img = document.getElementById("page-img");
    if (!img || !n) return;
    if (img.dataset.page !== String(n)) {
      img.src = img.dataset.base + n + ".png";
      img.dataset.page = String(n);
    }
    document.querySelectorAll(".page-button").forEach(function (b) {
      b.classList.toggle("current", b.dataset.page === String(n));
    });
  }

  function showBox(path) {
    var boxes = json("boxes") || {};
    var box = document.getElementById("box");
    var b = boxes[path];
    if (!box) return false;
    if (!b) { box.hidden = true; return false; }
    showPage(b[0]);
    box.style.left = b[1] + "%"; box.style.top = b[2] + "%";
    box.style.width = b[3] + "%"; box.style.height = b[4] + "%";
    box.hidden = false;
    box.scrollIntoView({block: "center", behavior: "smooth"});
    return true;
  }

  function pageOf(loc) {
    var m = /^p(\d+)/.exec(loc || "");
    return m ? Number(m[1]) : null;
  }

  function lightSource(loc) {
    document.querySelectorAll(".doc .lit").forEach(function (e) { e.classList.remove("lit"); });
    if (!loc) return;
    var page = pageOf(loc);
    if (page && document.getElementById("page-img")) { showPage(page); return; }
    var hit = document.querySelector('.doc [data-loc="' + CSS.escape(loc) + '"]');
    if (hit) { hit.classList.add("lit"); hit.scrollIntoView({block: "center", behavior: "smooth"}); }
  }

  function lightCells(paths) {
    document.querySelectorAll("td.lit").forEach(function (e) { e.classList.remove("lit"); });
    paths.forEach(function (p) {
      var td = document.querySelector('td[data-path="' + CSS.escape(p) + '"]');
      if (td) td.classList.add("lit");
    });
  }

  function chooseCell(path) {
    var select = document.getElementById("correction-path");
    if (select) select.value = path;
  }

  document.addEventListener("click", function (ev) {
    var head = ev.target.closest(".finding-head");
    if (head) {
      var li = head.closest("li.finding");
      document.querySelectorAll("li.finding.current").forEach(function (e) { e.classList.remove("current"); });
      li.classList.add("current");
      var cells = (li.dataset.cells || "").split(" ").filter(Boolean);
      lightCells(cells);
      var boxed = cells.some(showBox);
      if (!boxed) lightSource(li.dataset.loc);
      if (cells.length) chooseCell(cells[0]);
      return;
    }
    var td = ev.target.closest("td[data-path]");
    if (td) {
      lightCells([td.dataset.path]);
      // the findings about this cell
      document.querySelectorAll("li.finding").forEach(function (li) {
        var cells = (li.dataset.cells || "").split(" ");
        li.classList.toggle("current", cells.indexOf(td.dataset.path) >= 0);
      });
      chooseCell(td.dataset.path);
      if (!showBox(td.dataset.path)) lightSource(td.dataset.loc);
      return;
    }
    var pb = ev.target.closest(".page-button");
    if (pb) {
      var box = document.getElementById("box");
      if (box) box.hidden = true;
      showPage(Number(pb.dataset.page));
    }
  });

  // ---------------------------------------------------------------- upload: drag and drop
  function setupDrop() {
    var drop = document.getElementById("drop");
    if (!drop) return;
    var form = document.getElementById("upload-form");
    var chosen = document.getElementById("chosen");
    var picked = [];
    function show() {
      chosen.textContent = picked.length ? picked.length + " ✓" : "";
    }
    ["files", "folder"].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) input.addEventListener("change", function () {
        picked = Array.prototype.slice.call(input.files);
        show();
      });
    });
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.classList.remove("over");
      var items = e.dataTransfer.items;
      var pending = [];
      var files = [];
      function walk(entry, prefix) {
        return new Promise(function (resolve) {
          if (entry.isFile) {
            entry.file(function (f) { files.push({file: f, name: prefix + f.name}); resolve(); }, resolve);
          } else if (entry.isDirectory) {
            var reader = entry.createReader();
            var all = [];
            (function more() {
              reader.readEntries(function (batch) {
                if (!batch.length) {
                  Promise.all(all.map(function (x) { return walk(x, prefix + entry.name + "/"); })).then(resolve);
                } else { all = all.concat(Array.prototype.slice.call(batch)); more(); }
              }, resolve);
            })();
          } else { resolve(); }
        });
      }
      for (var i = 0; i < items.length; i++) {
        var entry = items[i].webkitGetAsEntry && items[i].webkitGetAsEntry();
        if (entry) pending.push(walk(entry, ""));
      }
      if (!pending.length) {  // no file-system entries (another browser, a synthetic drop): the plain files
        Array.prototype.forEach.call(e.dataTransfer.files, function (f) { files.push({file: f, name: f.name}); });
      }
      Promise.all(pending).then(function () {
        var data = new FormData(form);
        data.delete("files");
        files.forEach(function (x) { data.append("files", x.file, x.name); });
        fetch(form.action, {method: "POST", body: data, credentials: "same-origin"}).then(function (r) {
          if (r.redirected) { window.location = r.url; } else { r.text().then(function (t) { chosen.textContent = r.status + " " + t.slice(0, 200); }); }
        });
      });
    });
  }

  // ---------------------------------------------------------------- round charts (ECharts, vendored)
  function setupCharts() {
    var data = json("chart-data");
    if (!data || !window.echarts) return;
    var colors = {pending: "#8a94a6", rework: "#c00000", approved: "#1a7f37"};
    var pie = document.getElementById("chart-states");
    if (pie) echarts.init(pie).setOption({
      tooltip: {trigger: "item"},
      series: [{type: "pie", radius: ["40%", "70%"], data: data.states.map(function (s) {
        return {name: s.name, value: s.value, itemStyle: {color: colors[s.state]}};
      })}]
    });
    var codes = document.getElementById("chart-codes");
    if (codes && data.codes.length) echarts.init(codes).setOption({
      title: {text: data.labels.codes, textStyle: {fontSize: 13}}, tooltip: {trigger: "axis"},
      grid: {left: 150, right: 20, top: 30, bottom: 20},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", inverse: true, data: data.codes.map(function (c) { return c.code; })},
      series: [{type: "bar", data: data.codes.map(function (c) { return c.count; }), itemStyle: {color: "#1f5fa8"}}]
    });
    var bar = document.getElementById("chart-reports");
    if (bar && data.reports.length) echarts.init(bar).setOption({
      tooltip: {trigger: "axis"}, legend: {},
      grid: {left: 40, right: 10, top: 30, bottom: 110},
      xAxis: {type: "category", data: data.reports.map(function (r) { return r.name; }), axisLabel: {rotate: 40, interval: 0}},
      yAxis: {type: "value", minInterval: 1},
      series: [
        {name: data.labels.errors, type: "bar", stack: "f", data: data.reports.map(function (r) { return r.errors; }), itemStyle: {color: "#c00000"}},
        {name: data.labels.warnings, type: "bar", stack: "f", data: data.reports.map(function (r) { return r.warnings; }), itemStyle: {color: "#e0a030"}}
      ]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupDrop();
    setupCharts();
    var img = document.getElementById("page-img");
    if (img) showPage(1);
  });
})();
