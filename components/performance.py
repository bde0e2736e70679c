"""预算绩效管理: grade distributions, evaluated departments and projects, indicators, notes."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, html

from components import grid_paging, ids, palette, vocab
from components.aggrid_locale import PAGED_COLUMN, PAGED_ROW_HEIGHT, grid_options
from components.charts import stacked_bars
from components.data import Dataset, DataSource, query
from components.figures import Figure, card_text
from components.filters import keep, regions_of, select, years_of
from components.layout import (
    chart_slot,
    chart_slot_outputs,
    chart_slot_values,
    make_caption,
    make_chart_card,
    make_empty_state,
    make_indicator_cards,
    make_kpi_card,
    make_notes_card,
    make_section_page,
    section_rows,
)
from components.plotdict import Fig
from components.routing import CrossFilter, register_cross_filter, register_view
from components.sections import performance as model_of
from components.sections.debt import figure_of
from components.sections.performance import PerformanceModel
from components.state import ViewState, from_url
from components.theme import (
    INK,
    MISSING,
    PERFORMANCE_UNIT,
    UNIT_FACTORS,
    base_figure,
    count_ticks,
    empty_figure,
    plain,
    unit_or,
)

PAGE = "performance"
GRID_PAGE = 20  # evaluations per page of the list
EMPTY = "暂无绩效评价数据"
# The region comparison and the trend, each in a card of its own that is redrawn in place.
SLOTS = {"compare": ids.PERF_COMPARE, "trend": ids.PERF_TREND}


def main_frames(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    return dataset.frame("evaluations"), dataset.frame("grades")


def main_keys(dataset: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (year, region) pairs of evaluations.csv and grades.csv: what years_of and regions_of need."""
    return dataset.keys("evaluations"), dataset.keys("grades")


def scoped_evaluations(dataset: Dataset, year, region, methods):
    return keep(dataset.rows("evaluations", year, region), "method", methods)


def listed_rows(dataset: Dataset, year, region, methods, target_types, grades_selected) -> pd.DataFrame:
    """The evaluations the list shows for the view."""
    evaluations = keep(scoped_evaluations(dataset, year, region, methods), "target_type", target_types)
    return keep(evaluations, "grade", grades_selected)


def model(dataset: Dataset, year, region, methods=(), target_types=(), grades_selected=(), unit=None):
    """The section model of the view, remembered per snapshot and view."""
    return model_of.model(dataset, year, region, methods, target_types, grades_selected, unit)


# ---------------------------------------------------------------- figures


def amount_of(figure: Figure) -> float | None:
    """A figure as a chart takes it (a float in its unit: drawing needs no exact decimals)."""
    return float(figure.value) if figure.stated else None



def listed_grades(grades) -> str:
    """「文件列出的等级：良、中」: what the file lists, never what it leaves out."""
    return f"文件列出的等级：{'、'.join(grades)}"


