/* A chart saved from its toolbar (下载图表为PNG格式) is passed on: into a report, a WeChat group,
 * a slide. On the page its title, year, region and source stand around it, not in it; so the
 * saved PNG gets them drawn in: the card's title, the region and year of the view, the unit (from
 * the axis title) above the chart, the page's 来源 below it. The chart on the page is unchanged.
 * Offline: plotly.js's own toImage, nothing fetched. */
(function () {
  "use strict";
  const BUTTON = '.modebar-btn[data-title="下载图表为PNG格式"]';
  const TOP = 90;
  const BOTTOM = 50;

  function queryValue(name) {
    return new URLSearchParams(window.location.search).get(name) || "";
  }

  function context(gd) {
    const figure = gd.closest('[role="figure"]');
    const labelledBy = figure && document.getElementById(figure.getAttribute("aria-labelledby") || "");
    const title = (figure && figure.getAttribute("aria-label")) || (labelledBy ? labelledBy.textContent.trim() : "");
    const caption = figure && figure.parentElement ? figure.parentElement.querySelector(".chart-caption") : null;
    const said = caption ? caption.textContent : "";
    let year = queryValue("year");
    const found = /(\d{4})年/.exec(title) || /(\d{4})年/.exec(said);
    if (!year && found) { year = found[1]; }
    let region = queryValue("region");
    if (!region) {
      const picker = document.querySelector('[id$="-region"]');
      region = picker ? picker.textContent.trim().split(/\s/)[0] : "";
    }
    const axis = gd._fullLayout && (gd._fullLayout.yaxis || {}).title;
    const unit = /（([^）]*)）/.exec((axis && axis.text) || "");
    const footer = document.querySelector(".page-footer");
    const source = footer ? (footer.textContent.split("｜").find(function (p) { return p.trim().indexOf("来源") === 0; }) || "") : "";
    const heading = title.indexOf(year + "年") === -1 && year ? year + "年" + title : title;
    const line = [region, unit ? "单位：" + unit[1] : ""].filter(Boolean).join(" · ");
    return { heading: heading, line: line, source: source.trim() };
  }

  function escapeText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest(BUTTON);
    if (!button || !window.Plotly) { return; }
    const gd = button.closest(".js-plotly-plot");
    if (!gd || !gd._fullLayout) { return; }
    e.preventDefault();
    e.stopImmediatePropagation();
    const about = context(gd);
    const full = gd._fullLayout;
    const margin = full.margin || { t: 40, b: 40, l: 60, r: 20 };
    const layout = Object.assign({}, gd.layout, {
      width: full.width,
      height: full.height + TOP + BOTTOM,
      margin: Object.assign({}, margin, { t: (margin.t || 0) + TOP, b: (margin.b || 0) + BOTTOM }),
      title: {
        text: "<b>" + escapeText(about.heading) + "</b>" + (about.line ? "<br><span style='font-size:13px'>" + escapeText(about.line) + "</span>" : ""),
        x: 0.02, xanchor: "left", xref: "container", y: 1, yanchor: "top", yref: "container", pad: { t: 16 }, font: { size: 18 },
      },
      annotations: (gd.layout.annotations || []).concat(about.source ? [{
        text: escapeText(about.source), showarrow: false, xref: "paper", yref: "paper",
        x: 0, xanchor: "left", y: 0, yanchor: "top", yshift: -((margin.b || 0) + 10), font: { size: 11, color: "#4B5563" },
      }] : []),
    });
    const options = (gd._context && gd._context.toImageButtonOptions) || {};
    const named = gd.layout.meta && gd.layout.meta.filename; // a chart slot's (layout.chart_slot)
    const name = (named || options.filename || "图表") + ".png";
    window.Plotly.toImage({ data: gd.data, layout: layout }, { format: "png", width: layout.width, height: layout.height, scale: options.scale || 2 })
      .then(function (url) { window.dashboardSaveUrl(url, name); });  // from export-status.js
  }, true);
})();
