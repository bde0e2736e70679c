"""税收返还和转移支付: data functions, figures, layout and callbacks."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, ctx, html

from components import checks, explain, ids, vocab
from components.charts import grouped_bars, stacked_bars, wrap
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
    MISSING,
    TRANSFERS_UNIT,
    axis_format,
    base_figure,
    empty_figure,
    fmt_amount,
    fmt_change,
    fmt_pct,
    in_unit,
    is_missing,
    plain,
    unit_or,
)

PAGE = "transfers"
EMPTY = "暂无转移支付数据"


def with_change(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["change"] = out["budget"] - out["prior_actual"]
    prior = out["prior_actual"].where(out["prior_actual"] != 0)
    out["change_pct"] = out["change"] / prior * 100
    return out


def categories(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per category (合计 excluded) for rows of one year and region.

    A category without its own total row takes the sum of its line items.
    """
    rows = rows[rows["category"] != vocab.TOTAL]
    totals = rows[rows["item"] == ""]
    items = rows[(rows["item"] != "") & ~rows["category"].isin(totals["category"])]
    derived = (
        items.groupby("category", sort=False)
        .agg(budget=("budget", sum_stated), prior_actual=("prior_actual", sum_stated))
        .reset_index()
        .assign(item="", note="由明细项目加总", derived=True)
    )
    frames = [f for f in (totals.assign(derived=False), derived) if len(f)]
    out = pd.concat(frames, ignore_index=True) if frames else totals.assign(derived=False)
    order = vocab.ordered(out["category"], vocab.CATEGORIES)
    out = out.set_index("category").loc[order].reset_index() if order else out
    return with_change(out)