def fig_grades(m: PerformanceModel, selected=(), value: str | None = None) -> Fig:
    """Horizontal stacked bars: one bar per method (methods are never added), a segment per grade
    (优良 its own); shares where the file gives shares only; the selection stands out."""
    graded = m.graded
    if not graded:
        return empty_figure(EMPTY if m.empty else f"评价等级{MISSING}")
    value = value or m.value()
    money = value == "amount"
    if money and not any(g.amount.stated for g in m.grades):
        return empty_figure(f"各等级涉及金额{MISSING}", height=140)
    fig = base_figure(300)
    methods = [x.name for x in graded]
    by_method = {x.name: {g.grade: g for g in x.grades} for x in graded}
    present = vocab.ordered([g.grade for g in m.grades], vocab.GRADES)
    share_only = []
    for grade in present:
        cells = [by_method[name].get(grade) for name in methods]
        figures = [
            None if g is None else {"count": g.count, "share": g.share, "amount": g.amount}[value] for g in cells
        ]
        if value == "count":
            share_only += [
                f"{name}：{g.text()}" for name, g in zip(methods, cells, strict=True) if g and not g.count.stated
            ]
        shown = [None if f is None else amount_of(f) for f in figures]
        text = [_bar_text(f, value) for f in figures]
        fig.add_bar(
            name=grade,
            y=[plain(x) for x in methods],
            x=shown,
            orientation="h",
            marker=palette.selection_marker(
                [vocab.colour_of(grade)] * len(methods), [not selected or grade in selected] * len(methods)
            ),
            insidetextfont=None
            if not selected or grade in selected
            else dict(color=INK),  # on the paper, not the colour
            text=[f"{grade} {t}" if t else "" for t in text],
            textposition="inside",
            insidetextanchor="middle",
            customdata=[[t or MISSING, grade] for t in text],
            hovertemplate="%{y}<br>等级 %{customdata[1]}：%{customdata[0]}<extra></extra>",
        )
    notes = []
    if vocab.unlisted_grades(present):
        notes.append(listed_grades(present))
    if share_only:
        notes.append("只公布占比：" + "；".join(share_only))
    if notes:
        fig.add_annotation(
            text="<br>".join(plain(n) for n in notes),
            x=1,
            y=1.02,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
            font=dict(size=13, color="#6B7280"),
        )
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    if money:
        fig.update_xaxes(title_text=f"涉及金额（{m.unit}）", tickformat=",~f")
    elif value == "share":
        fig.update_xaxes(title_text="占比（%）", tickformat=",~f", range=[0, 100])
    else:
        largest = max(
            (x.counted.value or 0)
            if x.counted.stated
            else max((g.count.value for g in x.grades if g.count.stated), default=0)
            for x in graded
        )
        fig.update_xaxes(title_text="评价数（个）", **count_ticks(float(largest)))
    return fig


def _bar_text(figure: Figure | None, value: str) -> str:
    if figure is None or not figure.stated:
        return ""
    if value == "count":
        return f"{figure.text(with_unit=False)} 个"
    if value == "share":
        return f"占{figure.text()}"
    return card_text(figure)


def fig_target_types(m: PerformanceModel, selected=()) -> Fig:
    """The 对象类型 filter's own control: every type of the methods shown, the unselected greyed.
    Empty, it says why: the file names no evaluation of the grade, lists none, or none is chosen."""
    if not m.type_counts:
        if m.grades_unnamed:
            return empty_figure("文件未公布每个评价对象的等级")
        return empty_figure(model_of.NONE_CHOSEN if m.named else model_of.UNLISTED)
    counts = pd.DataFrame(list(m.type_counts), columns=["target_type", "count"])
    counts["group"] = "评价对象数"
    fig = stacked_bars(counts, "target_type", "group", "count", None, height=300, y_title="评价对象数（个）")
    fig.update_traces(
        marker=palette.selection_marker(
            [vocab.OKABE_ITO[5]] * len(counts), [not selected or t in selected for t in counts["target_type"]]
        ),
        showlegend=False,
        text=[f"{c} 个" for c in counts["count"]],
        textposition="outside",
        cliponaxis=False,
    )
    return fig


def grade_table(dataset: Dataset) -> pd.DataFrame:
    """Grade counts of every year, region and method at once (counts only), built once per snapshot:
    as grades.csv states them, else counted from graded evaluations. The trend and comparison
    charts read it instead of the evaluations themselves."""
    evaluations, grades = main_frames(dataset)
    keys = ["year", "region", "method"]
    published = grades[grades["count"].notna()] if len(grades) else grades
    counted = query.counts(dataset, "evaluations", keys + ["grade"])  # by DuckDB from the Parquet entry
    if counted is None:
        graded = evaluations[evaluations["grade"] != ""]
        counted = graded.groupby(keys + ["grade"], sort=False).size().rename("count").reset_index()
    if len(grades) and len(counted):
        stated = pd.MultiIndex.from_frame(grades[keys])
        counted = counted[~pd.MultiIndex.from_frame(counted[keys]).isin(stated)]
    return pd.concat([published[keys + ["grade", "count"]], counted], ignore_index=True)


