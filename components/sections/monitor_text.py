"""Sentences about a 绩效监控 model, in the report's style (「截至6月末，全区预算执行率43.2%，低于
序时进度6.8个百分点；……」): the page's captions, the slides and the exports say the same.
A cause is only ever quoted from a 偏差原因 cell, never written."""

from __future__ import annotations

from collections import Counter

from components.figures import MISSING
from components.sections.monitor import MET, MISSED, NOT_FILLED, MonitorModel

GRADE_ORDER = ("优", "良", "中", "差")


def scope(m: MonitorModel) -> str:
    """「上海市普陀区」 or 「上海市普陀区所选2个单位」: a subset is never called the whole."""
    region = m.region or ""
    if m.agencies:
        return f"{region}{'、'.join(m.agencies)}" if len(m.agencies) <= 2 else f"{region}所选{len(m.agencies)}个单位"
    return region


def execution(m: MonitorModel) -> list[str]:
    if not m.progress:
        return [f"{m.year or ''}年暂无预算执行进度数据（execution.csv）。"]
    t = m.total
    said = []
    if t is not None and t.rate.stated:
        pace = (
            f"低于序时进度{t.gap.text()}"
            if t.gap.value > 0
            else f"高于序时进度{(-t.gap.value):.1f}个百分点"
            if t.gap.value < 0
            else "与序时进度持平"
        )
        said.append(
            f"截至{m.month}月末，{scope(m)}预算执行率{t.rate.text()}（计算值），{pace}（序时进度{t.schedule.text()}）。"
        )
    units = m.units
    red = [p for p in units if p.level == "红色预警"]
    yellow = [p for p in units if p.level == "黄色预警"]
    counted = f"{len(units)}个单位中，"
    if red:
        names = "、".join(p.agency for p in red[:5]) + ("等" if len(red) > 5 else "")
        said.append(f"{counted}{len(red)}个执行率低于序时进度{m.red:g}个百分点以上（{names}）。")
        counted = "另有"
    if yellow:
        said.append(f"{counted}{len(yellow)}个低于序时进度{m.yellow:g}至{m.red:g}个百分点。")
    if not red and not yellow and units:
        said.append(f"{len(units)}个单位执行率均未低于序时进度{m.yellow:g}个百分点以上。")
    over = [p for p in m.progress if p.rate.stated and p.rate.value > 100]
    if over:
        said.append(f"{len(over)}个单位或项目执行率超过100%，请核对数据。")
    return said


def targets(m: MonitorModel) -> list[str]:
    quantitative = [i for i in m.indicators if i.status in (MET, MISSED, NOT_FILLED)]
    if not m.indicators:
        return [f"targets.csv 中没有{m.year or ''}年的三级指标。"]
    met = sum(i.status == MET for i in quantitative)
    missed = [i for i in quantitative if i.status == MISSED]
    unfilled = sum(i.status == NOT_FILLED for i in quantitative)
    qualitative = len(m.indicators) - len(quantitative)
    said = [
        f"{m.year}年{scope(m)}共列绩效指标{len(m.indicators)}个，其中定量指标{len(quantitative)}个："
        f"已完成{met}个，未完成{len(missed)}个" + (f"，实际值未填报{unfilled}个" if unfilled else "") + "；"
        f"定性指标{qualitative}个（不计入目标完成度）。"
    ]
    for i in missed[:3]:
        reason = f"，偏差原因：{i.reason}" if i.reason else "，文件未说明偏差原因"
        said.append(f"{i.subject}「{i.name}」目标{i.target_text()}，实际{i.actual_text()}{reason}。")
    return said


def quadrants(m: MonitorModel) -> list[str]:
    counts = Counter(q for q in (m.quadrant(a) for a in dict.fromkeys(p.agency for p in m.units)) if q)
    if not counts:
        return ["没有同时具有执行率和目标完成度的单位，无法画出双监控象限。"]
    parts = "，".join(f"{q}{n}个" for q, n in counts.items())
    return [f"同时有执行率和目标完成度的单位{sum(counts.values())}个：{parts}。"]


def scores(m: MonitorModel) -> list[str]:
    if not m.scored:
        return ["文件未列出自评总分，且各项得分不全（分值合计不足100分），无法评定等级。"]
    counts = Counter(s.printed_grade or s.grade for s in m.scored if s.printed_grade or s.grade)
    bands = "，".join(f"{g}{counts[g]}个" for g in GRADE_ORDER if counts[g])
    computed = sum(s.score.source == "computed" for s in m.scored)
    note = f"（其中{computed}个总分为各项得分之和，按分项计算）" if computed else ""
    return [
        f"{m.year}年{scope(m)}列出自评得分的评价对象{len(m.scored)}个{note}，按90、80、60分划分等级：{bands or MISSING}。"
    ]


def misses(m: MonitorModel) -> list[str]:
    by = Counter(i.level2 or "未列二级指标" for i in m.indicators if i.status == MISSED)
    if not by:
        return ["没有未完成的定量指标。"]
    top = "，".join(f"{k}{n}个" for k, n in by.most_common(3))
    return [f"未完成的定量指标按二级指标：{top}。"]


def application(m: MonitorModel) -> list[str]:
    if not m.applied:
        return [
            f"暂无{m.next_year or '下一'}年度预算数据：execution.csv 中没有{m.year or ''}年评价项目在"
            f"{m.next_year or '下一'}年的全年预算数，无法比较评价结果的应用。"
        ]
    said = []
    for grade in GRADE_ORDER:
        rows = [a for a in m.applied if a.grade == grade and a.change.stated]
        if not rows:
            continue
        up = sum(a.change.value > 0 for a in rows)
        down = sum(a.change.value < 0 for a in rows)
        said.append(f"评价为{grade}的{len(rows)}个项目，{m.next_year}年预算比{m.year}年增加的{up}个、减少的{down}个。")
    return said


def sentences(m: MonitorModel) -> dict[str, list[str]]:
    return {
        "quadrant": execution(m) + quadrants(m),
        "alerts": targets(m),
        "scores": scores(m),
        "misses": misses(m),
        "application": application(m),
    }
