"""绩效运行监控 (「双监控」, 财预〔2019〕136号): budget execution against the 序时进度 and
performance targets against their completion, watched together; self-evaluation scores in the
90/80/60 bands (财预〔2020〕10号); and whether next year's budgets follow the grades.

Every ratio here is a 计算值 of stated figures, exact (Decimal) until shown, rounded 四舍五入 to
one decimal percent; a missing 实际值 counts as neither met nor missed; no cause is ever written
that a 偏差原因 cell does not state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd

from components.data.cells import parse_number, printed
from components.data.schema import CellError
from components.figures import DERIVED, MISSING, Figure, exact
from components.sections.debt import figure_of

YELLOW, RED = Decimal(10), Decimal(20)  # points behind the 序时进度 (defaults; URL and thresholds.csv set others)
BANDS = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))  # 财预〔2020〕10号
QUANTITATIVE = ("≥", "≤", "=")
WHOLE = "整体支出"  # a row whose 项目 is empty is the unit's 部门整体支出
NOT_FILLED = "未填报"
MET, MISSED, QUALITATIVE = "已完成", "未完成", "定性"
HUNDRED = Decimal(100)


def percent(ratio: Decimal | None, lines: tuple[int, ...] = ()) -> Figure:
    """A ratio as a percentage figure: one decimal, 计算值 (never printed in the file)."""
    if ratio is None:
        return Figure.missing("%")
    return Figure(ratio * HUNDRED, "%", 1, "computed", lines, DERIVED)


def grade_of(score: Decimal | None) -> str:
    """优 ≥ 90 > 良 ≥ 80 > 中 ≥ 60 > 差, on the score as printed."""
    if score is None:
        return ""
    return next(grade for low, grade in BANDS if score >= low)


def quantity(text: str) -> Decimal | None:
    """A 目标值 or 实际值 cell as an exact number; None when not stated or not a number."""
    try:
        return None if parse_number(text, percent=True) is None else exact(printed(text))
    except CellError:
        return None


def judged(direction: str, target: Decimal | None, actual: Decimal | None) -> str:
    """已完成 / 未完成 in the indicator's direction; 定性 and a missing 实际值 are neither."""
    if direction not in QUANTITATIVE:
        return QUALITATIVE
    if target is None or actual is None:
        return NOT_FILLED
    ok = {"≥": actual >= target, "≤": actual <= target, "=": actual == target}[direction]
    return MET if ok else MISSED


def completion(indicators) -> Figure:
    """Share of the quantitative indicators met, weighted by 分值 when every one states it."""
    judged_ = [i for i in indicators if i.status in (MET, MISSED)]
    if not judged_:
        return Figure.missing("%")
    weights = [i.weight.value for i in judged_]
    if all(w is not None and w > 0 for w in weights):
        met = sum((i.weight.value for i in judged_ if i.status == MET), Decimal(0))
        ratio = met / sum(weights, Decimal(0))
    else:
        ratio = Decimal(sum(i.status == MET for i in judged_)) / len(judged_)
    return percent(ratio, tuple(i.line for i in judged_))


@dataclass(frozen=True)
class Indicator:
    agency: str
    project: str
    level1: str
    level2: str
    name: str
    direction: str
    target: str  # as printed
    actual: str
    measure: str
    weight: Figure
    score: Figure
    reason: str
    source: str
    line: int
    status: str  # 已完成 · 未完成 · 未填报 · 定性

    @property
    def subject(self) -> str:
        return f"{self.agency}{'·' + self.project if self.project else ''}"

    def target_text(self) -> str:
        sign = "" if self.direction == "定性" else self.direction
        return f"{sign}{self.target}{self.measure if self.direction != '定性' else ''}" or MISSING

    def actual_text(self) -> str:
        if not self.actual.strip():
            return NOT_FILLED
        return f"{self.actual}{self.measure if self.direction != '定性' else ''}"


