"""税收返还和转移支付: the page, rendering the section model (components/sections/transfers.py)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Output, html

from components import ids, vocab
from components.charts import drawn, grouped_bars, hover, in_chart, label, stacked_bars, wrap
from components.data import BASE_UNIT, Dataset, DataSource, query
from components.figures import COMPUTED, FACTORS, Figure, how_computed, total
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
from components.sections import transfers as model_of
from components.sections.transfers import TransfersModel, card_text
from components.state import ViewState, from_url
from components.theme import (
    MISSING,
    TRANSFERS_UNIT,
    UNIT_FACTORS,
    axis_format,
    base_figure,
    empty_figure,
    plain,
    shown_in,
)

PAGE = "transfers"
EMPTY = "暂无转移支付数据"
# The region comparison and the trend, each in a card of its own that is redrawn in place.
SLOTS = {"compare": ids.TRANSFERS_COMPARE, "trend": ids.TRANSFERS_TREND}


def budgets_by(rows: pd.DataFrame, by: str, unit: str) -> pd.DataFrame:
    """categories()' budget per category for every value of `by` (region or year) at once:
    a comparison across 120 regions is one pass, not 120. Groups in first-seen order.
    `figure` holds each budget as a Figure in `unit`, as the section model shows it:
    a category's own row as printed, else the sum of its line items (marked computed)."""
    rows = rows[rows["category"] != vocab.TOTAL]
    keys = [by, "category"]
    totals = rows[rows["item"] == ""]
    items = rows[rows["item"] != ""]
    items = items[~pd.MultiIndex.from_frame(items[keys]).isin(pd.MultiIndex.from_frame(totals[keys]))]
    derived = items.groupby(keys, sort=False).size().reset_index()[keys]
    figure = lambda r: shown_in(model_of.figure_of(r, "budget", None, money=True), unit)  # noqa: E731
    totals = totals.assign(
        figure=pd.Series([figure(r) for r in totals.to_dict("records")], index=totals.index, dtype=object)
    )
    parts: dict = {}
    for r in items.to_dict("records"):
        parts.setdefault((r[by], r["category"]), []).append(figure(r))
    summed = [model_of.sum_figures(parts[(b, c)], unit) for b, c in zip(derived[by], derived["category"], strict=True)]
    derived["figure"] = pd.Series(summed, index=derived.index, dtype=object)
    return _in_order(pd.concat([totals[keys + ["figure"]], derived], ignore_index=True), by, list(rows[by].unique()))


def _in_order(out: pd.DataFrame, by: str, first_seen: list) -> pd.DataFrame:
    """Groups of `by` in first-seen order, each group's categories in the report's order."""
    group = {value: i for i, value in enumerate(first_seen)}
    rank = {c: i for i, c in enumerate(vocab.ordered(out["category"], vocab.CATEGORIES))}
    out = out.assign(_group=out[by].map(group), _rank=out["category"].map(rank))
    return out.sort_values(["_group", "_rank"], kind="stable").drop(columns=["_group", "_rank"]).reset_index(drop=True)


def budgets_of(dataset: Dataset, by: str, year=None, region=None, unit: str = TRANSFERS_UNIT) -> pd.DataFrame:
    """budgets_by(select(transfers, year, region), by, unit), summed by DuckDB from the file's
    Parquet entry where it has one (components/data/query.py), else by pandas from the frame."""
    got = query.item_sums(dataset, "transfers", by, "category", "budget", year, region)
    out = None if got is None else _budgets_from(got, by, unit)
    return budgets_by(select(dataset.frame("transfers"), year, region), by, unit) if out is None else out


def _budgets_from(got: list[dict], by: str, unit: str) -> pd.DataFrame | None:
    """budgets_by's frame from item_sums(): each line-item sum as sum_figures() makes it."""
    if unit not in FACTORS or any((r["unit"] or BASE_UNIT) not in FACTORS for r in got if r["kind"] == "part"):
        return None  # a unit Figure.to() leaves as it is: not summed here
    keys, figures, parts = [], [], {}
    for r in got:
        if r["kind"] == "own":
            row = {"unit": r["unit"], "line": r["line"], "budget": r["v"], "_m_budget": r["m"], "_p_budget": r["p"]}
            keys.append((r["b"], r["k"]))
            figures.append(shown_in(model_of.figure_of(row, "budget", None, money=True), unit))
        else:
            parts.setdefault((r["b"], r["k"]), []).append(r)
    keys += list(parts)
    figures += [_summed(subgroups, unit) for subgroups in parts.values()]
    first = {r["b"]: r["first"] for r in got}
    out = pd.DataFrame({by: [b for b, _ in keys], "category": [k for _, k in keys]})
    out["figure"] = pd.Series(figures, index=out.index, dtype=object)
    return _in_order(out, by, sorted(first, key=first.get))


