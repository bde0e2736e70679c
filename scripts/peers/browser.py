"""In-page JavaScript of the peers benchmark: when a page is drawn, when a filter change has redrawn it.

The same tests for the three apps (this dashboard and Vizro are Dash apps, Streamlit is not):
- busy: a Dash request under way (window.__dashPending, from tests/browser/page_scripts.py's
  TRACK_DASH_REQUESTS), or for Streamlit a rerun not finished: an element still marked stale, or
  a websocket message less than 150 ms ago (the rerun's deltas are still arriving);
- drawn: every Plotly graph on the page has its full data and a drawn trace.
Streamlit replaces the graph element of a chart whose figure changed (a new div), Dash keeps it
and redraws in place: a redraw is therefore over when every graph present is either an old one
whose plotly_afterplot fired, a new one that is drawn, or an old one left alone (no event within
500 ms of the app going idle: its figure did not change).
"""

TRACK = """
(() => {
  window.__wsLast = 0; window.__wsCount = 0; window.__lastMutation = performance.now();
  const WS = window.WebSocket;
  function Tracked(...args) {
    const socket = new WS(...args);
    socket.addEventListener('message', () => { window.__wsLast = performance.now(); window.__wsCount += 1; });
    return socket;
  }
  Tracked.prototype = WS.prototype;
  Object.assign(Tracked, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Tracked;
  new MutationObserver(() => { window.__lastMutation = performance.now(); })
    .observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
})();
"""

_COMMON = """
  const busy = () => (window.__dashPending || 0) > 0
    || !!document.querySelector('[data-stale="true"]')
    || (window.__wsLast && performance.now() - window.__wsLast < 150);
  const drawn = gd => Array.isArray(gd._fullData) && !!gd.querySelector('.trace');
  const graphs = () => [...document.querySelectorAll('.js-plotly-plot')];
"""

# Resolves with the moment (ms since navigation start) the page was drawn: at least `n` graphs,
# every one drawn, the app idle and the page unchanged for `quiet` ms since (null after 90 s).
READY = (
    """
([n, quiet]) => new Promise(resolve => {
"""
    + _COMMON
    + """
  let since = null;
  const begun = performance.now();
  const tick = () => {
    if (performance.now() - begun > 90000) return resolve(null);
    const now = performance.now();
    const g = graphs();
    if (g.length >= n && g.every(drawn) && !busy()) {
      if (since === null) since = Math.max(window.__lastMutation, window.__dashLastActivity || 0, window.__wsLast || 0);
      if (now - since >= quiet) return resolve(since);
    } else { since = null; }
    setTimeout(tick, 5);
  };
  tick();
})
"""
)

# Before a choice: remember the graphs on the page, arm plotly_afterplot on each, note the next click.
ARM = """
() => {
  const b = window.__peer = {old: [], fired: new Map(), fresh: new Map(), start: null, ws: window.__wsCount, dash: window.__dashStarted || 0};
  document.querySelectorAll('.js-plotly-plot').forEach(gd => {
    b.old.push(gd);
    gd.once('plotly_afterplot', () => { b.fired.set(gd, performance.now()); });
  });
  document.addEventListener('click', () => { b.start = performance.now(); }, {capture: true, once: true});
}
"""

# Resolves with [ms from the click to the last graph redrawn, graphs redrawn, graphs on the page].
REDRAWN = (
    """
() => new Promise(resolve => {
"""
    + _COMMON
    + """
  const b = window.__peer;
  let idleSince = null;
  const begun = performance.now();
  const tick = () => {
    const now = performance.now();
    if (now - begun > 60000) return resolve([null, 0, 0]);
    const g = graphs();
    for (const gd of g) { if (!b.old.includes(gd) && !b.fresh.has(gd) && drawn(gd)) b.fresh.set(gd, now); }
    const started = b.start !== null && ((window.__dashStarted || 0) > b.dash || window.__wsCount > b.ws);
    const idle = started && !busy() && g.every(drawn);
    idleSince = idle ? (idleSince === null ? now : idleSince) : null;
    const done = g.filter(gd => b.fired.has(gd) || b.fresh.has(gd)).length;
    const times = [...b.fired.values(), ...b.fresh.values()];
    const last = times.length ? Math.max(...times) - b.start : null;
    if (idle && done === g.length && now - idleSince > 100) return resolve([last, done, g.length]);
    if (idle && now - idleSince > 500) return resolve([last, done, g.length]);
    setTimeout(tick, 5);
  };
  tick();
})
"""
)
