"""Findings on the page: a marker beside each card or chart whose figures a check found inconsistent.

Which findings a view shows is a pure function of the data and the view's query; the
callback only places them. Markers are filled after the view has drawn (they follow
the page's query store), so the page modules know nothing of them.
"""

from __future__ import annotations

from collections import defaultdict

from dash import ALL, Input, Output, ctx

from components import checks, ids, overview, vocab
from components.checks import Finding
from components.data import Dataset, DataSource
from components.page_end import make_finding_marker
from components.state import parse_query

# Debt columns by the KPI card (and chart) that shows them.
DEBT_TARGETS = {
    "余额": (ids.DEBT_KPI_BALANCE, ids.DEBT_COMPOSITION),
    "限额": (ids.DEBT_KPI_LIMIT,),
    "新增债券": (ids.DEBT_KPI_BONDS, ids.DEBT_FLOWS),
    "再融资债券": (ids.DEBT_KPI_BONDS, ids.DEBT_FLOWS),
    "还本": (ids.DEBT_KPI_SERVICE, ids.DEBT_FLOWS),
    "付息": (ids.DEBT_KPI_SERVICE, ids.DEBT_FLOWS),
    "还本付息": (ids.DEBT_KPI_SERVICE,),
}
OVERVIEW_TARGETS = {
    "transfers": (ids.OVERVIEW_KPI_TRANSFERS, ids.OVERVIEW_TRANSFERS_GRAPH),
    "debt": (ids.OVERVIEW_KPI_DEBT, ids.OVERVIEW_DEBT_GRAPH),
    "performance": (ids.OVERVIEW_KPI_PERFORMANCE, ids.OVERVIEW_GRADES_GRAPH),
}
# The overview's year per section is the latest up to the selected one with rows in these files.
OVERVIEW_FILES = {"transfers": ("transfers",), "debt": ("debt",), "performance": ("evaluations", "grades")}
# The filter of a section page that narrows the findings by their subject.
SUBJECT_FILTER = {"transfers": "category", "debt": "debt_type"}


def targets(finding: Finding) -> tuple[str, ...]:
    """The cards and charts of a section page that show the figures a finding is about."""
    if finding.section == "transfers":
        if finding.kind == "total":
            return (
                (ids.TRANSFERS_KPI_BUDGET, ids.TRANSFERS_BARS) if finding.column == "预算数" else (ids.TRANSFERS_BARS,)
            )
        if finding.kind == "change":
            return (ids.TRANSFERS_KPI_CHANGE,) if finding.subject == vocab.TOTAL else (ids.TRANSFERS_WATERFALL,)
        return (ids.TRANSFERS_BARS,)
    if finding.section == "debt":
        return (ids.DEBT_KPI_LIMIT,) if finding.kind == "limit" else DEBT_TARGETS.get(finding.column or "", ())
    return (ids.PERF_KPI_GRADES, ids.PERF_GRADES)


def marked(dataset: Dataset, page: str, query: str | None) -> dict[str, list[Finding]]:
    """Findings by the id of the card or chart they concern, for one view (page and query)."""
    params = parse_query(query)
    region = (params.get("region") or [None])[0]
    try:
        year = int((params.get("year") or [""])[0])
    except ValueError:
        year = None
    out: dict[str, list[Finding]] = defaultdict(list)
    if page == "overview":
        shown = {s: overview.section_year(dataset, files, region, year) for s, files in OVERVIEW_FILES.items()}
    for finding in checks.findings(dataset):
        if page == "overview":
            if (finding.year, finding.region) == (shown[finding.section], region):
                for target in OVERVIEW_TARGETS[finding.section]:
                    out[target].append(finding)
            continue
        if finding.section != page or (finding.year, finding.region) != (year, region):
            continue
        chosen = params.get(SUBJECT_FILTER.get(page, ""), [])
        # With a selection the stated 合计 is not shown, and other categories are not either.
        if chosen and finding.subject not in chosen:
            continue
        for target in targets(finding):
            out[target].append(finding)
    return out


def register_callbacks(app, source: DataSource) -> None:
    @app.callback(
        Output(ids.finding_marker(ALL), "children"),
        Input(ids.marker_cue(ALL), "data"),
        prevent_initial_call=True,
    )
    def place_markers(cues):
        # The view cues this with "version|query" where the page has findings, or the bare version
        # once they are gone (routing.register_view): then every marker is cleared.
        stores = ctx.inputs_list[0]
        cue = cues[0] if stores and isinstance(cues[0], str) else ""
        if "|" not in cue:
            return [[] for _ in ctx.outputs_list]
        found = marked(source.get(), stores[0]["id"]["page"], cue.split("|", 1)[1])
        return [make_finding_marker(o["id"]["target"], found.get(o["id"]["target"], [])) for o in ctx.outputs_list]
