"""政府债务: data functions, figures, layout and callbacks."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, dcc, html

from components import ids, vocab
from components.charts import donut, grouped_bars, stacked_bars
from components.data import Dataset, DataSource, query
from components.figures import DERIVED, card_text
from components.filters import keep, regions_of, select, years_of
from components.layout import (
    chart_slot,
    chart_slot_outputs,
    chart_slot_values,
    make_caption,
    make_chart_card,
    make_empty_state,
    make_kpi_card,
    make_section_extras,
    make_section_page,
)
from components.plotdict import Fig
from components.routing import CrossFilter, register_cross_filter, register_view
from components.sections import debt as model_of
from components.sections.debt import DebtModel
from components.state import ViewState, from_url
from components.theme import (
    DEBT_UNIT,
    MISSING,
    empty_figure,
    graph_config,
)

PAGE = "debt"
EMPTY = "暂无政府债务数据"
NO_LIMIT = model_of.NO_LIMIT
FLOWS = model_of.FLOWS
# The region comparison and the trend, each in a card of its own that is redrawn in place.
SLOTS = {"compare": ids.DEBT_COMPARE, "trend": ids.DEBT_TREND}
# What a balance chart reads of a row (figure_of: the unit, line, value, margin and printed text).
BALANCE_COLUMNS = ["year", "region", "debt_type", "unit", "line", "balance", "_m_balance", "_p_balance"]


SERVICE = (("principal_repaid", "还本"), ("interest_paid", "付息"))


def types_serviced(m: DebtModel) -> list[str]:
    """「一般债务还本 12,422.85 亿元 · 付息 5,190.86 亿元」 for each type that prints either."""
    return [
        t.name + " · ".join(f"{label} {card_text(t.figures[key])}" for key, label in SERVICE if t.figures[key].stated)
        for t in m.types
        if any(t.figures[key].stated for key, _ in SERVICE)
    ]


def computed(figure) -> str:
    """「（按分项计算）」 after a total the document does not print."""
    return "（按分项计算）" if figure.source == "computed" else ""


def bonds_text(m: DebtModel) -> tuple[str, str]:
    """The 新增债券 card's value and detail: the whole as printed, then the terms; where only types
    print it, 「合计未公布」 and theirs (「专项债务 2.85 亿元」), never a bare 未公布 above a drawn bar."""
    total = m.totals["new_bonds"]
    typed = [f"{t.name} {card_text(t.figures['new_bonds'])}" for t in m.types if t.figures["new_bonds"].stated]
    value, typed = (card_text(total), "") if total.stated or not typed else (f"合计{MISSING}", " · ".join(typed))
    # The mark first: after the terms it read 「平均利率 未公布（按分项计算）」, as if of the rate.
    return value, "；".join(x for x in (computed(total).strip("（）"), typed, terms_text(m)) if x)


def service_text(m: DebtModel) -> tuple[str, str]:
    """The 还本付息 card's value and detail, on the page and the overview alike."""
    t = m.totals
    repaid, paid = (t[key] for key, _ in SERVICE)
    said = [f"{label} {card_text(t[key])}{computed(t[key])}" for key, label in SERVICE]  # 还本, 付息
    if t["debt_service"].stated:  # printed: shown as printed, its parts beside it where known
        parts = [text for text, f in zip(said, (repaid, paid), strict=True) if f.stated]
        return card_text(t["debt_service"]), " · ".join(parts) or "还本、付息未分列"  # titled 还本付息 already
    if not (repaid.stated or paid.stated) and (typed := types_serviced(m)):
        return f"合计{MISSING}", "；".join(typed)  # no total printed or computable: the types that print theirs
    # The printed one in the headline: 「还本 128.92 亿元」 above 「付息 未公布」, else 付息 first.
    return tuple(said) if repaid.stated and not paid.stated else tuple(said[::-1])


def split_text(m: DebtModel, alias: str) -> str:
    return " · ".join(f"{t.name} {card_text(t.figures[alias])}" for t in m.types)


