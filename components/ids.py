"""Every component id, named by section. Pattern-matching ids are functions."""

# Page shell
URL = "url"
PAGE = "page"
MAIN = "main"  # the main landmark, which the skip link moves focus to
SKIP_LINK = "skip-link"
PAGE_FOOTER = "page-footer-slot"  # after the main landmark: the page's footer (contentinfo)
DOC_TITLE = "doc-title"  # the browser tab's title the page last set (assets/clientside.js pageTitle)
DATA_BANNER = "data-banner"  # files left out, or new versions rejected
LAST_QUERY = "last-query"  # the query the page itself last wrote into the URL
ROUTE = "route"  # the path and query to render: the URL, less the page's own echoes of its filters
NAVBAR = "navbar"
NAV_BRAND = "nav-brand"
PRESENT_LINK = "present-link"
PRESENT = "present"  # briefing mode's root; assets/present.js finds it by this id
PRESENT_COUNTER = "present-counter"
EXPORT_MENU = "export-menu"
CLIENT_CONFIG = "client-config"  # dcc.Store: what assets/clientside.js needs to know (paths, limits, ids)


def export_link(kind: str) -> str:
    """pptx, pdf, xlsx: e.g. export-pdf."""
    return f"export-{kind}"


def chart_table(graph_id: str) -> str:
    """The 数据表 under a chart: the chart's figures as a table (built by assets/chart-table.js)."""
    return f"{graph_id}-table"


def chart_slot(graph_id: str) -> str:
    """The holder of a comparison or trend card (layout.chart_slot), folded away while the view has none."""
    return f"{graph_id}-slot"


def chart_title(graph_id: str) -> str:
    """A chart card's title, which also names the chart for screen readers (aria-labelledby)."""
    return f"{graph_id}-title"


def chart_figure(graph_id: str) -> str:
    """The role=figure box around a graph: its aria-label names the chart."""
    return f"{graph_id}-figure"


def chart_choice(graph_id: str, filter_id: str, value) -> dict:
    """A button beside a chart that does what clicking its bar or slice does: toggles `value` in
    the filter `filter_id` (a page_filter id). ALL for `graph_id` or `value` in callbacks."""
    return {"role": "chart-choice", "graph": graph_id, "filter": filter_id, "value": value}


def caption(graph_id: str) -> str:
    """The sentences under a chart, which are also its accessible description."""
    return f"{graph_id}-caption"


# Live updates: the page polls the data version and re-renders when it changed
DATA_POLL = "data-poll"  # dcc.Interval
RENDERED_VERSION = "rendered-version"  # the data version the page on screen was rendered from
DATA_CHANGED = "data-changed"  # set by the poll to a newer version: redraw the view


def page_data(page: str) -> dict:
    """A store in each page's filter bar, set anew when the data changed: the view's cue to redraw."""
    return {"role": "data-version", "page": page}


def page_end(page: str) -> dict:
    """The 数据核验 panel and the footer of a page, redrawn when the data changed."""
    return {"role": "page-end", "page": page}


def page_footer(page: str) -> dict:
    """A page's footer (file times, sources), redrawn when the data changed."""
    return {"role": "page-footer", "page": page}


# Checks of the published figures
FINDINGS_PANEL = "findings-panel"  # 数据核验: every finding of the page's files


def finding_marker(target: str) -> dict:
    """Where a card or chart shows the findings about it; `target` is the card's or graph's id."""
    return {"role": "finding-marker", "target": target}


def finding_badge(target: str) -> str:
    return f"finding-badge-{target}"


def nav_link(page: str) -> dict:
    return {"role": "nav-link", "page": page}


def query_store(page: str) -> dict:
    """Each page's own filter state as a query string; synced into the URL."""
    return {"role": "query", "page": page}


def view_digests(page: str) -> dict:
    """A digest of each output the page's view last drew: an unchanged one is not sent again."""
    return {"role": "view-digests", "page": page}


def marker_cue(page: str) -> dict:
    """Set to the view's query when the page has findings to mark (none: no marker request at all)."""
    return {"role": "marker-cue", "page": page}


# A unit switch drawn in the browser (routing.register_units): the viewer's pointer or focus on the
# switch asks for the view in the other units; a pick then draws it without a request.
def unit_intent(page: str) -> dict:
    """Set by assets/clientside.js when the pointer or focus reaches the page's unit switch."""
    return {"role": "unit-intent", "page": page}


