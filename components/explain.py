"""Sentences an official would say about each chart, written from the data in the budget report's style.

「2023年转移支付预算1722万元，比上年执行数减少10674万元，为上年执行数的13.89%。」
The sections' sentences are written by their models (components/sections/); what is left here is
the indicators' sentence of the opening slide. Amounts are written as the report writes them (no
thousands separators, no space before the unit); a figure that is not stated is said to be unpublished.
"""

from __future__ import annotations

import pandas as pd

from components.figures import exact, round_half_up
from components.theme import MISSING, UNIT_DECIMALS, in_unit, is_missing


def say_number(value: float, decimals: int = 2, fixed: bool = False) -> str:
    text = f"{round_half_up(exact(value), decimals)}"  # 四舍五入 like every other figure (1.775 → 1.78)
    if not fixed and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0.00", "-0.00") else text


def say_amount(value_wan: float | None, unit: str) -> str:
    """1722万元, 4.50亿元, 0亿元 (as the report prints them), or 未公布."""
    if is_missing(value_wan):
        return MISSING
    # 亿元 keep two decimals as the report prints balances (4.50亿元).
    return say_number(in_unit(value_wan, unit), UNIT_DECIMALS[unit], fixed=unit == "亿元") + unit


# ---------------------------------------------------------------- 绩效管理


def indicators_sentence(rows: pd.DataFrame, unit: str) -> str:
    """「开展绩效自评的预算单位数37家，绩效自评覆盖率100%，……。」 Money indicators in the display unit."""
    parts = []
    for row in rows.itertuples():
        if is_missing(row.value):
            parts.append(f"{row.indicator}{MISSING}")
        elif row.unit == "万元":
            parts.append(f"{row.indicator}{say_amount(row.value, unit)}")
        else:
            parts.append(f"{row.indicator}{say_number(row.value)}{row.unit}")
    return "，".join(parts) + "。" if parts else ""