@dataclass(frozen=True)
class Progress:
    """One unit's (or project's) execution at a month: 执行率 against 序时进度."""

    agency: str
    project: str
    month: int
    budget: Figure
    spent: Figure
    rate: Figure  # 执行率, 计算值
    schedule: Figure  # 序时进度 = 月份 ÷ 12
    gap: Figure  # 序时进度 − 执行率, in 百分点 (positive: behind)
    level: str  # "" · 黄色预警 · 红色预警
    source: str
    lines: tuple[int, ...] = ()
    how: str = ""  # "按分项计算" for a unit summed from its projects

    @property
    def subject(self) -> str:
        return f"{self.agency}{'·' + self.project if self.project else ''}"


@dataclass(frozen=True)
class Scored:
    """One evaluated object's self-evaluation: the printed 总分, else the sum of its 得分."""

    agency: str
    project: str
    score: Figure
    grade: str  # from the bands
    printed_grade: str  # as the file prints it ("" when not)
    source: str

    @property
    def subject(self) -> str:
        return f"{self.agency}·{self.project or WHOLE}"


@dataclass(frozen=True)
class Alert:
    level: str  # 红色预警 · 黄色预警 · 目标未达
    kind: str  # 执行进度 · 绩效目标
    agency: str
    project: str
    gap: str
    basis: str  # the figures it rests on
    reason: str  # the 偏差原因 as stated, else 未说明
    source: str
    lines: tuple[int, ...]
    order: Decimal = Decimal(0)  # points behind, for sorting


@dataclass(frozen=True)
class Applied:
    """A project evaluated in year N: its budget in N and in N+1."""

    agency: str
    project: str
    grade: str
    score: Figure
    budget: Figure
    next_budget: Figure
    change: Figure  # (N+1 − N) ÷ N, 计算值


@dataclass(frozen=True)
class MonitorModel:
    year: int | None
    region: str | None
    month: int | None
    months: tuple[int, ...]
    yellow: Decimal
    red: Decimal
    agencies: tuple[str, ...]  # the units chosen ("" : all)
    progress: tuple[Progress, ...]  # units (project "") and projects
    indicators: tuple[Indicator, ...]
    completions: Mapping[str, Figure]  # per unit
    scored: tuple[Scored, ...]
    alerts: tuple[Alert, ...]
    applied: tuple[Applied, ...]
    next_year: int | None
    total: Progress | None  # the region's units together
    sources: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.progress and not self.indicators

    @property
    def units(self) -> tuple[Progress, ...]:
        return tuple(p for p in self.progress if not p.project)

    def quadrant(self, agency: str) -> str:
        unit = next((p for p in self.units if p.agency == agency), None)
        done = self.completions.get(agency)
        if unit is None or not unit.rate.stated or done is None or not done.stated:
            return ""
        pace = "执行慢" if unit.rate.value < unit.schedule.value else "执行快"
        return f"{pace}·{'目标已达' if done.value >= HUNDRED else '目标未达'}"


# ---------------------------------------------------------------- building


def indicators_of(targets: pd.DataFrame) -> tuple[Indicator, ...]:
    out = []
    for r in targets[~targets["level1"].isin(("预算执行", "总分"))].to_dict("records"):
        out.append(
            Indicator(
                r["agency"],
                r["project"],
                r["level1"],
                r["level2"],
                r["indicator"],
                r["direction"],
                r["target"],
                r["actual"],
                r["measure"],
                figure_of(r, "weight", money=False),
                figure_of(r, "score", money=False),
                r["reason"],
                r["source"],
                int(r["line"]),
                judged(r["direction"], quantity(r["target"]), quantity(r["actual"])),
            )
        )
    return tuple(out)