def _summed(subgroups: list[dict], unit: str) -> Figure:
    """sum_figures() of the parts of one category, from their sums by printed unit and decimals."""
    if not all(g["stated"] for g in subgroups):
        return Figure.missing(unit)
    shown = []
    for g in subgroups:
        printed_in = g["unit"] or BASE_UNIT
        # Its parts share a unit and decimals, and are shown with those of its smallest part:
        # shown_in keeps more only for a part that would read 0 (30 万元: 0.0030 亿元).
        smallest = Figure(g["smallest"] or g["total"], printed_in, g["d"], "printed")
        part = replace(Figure(g["total"], printed_in, g["d"], "printed").to(unit), decimals=shown_in(smallest, unit).decimals)
        shown.append((part, g["zero"]))
    lines = tuple(line for _, line in sorted((rn, line) for g in subgroups for rn, line in zip(g["rns"], g["lines"], strict=True)))
    if sum(g["n"] for g in subgroups) == 1:
        return replace(shown[0][0], lines=lines)  # the one part is the total as printed
    precise = [f.decimals for f, zero in shown if not (zero and f.decimals <= 0)]
    value = sum((f.value for f, _ in shown), Decimal(0))
    return Figure(value, unit, max(max(precise), 0) if precise else 0, "computed", lines)


# ---------------------------------------------------------------- figures


def figures_of(cats: pd.DataFrame, column: str, unit: str) -> list:
    """A chart frame's column as Figures in the chart's unit (chart_frame keeps them beside the floats)."""
    return [shown_in(f, unit) for f in cats[f"{column}_figure"]]


def fig_budget_vs_prior(cats: pd.DataFrame, unit: str = TRANSFERS_UNIT) -> Fig:
    """Grouped bars: last year's execution (hatched) and this year's budget per category."""
    if cats.empty:
        return empty_figure(EMPTY)
    names = list(cats["category"])
    colours = [vocab.colour_of(n, tuple(names)) for n in names]
    return grouped_bars(
        [plain(n) for n in names],
        [
            ("上年执行数", figures_of(cats, "prior_actual", unit), colours, "prior"),
            (amount_in(cats), figures_of(cats, "budget", unit), colours, ""),
        ],
        unit,
        details=[change_detail(row, unit) for _, row in cats.iterrows()],
    )


def change_detail(row: pd.Series, unit: str) -> str:
    """Hover lines: the change against last year and, where the document gives one, its reason."""
    change, pct = in_chart(row["change_figure"], unit), in_chart(row["change_pct_figure"], "%")
    mark = f"，{COMPUTED}" if pct is not None and pct.source == "computed" else ""
    text = f"<br>比上年执行数：{hover(change, signed=True)}（{hover(pct, signed=True, marked=False)}{mark}）"
    return text + (f"<br>原因：{wrap(row['note'])}" if row.get("note") else "")


def amount_in(cats: pd.DataFrame) -> str:
    """预算数, or 执行数, 决算数 …: what the frame's budgets are (chart_frame's attrs, the 口径)."""
    return cats.attrs.get("amount") or model_of.amount_of("")


def titles(amount: str = "") -> dict[str, str]:
    """The two charts' titles, naming the figures as the 口径 does (「执行数与上年执行数」)."""
    amount = amount or model_of.amount_of("")
    return {"bars": f"{amount}与上年执行数", "waterfall": f"从上年执行数到本年{amount}的增减"}


# A waterfall's two total bars, whatever the 口径: a click on them selects no category
WATERFALL_ENDS = ("上年执行数", *(f"本年{model_of.amount_of(b)}" for b in vocab.BASES))