def terms_text(m: DebtModel) -> str:
    """平均期限 16 年 · 平均利率 3.21%, each as printed, or marked where weighted; where the whole
    has neither, the types that print theirs (「一般债务 平均期限 8.4 年 · 平均利率 2.27%」)."""
    mark = lambda f: "（加权）" if f.source == "computed" else ""  # noqa: E731

    def said(term, rate) -> str:
        term = f"{term.text(with_unit=False)} 年{mark(term)}" if term.stated else MISSING
        return f"平均期限 {term} · 平均利率 {f'{rate.text()}{mark(rate)}' if rate.stated else MISSING}"

    typed = [t for t in m.types if t.term.stated or t.rate.stated]
    if m.term.stated or m.rate.stated or m.subset or not typed:
        return said(m.term, m.rate)
    return "；".join(f"{t.name} {said(t.term, t.rate)}" for t in typed)


# ---------------------------------------------------------------- figures


def fig_composition(m: DebtModel) -> Fig:
    if not m.types:
        return empty_figure(EMPTY)
    centre = f"{m.subset or '余额'}合计<br><b>{card_text(m.totals['balance'])}</b>"
    balances = [t.figures["balance"] for t in m.types]
    return donut([t.name for t in m.types], balances, m.unit, centre, whole=not m.unlisted)


def fig_limit(m: DebtModel) -> Fig:
    """Balance against limit per type, for the types that print a limit."""
    rows = [t for t in m.types if t.figures["limit"].stated]
    colours = [vocab.colour_of(t.name) for t in rows]
    return grouped_bars(
        [t.name for t in rows],
        [
            ("限额", [t.figures["limit"] for t in rows], colours, "prior"),
            ("余额", [t.figures["balance"] for t in rows], colours, ""),
        ],
        m.unit,
        height=340,
    )


def fig_flows(m: DebtModel) -> Fig:
    """New bonds, refinancing, principal repaid and interest paid, one colour per debt type."""
    labels = [label for _, label in FLOWS]
    series = [
        (t.name, [t.figures[a] for a, _ in FLOWS], [vocab.colour_of(t.name)] * len(FLOWS), "") for t in m.types
    ]
    # Many notices print 还本, 付息 or 再融资 on the 合计 row only: the 合计 is then drawn beside the
    # types (never 「未公布」 bars where the document gives the figure).
    only_total = [
        a
        for a, _ in FLOWS
        if m.totals[a].source == "printed" and not (m.types and all(t.figures[a].stated for t in m.types))
    ]
    if only_total:
        name = f"{m.subset}合计" if m.subset else vocab.TOTAL
        series.append((name, [m.totals[a] for a, _ in FLOWS], [vocab.colour_of(vocab.TOTAL)] * len(FLOWS), ""))
    if not series:
        return empty_figure(EMPTY)
    return grouped_bars(labels, series, m.unit)


def fig_trend(frame: pd.DataFrame, region: str, selected, unit: str = DEBT_UNIT) -> Fig:
    return trend_figure(select(frame, region=region), selected, unit)


def fig_region_compare(frame: pd.DataFrame, year: int, selected, unit: str = DEBT_UNIT) -> Fig:
    return compare_figure(select(frame, year=year), year, selected, unit)


def trend_figure(rows: pd.DataFrame, selected, unit: str) -> Fig:
    """Each year's balance by debt type of one region's rows."""
    rows = keep(rows, "debt_type", selected)
    rows = rows[rows["debt_type"] != vocab.TOTAL]
    if rows.empty:
        return empty_figure(EMPTY)
    return stacked_bars(
        balances(rows, unit),
        "year",
        "debt_type",
        "balance",
        unit,
        vocab.DEBT_TYPES,
        y_title="年末余额",
        x_order=sorted(rows["year"].unique()),
    )


def compare_figure(rows: pd.DataFrame, year: int, selected, unit: str) -> Fig:
    """Each region's balance by debt type of one year's rows."""
    rows = keep(rows, "debt_type", selected)
    rows = rows[rows["debt_type"] != vocab.TOTAL]
    if rows.empty:
        return empty_figure(f"{year}年{EMPTY}")
    return stacked_bars(balances(rows, unit), "region", "debt_type", "balance", unit, vocab.DEBT_TYPES, y_title="年末余额")