def counts_of(dataset: Dataset, methods) -> pd.DataFrame:
    return keep(dataset.derived("performance.grade_table", grade_table), "method", methods)


def by_method(data: pd.DataFrame, column: str) -> pd.DataFrame:
    """One bar per `column` value and method where there are several methods: never added together."""
    several = data.groupby(column)["method"].nunique()
    label = [f"{v} {m}" if several.get(v, 1) > 1 else v for v, m in zip(data[column], data["method"], strict=True)]
    return data.assign(bar=label)


def fig_trend(dataset: Dataset, region: str, methods) -> Fig:
    data = select(counts_of(dataset, methods), region=region)
    if data.empty:
        return empty_figure(EMPTY)
    data = by_method(data.sort_values("year", kind="stable"), "year")
    data = data.groupby(["bar", "grade"], as_index=False, sort=False)["count"].sum()
    return stacked_bars(data, "bar", "grade", "count", None, vocab.GRADES, y_title="评价数（个）")


def fig_region_compare(dataset: Dataset, year: int, methods) -> Fig:
    data = select(counts_of(dataset, methods), year=year)
    if data.empty:
        return empty_figure(f"{year}年{EMPTY}")
    order = {r: i for i, r in enumerate(regions_of(*(select(k, year=year) for k in main_keys(dataset))))}
    data = data.sort_values("region", key=lambda regions: regions.map(order), kind="stable")
    data = by_method(data, "region")
    data = data.groupby(["bar", "grade"], as_index=False, sort=False)["count"].sum()
    return stacked_bars(data, "bar", "grade", "count", None, vocab.GRADES, y_title="评价数（个）")


# ---------------------------------------------------------------- page pieces


def grid_columns(unit: str = PERFORMANCE_UNIT) -> list[dict]:
    """The evaluations list's columns; 涉及金额 in the display unit."""
    return [{**c, "headerName": f"涉及金额（{unit}）"} if c["field"] == "amount" else c for c in GRID_COLUMNS]


GRID_COLUMNS = [
    {"field": "target", "headerName": "评价对象", "flex": 2, "minWidth": 200},
    {"field": "target_type", "headerName": "对象类型", "flex": 1},
    {"field": "method", "headerName": "评价方式", "flex": 1},
    {
        "field": "amount",
        "headerName": f"涉及金额（{PERFORMANCE_UNIT}）",
        "flex": 1,
        "minWidth": 120,  # its header in two lines at most
        "type": "rightAligned",
        "filter": "agNumberColumnFilter",
        # As printed (amount_text: 1.8095, 4.50, 45,000); the number itself sorts and filters.
        "valueFormatter": {
            "function": f"params.value == null ? '{MISSING}' : "
            "(params.data && params.data.amount_text) || d3.format(',.2~f')(params.value)"
        },
    },
    {
        "field": "score",
        "headerName": "得分",
        "width": 100,
        "filter": "agNumberColumnFilter",
        "valueFormatter": {"function": f"params.value == null ? '{MISSING}' : params.value"},
    },
    {
        "field": "grade",
        "headerName": "等级",
        "width": 100,
        "valueFormatter": {"function": f"params.value ? params.value : '{MISSING}'"},
    },
    {"field": "note", "headerName": "说明", "flex": 2},
]


def grid_rows(listed: pd.DataFrame, unit: str = PERFORMANCE_UNIT) -> list[dict]:
    """The list's rows (amounts held in 万元) in the display unit, each amount also as printed there."""
    columns = [c["field"] for c in GRID_COLUMNS]
    shown = listed[columns].assign(amount=listed["amount"] / UNIT_FACTORS[unit])
    rows = shown.astype(object).where(shown.notna(), None).to_dict("records")
    for row, record in zip(rows, listed.to_dict("records"), strict=True):
        figure = figure_of(record, "amount", unit, money=True)
        row["amount_text"] = figure.text(with_unit=False, thousands=True) if figure.stated else None
    return rows