def fig_waterfall(cats: pd.DataFrame, unit: str = TRANSFERS_UNIT) -> Fig:
    """From last year's total to this year's, one step per category in its own colour; the ends are
    the totals the page shows (the document's 合计 as printed), every step as printed."""
    if cats.empty:
        return empty_figure(EMPTY)
    unknown = cats[cats["change"].isna()]["category"].tolist()
    if unknown:
        return empty_figure(f"{'、'.join(unknown)}的{amount_in(cats)}或上年执行数{MISSING}，无法分解增减")
    whole = cats.attrs.get("total")
    prior = in_chart(whole.prior if whole else total(figures_of(cats, "prior_actual", unit), unit), unit)
    budget = in_chart(whole.budget if whole else total(figures_of(cats, "budget", unit), unit), unit)
    if prior is None or budget is None:
        why = cats.attrs.get("unlisted") or f"{'上年执行数' if prior is None else amount_in(cats)}合计{MISSING}"
        return empty_figure(f"{why}，无法分解增减")
    steps = [("上年执行数", 0.0, prior, vocab.NEUTRAL, False, "")]
    running = drawn(prior)
    for (_, row), change in zip(cats.iterrows(), figures_of(cats, "change", unit), strict=True):
        colour = vocab.colour_of(row["category"])
        steps.append((plain(row["category"]), running, change, colour, True, change_detail(row, unit)))
        running += drawn(change)
    steps.append((f"本年{amount_in(cats)}", 0.0, budget, vocab.NEUTRAL, False, ""))
    labels, bases, figures, colours, signed, details = zip(*steps, strict=True)
    fig = base_figure()
    fig.add_bar(
        x=list(labels),
        base=list(bases),
        y=[drawn(f) for f in figures],
        marker_color=list(colours),
        text=[label(f, sign) for f, sign in zip(figures, signed, strict=True)],
        textposition="outside",
        cliponaxis=False,
        customdata=[[hover(f, sign), d] for f, sign, d in zip(figures, signed, details, strict=True)],
        hovertemplate="%{x}：%{customdata[0]}%{customdata[1]}<extra></extra>",
        showlegend=False,
    )
    fig.update_yaxes(title_text=f"金额（{unit}）", tickformat=axis_format(unit), rangemode="tozero")
    fig.update_xaxes(type="category")
    return fig


def fig_region_compare(frame: pd.DataFrame, year: int, selected, unit: str = TRANSFERS_UNIT) -> Fig:
    return compare_figure(budgets_by(select(frame, year=year), "region", unit), year, selected, unit)


def fig_trend(frame: pd.DataFrame, region: str, selected, unit: str = TRANSFERS_UNIT) -> Fig:
    return trend_figure(budgets_by(select(frame, region=region), "year", unit), selected, unit)


def region_compare(dataset: Dataset, year: int, selected, unit: str) -> Fig:
    """fig_region_compare of the dataset's transfers (remembered per snapshot: Dataset.cached)."""
    budgets = budgets_of(dataset, "region", year=year, unit=unit)
    return compare_figure(budgets, year, selected, unit, file_amount(dataset))


def region_trend(dataset: Dataset, region: str, selected, unit: str) -> Fig:
    return trend_figure(budgets_of(dataset, "year", region=region, unit=unit), selected, unit, file_amount(dataset))


def file_amount(dataset: Dataset) -> str:
    """What the comparison and the trend draw: the file's one 口径 (预算数, 决算数 …), or, where its
    rows give several, 「金额（口径不一）」 rather than one name for all of them."""
    bases = dataset.derived("transfers.bases", lambda d: set(d.frame("transfers")["basis"]))
    return model_of.amount_of(next(iter(bases))) if len(bases) == 1 else "金额（口径不一）"


def compare_figure(budgets: pd.DataFrame, year: int, selected, unit: str, amount: str = "预算数") -> Fig:
    data = keep(budgets, "category", selected)
    if data.empty:
        return empty_figure(f"{year}年{EMPTY}")
    expected = tuple(selected or vocab.CATEGORIES)
    return stacked_bars(data, "region", "category", "figure", unit, vocab.CATEGORIES, y_title=amount, expected=expected)


def trend_figure(budgets: pd.DataFrame, selected, unit: str, amount: str = "预算数") -> Fig:
    data = keep(budgets, "category", selected)
    if data.empty:
        return empty_figure(EMPTY)
    return stacked_bars(
        data,
        "year",
        "category",
        "figure",
        unit,
        vocab.CATEGORIES,
        y_title=amount,
        x_order=sorted(data["year"].unique()),
        expected=tuple(selected or vocab.CATEGORIES),
    )


# ---------------------------------------------------------------- page pieces


