/* A chart's 数据表 (WCAG 1.1.1: a text alternative that the sentences only summarise), built in the
 * browser from the figure the chart drew, when the viewer opens it and again whenever the chart
 * is redrawn while it is open. Built on the server it went with every filter change for every
 * chart, open or not: half the bytes of a redraw at city scale.
 *
 * Every cell is the text the chart's hover shows for that mark (its customdata: the figure as
 * printed, with its unit and how it was obtained, or 未公布), so the table says what the chart
 * says. An empty chart says why on itself (暂无…数据, …未公布): so does its table. */
(function () {
  "use strict";
  const LEGEND_KEY = "legend-key"; // components/charts.py: a trace drawn only as a legend entry
  const MISSING = "未公布";

  function plain(value) {
    return String(value === undefined || value === null ? "" : value)
      .replace(/<[^>]+>/g, " ").replace(/ {2,}/g, " ").trim();
  }

  function titleOf(axis) {
    const title = axis && axis.title;
    return plain(title && typeof title === "object" ? title.text : title);
  }

  function cell(trace, i, value) {
    const data = trace.customdata;
    if (data && i < data.length) {
      const first = Array.isArray(data[i]) ? data[i][0] : data[i];
      if (typeof first === "string" && first) { return plain(first); }
    }
    if (value === undefined || value === null) { return MISSING; }
    return typeof value === "number" ? value.toLocaleString("en-US", { maximumSignificantDigits: 10 }) : plain(value);
  }

  /* [column heads, rows, value axis title]: a row per category (bar) or slice, a column per series. */
  function tableRows(gd) {
    const traces = gd.data || [];
    const pie = traces.find(function (t) { return t.type === "pie"; });
    if (pie) {
      const values = pie.values || [];
      return [["项目", "数值"], (pie.labels || []).slice(0, values.length).map(function (label, i) {
        return [plain(label), cell(pie, i, values[i])];
      }), ""];
    }
    const bars = traces.filter(function (t) {
      return (t.type === "bar" || t.type === "waterfall") && t.meta !== LEGEND_KEY;
    });
    if (!bars.length) { return [[], [], ""]; }
    const horizontal = bars[0].orientation === "h";
    const categories = [];
    const cells = new Map();
    bars.forEach(function (trace, s) {
      const keys = (horizontal ? trace.y : trace.x) || [];
      const values = (horizontal ? trace.x : trace.y) || [];
      Array.prototype.forEach.call(keys, function (key, i) {
        if (!cells.has(key)) { categories.push(key); cells.set(key, []); }
        cells.get(key)[s] = cell(trace, i, i < values.length ? values[i] : null);
      });
    });
    const valueTitle = titleOf((gd.layout || {})[horizontal ? "xaxis" : "yaxis"]);
    // One series: the value axis names it with its unit (评价对象数（个）); several: their own names.
    const names = bars.length === 1
      ? [valueTitle || plain(bars[0].name || "数值")]
      : bars.map(function (t) { return plain(t.name); });
    const rows = categories.map(function (key) {
      return [plain(key)].concat(bars.map(function (_, s) { return cells.get(key)[s] || "—"; }));
    });
    return [[horizontal ? "项目" : "类别"].concat(names), rows, valueTitle];
  }

  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    return node;
  }

  function render(gd, box) {
    const [head, rows, axis] = tableRows(gd);
    if (!rows.length) {
      const said = ((gd.layout || {}).annotations || []).map(function (a) { return plain(a.text); }).filter(Boolean);
      box.replaceChildren(element("p", said.join("；") || "这张图没有可列出的数字。",
        { class: "small text-muted mb-0 chart-table-empty" }));
      return;
    }
    const table = element("table", undefined, { class: "table table-sm data-table chart-data-table mb-0" });
    const thead = table.appendChild(element("thead")).appendChild(element("tr"));
    head.forEach(function (h) { thead.appendChild(element("th", h, { scope: "col" })); });
    const tbody = table.appendChild(element("tbody"));
    rows.forEach(function (r) {
      const tr = tbody.appendChild(element("tr"));
      tr.appendChild(element("th", r[0], { scope: "row" }));
      r.slice(1).forEach(function (c) { tr.appendChild(element("td", c, { class: "num" })); });
    });
    const wrap = element("div", undefined, { class: "table-responsive" });
    wrap.appendChild(table);
    box.replaceChildren(element("p", axis ? "数值轴：" + axis : "金额单位见各数值。", { class: "small text-muted mb-1" }), wrap);
  }

  // The details' box is `<graph id>-table` (components/ids.py chart_table).
  function graphOf(box) {
    const holder = document.getElementById(box.id.replace(/-table$/, ""));
    return holder && (holder.classList.contains("js-plotly-plot") ? holder : holder.querySelector(".js-plotly-plot"));
  }

  function fill(details) {
    const box = details.querySelector(".chart-table-box");
    const gd = box && graphOf(box);
    if (!gd) { return; }
    render(gd, box);
    if (!gd.__chartTableHooked && gd.on) { // redrawn by a filter change while open: the table follows
      gd.__chartTableHooked = true;
      gd.on("plotly_afterplot", function () {
        const open = document.getElementById(box.id);
        if (open && open.closest("details").open) { render(gd, open); }
      });
    }
  }

  // toggle does not bubble: listen in the capture phase, for details added later too.
  document.addEventListener("toggle", function (event) {
    const details = event.target;
    if (details.matches && details.matches("details.chart-table") && details.open) { fill(details); }
  }, true);

  window.dashboardChartTable = { tableRows: tableRows };
})();