def unit_request(page: str) -> dict:
    """The units whose views the server is asked for (only when the page holds none for its view)."""
    return {"role": "unit-request", "page": page}


def unit_views(page: str) -> dict:
    """The view in each other unit, as the drawing callback would send it, stamped with its view."""
    return {"role": "unit-views", "page": page}


def unit_asked(page: str) -> dict:
    """Counts unit picks the browser could not draw itself: each one asks the drawing callback."""
    return {"role": "unit-asked", "page": page}


def page_filter(page: str, name: str) -> str:
    """year, region and each page's own filters: e.g. transfers-year, debt-debt_type."""
    return f"{page}-{name}"


# 总览
OVERVIEW_CARDS = "overview-cards"
OVERVIEW_KPI_TRANSFERS = "overview-kpi-transfers"
OVERVIEW_KPI_DEBT = "overview-kpi-debt"
OVERVIEW_KPI_BONDS = "overview-kpi-bonds"
OVERVIEW_KPI_PERFORMANCE = "overview-kpi-performance"
OVERVIEW_TRANSFERS_GRAPH = "overview-transfers-graph"
OVERVIEW_DEBT_GRAPH = "overview-debt-graph"
OVERVIEW_GRADES_GRAPH = "overview-grades-graph"

# 转移支付
TRANSFERS_KPIS = "transfers-kpis"
TRANSFERS_KPI_BUDGET = "transfers-kpi-budget"
TRANSFERS_KPI_CHANGE = "transfers-kpi-change"
TRANSFERS_BARS = "transfers-bars"
TRANSFERS_WATERFALL = "transfers-waterfall"
TRANSFERS_TABLE = "transfers-table"
TRANSFERS_EXTRA = "transfers-extra"
TRANSFERS_COMPARE = "transfers-compare"
TRANSFERS_TREND = "transfers-trend"
TRANSFERS_CLEAR = "transfers-clear"

# 政府债务
DEBT_KPIS = "debt-kpis"
DEBT_KPI_BALANCE = "debt-kpi-balance"
DEBT_KPI_LIMIT = "debt-kpi-limit"
DEBT_KPI_BONDS = "debt-kpi-bonds"
DEBT_KPI_SERVICE = "debt-kpi-service"
DEBT_COMPOSITION = "debt-composition"
DEBT_LIMIT = "debt-limit"
DEBT_FLOWS = "debt-flows"
DEBT_EXTRA = "debt-extra"
DEBT_COMPARE = "debt-compare"
DEBT_TREND = "debt-trend"
DEBT_CLEAR = "debt-clear"

# 绩效管理
PERF_KPIS = "performance-kpis"
PERF_KPI_COUNT = "performance-kpi-count"
PERF_KPI_GRADES = "performance-kpi-grades"
PERF_GRADES = "performance-grades"
PERF_GRADE_AMOUNTS = "performance-grade-amounts"
PERF_TYPES = "performance-types"
PERF_GRID = "performance-grid"
PERF_GRID_NOTE = "performance-grid-note"
PERF_INDICATORS = "performance-indicators"
PERF_NOTES = "performance-notes"
PERF_COMPARE = "performance-compare"
PERF_TREND = "performance-trend"
PERF_CLEAR = "performance-clear"

# 数据检查 (upload preview)
CHECK_UPLOAD = "check-upload"
CHECK_FILES = "check-files"  # what the browser sends: name and contents per file, oversized ones without
CHECK_REPORT = "check-report"


def check_preview(name: str) -> str:
    """A preview chart on the 数据检查 page, e.g. check-preview-transfers-bars."""
    return f"check-preview-{name}"


# 绩效监控 (双监控: execution and targets together)
MON_SUMMARY = "monitor-summary"
MON_QUADRANT = "monitor-quadrant"
MON_DETAIL = "monitor-detail"  # the clicked unit's indicators
MON_ALERTS = "monitor-alerts"  # the 预警 list (AG Grid, sorted and filtered in the browser)
MON_ALERTS_EXPORT = "monitor-alerts-export"
MON_SCORES = "monitor-scores"
MON_RANKING = "monitor-ranking"
MON_MISSES = "monitor-misses"
MON_APPLICATION = "monitor-application"
MON_APPLICATION_TABLE = "monitor-application-table"
MON_CLEAR = "monitor-clear"
