"""总览: headline figures of every section, each for the latest year up to the selected one."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Output, html

from components import debt, ids, performance, transfers
from components.data import Dataset, DataSource
from components.figures import MISSING, Figure, card_text
from components.filters import latest_up_to, regions_of, select, years_of
from components.layout import (
    make_caption,
    make_chart_card,
    make_empty_state,
    make_filter_bar,
    make_kpi_card,
)
from components.pages import BY_KEY
from components.routing import register_view
from components.sections import debt as debt_model
from components.sections import performance as model_of_performance
from components.sections import transfers as transfers_model
from components.state import ViewState, from_url
from components.theme import (
    UNIT_FACTORS,
    empty_figure,
)

PAGE = "overview"


def section_year(dataset: Dataset, names: tuple[str, ...], region, year) -> int | None:
    """The latest year up to `year` for which the section's main files have rows for the region.

    None when the section only has later years: the overview never shows a later year's figure.
    """
    frames = [select(dataset.keys(n), region=region) for n in names]
    years = [y for y in years_of(*frames) if year is None or y <= year]
    return latest_up_to(years, year)


def missing_section(title: str, what: str, year) -> tuple[list, object, list[str]]:
    message = f"{year}年及以前暂无{what}" if year else f"暂无{what}"
    return [make_kpi_card(title, "暂无数据", message)], empty_figure(message), [message + "。"]


def link(page: str, year, region, unit: str | None) -> str:
    return f"{BY_KEY[page].path}?{ViewState.of(page, year, region, unit).query()}"


def transfer_cards(dataset: Dataset, year, region, unit: str | None = None) -> tuple[list, object, list[str], str]:
    ty = section_year(dataset, ("transfers",), region, year)
    if ty is None:
        return (*missing_section("转移支付", "转移支付数据", year), transfers_title())
    m = transfers.model_for(dataset, ty, region, (), unit)
    t = m.total
    pct = card_text(t.change_pct, signed=True) if t.change_pct.stated else MISSING
    if t.change.stated or t.change_pct.stated:
        change = f"比上年执行数 {card_text(t.change, signed=True)}（{pct}）{transfers.mark(t.change, t.change_pct)}"
    else:  # neither printed nor computable: said once, not 「未公布（未公布）」
        change = m.why_no_total or f"比上年执行数增减{MISSING}"
    card = make_kpi_card(
        f"{ty}年转移支付{m.basis}",  # 口径 as the file gives it (预算 by default)
        card_text(t.budget) + transfers.mark(t.budget),
        change,
        link("transfers", ty, region, unit),
        "overview-kpi-transfers",
    )
    figure = transfers.fig_budget_vs_prior(transfers_model.chart_frame(m), m.unit)
    return [card], figure, [m.sentences["total"][0]], transfers_title(m.amount)


def transfers_title(amount: str = "") -> str:
    """「转移支付：执行数与上年执行数」: the chart's figures named as the 口径 names them."""
    return f"转移支付：{transfers.titles(amount)['bars']}"


def debt_cards(dataset: Dataset, year, region, unit: str | None = None) -> tuple[list, object, list[str]]:
    dy = section_year(dataset, ("debt",), region, year)
    if dy is None:
        return missing_section("政府债务", "政府债务数据", year)
    m = debt_model.model(dataset, dy, region, (), unit)
    href = link("debt", dy, region, unit)
    limit = {"none": debt.NO_LIMIT, "missing": MISSING}.get(m.limit) or card_text(m.totals["limit"])
    cards = [
        make_kpi_card(
            m.labelled(f"{dy}年末政府债务余额"),
            card_text(m.totals["balance"]),
            ([m.why_no_total, html.Br()] if m.unlisted and not m.totals["balance"].stated else [])
            + [debt.split_text(m, "balance"), html.Br(), f"限额：{limit}"],
            href,
            "overview-kpi-debt",
        ),
        make_kpi_card(m.labelled(f"{dy}年新增债券"), *debt.bonds_text(m), href, "overview-kpi-bonds"),
        make_kpi_card(m.labelled(f"{dy}年还本付息"), *debt.service_text(m), href, "overview-kpi-service"),
    ]
    return cards, debt.fig_composition(m), [m.sentences["composition"][0]]