def scored_of(targets: pd.DataFrame) -> tuple[Scored, ...]:
    """Per (unit, project): the 总分 row's 得分 as printed, else the sum of every 得分 when all are stated."""
    out = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in targets.to_dict("records"):  # once: a to_dict per group costs 25 ms each
        groups.setdefault((r["agency"], r["project"]), []).append(r)
    for (agency, project), records in groups.items():
        total = next((r for r in records if r["level1"] == "总分"), None)
        grade_printed = total["grade"] if total is not None else ""
        score = figure_of(total, "score", money=False) if total is not None else Figure.missing("")
        if not score.stated:
            # Summed only over a whole table (分值 adding to 100): a table cut short is no total.
            rows_ = [r for r in records if r["level1"] != "总分"]
            parts = [figure_of(r, "score", money=False) for r in rows_]
            weights = [figure_of(r, "weight", money=False) for r in rows_]
            whole = all(w.stated for w in weights) and sum((w.value for w in weights), Decimal(0)) == HUNDRED
            if parts and whole and all(p.stated for p in parts):
                lines = tuple(line for p in parts for line in p.lines)
                value = sum((p.value for p in parts), Decimal(0))
                score = Figure(value, "", max(p.decimals for p in parts), "computed", lines)
        if not score.stated and not grade_printed:
            continue
        source = next((r["source"] for r in records if r["source"]), "")
        out.append(Scored(agency, project, score, grade_of(score.value), grade_printed, source))
    return tuple(out)


def ratio_of(spent: Figure, budget: Figure) -> Decimal | None:
    if not spent.stated or not budget.stated or not budget.value:
        return None
    return spent.to(budget.unit).value / budget.value


def progress_of_parts(name: str, parts: list[Progress], month: int, yellow, red, how: str = "") -> Progress:
    """One row for `name` whose budget and spending are its parts' added up (a unit of its projects,
    the region of its units), citing each part's source once."""
    sources = "；".join(dict.fromkeys(p.source for p in parts if p.source))
    budget, spent = summed([p.budget for p in parts]), summed([p.spent for p in parts])
    return progress_of(name, "", month, budget, spent, sources, yellow, red, how)


def progress_of(
    agency: str, project: str, month: int, budget: Figure, spent: Figure, source: str, yellow, red, how=""
) -> Progress:
    lines = budget.lines + spent.lines
    rate = percent(ratio_of(spent, budget), lines)
    schedule = percent(Decimal(month) / 12)
    gap = Figure.missing("个百分点")
    level = ""
    if rate.stated:
        gap = Figure(schedule.value - rate.value, "个百分点", 1, "computed", lines, DERIVED)
        level = "红色预警" if gap.value > red else "黄色预警" if gap.value > yellow else ""
    return Progress(agency, project, month, budget, spent, rate, schedule, gap, level, source, lines, how)


def summed(figures: list[Figure]) -> Figure:
    if not figures or any(not f.stated for f in figures):
        return Figure.missing(figures[0].unit if figures else "万元")
    unit = figures[0].unit
    parts = [f.to(unit) for f in figures]
    return Figure(
        sum((p.value for p in parts), Decimal(0)),
        unit,
        max(p.decimals for p in parts),
        "computed",
        tuple(x for p in parts for x in p.lines),
    )


def progress_at(rows: pd.DataFrame, month: int, yellow, red) -> tuple[Progress, ...]:
    """Each unit and project at `month`; a unit without a row of its own is its projects summed (按分项计算)."""
    at = rows[rows["month"] == month]
    out = []
    for r in at.to_dict("records"):
        out.append(
            progress_of(
                r["agency"],
                r["project"],
                month,
                figure_of(r, "budget", money=True),
                figure_of(r, "spent", money=True),
                r["source"],
                yellow,
                red,
            )
        )
    own = {p.agency for p in out if not p.project}
    for agency in dict.fromkeys(p.agency for p in out if p.project and p.agency not in own):
        parts = [p for p in out if p.agency == agency and p.project]
        out.append(progress_of_parts(agency, parts, month, yellow, red, "按分项计算"))
    return tuple(out)


