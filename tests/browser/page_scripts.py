"""JavaScript the browser tests run in the page: request tracking, "settled", reading figures and grids."""

# Counts Dash's own requests (callbacks, layout, dependencies) so that "settled" can mean
# "no callback in flight and none for a moment", not "the first graph appeared".
TRACK_DASH_REQUESTS = """
(() => {
  window.__dashPending = 0;
  window.__dashStarted = 0;
  window.__dashLastActivity = performance.now();
  const originalFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || '';
    if (!url.includes('/_dash-')) { return originalFetch.apply(this, arguments); }
    window.__dashPending += 1;
    window.__dashStarted += 1;
    window.__dashLastActivity = performance.now();
    return originalFetch.apply(this, arguments).finally(() => {
      window.__dashPending -= 1;
      window.__dashLastActivity = performance.now();
    });
  };
  // A component library's script that a callback answer names (AG Grid with its page) is loaded
  // before the answer is drawn: its loading counts as a Dash request.
  new MutationObserver(records => {
    for (const node of records.flatMap(r => [...r.addedNodes])) {
      if (node.tagName !== 'SCRIPT' || !(node.src || '').includes('/_dash-component-suites/')) continue;
      if (node.noModule) continue;  // for browsers without ES modules: never loads here, nor fails
      window.__dashPending += 1;
      window.__dashLastActivity = performance.now();
      const done = () => { window.__dashPending -= 1; window.__dashLastActivity = performance.now(); };
      node.addEventListener('load', done, {once: true});
      node.addEventListener('error', done, {once: true});
    }
  }).observe(document, {childList: true, subtree: true});
})();
"""

# How many callbacks the renderer holds that have not finished (a clientside one sends no request).
PENDING_CALLBACKS = """
  const pendingCallbacks = () => {
    const queued = window.store && window.store.getState().callbacks;
    const stages = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed', 'stored'];
    return queued ? stages.reduce((n, k) => n + ((queued[k] || []).length), 0) : 0;
  };
"""

# The page has rendered, no callback is running or pending, and every graph has drawn.
SETTLED = (
    """
(arg) => {
"""
    + PENDING_CALLBACKS
    + """
  // arg: quiet ms, or [quiet ms, a token naming this wait] (its first poll has no gap before it).
  const [quietMs, token] = Array.isArray(arg) ? arg : [arg, null];
  if (token !== null && token !== window.__settleToken) { window.__settleToken = token; window.__settlePoll = 0; }
  const page = document.getElementById('page');
  if (!page || !page.children.length) return false;
  if (document.querySelector('._dash-loading, [data-dash-is-loading="true"], .dash-graph--pending')) return false;
  // Polled every 50 ms: a longer gap means the page was busy (drawing figures), and Dash fires
  // the callbacks that follow an answer (data banner, markers) only after that. Quiet time
  // counts again from there, or a settle could end just before they start.
  const now = performance.now();
  if (window.__settlePoll && now - window.__settlePoll > 150) { window.__dashLastActivity = now; }
  window.__settlePoll = now;
  if (window.__dashPending > 0 || now - window.__dashLastActivity < quietMs) return false;
  // A change drawn in the browser (a unit picked from the views the page holds) sends nothing: its
  // clientside callbacks, and the URL they write, are done once the renderer holds none pending.
  if (pendingCallbacks() > 0) return false;
  // A grid has settled once the rows of its current page are in (or it says it has none). Its
  // script comes with its page, so it may start (and ask for rows again) after the page's answer.
  const grids = [...page.querySelectorAll('[class*="ag-theme-"][id]')];
  if (grids.length && !window.dash_ag_grid) return false;
  for (const g of grids) {
    let api = null;
    try { api = window.dash_ag_grid.getApi(g.id); } catch (e) { return false; }
    if (!api || !g.querySelector('.ag-root-wrapper') || g.querySelector('.ag-row-loading, .ag-loading')) return false;
    const size = api.paginationGetPageSize(), first = api.paginationGetCurrentPage() * size;
    const last = Math.min(first + size, api.getDisplayedRowCount());
    if (last === first && !g.querySelector('.ag-overlay-no-rows-center')) return false;
    for (let i = first; i < last; i++) { const node = api.getDisplayedRowAtIndex(i); if (!node || !node.data) return false; }
  }
  return [...document.querySelectorAll('.dash-graph')].every(g => {
    const gd = g.querySelector('.js-plotly-plot');
    return gd && Array.isArray(gd._fullData);
  });
}
"""
)

UNSETTLED = (
    """
() => {
"""
    + PENDING_CALLBACKS
    + """
  return {
  callbacks: pendingCallbacks(),
  url: location.pathname + location.search,
  pageChildren: (document.getElementById('page') || {children: []}).children.length,
  loading: [...document.querySelectorAll('._dash-loading, [data-dash-is-loading="true"], .dash-graph--pending')]
    .map(e => e.id || e.className).slice(0, 5),
  pending: window.__dashPending, started: window.__dashStarted,
  quietFor: Math.round(performance.now() - window.__dashLastActivity),
  undrawn: [...document.querySelectorAll('.dash-graph')].filter(g => {
    const gd = g.querySelector('.js-plotly-plot');
    return !(gd && Array.isArray(gd._fullData));
  }).map(g => g.id).slice(0, 5),
  };
}
"""
)

FIGURE_DATA = """
(id) => {
  const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
  if (!gd || !gd._fullData) return null;
  const list = v => (v == null ? null : Array.from(v, x => (x === undefined ? null : x)));
  return gd._fullData.map(t => ({
    type: t.type, name: t.name, orientation: t.orientation || null, meta: t.meta ?? null,
    x: list(t.x), y: list(t.y), labels: list(t.labels), values: list(t.values),
  }));
}
"""

BAR_POINT_CENTRE = """
([id, traceIndex, pointIndex]) => {
  const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
  const trace = gd.querySelectorAll('.barlayer .trace')[traceIndex];
  const box = trace.querySelectorAll('.point')[pointIndex].getBoundingClientRect();
  return [box.x + box.width / 2, box.y + box.height / 2, box.width, box.height];
}
"""

# The middle of a pie/donut slice's ring, along its mid angle.
SLICE_CENTRE = """
([id, pointIndex]) => {
  const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
  const cd = gd.calcdata[0];
  const svg = gd.querySelector('.main-svg').getBoundingClientRect();
  const pt = cd.find(p => p.i === pointIndex);
  const f = (1 + (gd._fullData[0].hole || 0)) / 2;
  return [svg.x + cd[0].cx + pt.pxmid[0] * f, svg.y + cd[0].cy + pt.pxmid[1] * f];
}
"""

# The grid pages on the server (infinite row model): these are the rows of the page on screen.
GRID_ROWS = """
async (id) => {
  const api = await window.dash_ag_grid.getApiAsync(id);
  const size = api.paginationGetPageSize(), first = api.paginationGetCurrentPage() * size;
  const rows = [];
  for (let i = first; i < Math.min(first + size, api.getDisplayedRowCount()); i++) {
    const node = api.getDisplayedRowAtIndex(i);
    if (node && node.data) rows.push(node.data);
  }
  return rows;
}
"""
