/* The clientside callbacks, registered from Python with ClientsideFunction("dashboard", name).
 * What they need from the server (paths, limits, ids) arrives as the State of the page shell's
 * client-config store (components/layout.py client_config), never pasted into this text. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  dashboard: {
    /* components/layout.py: ask the tiny version route whether the data changed. */
    pollDataVersion: function (_n, rendered, asked, config) {
      const none = window.dash_clientside.no_update;
      if (!rendered || document.hidden) { return none; }
      return fetch(config.version_url, {cache: "no-store"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) {
          const version = answer && answer.version;
          if (!version || version === rendered) { return none; }
          // Asked already and the answer is on its way: ask again only if it got lost.
          if (asked && asked.version === version && Date.now() - asked.at < 10000) { return none; }
          return {version: version, at: Date.now()};
        })
        .catch(function () { return none; });
    },

    /* components/routing.py: the path and search to render, unless the URL changed only by the
     * page's own echo of its filters (its last written query). `at`: Back to the route last
     * rendered is still a new route. The page the HTML arrived drawn with (boot.js) is not asked
     * for again, only on the first call. */
    route: function (pathname, search, last) {
      const booted = window.dashboardBooted;
      if (booted && typeof pathname === "string") {
        window.dashboardBooted = null;
        if (booted.path === pathname && booted.search === (search || "")) { return window.dash_clientside.no_update; }
      }
      const triggered = (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
      const echo = triggered.length > 0
        && triggered.every(function (p) { return p.endsWith(".search"); })
        && (search || "").replace(/^\?/, "") === (last || "");
      return echo ? window.dash_clientside.no_update : {path: pathname, search: search || "", at: Date.now()};
    },

    /* components/layout.py: new data is each page's cue to redraw from the filters on screen. */
    redrawCue: function (changed) {
      const outputs = window.dash_clientside.callback_context.outputs_list;
      return outputs.map(function () { return changed && changed.version; });
    },

    /* components/layout.py: the URL, the nav links, briefing mode and the exports follow the
     * page's filter state. A filter change pushes a history entry (Back undoes it); when the URL
     * on screen is not the one the page last wrote, the normal form replaces it instead. */
    syncUrl: function (queries, last, config) {
      const none = window.dash_clientside.no_update;
      const q = (queries && queries.length) ? queries[0] : null;
      if (q === null || q === undefined) { return Array(6 + config.export_paths.length).fill(none); }
      const target = q ? "?" + q : "";
      const written = (last === null || last === undefined) ? null : (last ? "?" + last : "");
      if (window.location.search !== written) {
        window.history.replaceState(window.history.state, "",
                                    window.location.pathname + target + window.location.hash);
      }
      const params = new URLSearchParams(q);
      const keep = new URLSearchParams();
      ["year", "region", "unit"].forEach(function (k) { if (params.get(k)) { keep.set(k, params.get(k)); } });
      const common = keep.toString();
      const hrefs = config.page_paths.map(function (p) {
        return p + (common && config.filtered.includes(p) ? "?" + common : "");
      });
      // href too: dcc.Location pushes its href prop whenever it differs from the window's.
      const href = window.location.origin + window.location.pathname + target + window.location.hash;
      // Briefing mode starts at this page's section; it and the exports make the deck of this view
      // (start names the page, whose year is its own section's: see briefing.view_state).
      const present = new URLSearchParams(q);
      present.set("start", config.page_keys[window.location.pathname] || "overview");
      const deck = "?" + present.toString();
      const exports = config.export_paths.map(function (p) { return p + deck; });
      return [target, href, q, hrefs, hrefs[0], config.present + deck].concat(exports);
    },

    /* components/routing.py: the browser tab names the page and its view, e.g.
     * 「政府债务 · 2023年 · 株洲经开区 — 财政预算公开看板」, and follows the filters. */
    pageTitle: function (pathname, search, queries, config) {
      const page = config.page_titles[pathname || "/"];
      const q = (queries && queries.length && typeof queries[0] === "string") ? queries[0] : (search || "").replace(/^\?/, "");
      const params = new URLSearchParams(q);
      const parts = [page || "没有这个页面"];
      if (page) {
        if (params.get("year")) { parts.push(params.get("year") + "年"); }
        if (params.get("region")) { parts.push(params.get("region")); }
        Object.keys(config.filter_labels).forEach(function (name) {
          const picked = params.getAll(name);
          if (picked.length) { parts.push(config.filter_labels[name] + "：" + picked.join("、")); }
        });
      }
      const title = parts.join(" · ") + " — " + config.site_title;
      document.title = title;
      return title;
    },

    /* components/routing.py: the buttons beside a chart are pressed for the values its filter holds. */
    pressedChoices: function (value) {
      const held = Array.isArray(value) ? value : (value === null || value === undefined ? [] : [value]);
      return window.dash_clientside.callback_context.outputs_list.map(function (o) {
        return held.includes(o.id.value) ? "true" : "false";
      });
    },

    /* components/routing.py CrossFilter: a click on a chart's mark, or the button beside it, selects
     * only its value (or clears it when it was the selection); the clear button empties all. The
     * last arguments are the filters' values, then the config; the triggered input says which. */
    crossFilter: function () {
      const args = Array.prototype.slice.call(arguments);
      const config = args.pop();
      const cc = window.dash_clientside.callback_context;
      const filters = [].concat(cc.outputs_list).map(function (o) { return o.id; });
      const held = args.slice(args.length - filters.length);
      const spec = config.cross_filters[filters[0]];
      const result = filters.map(function () { return window.dash_clientside.no_update; });
      const trigger = cc.triggered[0] || {};
      const prop = trigger.prop_id || "";
      let id = prop.slice(0, prop.lastIndexOf("."));
      if (id.charAt(0) === "{") { try { id = JSON.parse(id); } catch (e) { return result; } }
      function toggle(filter, value) {
        const i = filters.indexOf(filter);
        if (i < 0 || value === null || value === undefined || value === "") { return result; }
        const was = held[i] || [];
        result[i] = was.length === 1 && was[0] === value ? [] : [value];
        return result;
      }
      if (id === spec.clear) { return filters.map(function () { return []; }); }
      if (id && id.role === "chart-choice") { return toggle(id.filter, id.value); }
      const chart = spec.charts[id];
      const point = chart && trigger.value && trigger.value.points && trigger.value.points[0];
      if (!point) { return result; }
      const value = chart.point.reduce(function (at, key) { return at === null || at === undefined ? at : at[key]; }, point);
      return chart.none.includes(value) ? result : toggle(chart.filter, value);
    },

    /* components/routing.py register_units: the pointer or focus on the unit switch asks for the
     * view in the other units, unless the page holds them for its view or has asked already. A
     * touch screen has no pointer that comes first: there each view drawn asks, once. */
    wantUnits: function (_intent, shown, views, last) {
      const none = window.dash_clientside.no_update;
      const stamp = shown && shown._view;
      if (!stamp || (views && views.view === stamp) || (last && last.view === stamp)) { return none; }
      // A view drawn (with a pointer's earlier intent perhaps counted too): only a touch screen asks.
      const drawn = window.dash_clientside.callback_context.triggered.some(function (t) {
        return t.prop_id.indexOf("view-digests") >= 0;
      });
      if (drawn && !(window.matchMedia && window.matchMedia("(hover: none)").matches)) { return none; }
      const page = window.dash_clientside.callback_context.outputs_list.id.page;
      const radios = document.querySelectorAll("#" + CSS.escape(page + "-unit") + " input[type=radio]");
      const units = Array.from(radios, function (r) { return r.value; }).slice(0, 8);
      return units.length ? {units: units, view: stamp} : none;
    },

    /* components/routing.py register_units: a unit picked is drawn from the views the page holds
     * (only the outputs whose digest differs from what is on screen), or else asked of the server. */
    switchUnit: function (unit, views, shown, asked) {
      const none = window.dash_clientside.no_update;
      const count = window.dash_clientside.callback_context.outputs_list.length - 1;
      const filters = Array.prototype.slice.call(arguments, 4);
      const held = views && shown && views.view === shown._view && views.units && views.units[unit]
        && JSON.stringify(views.filters) === JSON.stringify(filters) ? views.units[unit] : null;
      if (!held) { return Array(count).fill(none).concat([(asked || 0) + 1]); }
      const digests = held[views.keys.indexOf("digests")];
      return views.keys.map(function (key, i) {
        if (key === "cue") { return held[i] === null ? none : held[i]; }
        if (key in digests) { return digests[key] === shown[key] ? none : held[i]; }
        return held[i];
      }).concat([none]);
    },

    /* components/performance.py: a filter change (or new data) empties the grid's page cache,
     * so it asks again from the first page. */
    purgeGrid: function () {
      const config = arguments[arguments.length - 1]; // after the filters and the data cue
      try { window.dash_ag_grid.getApi(config.perf_grid).purgeInfiniteCache(); } catch (e) { /* not drawn yet */ }
      return "first";
    },

    /* components/datacheck.py: an oversized file is named, not sent (the server checks again). */
    readUploads: function (contents, names, config) {
      if (!contents) { return window.dash_clientside.no_update; }
      const limits = config.upload_limits;
      let total = 0;
      return contents.map(function (c, i) {
        const name = names[i];
        const size = Math.floor((c.length - c.indexOf(",") - 1) * 3 / 4);
        if (i >= limits.files) { return {name: name, size: size, skipped: "count"}; }
        if (size > limits.file) { return {name: name, size: size, skipped: "size"}; }
        if (total + size > limits.total) { return {name: name, size: size, skipped: "total"}; }
        total += size;
        return {name: name, size: size, contents: c};
      });
    },
  },
});

/* The unit switch of a page that draws picks itself (components/layout.py unit-switch-here): the
 * pointer entering it, or focus, says a pick may follow, so the other units are asked for now. */
(function () {
  let n = 0;
  function intent(event) {
    const group = event.target.closest && event.target.closest(".unit-switch-here");
    if (!group || (event.relatedTarget && group.contains(event.relatedTarget)) || !window.dash_clientside.set_props) { return; }
    const page = (group.id || "").replace(/-unit$/, ""); // ids.page_filter(page, "unit")
    n += 1; // a new value each time: wantUnits reads the switch's units itself
    window.dash_clientside.set_props({role: "unit-intent", page: page}, {data: n});
  }
  document.addEventListener("pointerover", intent);
  document.addEventListener("focusin", intent);
})();