def grid_page(dataset: Dataset, year, region, methods, target_types, grades_selected, request, unit=None) -> dict:
    """One page of the evaluations list, sorted and filtered as the grid asks (getRowsResponse).
    Amounts are in the display unit first, so the grid's number filter reads what the viewer sees."""
    listed = listed_rows(dataset, year, region, methods, target_types, grades_selected)
    shown = unit_or(unit, default_unit(dataset, year, region))
    listed = listed.assign(_wan=listed["amount"], amount=listed["amount"] / UNIT_FACTORS[shown])
    return grid_paging.page(listed, request, lambda rows: grid_rows(rows.assign(amount=rows["_wan"]), shown))


def default_unit(dataset: Dataset, year, region) -> str:
    """The page's and the list's display unit when the viewer chose none: the one the rows were printed in."""
    return model_of.printed_unit_of(dataset, year, region)


def grid_note(m: PerformanceModel) -> list:
    notes = []
    if m.grades_unnamed:
        notes.append(
            f"文件只公布了等级分布：{m.summary()}；未公布每个评价对象的等级，"
            f"所以无法列出等级为{'、'.join(m.grades_selected)}的评价对象。"
        )
    elif not m.named and m.grades:
        notes.append(f"{model_of.UNLISTED}，只公布了等级分布：{m.summary()}。")
    if m.aggregate_only:
        notes.append("等级分布来自 grades.csv，不区分对象类型，对象类型筛选不适用于等级图。")
    return [dbc.Alert(n, color="info", className="py-2 small mb-2") for n in notes]


def per_method(figures) -> str:
    """「单位自评 3 个 · 财政复核 3 个」: one count per method, never their sum; a count added up
    from the grades says so."""
    return " · ".join(f"{name} {card_text(f, how=model_of.COUNTED)}" for name, f in figures)


def make_kpis(m: PerformanceModel) -> list:
    if m.empty:
        return [dbc.Col(make_empty_state(f"{m.region or ''}{m.year or ''}年{EMPTY}"))]
    part = f"（{m.subset}）" if m.subset else ""
    if m.grades_unnamed:  # count the grade, name no evaluation
        chosen = m.chosen()
        one = chosen[0][1] if len(chosen) == 1 else None
        value = per_method(chosen) if one is None else f"{one.text(with_unit=False)} 个" if one.stated else MISSING
        count_card = make_kpi_card(
            f"等级为{'、'.join(m.grades_selected)}的评价",
            value,
            "文件未列明是哪几个评价对象",
            card_id="performance-kpi-count",
        )
    elif not m.named:  # grades.csv only: how many, from the grades' counts; none of them named
        value = card_text(m.total, how=model_of.COUNTED) if len(m.methods) == 1 else per_method(
            (x.name, x.counted) for x in m.methods
        )
        count_card = make_kpi_card("评价对象", value, model_of.UNLISTED, card_id="performance-kpi-count")
    else:
        by_type = " · ".join(f"{t} {n} 个" for t, n in m.listed_types)
        count_card = make_kpi_card(f"评价对象{part}", f"{m.listed} 个", by_type, card_id="performance-kpi-count")
    methods = "、".join(x.name for x in m.graded)
    if len(m.graded) > 1:
        methods += "（分别计数，不相加）"
    return [
        count_card,
        make_kpi_card(f"评价涉及金额{part}（{model_of.SUMMED}）", card_text(m.amount), m.amount_gaps),
        make_kpi_card("评价等级分布", m.summary() or MISSING, methods, card_id="performance-kpi-grades"),
    ]


def filter_options(dataset: Dataset) -> dict[str, list[str]]:
    """The page's filter choices, read from the data once per snapshot (millions of rows at scale)."""
    evaluations, grades = main_frames(dataset)
    seen = {c: list(evaluations[c].unique()) + list(grades[c].unique()) for c in ("method", "grade")}
    return {
        "method": vocab.ordered(seen["method"], ()),
        "target_type": vocab.ordered(evaluations["target_type"].unique(), ("部门整体支出", "项目支出", "政策")),
        "grade": vocab.ordered(seen["grade"], vocab.GRADES),
    }


