"""绩效监控 in the deck and the exports: its slides' parts and its sheets, from the same model
as the page (briefing.py and exports.py hook these in with a few lines)."""

from __future__ import annotations

import pandas as pd

from components import monitor
from components.data import Dataset
from components.figures import DERIVED
from components.sections import monitor_text
from components.sections.monitor import MISSED, MonitorModel
from components.state import ViewState

SECTION = "绩效监控"


ALERTS_ON_SLIDE = 8  # the rest are in the workbook's 绩效监控_预警 sheet


def slide_parts(dataset: Dataset, state: ViewState) -> list[tuple]:
    """(title, sentences, figure, source, points) of each slide; a part with nothing to show is left out."""
    m = monitor.model(dataset, state)
    if m.empty:
        return []
    said = monitor_text.sentences(m)
    source = "；".join(m.sources) or "数据文件未注明来源"
    part = f"（{monitor_text.scope(m)}）"
    parts = []
    if m.progress:
        title = f"{m.year}年{m.month}月末预算执行与绩效目标「双监控」{part}"
        drawn = any(m.quadrant(p.agency) for p in m.units)  # else the sentences say why there is no chart
        parts.append((title, said["quadrant"], monitor.fig_quadrant(m) if drawn else None, source, []))
    if m.alerts:
        shown = m.alerts[:ALERTS_ON_SLIDE]
        points = [
            (
                f"{a.level} {a.agency}{'·' + a.project if a.project else ''}",
                a.gap + (f"；偏差原因：{a.reason}" if a.kind == "绩效目标" else ""),
            )
            for a in shown
        ]
        more = (
            [f"另有{len(m.alerts) - len(shown)}条预警，见数据表（Excel）「绩效监控_预警」。"]
            if len(m.alerts) > len(shown)
            else []
        )
        parts.append((f"{m.year}年预警清单{part}", said["alerts"][:1] + more, None, source, points))
    if m.scored:
        parts.append(
            (f"{m.year}年绩效自评得分与等级{part}", said["scores"] + said["misses"], monitor.fig_grades(m), source, [])
        )
    elif any(i.status == MISSED for i in m.indicators):
        parts.append((f"{m.year}年未完成的绩效指标{part}", said["misses"], monitor.fig_misses(m), source, []))
    if m.applied:
        title = f"评价结果应用：{m.next_year}年预算与{m.year}年评价等级"
        parts.append((title, said["application"], monitor.fig_application(m), source, []))
    return parts


def tables(m: MonitorModel) -> list[tuple[str, str, pd.DataFrame, tuple[str, ...]]]:
    """The section's tables: execution, indicators and alerts, each (sheet, title, cells, sources);
    计算值 columns say so in their headers."""
    where = f"{m.region or ''}{m.year}年"
    month = f"{m.month}月末" if m.month else ""
    progress = pd.DataFrame(
        [
            {
                "年度": m.year,
                "地区": m.region,
                "预算单位": p.agency,
                "项目": p.project or "（单位整体）",
                "月份": p.month,
                "全年预算数": p.budget,
                "累计支出": p.spent,
                "单位": p.budget.unit,
                f"执行率（%，{DERIVED}）": p.rate,
                f"序时进度（%，{DERIVED}）": p.schedule,
                f"落后序时进度（个百分点，{DERIVED}）": p.gap,
                "预警": p.level,
                "说明": p.how,
                "来源": p.source,
            }
            for p in m.progress
        ]
    )
    indicators = pd.DataFrame(
        [
            {
                "年度": m.year,
                "地区": m.region,
                "预算单位": i.agency,
                "项目": i.project or "（整体支出）",
                "一级指标": i.level1,
                "二级指标": i.level2,
                "三级指标": i.name,
                "指标方向": i.direction,
                "目标值": i.target,
                "实际值": i.actual or "未填报",
                "计量单位": i.measure,
                "分值": i.weight,
                "得分": i.score,
                "完成情况": i.status,
                "偏差原因": i.reason,
                "来源": i.source,
            }
            for i in m.indicators
        ]
    )
    alerts = pd.DataFrame(
        [
            {
                "预警": r["level"],
                "类型": r["kind"],
                "预算单位": r["agency"],
                "项目": r["project"],
                "偏差": r["gap"],
                "依据的数字": r["basis"],
                "偏差原因（文件所述）": r["reason"],
                "来源": r["source"],
            }
            for r in monitor.alert_rows(m)
        ]
    )
    sources = tuple(m.sources)
    return [
        ("绩效监控_执行进度", f"{where}{month}预算执行进度表", progress, sources),
        ("绩效监控_绩效指标", f"{where}绩效目标完成情况表", indicators, sources),
        ("绩效监控_预警", f"{where}绩效运行监控预警清单", alerts, sources),
    ]


# The Word 预算说明's parts of the chapter, numbered in order where the sentences say anything.
CHAPTER_PARTS = (
    ("quadrant", "预算执行与绩效目标「双监控」"),
    ("alerts", "绩效目标偏离"),
    ("scores", "绩效自评"),
    ("application", "评价结果应用"),
)
