"""Checks of the published figures (warnings, never errors), aware of rounding.

A figure printed with two decimals stands for an interval (4.50 → [4.495, 4.505]); sums,
differences and ratios of such figures are intervals too. A statement is flagged only
when no values inside those intervals could make it true.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import pandas as pd

from components import vocab
from components.dataset import BASE_UNIT, SCHEMAS, Problem, margin
from components.theme import fmt_number

Interval = tuple[float, float]


def interval(row: pd.Series, column: str) -> Interval | None:
    value = row[column]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    half = row.get(margin(column), 0.0)
    half = 0.0 if half is None or math.isnan(half) else half
    return value - half, value + half


def add(parts: Iterable[Interval]) -> Interval:
    parts = list(parts)
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def overlap(a: Interval, b: Interval) -> bool:
    # A hair of tolerance for binary floating point (0.1 + 0.2 ≠ 0.3).
    eps = 1e-9 * max(1.0, abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    return a[0] <= b[1] + eps and b[0] <= a[1] + eps


def gap(a: Interval, b: Interval) -> float:
    return max(a[0] - b[1], b[0] - a[1], 0.0)


def change_pct(budget: Interval, prior: Interval) -> Interval | None:
    """Range of (budget − prior) / prior × 100 over both intervals; None when prior may be 0."""
    if prior[0] <= 0 <= prior[1]:
        return None
    values = [(b - p) / p * 100 for b, p in itertools.product(budget, prior)]
    return min(values), max(values)


def amounts(*values: float) -> list[str]:
    """Amounts for one finding, all in the unit that reads best for the largest (亿元 or 万元)."""
    if max(abs(v) for v in values) >= 1e4:
        return [f"{fmt_number(v / 1e4, 4)} 亿元" for v in values]
    return [f"{fmt_number(v, 4)} {BASE_UNIT}" for v in values]


def warn(file: str, lines: Iterable[int], message: str) -> Problem:
    lines = sorted(set(int(x) for x in lines))
    where = "、".join(f"第{x}行" for x in lines)
    return Problem(file, f"{message}（涉及{where}）", lines[0] if lines else None, level="warning")


def compare_total(file: str, label: str, total: pd.Series, parts: pd.DataFrame, column: str, column_label: str):
    """A stated total against the sum of its parts, when every part is stated."""
    stated = interval(total, column)
    pieces = [interval(row, column) for _, row in parts.iterrows()]
    if stated is None or not pieces or any(p is None for p in pieces):
        return None
    computed = add(pieces)
    if overlap(stated, computed):
        return None
    said, summed, short = amounts(total[column], parts[column].sum(), gap(stated, computed))
    return warn(
        file,
        [total["line"], *parts["line"]],
        f"{label}的{column_label}为 {said}，而分项之和为 {summed}，考虑四舍五入后仍相差至少 {short}",
    )


def check_transfers(frame: pd.DataFrame) -> list[Problem]:
    file = SCHEMAS["transfers"].file
    out = []
    for (year, region), rows in frame.groupby(["year", "region"], sort=False):
        head = f"{year}年{region}"
        cats = rows[(rows["item"] == "") & (rows["category"] != vocab.TOTAL)]
        for _, total in rows[(rows["item"] == "") & (rows["category"] == vocab.TOTAL)].iterrows():
            for column, label in (("budget", "预算数"), ("prior_actual", "上年执行数")):
                out.append(compare_total(file, f"{head}合计", total, cats, column, label))
        for _, cat in cats.iterrows():
            items = rows[(rows["item"] != "") & (rows["category"] == cat["category"])]
            for column, label in (("budget", "预算数"), ("prior_actual", "上年执行数")):
                out.append(compare_total(file, f"{head}{cat['category']}", cat, items, column, label))
        for _, row in rows[rows["item"] == ""].iterrows():
            out.extend(check_change(file, f"{head}{row['category']}", row))
    return [p for p in out if p]


def check_change(file: str, label: str, row: pd.Series) -> list[Problem]:
    budget, prior = interval(row, "budget"), interval(row, "prior_actual")
    if budget is None or prior is None:
        return []
    out = []
    stated = interval(row, "stated_change")
    computed = (budget[0] - prior[1], budget[1] - prior[0])
    if stated is not None and not overlap(stated, computed):
        said, exact, short = amounts(row["stated_change"], row["budget"] - row["prior_actual"], gap(stated, computed))
        out.append(
            warn(file, [row["line"]], f"{label}所列增减额 {said} 与预算数减上年执行数 {exact} 不符，相差至少 {short}")
        )
    stated_pct, computed_pct = interval(row, "stated_change_pct"), change_pct(budget, prior)
    if stated_pct is not None and computed_pct is not None and not overlap(stated_pct, computed_pct):
        exact = (row["budget"] - row["prior_actual"]) / row["prior_actual"] * 100
        out.append(
            warn(
                file,
                [row["line"]],
                f"{label}所列增减率 {fmt_number(row['stated_change_pct'])}% 与计算值 "
                f"{fmt_number(exact)}% 不符，相差至少 {fmt_number(gap(stated_pct, computed_pct), 3)} 个百分点",
            )
        )
    return out


DEBT_COLUMNS = (
    ("limit", "限额"),
    ("balance", "余额"),
    ("new_bonds", "新增债券"),
    ("refinancing_bonds", "再融资债券"),
    ("principal_repaid", "还本"),
    ("interest_paid", "付息"),
)


def check_debt(frame: pd.DataFrame) -> list[Problem]:
    file = SCHEMAS["debt"].file
    out = []
    for (year, region), rows in frame.groupby(["year", "region"], sort=False):
        types = rows[rows["debt_type"].isin(vocab.DEBT_TYPES)]
        for _, total in rows[rows["debt_type"] == vocab.TOTAL].iterrows():
            if len(types) == len(vocab.DEBT_TYPES):
                for column, label in DEBT_COLUMNS:
                    out.append(compare_total(file, f"{year}年{region}债务合计", total, types, column, label))
        for _, row in rows.iterrows():
            balance, limit = interval(row, "balance"), interval(row, "limit")
            if balance and limit and balance[0] > limit[1]:
                said, cap, over = amounts(row["balance"], row["limit"], row["balance"] - row["limit"])
                out.append(
                    warn(
                        file,
                        [row["line"]],
                        f"{year}年{region}{row['debt_type']}余额 {said} 超过限额 {cap}，超出 {over}",
                    )
                )
    return [p for p in out if p]


def check_grades(evaluations: pd.DataFrame, grades: pd.DataFrame) -> list[Problem]:
    """Published grade counts against graded evaluations of the same year, region and method."""
    out = []
    graded = evaluations[evaluations["grade"] != ""]
    keys = ["year", "region", "method"]
    # Positions of each year/region/method once: a province has millions of evaluations.
    positions = graded.groupby(keys, sort=False).indices if len(graded) else {}
    for (year, region, method), rows in grades.groupby(keys, sort=False):
        if (year, region, method) not in positions:
            continue
        listed = graded.iloc[positions[(year, region, method)]]
        counted = listed.groupby("grade").size()
        for _, row in rows.iterrows():
            n = int(counted.get(row["grade"], 0))
            if n != row["count"]:
                out.append(
                    warn(
                        SCHEMAS["grades"].file,
                        [row["line"]],
                        f"{year}年{region}{method}等级为{row['grade']}的评价数为 {int(row['count'])} 个，"
                        f"而 evaluations.csv 中有 {n} 个（第{'、'.join(map(str, listed['line']))}行）",
                    )
                )
    return out


def check_all(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    return [
        *check_transfers(frames["transfers"]),
        *check_debt(frames["debt"]),
        *check_grades(frames["evaluations"], frames["grades"]),
    ]