def budgets_by(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """categories()' budget per category for every value of `by` (region or year) at once:
    a comparison across 120 regions is one pass, not 120. Groups in first-seen order."""
    rows = rows[rows["category"] != vocab.TOTAL]
    keys = [by, "category"]
    totals = rows[rows["item"] == ""]
    items = rows[rows["item"] != ""]
    items = items[~pd.MultiIndex.from_frame(items[keys]).isin(pd.MultiIndex.from_frame(totals[keys]))]
    derived = items.groupby(keys, sort=False)["budget"].agg(["sum", "count", "size"]).reset_index()
    derived["budget"] = derived["sum"].where(derived["count"] == derived["size"])  # as sum_stated()
    out = pd.concat([totals[keys + ["budget"]], derived[keys + ["budget"]]], ignore_index=True)
    first_seen = {value: i for i, value in enumerate(rows[by].unique())}
    rank = {c: i for i, c in enumerate(vocab.ordered(out["category"], vocab.CATEGORIES))}
    out = out.assign(_group=out[by].map(first_seen), _rank=out["category"].map(rank))
    return out.sort_values(["_group", "_rank"], kind="stable").drop(columns=["_group", "_rank"])


def summary(cats: pd.DataFrame, stated_total: pd.DataFrame) -> dict:
    """Totals computed from the categories; the stated 合计 only when no category is given."""
    if len(cats):
        budget, prior = sum_stated(cats["budget"]), sum_stated(cats["prior_actual"])
        basis = "按类别加总"
    elif len(stated_total):
        budget, prior = stated_total["budget"].iloc[0], stated_total["prior_actual"].iloc[0]
        basis = "文件所列合计"
    else:
        return {}
    change = budget - prior
    return {
        "budget": budget,
        "prior": prior,
        "change": change,
        "change_pct": change / prior * 100 if prior else math.nan,
        "ratio_pct": budget / prior * 100 if prior else math.nan,
        "basis": basis,
    }


def page_rows(dataset: Dataset, year, region, selected) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(categories, line items, stated 合计) for the view."""
    rows = select(dataset.frame("transfers"), year, region)
    stated = rows[(rows["category"] == vocab.TOTAL) & (rows["item"] == "")]
    cats = keep(categories(rows), "category", selected)
    items = keep(with_change(rows[(rows["item"] != "") & (rows["category"] != vocab.TOTAL)]), "category", selected)
    return cats, items, (stated if not selected else stated.iloc[0:0])


# ---------------------------------------------------------------- figures


def fig_budget_vs_prior(cats: pd.DataFrame, unit: str = TRANSFERS_UNIT) -> go.Figure:
    """Grouped bars: last year's execution (hatched) and this year's budget per category."""
    if cats.empty:
        return empty_figure(EMPTY)
    names = list(cats["category"])
    colours = [vocab.colour_of(n, tuple(names)) for n in names]
    return grouped_bars(
        [plain(n) for n in names],
        [("上年执行数", list(cats["prior_actual"]), colours, "prior"), ("预算数", list(cats["budget"]), colours, "")],
        unit,
        details=[change_detail(row, unit) for _, row in cats.iterrows()],
    )


def change_detail(row: pd.Series, unit: str) -> str:
    """Hover lines: the change against last year and, where the document gives one, its reason."""
    text = f"<br>比上年执行数：{fmt_change(row['change'], unit)}（{fmt_pct(row['change_pct'], signed=True)}）"
    return text + (f"<br>原因：{wrap(row['note'])}" if row.get("note") else "")


def fig_waterfall(cats: pd.DataFrame, unit: str = TRANSFERS_UNIT) -> go.Figure:
    """From last year's total to this year's, one step per category in its own colour."""
    if cats.empty:
        return empty_figure(EMPTY)
    unknown = cats[cats["change"].isna()]["category"].tolist()
    if unknown:
        return empty_figure(f"{'、'.join(unknown)}的预算数或上年执行数{MISSING}，无法分解增减")
    prior, budget = cats["prior_actual"].sum(), cats["budget"].sum()
    steps = [("上年执行数", 0.0, prior, vocab.NEUTRAL, fmt_amount(prior, unit), "")]
    running = prior
    for _, row in cats.iterrows():
        steps.append(
            (
                plain(row["category"]),
                running,
                row["change"],
                vocab.colour_of(row["category"]),
                fmt_change(row["change"], unit),
                change_detail(row, unit),
            )
        )
        running += row["change"]
    steps.append(("本年预算数", 0.0, budget, vocab.NEUTRAL, fmt_amount(budget, unit), ""))
    labels, bases, heights, colours, texts, details = zip(*steps, strict=True)
    fig = base_figure()
    fig.add_bar(
        x=list(labels),
        base=[in_unit(b, unit) for b in bases],
        y=[in_unit(h, unit) for h in heights],
        marker_color=list(colours),
        text=[t.replace(f" {unit}", "") for t in texts],
        textposition="outside",
        cliponaxis=False,
        customdata=[[t, d] for t, d in zip(texts, details, strict=True)],
        hovertemplate="%{x}：%{customdata[0]}%{customdata[1]}<extra></extra>",
        showlegend=False,
    )
    fig.update_yaxes(title_text=f"金额（{unit}）", tickformat=axis_format(unit), rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


def fig_region_compare(frame: pd.DataFrame, year: int, selected, unit: str = TRANSFERS_UNIT) -> go.Figure:
    data = keep(budgets_by(select(frame, year=year), "region"), "category", selected)
    if data.empty:
        return empty_figure(f"{year}年{EMPTY}")
    return stacked_bars(data, "region", "category", "budget", unit, vocab.CATEGORIES, y_title="预算数")


def fig_trend(frame: pd.DataFrame, region: str, selected, unit: str = TRANSFERS_UNIT) -> go.Figure:
    data = keep(budgets_by(select(frame, region=region), "year"), "category", selected)
    if data.empty:
        return empty_figure(EMPTY)
    return stacked_bars(
        data,
        "year",
        "category",
        "budget",
        unit,
        vocab.CATEGORIES,
        y_title="预算数",
        x_order=sorted(data["year"].unique()),
    )


# ---------------------------------------------------------------- page pieces


def make_kpis(total: dict, year, region, unit: str = TRANSFERS_UNIT) -> list:
    if not total:
        return [dbc.Col(make_empty_state(f"{region or ''}{year or ''}年{EMPTY}"))]
    return [
        make_kpi_card("本年预算数", fmt_amount(total["budget"], unit), total["basis"], card_id="transfers-kpi-budget"),
        make_kpi_card("上年执行数", fmt_amount(total["prior"], unit)),
        make_kpi_card(
            "比上年执行数增减",
            fmt_change(total["change"], unit),
            fmt_pct(total["change_pct"], signed=True),
            card_id="transfers-kpi-change",
        ),
        make_kpi_card("为上年执行数的", fmt_pct(total["ratio_pct"])),
    ]


def make_table(
    cats: pd.DataFrame, items: pd.DataFrame, stated: pd.DataFrame, total: dict, unit: str = TRANSFERS_UNIT
) -> html.Div:
    """Categories with their line items beneath, change and stated reason; total from the parts."""
    if cats.empty and items.empty:
        return make_empty_state(EMPTY)

    def cells(row, label, cls=""):
        return html.Tr(
            [
                html.Td(label, className=cls),
                html.Td(fmt_amount(row["budget"], unit, False), className="num"),
                html.Td(fmt_amount(row["prior_actual"], unit, False), className="num"),
                html.Td(fmt_change(row["change"], unit).replace(f" {unit}", ""), className="num"),
                html.Td(fmt_pct(row["change_pct"], signed=True), className="num"),
                html.Td(row.get("note") or "", className="reason"),
            ]
        )

    body = []
    for _, cat in cats.iterrows():
        body.append(cells(cat, cat["category"], "fw-semibold"))
        for _, item in items[items["category"] == cat["category"]].iterrows():
            body.append(cells(item, f"其中：{item['item']}", "ps-4"))
    if total:
        total_row = {
            "budget": total["budget"],
            "prior_actual": total["prior"],
            "change": total["change"],
            "change_pct": total["change_pct"],
            "note": "",
        }
        if len(stated):
            # As the checks do: a category without a row of its own counts by its items.
            total_row["note"] = stated_total_note(
                stated.iloc[0], checks.total_parts(cats[~cats["derived"]], items), unit
            )
        body.append(cells(total_row, f"合计（{total['basis']}）", "fw-bold"))
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (
                    "类别 / 项目",
                    f"预算数（{unit}）",
                    f"上年执行数（{unit}）",
                    f"增减额（{unit}）",
                    "增减率",
                    "说明",
                )
            ]
        )
    )
    return dbc.Table(
        [head, html.Tbody(body)],
        bordered=False,
        hover=True,
        responsive=True,
        size="sm",
        className="data-table",
        id=ids.TRANSFERS_TABLE + "-table",
    )


def stated_total_note(stated: pd.Series, cats, unit: str) -> str:
    """The document's 合计 beside the computed one: checked with rounding in mind, never added."""
    parts = []
    for key, label in (("budget", "预算数"), ("prior_actual", "上年执行数")):
        if is_missing(stated[key]):
            continue
        finding = checks.compare_total("transfers.csv", "合计", stated, cats, key, label)
        verdict = "与分项加总一致" if finding is None else f"与分项加总不一致：{finding.message}"
        parts.append(f"文件所列{label}合计 {fmt_amount(stated[key], unit)}，{verdict}")
    text = "；".join(parts)
    return f"{text}。{stated['note']}" if stated.get("note") else text


def layout(dataset: Dataset, search: str) -> html.Div:
    frame = dataset.frame("transfers")
    years, regions = years_of(frame), regions_of(frame)
    category_options = vocab.ordered(frame[frame["category"] != vocab.TOTAL]["category"].unique(), vocab.CATEGORIES)
    state = resolve(parse_query(search), years, regions, PAGE, {"category": category_options})
    header = [html.H2("税收返还和转移支付", className="page-title")]
    if not years:
        return html.Div(header + [make_empty_state(f"{EMPTY}（transfers.csv 未提供或未载入）")])
    return html.Div(
        header
        + [
            make_filter_bar(
                PAGE,
                years,
                regions,
                state,
                [("category", "类别", category_options)],
                ids.TRANSFERS_CLEAR,
                TRANSFERS_UNIT,
            ),
            dbc.Row(id=ids.TRANSFERS_KPIS),
            dbc.Row(
                [
                    dbc.Col(
                        make_chart_card(
                            "预算数与上年执行数",
                            ids.TRANSFERS_BARS,
                            "转移支付_预算数与上年执行数",
                            "点击柱子按类别筛选",
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        make_chart_card(
                            "从上年执行数到本年预算数的增减",
                            ids.TRANSFERS_WATERFALL,
                            "转移支付_增减分解",
                            "点击类别筛选",
                        ),
                        lg=6,
                    ),
                ]
            ),
            dbc.Card(
                [
                    dbc.CardHeader("分类别明细与增减原因", className="fw-semibold"),
                    dbc.CardBody(html.Div(id=ids.TRANSFERS_TABLE)),
                ],
                className="mb-3",
            ),
            html.Div(id=ids.TRANSFERS_EXTRA),
        ]
    )


def sentences(dataset: Dataset, year, region, selected, unit: str) -> dict[str, list[str]]:
    """What to say about each chart of the view (captions, slides, exports)."""
    cats, _items, stated = page_rows(dataset, year, region, selected)
    total = summary(cats, stated)
    return {
        ids.TRANSFERS_BARS: explain.transfers_sentences(year, total, cats, unit),
        ids.TRANSFERS_WATERFALL: [explain.transfers_steps(year, total, cats, unit)],
    }


def view(dataset: Dataset, year, region, selected, unit: str | None = None) -> tuple:
    """Everything the page shows for one filter state (pure: no Dash state)."""
    frame = dataset.frame("transfers")
    shown = unit_or(unit, TRANSFERS_UNIT)
    cats, items, stated = page_rows(dataset, year, region, selected)
    total = summary(cats, stated)
    said = sentences(dataset, year, region, selected, shown)
    extra = []
    if len(regions_of(select(frame, year=year))) > 1:
        extra.append(
            make_graph(
                ids.TRANSFERS_COMPARE,
                fig_region_compare(frame, year, selected, shown),
                f"转移支付_地区对比_{year}",
                f"{year}年各地区预算数对比",
            )
        )
    if len(years_of(select(frame, region=region))) > 1:
        extra.append(
            make_graph(
                ids.TRANSFERS_TREND,
                fig_trend(frame, region, selected, shown),
                f"转移支付_历年趋势_{region}",
                f"{region}历年预算数",
            )
        )
    extra += make_section_extras(dataset, "转移支付", year, region, shown)
    return (
        make_kpis(total, year, region, shown),
        fig_budget_vs_prior(cats, shown),
        make_caption(said[ids.TRANSFERS_BARS]),
        fig_waterfall(cats, shown),
        make_caption(said[ids.TRANSFERS_WATERFALL]),
        make_table(cats, items, stated, total, shown),
        extra,
        build_query(year, region, {"category": selected or []}, None if shown == TRANSFERS_UNIT else shown),
    )


def register_callbacks(app, source: DataSource) -> None:
    f = lambda name: ids.page_filter(PAGE, name)  # noqa: E731

    @app.callback(
        Output(ids.TRANSFERS_KPIS, "children"),
        Output(ids.TRANSFERS_BARS, "figure"),
        Output(ids.caption(ids.TRANSFERS_BARS), "children"),
        Output(ids.TRANSFERS_WATERFALL, "figure"),
        Output(ids.caption(ids.TRANSFERS_WATERFALL), "children"),
        Output(ids.TRANSFERS_TABLE, "children"),
        Output(ids.TRANSFERS_EXTRA, "children"),
        Output(ids.query_store(PAGE), "data"),
        Input(f("year"), "value"),
        Input(f("region"), "value"),
        Input(f("category"), "value"),
        Input(f("unit"), "value"),
        Input(ids.page_data(PAGE), "data"),  # the data changed: redraw
    )
    def update(year, region, selected, unit, _data):
        return source.get().cached(view, year, region, selected, unit)

    @app.callback(
        Output(f("category"), "value"),
        Input(ids.TRANSFERS_BARS, "clickData"),
        Input(ids.TRANSFERS_WATERFALL, "clickData"),
        Input(ids.TRANSFERS_CLEAR, "n_clicks"),
        State(f("category"), "value"),
        prevent_initial_call=True,
    )
    def cross_filter(bars_click, waterfall_click, _clear, selected):
        if ctx.triggered_id == ids.TRANSFERS_CLEAR:
            return []
        click = bars_click if ctx.triggered_id == ids.TRANSFERS_BARS else waterfall_click
        label = clicked_category(click)
        return toggle(selected, label) if label else selected


def clicked_category(click: dict | None) -> str | None:
    """The category a click landed on (the waterfall's two total bars are not categories)."""
    points = (click or {}).get("points") or []
    label = points[0].get("x") if points else None
    return None if label in (None, "上年执行数", "本年预算数") else label
