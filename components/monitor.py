"""绩效监控 (/monitor): 双监控 at a glance, the 预警 list, 自评得分 and 评价结果应用."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from components import ids
from components.aggrid_locale import DEFAULT_COLUMN, grid_options
from components.data import Dataset, DataSource
from components.filters import regions_of, years_of
from components.layout import make_caption, make_chart_card, make_empty_state, make_filter_bar, make_page_heading
from components.monitor_tables import ALERT_COLUMNS, EMPTY, FILES_NEEDED, alert_rows, application_table, detail, kpis
from components.plotdict import Fig
from components.routing import CrossFilter, register_cross_filter, register_view
from components.sections import monitor as model_of
from components.sections import monitor_text
from components.sections.monitor import MISSED, MonitorModel
from components.state import ViewState, from_url, parse_query
from components.theme import base_figure, count_ticks, empty_figure, plain
from components.vocab import OKABE_ITO, colour_of

PAGE = "monitor"
GRADES = ("优", "良", "中", "差")


def filter_options(dataset: Dataset) -> dict[str, list[str]]:
    seen = [*dataset.frame("targets")["agency"], *dataset.frame("execution")["agency"]]
    return {"agency": list(dict.fromkeys(seen))}


def main_keys(dataset: Dataset):
    return dataset.keys("targets"), dataset.keys("execution")


def _points(text) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() and 0 <= value <= 100 else None


def thresholds(dataset: Dataset, yellow=None, red=None) -> tuple[Decimal, Decimal, list[str]]:
    """Yellow and red: the view's (URL) where valid, else thresholds.csv's, else 10 and 20 points."""
    stated = {r["level"]: r["_p_points"] or r["points"] for r in dataset.frame("thresholds").to_dict("records")}
    y = _points(stated.get("黄色预警", model_of.YELLOW))
    r = _points(stated.get("红色预警", model_of.RED))
    y, r = y if y is not None else model_of.YELLOW, r if r is not None else model_of.RED
    notices = []
    for name, value in (("黄色预警", yellow), ("红色预警", red)):
        if value is None or value == "":
            continue
        got = _points(value)
        if got is None:
            notices.append(f"地址中的{name}阈值「{value}」应为 0–100 之间的数字，已忽略")
        elif name == "黄色预警":
            y = got
        else:
            r = got
    if y > r:
        notices.append(f"黄色预警阈值（{y}）大于红色预警阈值（{r}），已按红色预警阈值处理")
        y = r
    return y, r, notices


def state_of(year, region, unit, agencies, month, yellow, red) -> ViewState:
    """The view; month and thresholds ride as one-value picks so that the URL carries them."""
    picks = {"agency": agencies or [], "month": [str(month)] if month else [], "yellow": [], "red": []}
    if yellow not in (None, ""):
        picks["yellow"] = [str(yellow)]
    if red not in (None, ""):
        picks["red"] = [str(red)]
    state = ViewState.of(PAGE, year, region, unit, agency=picks["agency"])
    extra = tuple((name, tuple(picks[name])) for name in ("month", "yellow", "red"))
    return state.with_(picks=state.picks + extra)


def model(dataset: Dataset, state: ViewState) -> MonitorModel:
    month = (state.get("month") or (None,))[0]
    yellow, red, _ = thresholds(dataset, *((state.get(n) or (None,))[0] for n in ("yellow", "red")))
    return model_of.model(
        dataset,
        state.year,
        state.region,
        int(month) if month else None,
        state.get("agency"),
        yellow,
        red,
        state.unit,
    )


# ---------------------------------------------------------------- figures


def fig_quadrant(m: MonitorModel) -> Fig:
    """执行率 (x) against 目标完成度 (y): the 序时进度 and 100% lines cut the four quadrants."""
    points = [
        (p, m.completions.get(p.agency))
        for p in m.units
        if p.rate.stated and m.completions.get(p.agency) is not None and m.completions[p.agency].stated
    ]
    if not points:
        return empty_figure(EMPTY if m.empty else "没有同时具有执行率和目标完成度的单位")
    fig = base_figure(420)
    schedule = float(points[0][0].schedule.value)
    colours = {"红色预警": OKABE_ITO[3], "黄色预警": OKABE_ITO[1], "": OKABE_ITO[0]}
    for level, label in (("红色预警", "红色预警"), ("黄色预警", "黄色预警"), ("", "未预警")):
        chosen = [(p, c) for p, c in points if p.level == level]
        if not chosen:
            continue
        fig.add_scatter(
            name=label,
            x=[float(p.rate.value) for p, _ in chosen],
            y=[float(c.value) for _, c in chosen],
            mode="markers+text" if len(points) <= 12 else "markers",  # many names overlap: hover says them
            text=[plain(p.agency) for p, _ in chosen],
            textposition="top center",
            marker=dict(
                size=14, color=colours[level], symbol={"红色预警": "x", "黄色预警": "diamond"}.get(level, "circle")
            ),
            customdata=[[plain(p.agency), p.rate.text(), c.text(), m.quadrant(p.agency)] for p, c in chosen],
            hovertemplate="%{customdata[0]}<br>执行率 %{customdata[1]}（计算值）<br>目标完成度 %{customdata[2]}（计算值）"
            "<br>%{customdata[3]}<extra></extra>",
        )
    top = max(112.0, max(float(c.value) for _, c in points) + 12)  # room for the names above the 100% line
    right = max(105.0, max(float(p.rate.value) for p, _ in points) + 5)
    fig.add_vline(x=schedule, line_dash="dash", line_color="#6B7280")
    fig.add_hline(y=100, line_dash="dot", line_color="#6B7280")
    for x, y, text, anchor in (
        (0.01, 0.02, "执行慢·目标未达", "left"),
        (0.99, 0.02, "执行快·目标未达", "right"),
        (0.01, 0.98, "执行慢·目标已达", "left"),
        (0.99, 0.98, "执行快·目标已达", "right"),
    ):
        fig.add_annotation(
            text=text, x=x, y=y, xref="paper", yref="paper", showarrow=False, xanchor=anchor, font=dict(color="#6B7280")
        )
    fig.add_annotation(
        text=f"序时进度 {points[0][0].schedule.text()}",
        x=schedule,
        y=1.02,
        yref="paper",
        showarrow=False,
        yanchor="bottom",
    )
    fig.update_xaxes(title_text="执行率（%，计算值）", range=[0, right])
    fig.update_yaxes(title_text="目标完成度（%，计算值）", range=[-5, top])
    return fig


def fig_grades(m: MonitorModel) -> Fig:
    if not m.scored:
        return empty_figure("文件未列出可评定等级的自评总分", height=220)
    fig = base_figure(300)
    counts = [sum((s.printed_grade or s.grade) == g for s in m.scored) for g in GRADES]  # as printed, where printed
    fig.add_bar(
        x=list(GRADES),
        y=counts,
        marker_color=[colour_of(g) for g in GRADES],
        text=[f"{n} 个" for n in counts],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}：%{y} 个<extra></extra>",
    )
    fig.update_xaxes(title_text="等级（优≥90，良80–90，中60–80，差<60）")
    fig.update_yaxes(title_text="评价对象（个）", **count_ticks(float(max(counts))))
    return fig


def fig_ranking(m: MonitorModel) -> Fig:
    ranked = sorted((s for s in m.scored if s.score.stated), key=lambda s: s.score.value)
    if not ranked:
        return empty_figure("文件未列出自评总分", height=160)
    fig = base_figure(max(260, 34 * len(ranked) + 80))
    fig.add_bar(
        y=[plain(s.subject) for s in ranked],
        x=[float(s.score.value) for s in ranked],
        orientation="h",
        marker_color=[colour_of(s.grade) for s in ranked],
        text=[
            f"{s.score.text()}分 {s.printed_grade or s.grade}"
            + ("（按分项计算）" if s.score.source == "computed" else "")
            for s in ranked
        ],
        textposition="auto",
        hovertemplate="%{y}：%{x} 分<extra></extra>",
    )
    fig.update_xaxes(title_text="自评得分（分）", range=[0, 100])
    fig.update_yaxes(automargin=True)
    return fig


def fig_misses(m: MonitorModel) -> Fig:
    missed = [i for i in m.indicators if i.status == MISSED]
    if not missed:
        return empty_figure("没有未完成的定量指标", height=220)
    by: dict[str, int] = {}
    for i in missed:
        by[i.level2 or "未列二级指标"] = by.get(i.level2 or "未列二级指标", 0) + 1
    fig = base_figure(300)
    fig.add_bar(x=list(by), y=list(by.values()), marker_color=OKABE_ITO[3], text=[f"{n} 个" for n in by.values()])
    fig.update_yaxes(title_text="未完成指标（个）", **count_ticks(float(max(by.values()))))
    return fig


def fig_application(m: MonitorModel) -> Fig:
    rows = [a for a in m.applied if a.change.stated]
    if not rows:
        return empty_figure(f"暂无{m.next_year or '下一'}年度预算数据", height=160)
    fig = base_figure(340)
    for g in GRADES:
        chosen = [a for a in rows if a.grade == g]
        if chosen:
            fig.add_scatter(
                name=g,
                x=[g] * len(chosen),
                y=[float(a.change.value) for a in chosen],
                mode="markers",
                marker=dict(size=12, color=colour_of(g)),
                customdata=[[plain(a.project), a.budget.text(), a.next_budget.text(), a.change.text()] for a in chosen],
                hovertemplate="%{customdata[0]}<br>" + f"{m.year}年" + " %{customdata[1]} → " + f"{m.next_year}年"
                " %{customdata[2]}<br>增减 %{customdata[3]}（计算值）<extra></extra>",
            )
    fig.add_hline(y=0, line_color="#6B7280")
    fig.update_xaxes(title_text=f"{m.year}年自评等级", categoryorder="array", categoryarray=list(GRADES))
    fig.update_yaxes(title_text=f"{m.next_year}年预算比上年增减（%，计算值）")
    return fig


# ---------------------------------------------------------------- page


def layout(dataset: Dataset, search: str) -> html.Div:
    keys = main_keys(dataset)
    years, regions = years_of(*keys), regions_of(*keys)
    header = [make_page_heading("绩效运行监控（预算执行与绩效目标「双监控」）")]
    if not years:
        return html.Div(header + [make_empty_state(f"{EMPTY}。{FILES_NEEDED}")])
    query = parse_query(search)
    opts = dataset.derived("monitor.options", filter_options)
    in_year = lambda year: regions_of(*(k[k["year"] == year] for k in keys))  # noqa: E731
    state, notices = from_url(query, PAGE, years, regions, opts, in_year)
    first = lambda name: (query.get(name) or [None])[0]  # noqa: E731
    yellow, red, more = thresholds(dataset, first("yellow"), first("red"))
    month = first("month")
    m = model_of.model(dataset, state.year, state.region, int(month) if (month or "").isdigit() else None)
    bar = make_filter_bar(
        PAGE, years, regions, state, [("agency", "预算单位", opts["agency"])], ids.MON_CLEAR, None, [*notices, *more],
    )
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(
                        "月份（截至月末）", html_for=ids.page_filter(PAGE, "month"), className="small text-muted mb-0"
                    ),
                    dcc.Dropdown(
                        id=ids.page_filter(PAGE, "month"),
                        options=[{"label": f"{x}月", "value": x} for x in m.months],
                        value=m.month,
                        clearable=False,
                        searchable=False,
                    ),
                ],
                xs=6,
                lg=2,
            ),
            *(
                dbc.Col(
                    [
                        dbc.Label(label, html_for=ids.page_filter(PAGE, name), className="small text-muted mb-0"),
                        dbc.Input(
                            id=ids.page_filter(PAGE, name),
                            type="number",
                            min=0,
                            max=100,
                            step=1,
                            value=float(value),
                            debounce=True,
                        ),
                    ],
                    xs=6,
                    lg=2,
                )
                for name, label, value in (
                    ("yellow", "黄色预警：落后序时进度（个百分点）", yellow),
                    ("red", "红色预警：落后序时进度（个百分点）", red),
                )
            ),
        ],
        className="g-2 mb-3 filter-bar",
    )
    body = [
        dbc.Row(id=ids.MON_SUMMARY),
        make_chart_card("双监控：执行率与目标完成度", ids.MON_QUADRANT, "绩效监控_双监控", "点击单位查看其绩效指标"),
        dbc.Card(
            [dbc.CardHeader("所选单位的绩效指标", className="fw-semibold"), dbc.CardBody(id=ids.MON_DETAIL)],
            className="mb-3",
        ),
        dbc.Card(
            [
                dbc.CardHeader(
                    [
                        html.Span("预警清单", className="fw-semibold"),
                        dbc.Button(
                            "导出 CSV",
                            id=ids.MON_ALERTS_EXPORT,
                            size="sm",
                            color="secondary",
                            outline=True,
                            className="ms-2 no-print",
                        ),
                    ]
                ),
                dbc.CardBody(
                    [
                        dag.AgGrid(
                            id=ids.MON_ALERTS,
                            columnDefs=ALERT_COLUMNS,
                            rowData=[],
                            defaultColDef=DEFAULT_COLUMN,
                            dashGridOptions=grid_options("没有预警", 20),
                            csvExportParams={"fileName": "绩效监控_预警清单.csv"},
                            className="ag-theme-quartz",
                            style={"width": "100%"},
                        ),
                        html.Div(id=ids.caption(ids.MON_ALERTS), className="chart-caption mt-2"),
                    ]
                ),
            ],
            className="mb-3",
        ),
        dbc.Row(
            [
                dbc.Col(make_chart_card("自评得分等级分布", ids.MON_SCORES, "绩效监控_自评等级"), lg=6),
                dbc.Col(make_chart_card("未完成指标（按二级指标）", ids.MON_MISSES, "绩效监控_未完成指标"), lg=6),
            ]
        ),
        make_chart_card("自评得分排名", ids.MON_RANKING, "绩效监控_得分排名"),
        make_chart_card("评价结果应用：下一年度预算与评价等级", ids.MON_APPLICATION, "绩效监控_评价结果应用"),
        html.Div(id=ids.MON_APPLICATION_TABLE),
    ]
    return html.Div(header + [bar, controls, *body])


def view(dataset: Dataset, state: ViewState) -> dict:
    m = model(dataset, state)
    said = monitor_text.sentences(m)
    return {
        "summary": kpis(m),
        "quadrant": fig_quadrant(m),
        "quadrant_caption": make_caption(said["quadrant"]),
        "detail": detail(m),
        "alerts": alert_rows(m),
        "alerts_caption": make_caption(said["alerts"]),
        "scores": fig_grades(m),
        "scores_caption": make_caption(said["scores"]),
        "misses": fig_misses(m),
        "misses_caption": make_caption(said["misses"]),
        "ranking": fig_ranking(m),
        "ranking_caption": [],
        "application": fig_application(m),
        "application_caption": make_caption(said["application"]),
        "application_table": application_table(m),
        "query": state.query(),
    }


OUTPUTS = {
    "summary": Output(ids.MON_SUMMARY, "children"),
    "quadrant": Output(ids.MON_QUADRANT, "figure"),
    "quadrant_caption": Output(ids.caption(ids.MON_QUADRANT), "children"),
    "detail": Output(ids.MON_DETAIL, "children"),
    "alerts": Output(ids.MON_ALERTS, "rowData"),
    "alerts_caption": Output(ids.caption(ids.MON_ALERTS), "children"),
    "scores": Output(ids.MON_SCORES, "figure"),
    "scores_caption": Output(ids.caption(ids.MON_SCORES), "children"),
    "misses": Output(ids.MON_MISSES, "figure"),
    "misses_caption": Output(ids.caption(ids.MON_MISSES), "children"),
    "ranking": Output(ids.MON_RANKING, "figure"),
    "ranking_caption": Output(ids.caption(ids.MON_RANKING), "children"),
    "application": Output(ids.MON_APPLICATION, "figure"),
    "application_caption": Output(ids.caption(ids.MON_APPLICATION), "children"),
    "application_table": Output(ids.MON_APPLICATION_TABLE, "children"),
}
FILTERS = ("year", "region", "unit", "agency", "month", "yellow", "red")


# A unit's point in the quadrant carries the unit in customdata[0].
CROSS_FILTER = CrossFilter(PAGE, ("agency",), ids.MON_CLEAR, {ids.MON_QUADRANT: ("agency", ("customdata", 0), ())})


def _view_state(year, region, unit, agency, month, yellow, red) -> ViewState:
    """The drawing callback's filters → the view (routing.register_view)."""
    return state_of(year, region, unit, agency, month, _text(yellow), _text(red))


def register_callbacks(app, source: DataSource) -> None:
    register_view(app, source, PAGE, OUTPUTS, view, (FILTERS, _view_state))
    register_cross_filter(app, CROSS_FILTER)

    @app.callback(
        Output(ids.MON_ALERTS, "exportDataAsCsv"), Input(ids.MON_ALERTS_EXPORT, "n_clicks"), prevent_initial_call=True
    )
    def export_alerts(_n):
        return True


def _text(value) -> str | None:
    """A threshold as the URL writes it: 15 for 15.0."""
    if value is None or value == "":
        return None
    return f"{value:g}" if isinstance(value, int | float) else str(value)
