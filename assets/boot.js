/* components/boot.py: the page's HTML carries the answers to the renderer's first two requests
 * (/_dash-layout and /_dash-dependencies), the layout already drawn for this URL. They are handed
 * over once each; any later request, or a page without them, goes to the server as usual. */
(function () {
  const original = window.fetch;
  const handed = {};

  /* dcc's Graph is a React.lazy component: the first on a page suspends (a placeholder is drawn)
   * and the charts come in a later commit, 100–150 ms after the page. One, rendered into a
   * detached node as the renderer asks for its layout (every script has run by then), resolves
   * it first: the page's own are then drawn in the page's commit. Its code is in the page already
   * (delivery.py). The detached one goes once the page is drawn. (A Dropdown cannot be rendered
   * outside Dash's context, and does not hold the charts back.) */
  let warm = null;
  function warmLazyComponents() {
    const dcc = window.dash_core_components;
    const React = window.React;
    const api = window.dash_component_api;
    if (!dcc || !React || !api || !api.DashContext || !window.ReactDOM || !window.ReactDOM.flushSync) { return; }
    try {
      warm = window.ReactDOM.createRoot(document.createElement("div"));
      // Outside Dash's tree the graph asks Dash's context only whether it is loading: it is not.
      const context = {componentPath: ["boot-warm-graph"], isLoading: false, useLoading: function () { return false; }};
      const graph = React.createElement(dcc.Graph, {id: "boot-warm-graph", figure: {data: [], layout: {}}});
      const tree = React.createElement(api.DashContext.Provider, {value: context},
        React.createElement(React.Suspense, {fallback: null}, graph));
      window.ReactDOM.flushSync(function () { warm.render(tree); });
    } catch (e) { warm = null; }  // the page draws as it would have, a little later
  }
  function dropWarm() {
    if (warm) { const root = warm; warm = null; window.setTimeout(function () { root.unmount(); }, 0); }
  }

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
      if (!item) { plotly.react = react; dropWarm(); return; }  // the page is drawn: back to Plotly's own
      Promise.resolve().then(function () { return react.apply(plotly, item.args); }).then(item.resolve, item.reject);
      afterPaint();
    }
    function afterPaint() { window.requestAnimationFrame(function () { window.setTimeout(next, 0); }); }
    plotly.react = function (gd) {
      if (!(gd && gd.isConnected)) { return react.apply(plotly, arguments); }  // the detached warm-up graph
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
      warmLazyComponents();
      // clientside.js route: the page for this path and search is on screen already.
      window.dashboardBooted = {path: element.dataset.path, search: element.dataset.search};
    }
    return Promise.resolve(new Response(element.textContent, {status: 200, headers: {"Content-Type": "application/json"}}));
  };
})();