def balance_rows(dataset: Dataset, year=None, region=None) -> pd.DataFrame:
    """select(debt, year, region) with the columns a balance chart reads: read by DuckDB from the
    file's Parquet entry where it has one (components/data/query.py), else from the frame."""
    got = query.rows(dataset, "debt", BALANCE_COLUMNS, year, region)
    return select(dataset.frame("debt"), year, region) if got is None else got


def region_trend(dataset: Dataset, region: str, selected, unit: str) -> Fig | None:
    """The trend of one region, None where fewer than two years print a balance (a year whose table
    prints none is no point of the trend). Remembered per snapshot: Dataset.cached."""
    rows = balance_rows(dataset, region=region)
    if len(years_of(rows[rows["balance"].notna()])) <= 1:
        return None
    return trend_figure(rows, selected, unit)


def region_compare(dataset: Dataset, year: int, selected, unit: str) -> Fig:
    return compare_figure(balance_rows(dataset, year=year), year, selected, unit)


def balances(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The rows with each balance as a Figure in `unit`, as the section model shows it (printed text kept)."""
    figures = [model_of.figure_of(r, "balance", unit) for r in rows.to_dict("records")]
    return rows.assign(balance=pd.Series(figures, index=rows.index, dtype=object))


# ---------------------------------------------------------------- page pieces


def make_kpis(m: DebtModel) -> list:
    if m.empty:
        return [dbc.Col(make_empty_state(f"{m.region or ''}{m.year or ''}年{EMPTY}"))]
    t = m.totals
    if m.limit == "none":
        limit, limit_detail = NO_LIMIT, "；".join(m.notes)
    elif m.limit == "missing" and m.unlisted and any(t.figures["limit"].stated for t in m.types):
        limit, limit_detail = MISSING, f"{m.why_no_total}；{split_text(m, 'limit')}"
    elif m.limit == "missing":
        limit, limit_detail = MISSING, f"文件未列出{m.debt}限额，不计算限额使用率"
    else:
        limit, limit_detail = card_text(t["limit"]), ""
        if m.usage.stated:
            limit_detail = f"余额占限额 {card_text(m.usage, how=DERIVED)}"
    return [
        make_kpi_card(
            m.labelled(f"{m.year}年末{m.debt}余额"),
            card_text(t["balance"]),
            "；".join(x for x in ("" if t["balance"].stated else m.why_no_total, split_text(m, "balance") + computed(t["balance"])) if x),
            card_id="debt-kpi-balance",
        ),
        make_kpi_card(f"{m.debt}限额", limit, limit_detail, card_id="debt-kpi-limit"),  # a limit has no 口径
        make_kpi_card(m.labelled("新增债券"), *bonds_text(m), card_id="debt-kpi-bonds"),
        make_kpi_card(m.labelled("还本付息"), *service_text(m), card_id="debt-kpi-service"),
    ]


def make_limit_panel(m: DebtModel) -> list:
    """Balance against limit where a limit is printed; otherwise what the document says, and only that."""
    if any(t.figures["limit"].stated for t in m.types):
        return [dcc.Graph(id=ids.DEBT_LIMIT + "-graph", figure=fig_limit(m), config=graph_config("政府债务_限额与余额"))]
    if m.limit == "none":
        head, body = NO_LIMIT, "；".join(m.notes) or "文件说明本地区没有单列的债务限额。"
    elif m.limit == "stated":
        head, body = f"债务限额 {card_text(m.totals['limit'])}", "文件只列出限额合计，未分债务类型。"
    else:
        head, body = f"{m.debt}限额{MISSING}", f"文件未列出本地区的{m.debt}限额，不计算限额使用率。"
    return [
        dbc.Alert(
            [html.Div(head, className="fw-semibold fs-5"), html.Div(body)],
            color="info",
            className="mb-0",
            id=ids.DEBT_LIMIT + "-none",
        )
    ]


def filter_options(dataset: Dataset) -> dict[str, list[str]]:
    """The page's 债务类型 choices, in the report's order (合计 is no type to filter by)."""
    frame = dataset.frame("debt")
    return {"debt_type": vocab.ordered(frame[frame["debt_type"] != vocab.TOTAL]["debt_type"].unique(), vocab.DEBT_TYPES)}


def layout(dataset: Dataset, search: str) -> html.Div:
    frame = dataset.frame("debt")
    years, regions = years_of(frame), regions_of(frame)
    options = dataset.derived("debt.options", filter_options)
    view = from_url(search, PAGE, years, regions, options)  # (ViewState, notices)
    state = view[0]
    return make_section_page(
        PAGE,
        "政府债务",
        years,
        regions,
        view,
        options,
        model_of.printed_unit(select(frame, state.year, state.region)),  # as the document prints it
        ids.DEBT_CLEAR,
        [
            dbc.Row(id=ids.DEBT_KPIS),
            dbc.Row(
                [
                    dbc.Col(
                        make_chart_card(
                            "年末债务余额构成",
                            ids.DEBT_COMPOSITION,
                            "政府债务_余额构成",
                            "点击扇区按债务类型筛选",
                            (PAGE, "debt_type", options["debt_type"]),
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
            *(chart_slot(graph_id) for graph_id in SLOTS.values()),
            html.Div(id=ids.DEBT_EXTRA),
        ],
        f"{EMPTY}（debt.csv 未提供或未载入）",
    )


def sentences(m: DebtModel) -> dict[str, list[str]]:
    """What to say about each chart of the view (captions, slides, exports)."""
    return {ids.DEBT_COMPOSITION: list(m.sentences["composition"]), ids.DEBT_FLOWS: list(m.sentences["flows"])}


def trend_charts(dataset: Dataset, year, region, selected, unit: str) -> list[tuple]:
    """(id, figure, file name, title) of the trend and the region comparison, where the data has
    several years or regions: the page draws them, and the deck and the exports show them too."""
    charts = []
    trend = dataset.cached(region_trend, region, selected, unit)
    if trend is not None:
        charts.append((ids.DEBT_TREND, trend, f"政府债务_历年余额_{region}", f"{region}历年年末债务余额"))
    if len(regions_of(select(dataset.keys("debt"), year=year))) > 1:  # the (year, region) pairs: no scan
        charts.append(
            (
                ids.DEBT_COMPARE,
                dataset.cached(region_compare, year, selected, unit),
                f"政府债务_地区对比_{year}",
                f"{year}年末各地区债务余额对比",
            )
        )
    return charts


def view(dataset: Dataset, state: ViewState) -> dict[str, object]:
    """Everything the page shows for one view, keyed like OUTPUTS (pure: no Dash state)."""
    year, region, selected = state.year, state.region, list(state.get("debt_type"))
    printed = model_of.printed_unit(select(dataset.frame("debt"), year, region))
    m = model_of.model(dataset, year, region, selected, state.shown_unit(printed))
    said = sentences(m)
    charts = trend_charts(dataset, year, region, selected, m.unit)
    return {
        "kpis": make_kpis(m),
        "composition": fig_composition(m),
        "composition_caption": make_caption(said[ids.DEBT_COMPOSITION]),
        "limit": make_limit_panel(m) if m.types else [make_empty_state(EMPTY)],
        "flows": fig_flows(m),
        "flows_caption": make_caption(said[ids.DEBT_FLOWS]),
        **chart_slot_values(SLOTS, charts),
        "extra": make_section_extras(dataset, "政府债务", year, region, state.unit),
        "query": state.query(printed),
    }


OUTPUTS = {
    "kpis": Output(ids.DEBT_KPIS, "children"),
    "composition": Output(ids.DEBT_COMPOSITION, "figure"),
    "composition_caption": Output(ids.caption(ids.DEBT_COMPOSITION), "children"),
    "limit": Output(ids.DEBT_LIMIT, "children"),
    "flows": Output(ids.DEBT_FLOWS, "figure"),
    "flows_caption": Output(ids.caption(ids.DEBT_FLOWS), "children"),
    **chart_slot_outputs(SLOTS),
    "extra": Output(ids.DEBT_EXTRA, "children"),
}


# A click on the composition's slice names its debt type (label).
CROSS_FILTER = CrossFilter(PAGE, ("debt_type",), ids.DEBT_CLEAR, {ids.DEBT_COMPOSITION: ("debt_type", ("label",), ())})


def register_callbacks(app, source: DataSource) -> None:
    register_view(app, source, PAGE, OUTPUTS, view)
    register_cross_filter(app, CROSS_FILTER)
