"""绩效监控's tables and cards: the 预警 list, the chosen units' indicators, the 评价结果应用 figures."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from components.layout import make_empty_state, make_kpi_card
from components.sections import monitor_text
from components.sections.monitor import MET, MISSED, MonitorModel
from components.theme import MISSING

EMPTY = "暂无绩效运行监控数据"
FILES_NEEDED = (
    "请在数据文件夹中加入 targets.csv（绩效目标与完成情况，每行一个三级指标）和 execution.csv"
    "（预算执行进度，每行一个单位或项目一个月份），格式见 data/README.md；示例见 examples/monitor。"
)


# ---------------------------------------------------------------- tables


ALERT_COLUMNS = [
    {"field": "level", "headerName": "预警", "width": 110},
    {"field": "kind", "headerName": "类型", "width": 110},
    {"field": "agency", "headerName": "预算单位", "flex": 1, "minWidth": 160},
    {"field": "project", "headerName": "项目", "flex": 1, "minWidth": 160},
    {"field": "gap", "headerName": "偏差", "flex": 2, "minWidth": 220},
    {"field": "points", "headerName": "落后序时进度（个百分点）", "width": 150, "filter": "agNumberColumnFilter"},
    {"field": "basis", "headerName": "依据的数字", "flex": 2, "minWidth": 220},
    {"field": "reason", "headerName": "偏差原因（文件所述）", "flex": 2, "minWidth": 180},
    {"field": "source", "headerName": "来源", "flex": 1, "minWidth": 160},
]


def alert_rows(m: MonitorModel) -> list[dict]:
    return [
        {
            "level": a.level,
            "kind": a.kind,
            "agency": a.agency,
            "project": a.project or "（单位整体）",
            "gap": a.gap,
            "points": float(round(a.order, 1)) if a.kind == "执行进度" else None,
            "basis": a.basis,
            "reason": a.reason,
            "source": a.source or "未注明来源",
        }
        for a in m.alerts
    ]


def header_row(names) -> html.Thead:
    return html.Thead(html.Tr([html.Th(h) for h in names]))


def detail(m: MonitorModel) -> list:
    """The chosen units' indicators (click a unit in the chart to choose it)."""
    if not m.agencies:
        return [html.P("点击图中的单位，查看它的绩效指标。", className="text-muted small mb-0")]
    shown = [i for i in m.indicators if i.agency in m.agencies]
    if not shown:
        return [html.P(f"{'、'.join(m.agencies)}：targets.csv 中没有{m.year}年的绩效指标。", className="mb-0")]
    head = header_row(
        (
            "预算单位",
            "项目",
            "一级指标",
            "二级指标",
            "三级指标",
            "目标值",
            "实际值",
            "分值",
            "得分",
            "完成情况",
            "偏差原因",
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(i.agency),
                    html.Td(i.project or "整体支出"),
                    html.Td(i.level1),
                    html.Td(i.level2),
                    html.Td(i.name),
                    html.Td(i.target_text()),
                    html.Td(i.actual_text()),
                    html.Td(i.weight.text()),
                    html.Td(i.score.text()),
                    html.Td(
                        i.status, className={MISSED: "text-danger fw-semibold", MET: "text-success"}.get(i.status, "")
                    ),
                    html.Td(i.reason or ("未说明" if i.status == MISSED else "")),
                ]
            )
            for i in shown
        ]
    )
    return [
        dbc.Table(
            [head, body],
            bordered=True,
            hover=True,
            responsive=True,
            size="sm",
            className="mb-0",
            id="monitor-detail-table",
        )
    ]


def application_table(m: MonitorModel) -> list:
    if not m.applied:
        return []
    head = header_row(
        (
            "预算单位",
            "项目",
            "等级",
            "自评得分",
            f"{m.year}年预算",
            f"{m.next_year}年预算",
            "增减（计算值）",
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(a.agency),
                    html.Td(a.project),
                    html.Td(a.grade),
                    html.Td(a.score.text()),
                    html.Td(a.budget.text()),
                    html.Td(a.next_budget.text()),
                    html.Td(a.change.text(signed=True)),
                ]
            )
            for a in m.applied
        ]
    )
    return [
        html.Details([html.Summary("各项目的数字"), dbc.Table([head, body], bordered=True, size="sm", responsive=True)])
    ]


def kpis(m: MonitorModel) -> list:
    if m.empty:
        return [dbc.Col(make_empty_state(f"{m.region or ''}{m.year or ''}年{EMPTY}。{FILES_NEEDED}"))]
    t = m.total
    rate = t.rate.text() if t and t.rate.stated else MISSING
    gap = ""
    if t and t.rate.stated:
        gap = f"序时进度 {t.schedule.text()}，" + (
            f"低于 {t.gap.text()}" if t.gap.value > 0 else f"高于 {(-t.gap.value):.1f}个百分点"
        )
    red = sum(p.level == "红色预警" for p in m.units)  # units; their projects are in the list
    yellow = sum(p.level == "黄色预警" for p in m.units)
    missed = sum(a.level == "目标未达" for a in m.alerts)
    scope = monitor_text.scope(m)
    return [
        make_kpi_card(f"截至{m.month or ''}月末{scope}预算执行率（计算值）", rate, gap, card_id="monitor-kpi-rate"),
        make_kpi_card(
            "执行进度预警（单位数）", f"红色 {red} · 黄色 {yellow}", f"落后序时进度：红色 {m.red:g}、黄色 {m.yellow:g} 个百分点以上"
        ),
        make_kpi_card("未完成的定量指标", f"{missed} 个", "实际值未填报的不计入"),
        make_kpi_card("列出自评得分的评价对象", f"{len(m.scored)} 个", "按90/80/60分划分优良中差"),
    ]
