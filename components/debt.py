"""政府债务: data functions, figures, layout and callbacks."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, dcc, html

from components import explain, ids, vocab
from components.charts import donut, grouped_bars, stacked_bars
from components.data import Dataset, DataSource
from components.filters import (
    build_query,
    keep,
    parse_query,
    regions_of,
    resolve,
    select,
    sum_stated,
    toggle,
    years_of,
)
from components.layout import (
    make_caption,
    make_chart_card,
    make_empty_state,
    make_filter_bar,
    make_graph,
    make_kpi_card,
    make_section_extras,
)
from components.theme import (
    DEBT_UNIT,
    MISSING,
    empty_figure,
    fmt_amount,
    fmt_number,
    fmt_pct,
    graph_config,
    is_missing,
    unit_or,
)

PAGE = "debt"
EMPTY = "暂无政府债务数据"
NO_LIMIT = "无单列限额"
FLOWS = (
    ("new_bonds", "新增债券"),
    ("refinancing_bonds", "再融资债券"),
    ("principal_repaid", "还本"),
    ("interest_paid", "付息"),
)


def by_type(rows: pd.DataFrame, selected) -> tuple[pd.DataFrame, pd.Series | None]:
    """(one row per selected debt type in canonical order, the stated 合计 row or None)."""
    types = rows[rows["debt_type"] != vocab.TOTAL]
    types = keep(types, "debt_type", selected)
    order = vocab.ordered(types["debt_type"], vocab.DEBT_TYPES)
    types = types.set_index("debt_type").loc[order].reset_index() if order else types
    stated = rows[rows["debt_type"] == vocab.TOTAL]
    return types, (stated.iloc[0] if len(stated) and not selected else None)


def total_of(types: pd.DataFrame, stated: pd.Series | None, column: str) -> float:
    """A total computed from the types; the stated 合计 only when no type is given."""
    if len(types):
        return sum_stated(types[column])
    return stated[column] if stated is not None else math.nan


def bond_terms(types: pd.DataFrame, stated: pd.Series | None) -> tuple[float, float]:
    """Average term and rate of the new bonds: as stated for the total, else weighted by amount."""
    if stated is not None and not (is_missing(stated["avg_term_years"]) and is_missing(stated["avg_rate_pct"])):
        return stated["avg_term_years"], stated["avg_rate_pct"]
    issued = types[types["new_bonds"].fillna(0) > 0]
    if issued.empty or issued[["avg_term_years", "avg_rate_pct"]].isna().any().any():
        return math.nan, math.nan
    weights = issued["new_bonds"]
    return (
        (issued["avg_term_years"] * weights).sum() / weights.sum(),
        (issued["avg_rate_pct"] * weights).sum() / weights.sum(),
    )


def bond_terms_text(term: float, rate: float) -> str:
    """平均期限 16 年 · 平均利率 3.21% (rates keep two decimals, as bond notices print them)."""
    term_text = MISSING if is_missing(term) else f"{fmt_number(term, 2)} 年"
    rate_text = MISSING if is_missing(rate) else f"{fmt_number(rate, 2, trim=False)}%"
    return f"平均期限 {term_text} · 平均利率 {rate_text}"


def limit_notes(rows: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(n for n in rows["note"] if n))


def no_limit(rows: pd.DataFrame) -> bool:
    """The file states the region has no limit of its own (限额 `无单列限额`); an empty limit is 未公布."""
    return bool(rows["no_limit"].any())


# ---------------------------------------------------------------- figures


def fig_composition(types: pd.DataFrame, stated: pd.Series | None, unit: str = DEBT_UNIT) -> go.Figure:
    if types.empty:
        return empty_figure(EMPTY)
    total = total_of(types, stated, "balance")
    return donut(
        list(types["debt_type"]), list(types["balance"]), unit, f"余额合计<br><b>{fmt_amount(total, unit)}</b>"
    )


def fig_limit(types: pd.DataFrame, unit: str = DEBT_UNIT) -> go.Figure:
    """Balance against limit per type, for the types that have a limit."""
    rows = types[types["limit"].notna()]
    colours = [vocab.colour_of(t) for t in rows["debt_type"]]
    return grouped_bars(
        list(rows["debt_type"]),
        [("限额", list(rows["limit"]), colours, "prior"), ("余额", list(rows["balance"]), colours, "")],
        unit,
        height=340,
    )


def fig_flows(types: pd.DataFrame, unit: str = DEBT_UNIT) -> go.Figure:
    """New bonds, refinancing, principal repaid and interest paid, one colour per debt type."""
    if types.empty:
        return empty_figure(EMPTY)
    labels = [label for _, label in FLOWS]
    series = [
        (
            row.debt_type,
            [getattr(row, column) for column, _ in FLOWS],
            [vocab.colour_of(row.debt_type)] * len(FLOWS),
            "",
        )
        for row in types.itertuples()
    ]
    return grouped_bars(labels, series, unit)


def fig_trend(frame: pd.DataFrame, region: str, selected, unit: str = DEBT_UNIT) -> go.Figure:
    rows = keep(select(frame, region=region), "debt_type", selected)
    rows = rows[rows["debt_type"] != vocab.TOTAL]
    if rows.empty:
        return empty_figure(EMPTY)
    return stacked_bars(
        rows,
        "year",
        "debt_type",
        "balance",
        unit,
        vocab.DEBT_TYPES,
        y_title="年末余额",
        x_order=sorted(rows["year"].unique()),
    )


def fig_region_compare(frame: pd.DataFrame, year: int, selected, unit: str = DEBT_UNIT) -> go.Figure:
    rows = keep(select(frame, year=year), "debt_type", selected)
    rows = rows[rows["debt_type"] != vocab.TOTAL]
    if rows.empty:
        return empty_figure(f"{year}年{EMPTY}")
    return stacked_bars(rows, "region", "debt_type", "balance", unit, vocab.DEBT_TYPES, y_title="年末余额")


# ---------------------------------------------------------------- page pieces


def split_text(types: pd.DataFrame, column: str, unit: str) -> str:
    return " · ".join(f"{row.debt_type} {fmt_amount(getattr(row, column), unit)}" for row in types.itertuples())


def make_kpis(
    types: pd.DataFrame, stated: pd.Series | None, rows: pd.DataFrame, year, region, unit: str = DEBT_UNIT
) -> list:
    if types.empty and stated is None:
        return [dbc.Col(make_empty_state(f"{region or ''}{year or ''}年{EMPTY}"))]
    limit = total_of(types, stated, "limit")
    term, rate = bond_terms(types, stated)
    balance = total_of(types, stated, "balance")
    if is_missing(limit):
        limit_detail = "；".join(limit_notes(rows)) if no_limit(rows) else ""
    else:  # a utilisation ratio only where a limit is stated
        limit_detail = f"余额占限额 {fmt_pct(balance / limit * 100)}" if limit and not is_missing(balance) else ""
    return [
        make_kpi_card(
            f"{year}年末债务余额",
            fmt_amount(total_of(types, stated, "balance"), unit),
            split_text(types, "balance", unit),
            card_id="debt-kpi-balance",
        ),
        make_kpi_card(
            "债务限额",
            (NO_LIMIT if no_limit(rows) else MISSING) if is_missing(limit) else fmt_amount(limit, unit),
            limit_detail,
            card_id="debt-kpi-limit",
        ),
        make_kpi_card(
            "新增债券",
            fmt_amount(total_of(types, stated, "new_bonds"), unit),
            bond_terms_text(term, rate),
            card_id="debt-kpi-bonds",
        ),
        make_kpi_card(
            "还本付息",
            f"付息 {fmt_amount(total_of(types, stated, 'interest_paid'), unit)}",
            f"还本 {fmt_amount(total_of(types, stated, 'principal_repaid'), unit)}",
            card_id="debt-kpi-service",
        ),
    ]


def make_limit_panel(types: pd.DataFrame, rows: pd.DataFrame, unit: str = DEBT_UNIT) -> list:
    """Balance against limit where a limit is stated; otherwise say there is none, and why."""
    if types["limit"].notna().any():
        return [
            dcc.Graph(
                id=ids.DEBT_LIMIT + "-graph", figure=fig_limit(types, unit), config=graph_config("政府债务_限额与余额")
            )
        ]
    notes = limit_notes(rows) if no_limit(rows) else []
    return [
        dbc.Alert(
            [
                html.Div(NO_LIMIT if no_limit(rows) else f"债务限额{MISSING}", className="fw-semibold fs-5"),
                html.Div("；".join(notes) if notes else "文件未列出本地区的债务限额，不计算限额使用率。"),
            ],
            color="info",
            className="mb-0",
            id=ids.DEBT_LIMIT + "-none",
        )
    ]


def layout(dataset: Dataset, search: str) -> html.Div:
    frame = dataset.frame("debt")
    years, regions = years_of(frame), regions_of(frame)
    type_options = vocab.ordered(frame[frame["debt_type"] != vocab.TOTAL]["debt_type"].unique(), vocab.DEBT_TYPES)
    state = resolve(parse_query(search), years, regions, PAGE, {"debt_type": type_options})
    header = [html.H2("政府债务", className="page-title")]
    if not years:
        return html.Div(header + [make_empty_state(f"{EMPTY}（debt.csv 未提供或未载入）")])
    return html.Div(
        header
        + [
            make_filter_bar(
                PAGE, years, regions, state, [("debt_type", "债务类型", type_options)], ids.DEBT_CLEAR, DEBT_UNIT
            ),
            dbc.Row(id=ids.DEBT_KPIS),
            dbc.Row(
                [
                    dbc.Col(
                        make_chart_card(
                            "年末债务余额构成", ids.DEBT_COMPOSITION, "政府债务_余额构成", "点击扇区按债务类型筛选"
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            dbc.Card(
                                [
                                    dbc.CardHeader("债务限额与余额", className="fw-semibold"),
                                    dbc.CardBody(html.Div(id=ids.DEBT_LIMIT)),
                                ],
                                className="mb-3",
                            ),
                            make_chart_card("新增债券与还本付息", ids.DEBT_FLOWS, "政府债务_新增债券与还本付息"),
                        ],
                        lg=6,
                    ),
                ]
            ),
            html.Div(id=ids.DEBT_EXTRA),
        ]
    )


def sentences(dataset: Dataset, year, region, selected, unit: str) -> dict[str, list[str]]:
    """What to say about each chart of the view (captions, slides, exports)."""
    rows = select(dataset.frame("debt"), year, region)
    types, stated = by_type(rows, selected)
    if types.empty and stated is None:
        return {ids.DEBT_COMPOSITION: [f"{year}年政府债务数据{MISSING}。"], ids.DEBT_FLOWS: []}
    term, rate = bond_terms(types, stated)
    balance = total_of(types, stated, "balance")
    limit = explain.debt_limit(region, total_of(types, stated, "limit"), balance, limit_notes(rows), unit)
    if is_missing(total_of(types, stated, "limit")) and not no_limit(rows):
        limit = f"{region}政府债务限额{MISSING}，不计算限额使用率。"
    return {
        ids.DEBT_COMPOSITION: [explain.debt_balance(year, region, types, balance, unit), limit],
        ids.DEBT_FLOWS: [
            explain.debt_bonds(year, types, total_of(types, stated, "new_bonds"), term, rate, unit),
            explain.debt_service(
                year,
                types,
                total_of(types, stated, "principal_repaid"),
                total_of(types, stated, "interest_paid"),
                unit,
            ),
        ],
    }


def view(dataset: Dataset, year, region, selected, unit: str | None = None) -> tuple:
    frame = dataset.frame("debt")
    shown = unit_or(unit, DEBT_UNIT)
    rows = select(frame, year, region)
    types, stated = by_type(rows, selected)
    said = sentences(dataset, year, region, selected, shown)
    extra = []
    if len(years_of(select(frame, region=region))) > 1:
        extra.append(
            make_graph(
                ids.DEBT_TREND,
                fig_trend(frame, region, selected, shown),
                f"政府债务_历年余额_{region}",
                f"{region}历年年末债务余额",
            )
        )
    if len(regions_of(select(frame, year=year))) > 1:
        extra.append(
            make_graph(
                ids.DEBT_COMPARE,
                fig_region_compare(frame, year, selected, shown),
                f"政府债务_地区对比_{year}",
                f"{year}年末各地区债务余额对比",
            )
        )
    extra += make_section_extras(dataset, "政府债务", year, region, shown)
    limit_panel = make_limit_panel(types, rows, shown) if len(types) else [make_empty_state(EMPTY)]
    return (
        make_kpis(types, stated, rows, year, region, shown),
        fig_composition(types, stated, shown),
        make_caption(said[ids.DEBT_COMPOSITION]),
        limit_panel,
        fig_flows(types, shown),
        make_caption(said[ids.DEBT_FLOWS]),
        extra,
        build_query(year, region, {"debt_type": selected or []}, None if shown == DEBT_UNIT else shown),
    )


def register_callbacks(app, source: DataSource) -> None:
    f = lambda name: ids.page_filter(PAGE, name)  # noqa: E731

    @app.callback(
        Output(ids.DEBT_KPIS, "children"),
        Output(ids.DEBT_COMPOSITION, "figure"),
        Output(ids.caption(ids.DEBT_COMPOSITION), "children"),
        Output(ids.DEBT_LIMIT, "children"),
        Output(ids.DEBT_FLOWS, "figure"),
        Output(ids.caption(ids.DEBT_FLOWS), "children"),
        Output(ids.DEBT_EXTRA, "children"),
        Output(ids.query_store(PAGE), "data"),
        Input(f("year"), "value"),
        Input(f("region"), "value"),
        Input(f("debt_type"), "value"),
        Input(f("unit"), "value"),
        Input(ids.page_data(PAGE), "data"),  # the data changed: redraw
    )
    def update(year, region, selected, unit, _data):
        return source.get().cached(view, year, region, selected, unit)

    @app.callback(
        Output(f("debt_type"), "value"),
        Input(ids.DEBT_COMPOSITION, "clickData"),
        Input(ids.DEBT_CLEAR, "n_clicks"),
        State(f("debt_type"), "value"),
        prevent_initial_call=True,
    )
    def cross_filter(click, _clear, selected):
        if ctx.triggered_id == ids.DEBT_CLEAR:
            return []
        points = (click or {}).get("points") or []
        return toggle(selected, points[0].get("label") if points else None)
