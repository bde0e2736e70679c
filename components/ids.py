"""Every component id, named by section. Pattern-matching ids are functions."""

# Page shell
URL = "url"
PAGE = "page"
DATA_BANNER = "data-banner"  # files left out, or new versions rejected
LAST_QUERY = "last-query"  # the query the page itself last wrote into the URL
NAVBAR = "navbar"
NAV_BRAND = "nav-brand"
PRESENT_LINK = "present-link"
PRESENT = "present"  # briefing mode's root; assets/present.js finds it by this id
PRESENT_COUNTER = "present-counter"
EXPORT_MENU = "export-menu"


def export_link(kind: str) -> str:
    """pptx, pdf, xlsx: e.g. export-pdf."""
    return f"export-{kind}"


def caption(graph_id: str) -> str:
    """The sentences under a chart, which are also its accessible description."""
    return f"{graph_id}-caption"


def nav_link(page: str) -> dict:
    return {"role": "nav-link", "page": page}


def query_store(page: str) -> dict:
    """Each page's own filter state as a query string; synced into the URL."""
    return {"role": "query", "page": page}


def page_filter(page: str, name: str) -> str:
    """year, region and each page's own filters: e.g. transfers-year, debt-debt_type."""
    return f"{page}-{name}"


# 总览
OVERVIEW_CARDS = "overview-cards"
OVERVIEW_TRANSFERS_GRAPH = "overview-transfers-graph"
OVERVIEW_DEBT_GRAPH = "overview-debt-graph"
OVERVIEW_GRADES_GRAPH = "overview-grades-graph"

# 转移支付
TRANSFERS_KPIS = "transfers-kpis"
TRANSFERS_BARS = "transfers-bars"
TRANSFERS_WATERFALL = "transfers-waterfall"
TRANSFERS_TABLE = "transfers-table"
TRANSFERS_EXTRA = "transfers-extra"
TRANSFERS_COMPARE = "transfers-compare"
TRANSFERS_TREND = "transfers-trend"
TRANSFERS_CLEAR = "transfers-clear"

# 政府债务
DEBT_KPIS = "debt-kpis"
DEBT_COMPOSITION = "debt-composition"
DEBT_LIMIT = "debt-limit"
DEBT_FLOWS = "debt-flows"
DEBT_EXTRA = "debt-extra"
DEBT_COMPARE = "debt-compare"
DEBT_TREND = "debt-trend"
DEBT_CLEAR = "debt-clear"

# 绩效管理
PERF_KPIS = "performance-kpis"
PERF_GRADES = "performance-grades"
PERF_GRADE_AMOUNTS = "performance-grade-amounts"
PERF_TYPES = "performance-types"
PERF_GRID = "performance-grid"
PERF_GRID_NOTE = "performance-grid-note"
PERF_INDICATORS = "performance-indicators"
PERF_NOTES = "performance-notes"
PERF_EXTRA = "performance-extra"
PERF_COMPARE = "performance-compare"
PERF_TREND = "performance-trend"
PERF_CLEAR = "performance-clear"