def alerts_of(progress, indicators, agencies) -> tuple[Alert, ...]:
    out = []
    for p in progress:
        if p.level and (not p.project or p.agency in agencies or not agencies):
            out.append(
                Alert(
                    p.level,
                    "执行进度",
                    p.agency,
                    p.project,
                    f"执行率{p.rate.text()}，低于序时进度{p.gap.text()}",
                    f"{p.month}月末累计支出{p.spent.text()}，全年预算数{p.budget.text()}，序时进度{p.schedule.text()}"
                    + (f"（单位数为各项目{p.how}）" if p.how else ""),
                    "未说明",
                    p.source,
                    p.lines,
                    p.gap.value,
                )
            )
    for i in indicators:
        if i.status == MISSED:
            out.append(
                Alert(
                    "目标未达",
                    "绩效目标",
                    i.agency,
                    i.project,
                    f"{i.name}：目标{i.target_text()}，实际{i.actual_text()}",
                    f"{i.level1}·{i.level2}，分值{i.weight.text()}，得分{i.score.text()}",
                    i.reason or "未说明",
                    i.source,
                    (i.line,),
                )
            )
    rank = {"红色预警": 0, "黄色预警": 1, "目标未达": 2}
    return tuple(sorted(out, key=lambda a: (rank[a.level], -a.order)))


def applied_of(scored, execution: pd.DataFrame, region, year) -> tuple[Applied, ...]:
    """Projects scored in `year`: the 全年预算数 of their latest month in `year` and in `year` + 1."""
    out = []

    def budget(y, agency, project) -> Figure:
        rows = execution[
            (execution["year"] == y)
            & (execution["region"] == region)
            & (execution["agency"] == agency)
            & (execution["project"] == project)
        ]
        if rows.empty:
            return Figure.missing("万元")
        return figure_of(rows.sort_values("month").iloc[-1].to_dict(), "budget", money=True)

    for s in scored:
        if not s.project or not (s.grade or s.printed_grade):
            continue
        now, then = budget(year, s.agency, s.project), budget(year + 1, s.agency, s.project)
        change = ratio_of(then, now)
        changed = percent(None if change is None else change - 1, now.lines + then.lines)
        out.append(Applied(s.agency, s.project, s.printed_grade or s.grade, s.score, now, then, changed))
    return tuple(out)


def model(
    dataset, year, region, month=None, agencies=(), yellow=YELLOW, red=RED, unit: str | None = None
) -> MonitorModel:
    """The 绩效监控 model of one view (pure: the data and the filters in, every figure out);
    its sentences are monitor_text.sentences(model)."""
    targets = dataset.rows("targets", year, region)
    execution = dataset.rows("execution", year, region)
    if agencies:
        targets = targets[targets["agency"].isin(agencies)]
        execution = execution[execution["agency"].isin(agencies)]
    months = tuple(sorted(int(m) for m in execution["month"].unique()))
    if month not in months:
        month = months[-1] if months else None
    progress = progress_at(execution, month, yellow, red) if month else ()
    if unit:
        progress = tuple(_in_unit(p, unit) for p in progress)
    indicators = indicators_of(targets)
    completions = {
        a: completion([i for i in indicators if i.agency == a]) for a in dict.fromkeys(i.agency for i in indicators)
    }
    scored = scored_of(targets)
    units = [p for p in progress if not p.project]
    total = None
    if units and month:
        total = progress_of_parts(region or "", units, month, yellow, red)
    all_execution = dataset.frame("execution")
    applied = applied_of(scored, all_execution, region, year) if year is not None else ()
    sources = tuple(dict.fromkeys(s for s in (*targets["source"], *execution["source"]) if s))
    return MonitorModel(
        year,
        region,
        month,
        months,
        yellow,
        red,
        tuple(agencies),
        progress,
        indicators,
        completions,
        scored,
        alerts_of(progress, indicators, agencies),
        tuple(a for a in applied if a.next_budget.stated),
        None if year is None else year + 1,
        total,
        sources,
    )


def _in_unit(p: Progress, unit: str) -> Progress:
    return replace(p, budget=p.budget.to(unit), spent=p.spent.to(unit))