def make_kpis(m: TransfersModel) -> list:
    if m.empty:
        return [dbc.Col(make_empty_state(f"{m.region or ''}{m.year or ''}年{EMPTY}"))]
    t = m.total
    basis = "文件所列合计" if m.stated_total else f"{m.subset}合计{COMPUTED}" if m.subset else COMPUTED
    basis = m.why_no_total or basis
    return [
        make_kpi_card(f"本年{m.subset}{m.basis}数", card_text(t.budget), basis, card_id="transfers-kpi-budget"),
        make_kpi_card(f"{m.subset}上年执行数", card_text(t.prior), mark(t.prior)),
        make_kpi_card(
            f"{m.subset}比上年执行数增减",
            card_text(t.change, signed=True),
            card_text(t.change_pct, signed=True) + mark(t.change, t.change_pct),
            card_id="transfers-kpi-change",
        ),
        make_kpi_card("为上年执行数的", card_text(m.ratio), mark(m.ratio)),
    ]


def mark(*figures) -> str:
    """「（计算值）」 or 「（按分项计算）」 after a card's figures, as the first computed one was computed."""
    how = next((f.how or COMPUTED for f in figures if f.source == "computed"), "")
    return f"（{how}）" if how else ""


def make_table(m: TransfersModel, with_items: bool = True) -> html.Div:
    """Categories with their line items beneath, change and stated reason; the 合计 as printed."""
    if m.empty:
        return make_empty_state(EMPTY)

    def cell(figure, signed=False) -> str:
        if not figure.stated:
            return MISSING
        text = figure.text(with_unit=figure.unit not in (m.unit, "%"), thousands=True, signed=signed)
        return text + ("%" if figure.unit == "%" else "")

    def cells(line, label, cls="", note=None):
        computed = how_computed(line.named(m.amount))
        note = line.note if note is None else note
        if computed:
            note = "；".join(n for n in (note.rstrip("。"), computed) if n)
        return html.Tr(
            [
                html.Td(label, className=cls),
                html.Td(cell(line.budget), className="num"),
                html.Td(cell(line.prior), className="num"),
                html.Td(cell(line.change, True), className="num"),
                html.Td(cell(line.change_pct, True), className="num"),
                html.Td(note, className="reason"),
            ]
        )

    body = []
    for cat in m.categories:
        body.append(cells(cat, cat.category + (f"（{COMPUTED}）" if cat.derived else ""), "fw-semibold"))
        for item in m.items_of(cat.category) if with_items else ():
            body.append(cells(item, f"其中：{item.item}", "ps-4"))
    label = f"{m.subset}合计" + ("" if m.stated_total or m.total.budget.source != "computed" else f"（{COMPUTED}）")
    body.append(cells(m.total, label, "fw-bold", m.total_note))
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (
                    "类别 / 项目",
                    f"{m.amount}（{m.unit}）",
                    f"上年执行数（{m.unit}）",
                    f"增减额（{m.unit}）",
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


def filter_options(dataset: Dataset) -> dict[str, list[str]]:
    """The page's 类别 choices, in the report's order (合计 is no category to filter by)."""
    frame = dataset.frame("transfers")
    return {"category": vocab.ordered(frame[frame["category"] != vocab.TOTAL]["category"].unique(), vocab.CATEGORIES)}


def layout(dataset: Dataset, search: str) -> html.Div:
    frame = dataset.frame("transfers")
    years, regions = years_of(frame), regions_of(frame)
    options = dataset.derived("transfers.options", filter_options)
    view = from_url(search, PAGE, years, regions, options)  # (ViewState, notices)
    state = view[0]
    title = titles()  # view() (prefilled) names them as the view's 口径 does
    return make_section_page(
        PAGE,
        "税收返还和转移支付",
        years,
        regions,
        view,
        options,
        model_of.printed_unit(select(frame, state.year, state.region)),  # as the document prints it
        ids.TRANSFERS_CLEAR,
        [
            dbc.Row(id=ids.TRANSFERS_KPIS),
            dbc.Row(
                [
                    dbc.Col(
                        make_chart_card(
                            title["bars"],
                            ids.TRANSFERS_BARS,
                            "转移支付_预算数与上年执行数",
                            "点击柱子按类别筛选",
                            (PAGE, "category", options["category"]),
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        make_chart_card(
                            title["waterfall"],
                            ids.TRANSFERS_WATERFALL,
                            "转移支付_增减分解",
                            "点击类别筛选",
                            (PAGE, "category", options["category"]),
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
            *(chart_slot(graph_id) for graph_id in SLOTS.values()),
            html.Div(id=ids.TRANSFERS_EXTRA),
        ],
        f"{EMPTY}（transfers.csv 未提供或未载入）",
    )


def sentences(m: TransfersModel) -> dict[str, list[str]]:
    """What to say about each chart of the view (captions, slides, exports)."""
    return {ids.TRANSFERS_BARS: list(m.sentences["total"]), ids.TRANSFERS_WATERFALL: list(m.sentences["steps"])}


def trend_charts(dataset: Dataset, year, region, selected, unit: str, subset: str = "") -> list[tuple]:
    """(id, figure, file name, title) of the region comparison and the trend, where the data has
    several regions or years: the page draws them, and the deck and the exports show them too."""
    keys = dataset.keys("transfers")  # the (year, region) pairs: no scan of the whole file
    charts = []
    if len(regions_of(select(keys, year=year))) > 1:
        charts.append(
            (
                ids.TRANSFERS_COMPARE,
                dataset.cached(region_compare, year, selected, unit),
                f"转移支付_地区对比_{year}",
                f"{year}年各地区{subset}{file_amount(dataset)}对比",
            )
        )
    if len(years_of(select(keys, region=region))) > 1:
        charts.append(
            (ids.TRANSFERS_TREND, dataset.cached(region_trend, region, selected, unit), f"转移支付_历年趋势_{region}", f"{region}历年{subset}{file_amount(dataset)}")
        )
    return charts


def model_for(dataset: Dataset, year, region, selected, unit: str | None = None) -> TransfersModel:
    """The section's model for a view: a unit equal to the printed one is no choice at all."""
    printed = model_of.printed_unit(select(dataset.frame("transfers"), year, region))
    chosen = unit if unit in UNIT_FACTORS and unit != printed else None
    return model_of.model(dataset, year, region, selected, chosen)


def view(dataset: Dataset, state: ViewState) -> dict[str, object]:
    """Everything the page shows for one view, keyed like OUTPUTS (pure: no Dash state)."""
    year, region, selected = state.year, state.region, list(state.get("category"))
    m = model_for(dataset, year, region, selected, state.unit)
    said = sentences(m)
    cats = model_of.chart_frame(m)
    charts = trend_charts(dataset, year, region, selected, m.unit, m.subset)
    return {
        "kpis": make_kpis(m),
        **{f"{key}_title": text for key, text in titles(m.amount).items()},
        "bars": fig_budget_vs_prior(cats, m.unit),
        "bars_caption": make_caption(said[ids.TRANSFERS_BARS]),
        "waterfall": fig_waterfall(cats, m.unit),
        "waterfall_caption": make_caption(said[ids.TRANSFERS_WATERFALL]),
        "table": make_table(m),
        **chart_slot_values(SLOTS, charts),
        "extra": make_section_extras(dataset, "转移支付", year, region, state.unit),
        "query": state.query(model_of.printed_unit(select(dataset.frame("transfers"), year, region))),
    }


OUTPUTS = {
    "kpis": Output(ids.TRANSFERS_KPIS, "children"),
    "bars_title": Output(ids.chart_title(ids.TRANSFERS_BARS), "children"),
    "waterfall_title": Output(ids.chart_title(ids.TRANSFERS_WATERFALL), "children"),
    "bars": Output(ids.TRANSFERS_BARS, "figure"),
    "bars_caption": Output(ids.caption(ids.TRANSFERS_BARS), "children"),
    "waterfall": Output(ids.TRANSFERS_WATERFALL, "figure"),
    "waterfall_caption": Output(ids.caption(ids.TRANSFERS_WATERFALL), "children"),
    "table": Output(ids.TRANSFERS_TABLE, "children"),
    **chart_slot_outputs(SLOTS),
    "extra": Output(ids.TRANSFERS_EXTRA, "children"),
}


CROSS_FILTER = CrossFilter(
    PAGE,
    ("category",),
    ids.TRANSFERS_CLEAR,
    {ids.TRANSFERS_BARS: ("category", ("x",), ()), ids.TRANSFERS_WATERFALL: ("category", ("x",), WATERFALL_ENDS)},
)


def register_callbacks(app, source: DataSource) -> None:
    register_view(app, source, PAGE, OUTPUTS, view)

    register_cross_filter(app, CROSS_FILTER)

