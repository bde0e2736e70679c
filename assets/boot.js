/* components/boot.py: the page's HTML carries the answers to the renderer's first two requests
 * (/_dash-layout and /_dash-dependencies), the layout already drawn for this URL. They are handed
 * over once each; any later request, or a page without them, goes to the server as usual. */
(function () {
  const original = window.fetch;
  const handed = {};

  /* The page arrives with all its charts at once, and Plotly draws them in one go (five charts:
   * 150–300 ms) before the browser shows any. During the first drawing, each chart after the
   * first waits for the one before it to be on screen (a frame), so the first is seen sooner. */
  function oneChartAFrame() {
    const plotly = window.Plotly;
    if (!plotly || !plotly.react) { return; }
    const react = plotly.react;
    const waiting = [];
    let drawing = false;
    function next() {
      const item = waiting.shift();
      if (!item) { plotly.react = react; return; }  // the page is drawn: back to Plotly's own
      Promise.resolve().then(function () { return react.apply(plotly, item.args); }).then(item.resolve, item.reject);
      afterPaint();
    }
    function afterPaint() { window.requestAnimationFrame(function () { window.setTimeout(next, 0); }); }
    plotly.react = function () {
      if (drawing) {
        const args = arguments;
        return new Promise(function (resolve, reject) { waiting.push({args: args, resolve: resolve, reject: reject}); });
      }
      drawing = true;
      afterPaint();
      return react.apply(plotly, arguments);
    };
  }

  window.fetch = function (input, init) {
    const url = typeof input === "string" ? input : (input && input.url) || "";
    const method = ((init && init.method) || "GET").toUpperCase();
    const match = /\/_dash-(layout|dependencies)$/.exec(url.split("?")[0]);
    const element = match && !handed[match[1]] && method === "GET" && document.getElementById("dash-boot-" + match[1]);
    if (!element) { return original.apply(this, arguments); }
    handed[match[1]] = true;
    if (match[1] === "layout") {
      oneChartAFrame();
      // clientside.js route: the page for this path and search is on screen already.
      window.dashboardBooted = {path: element.dataset.path, search: element.dataset.search};
    }
    return Promise.resolve(new Response(element.textContent, {status: 200, headers: {"Content-Type": "application/json"}}));
  };
})();