def layout(dataset: Dataset, search: str) -> html.Div:
    years = years_of(*main_keys(dataset)) or years_of(dataset.frame("indicators"), dataset.frame("notes"))
    regions = regions_of(*main_keys(dataset), dataset.frame("indicators"), dataset.frame("notes"))
    opts = dataset.derived("performance.options", filter_options)
    view = from_url(search, PAGE, years, regions, opts)  # (ViewState, notices)
    state = view[0]
    return make_section_page(
        PAGE,
        "预算绩效管理",
        years,
        regions,
        view,
        opts,
        default_unit(dataset, state.year, state.region),  # as the document prints it
        ids.PERF_CLEAR,
        [
            dbc.Row(id=ids.PERF_KPIS),
            dbc.Row(id=ids.PERF_INDICATORS),
            dbc.Row(
                [
                    dbc.Col(
                        make_chart_card(
                            "评价等级分布（个数）",
                            ids.PERF_GRADES,
                            "绩效管理_评价等级分布",
                            "点击等级筛选评价对象",
                            (PAGE, "grade", opts["grade"]),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        make_chart_card(
                            "评价对象类型",
                            ids.PERF_TYPES,
                            "绩效管理_评价对象类型",
                            "点击柱子按类型筛选",
                            (PAGE, "target_type", opts["target_type"]),
                        ),
                        lg=6,
                    ),
                ]
            ),
            dbc.Card(
                [
                    dbc.CardHeader("评价对象清单", className="fw-semibold"),
                    dbc.CardBody(
                        [
                            html.Div(id=ids.PERF_GRID_NOTE),
                            dag.AgGrid(
                                id=ids.PERF_GRID,
                                # Rows come a page at a time from the server (grid_page): a province
                                # region-year lists thousands of evaluations. Its empty message is
                                # set once: true whether the filters or the file (grid_note) left it empty.
                                rowModelType="infinite",
                                columnDefs=GRID_COLUMNS,
                                defaultColDef=PAGED_COLUMN,
                                dashGridOptions=grid_options(
                                    "本表没有可列出的评价对象",
                                    GRID_PAGE,
                                    cacheBlockSize=GRID_PAGE,
                                    maxBlocksInCache=10,
                                    rowHeight=PAGED_ROW_HEIGHT,
                                ),
                                className="ag-theme-quartz",
                                style={"width": "100%"},
                            ),
                        ]
                    ),
                ],
                className="mb-3",
            ),
            dbc.Row(dbc.Col(make_chart_card("各等级涉及金额", ids.PERF_GRADE_AMOUNTS, "绩效管理_各等级涉及金额"))),
            *(chart_slot(graph_id) for graph_id in SLOTS.values()),
            html.Div(id=ids.PERF_NOTES),
        ],
        f"{EMPTY}（evaluations.csv、grades.csv 未提供或未载入）",
    )


def sentences(m: PerformanceModel) -> dict[str, list[str]]:
    """What to say about each chart of the view (captions, slides, exports)."""
    return {ids.PERF_GRADES: list(m.sentences["grades"]), ids.PERF_TYPES: list(m.sentences["types"])}


def trend_charts(dataset: Dataset, year, region, methods) -> list[tuple]:
    """(id, figure, file name, title) of the trend and the region comparison, where the data has
    several years or regions: the page draws them, and the deck and the exports show them too."""
    evaluations, grades = main_keys(dataset)
    charts = []
    if len(years_of(select(evaluations, region=region), select(grades, region=region))) > 1:
        charts.append(
            (ids.PERF_TREND, dataset.cached(fig_trend, region, methods), f"绩效管理_历年等级分布_{region}", f"{region}历年评价等级分布")
        )
    if len(regions_of(select(evaluations, year=year), select(grades, year=year))) > 1:
        charts.append(
            (
                ids.PERF_COMPARE,
                dataset.cached(fig_region_compare, year, methods),
                f"绩效管理_地区对比_{year}",
                f"{year}年各地区评价等级分布",
            )
        )
    return charts


def view(dataset: Dataset, state: ViewState) -> dict[str, object]:
    """Everything the page shows for one view, keyed like OUTPUTS (pure: no Dash state)."""
    year, region, unit = state.year, state.region, state.unit
    methods, target_types, grades_selected = (list(state.get(n)) for n in ("method", "target_type", "grade"))
    printed = default_unit(dataset, year, region)
    m = model(dataset, year, region, methods, target_types, grades_selected, unit)
    said = sentences(m)
    indicators = section_rows(dataset, "indicators", "绩效管理", year, region)
    notes = section_rows(dataset, "notes", "绩效管理", year, region)
    return {
        "kpis": make_kpis(m),
        "indicators": make_indicator_cards(indicators, unit),
        "grades": fig_grades(m, grades_selected),
        "grades_caption": make_caption(said[ids.PERF_GRADES]),
        "types": fig_target_types(m, target_types),
        "types_caption": make_caption(said[ids.PERF_TYPES]),
        "grid_columns": grid_columns(unit_or(unit, printed)),
        "grid_note": grid_note(m),
        "grade_amounts": fig_grades(m, grades_selected, value="amount"),
        **chart_slot_values(SLOTS, trend_charts(dataset, year, region, methods)),
        "notes": make_notes_card(notes, "工作开展情况、存在的问题与下一步工作思路"),
        "query": state.query(printed),
    }


OUTPUTS = {
    "kpis": Output(ids.PERF_KPIS, "children"),
    "indicators": Output(ids.PERF_INDICATORS, "children"),
    "grades": Output(ids.PERF_GRADES, "figure"),
    "grades_caption": Output(ids.caption(ids.PERF_GRADES), "children"),
    "types": Output(ids.PERF_TYPES, "figure"),
    "types_caption": Output(ids.caption(ids.PERF_TYPES), "children"),
    "grid_columns": Output(ids.PERF_GRID, "columnDefs"),
    "grid_note": Output(ids.PERF_GRID_NOTE, "children"),
    "grade_amounts": Output(ids.PERF_GRADE_AMOUNTS, "figure"),
    **chart_slot_outputs(SLOTS),
    "notes": Output(ids.PERF_NOTES, "children"),
}


def client_config() -> dict:
    """The grid whose page cache purgeGrid (assets/clientside.js) empties."""
    return {"perf_grid": ids.PERF_GRID}


# The grades chart's bars carry their grade in customdata[1]; the types chart's x is the type.
# The clear button empties the method too, though no chart sets it.
CROSS_FILTER = CrossFilter(
    PAGE,
    ("grade", "target_type", "method"),
    ids.PERF_CLEAR,
    {ids.PERF_GRADES: ("grade", ("customdata", 1), ()), ids.PERF_TYPES: ("target_type", ("x",), ())},
)


def register_callbacks(app, source: DataSource) -> None:
    f = lambda name: ids.page_filter(PAGE, name)  # noqa: E731

    register_view(app, source, PAGE, OUTPUTS, view)

    filters = ("year", "region", "method", "target_type", "grade", "unit")

    # Only when the grid asks: the initial call Dash makes when the grid arrives (no request yet)
    # answered the same first page the grid then asks for itself, so its rows came twice.
    @app.callback(
        Output(ids.PERF_GRID, "getRowsResponse"),
        Input(ids.PERF_GRID, "getRowsRequest"),
        *[State(f(name), "value") for name in filters],
        prevent_initial_call=True,
    )
    def grid(request, year, region, methods, target_types, grades_selected, unit):
        return grid_page(source.get(), year, region, methods, target_types, grades_selected, request, unit)

    # A filter change (or new data) empties the grid's page cache, so it asks again from the first page.
    app.clientside_callback(
        ClientsideFunction(namespace="dashboard", function_name="purgeGrid"),
        Output(ids.PERF_GRID, "paginationGoTo"),
        *[Input(f(name), "value") for name in filters],
        Input(ids.page_data(PAGE), "data"),  # the data changed: the pages too
        State(ids.CLIENT_CONFIG, "data"),
        prevent_initial_call=True,
    )

    register_cross_filter(app, CROSS_FILTER)