def performance_cards(dataset: Dataset, year, region, unit: str | None = None) -> tuple[list, object, list[str]]:
    py = section_year(dataset, ("evaluations", "grades"), region, year)
    if py is None:
        return missing_section("绩效评价", "绩效评价数据", year)
    m = performance.model(dataset, py, region, unit=unit if unit in UNIT_FACTORS else None)
    href = link("performance", py, region, unit)
    # Methods are never added together: one count per method where there are several.
    evaluated = card_text(m.total, how=model_of_performance.COUNTED) if m.total.stated else performance.per_method(
        (x.name, Figure.printed(str(x.listed), "个") if x.listed else x.counted) for x in m.methods
    )
    methods = "、".join(x.name for x in m.graded) + ("（分别计数，不相加）" if len(m.graded) > 1 else "")
    cards = [
        make_kpi_card(
            f"{py}年绩效评价",
            evaluated,
            [m.summary() or f"评价等级{MISSING}", html.Br(), methods],
            href,
            "overview-kpi-performance",
        )
    ]
    indicators = dataset.frame("indicators")
    indicators = select(indicators[indicators["section"] == "绩效管理"], py, region)
    for row in indicators.head(3).to_dict("records"):
        figure = model_of_performance.indicator_figure(row, unit if unit in UNIT_FACTORS else None)
        cards.append(make_kpi_card(f"{py}年{row['indicator']}", card_text(figure), "", href))
    return cards, performance.fig_grades(m), [m.sentences["grades"][0]]


def layout(dataset: Dataset, search: str) -> html.Div:
    names = ("transfers", "debt", "evaluations", "grades", "indicators", "notes")
    frames = [dataset.keys(n) for n in names]  # years and regions, without reading every row
    years, regions = years_of(*frames), regions_of(*frames)
    state, notices = from_url(search, PAGE, years, regions)
    header = [html.H1("总览", className="page-title")]
    if not years:
        return html.Div(
            header + [make_empty_state("数据文件夹中没有可显示的数据。请按 data/README.md 准备 CSV 文件。")]
        )
    return html.Div(
        header
        + [
            make_filter_bar(PAGE, years, regions, state, notices=notices),  # no unit checked: each section its own
            html.P("每个板块显示不晚于所选年度的最近一年数据，卡片标题注明年度。", className="small text-muted"),
            dbc.Row(id=ids.OVERVIEW_CARDS),
            dbc.Row(
                [
                    dbc.Col(
                        make_chart_card(transfers_title(), ids.OVERVIEW_TRANSFERS_GRAPH, "总览_转移支付"),
                        lg=4,
                    ),
                    dbc.Col(make_chart_card("政府债务：余额构成", ids.OVERVIEW_DEBT_GRAPH, "总览_政府债务"), lg=4),
                    dbc.Col(make_chart_card("绩效评价：等级分布", ids.OVERVIEW_GRADES_GRAPH, "总览_绩效评价"), lg=4),
                ]
            ),
        ]
    )


def view(dataset: Dataset, state: ViewState) -> dict[str, object]:
    """Every section's headline for one view, keyed like OUTPUTS (pure: no Dash state)."""
    year, region, unit = state.year, state.region, state.unit
    t_cards, t_fig, t_said, t_title = transfer_cards(dataset, year, region, unit)
    d_cards, d_fig, d_said = debt_cards(dataset, year, region, unit)
    p_cards, p_fig, p_said = performance_cards(dataset, year, region, unit)
    return {
        "cards": t_cards + d_cards + p_cards,
        "transfers_title": t_title,
        "transfers": t_fig,
        "transfers_caption": make_caption(t_said),
        "debt": d_fig,
        "debt_caption": make_caption(d_said),
        "grades": p_fig,
        "grades_caption": make_caption(p_said),
        "query": state.query(),
    }


OUTPUTS = {
    "cards": Output(ids.OVERVIEW_CARDS, "children"),
    "transfers_title": Output(ids.chart_title(ids.OVERVIEW_TRANSFERS_GRAPH), "children"),
    "transfers": Output(ids.OVERVIEW_TRANSFERS_GRAPH, "figure"),
    "transfers_caption": Output(ids.caption(ids.OVERVIEW_TRANSFERS_GRAPH), "children"),
    "debt": Output(ids.OVERVIEW_DEBT_GRAPH, "figure"),
    "debt_caption": Output(ids.caption(ids.OVERVIEW_DEBT_GRAPH), "children"),
    "grades": Output(ids.OVERVIEW_GRADES_GRAPH, "figure"),
    "grades_caption": Output(ids.caption(ids.OVERVIEW_GRADES_GRAPH), "children"),
}


def register_callbacks(app, source: DataSource) -> None:
    register_view(app, source, PAGE, OUTPUTS, view)
